"""Metrics with a fixed sampler, and once with psutil on a real process tree."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import pytest

from wezmp_tui.config.schema import Config, Metrics
from wezmp_tui.engine.metrics import MachineLoad, MetricsService, ProcSampler, Sample
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import NotFound


class FixedSampler:
    def __init__(self) -> None:
        self.values: list[Sample] = []
        self.roots: list[dict[str, int]] = []

    def sample(self, roots: Mapping[str, int]) -> Sample:
        self.roots.append(dict(roots))
        return self.values.pop(0)


async def test_history_events_and_agent_numbers(make_engine: Any) -> None:
    engine = await make_engine("local", config=Config(metrics=Metrics(history=3)))
    await engine.invoke("agent.define", {"spec": {"name": "a"}})
    engine.get(Supervisor).agents["a"].info.pid = 4242
    svc = engine.get(MetricsService)
    fixed = FixedSampler()
    svc._sampler = fixed
    ticks = engine.bus.subscribe(["metrics.tick"])
    for cpu in (10.0, 20.0, 30.0, 40.0):
        fixed.values.append(
            Sample(
                system={"cpu": cpu, "mem": 50.0, "load": 0.5},
                agents={"a": {"cpu": 5.0, "rss": 1024}},
            )
        )
        await svc.tick()
    assert fixed.roots[0] == {"a": 4242}
    hist = await engine.invoke("metrics.history")
    assert hist == {"cpu": [20.0, 30.0, 40.0], "mem": [50.0, 50.0, 50.0]}
    assert await engine.invoke("metrics.history", {"agent": "a"}) == {
        "cpu": [5.0, 5.0, 5.0],
        "rss": [1024, 1024, 1024],
    }
    info = engine.get(Supervisor).agents["a"].info
    assert (info.cpu, info.rss) == (5.0, 1024)
    first = ticks.get_nowait()
    second = ticks.get_nowait()
    assert first is not None and first.data["agents"] == {"a": {"cpu": 5.0, "rss": 1024}}
    assert second is not None and second.data["agents"] == {}  # unchanged: not resent
    assert (await engine.invoke("metrics.current"))["system"]["cpu"] == 40.0
    # Nothing of it runs any more: blank figures, not its last ones (nor a measured 0).
    fixed.values.append(Sample(system={"cpu": 1.0, "mem": 50.0, "load": 0.5}, agents={}))
    await svc.tick()
    assert (info.cpu, info.rss) == (None, None)
    with pytest.raises(NotFound):
        await engine.invoke("metrics.history", {"agent": "nobody"})


@pytest.mark.parametrize("source", ["proc", "psutil"])
def test_samplers_measure_a_real_process_tree(source: str) -> None:
    """The same sampler over /proc, and over psutil as where there is no /proc (macOS)."""
    import time

    from wezmp_tui import procfs

    read = procfs.psutil_table if source == "psutil" else procfs.read_table
    # A grandchild holds the memory and a second one burns CPU: both count for the root.
    child = "x = bytearray(30_000_000); import time; time.sleep(30)"
    busy = "import time\nend = time.monotonic() + 30\nwhile time.monotonic() < end: pass"
    code = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {busy!r}])\n"
        f"subprocess.Popen([sys.executable, '-c', {child!r}]).wait()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        sampler = ProcSampler(lambda _: (time.monotonic(), read()))
        if source == "psutil":
            sampler._machine = MachineLoad(use_proc=False)

        deadline = time.monotonic() + 10
        rss, cpu = 0, 0.0
        while time.monotonic() < deadline:
            s = sampler.sample({"tree": proc.pid, "gone": 999_999_999})
            tree = s["agents"].get("tree", {"rss": 0, "cpu": 0.0})
            rss, cpu = max(rss, tree["rss"]), max(cpu, tree["cpu"])
            # The sleeping children use next to nothing: a few % can only be the spinning one's,
            # which is all a loaded machine gives it.
            if rss > 30_000_000 and cpu > 2:
                break
            time.sleep(0.2)  # waiting for the children to allocate and spin, real processes
        assert rss > 30_000_000
        assert cpu > 2
        assert "gone" not in s["agents"]
        assert 0 <= s["system"]["cpu"] <= 100 and s["system"]["mem"] > 0
    finally:
        import os
        import signal

        for child in __import__("psutil").Process(proc.pid).children(recursive=True):
            os.kill(child.pid, signal.SIGKILL)
        proc.kill()
        proc.wait()


def test_machine_load_agrees_with_psutil() -> None:
    import time

    import psutil

    machine = MachineLoad()
    assert abs(machine.memory_percent() - psutil.virtual_memory().percent) < 2.0
    end = time.monotonic() + 0.3
    while time.monotonic() < end:  # keep one core busy between the two readings
        pass
    cpu = machine.sample({})["system"]["cpu"]
    assert 100 / (os.cpu_count() or 1) * 0.5 <= cpu <= 100


def test_the_linux_sampler_leaves_psutil_out_of_the_daemon() -> None:
    from tests.helpers import fresh_python

    code = (
        "import sys, os\n"
        "import time\n"
        "from wezmp_tui.engine.metrics import ProcSampler\n"
        "from wezmp_tui.procfs import read_table\n"
        "s = ProcSampler(lambda _: (time.monotonic(), read_table())).sample({'me': os.getpid()})\n"
        "assert s['agents']['me']['rss'] > 0, s\n"
        "assert 'psutil' not in sys.modules, 'psutil was imported'\n"
    )
    proc = fresh_python(code)
    assert proc.returncode == 0, proc.stderr
