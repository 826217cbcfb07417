"""CPU and memory, for the machine and for each agent's whole process tree, with history.

The sampler is injectable (tests give fixed numbers). The real one runs in a worker thread and
reads the whole process table ONCE per sample (the `ProcessTable` service's: /proc, or psutil
where there is none), then walks each agent's tree in it: asking psutil for each agent's
children scans /proc once per agent, which with 16 agents was most of the daemon's CPU.
Events carry only the agents whose numbers changed.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from wezmp_tui.engine.api import api
from wezmp_tui.engine.proctable import ProcessTable
from wezmp_tui.errors import NotFound
from wezmp_tui.procfs import Table

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine


class Sample(dict[str, Any]):
    """{"system": {"cpu", "mem", "load"}, "agents": {name: {"cpu", "rss"}}}"""


class Sampler(Protocol):
    def sample(self, roots: Mapping[str, int]) -> Sample:
        """Measure the system and, per agent name, the tree under its root pid."""
        ...


class ProcSampler:
    """Every agent's tree from one process table. CPU % is the tree's CPU time since
    the previous sample over the wall time between them, as `psutil.cpu_percent` counts it
    (100 = one core busy); a process's first sample counts 0, as with psutil."""

    def __init__(self, read: Callable[[float], tuple[float, Table]]) -> None:
        self._read = read  # the table read at most so many seconds ago (blocking)
        self._tick = os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._prev: dict[int, tuple[float, int]] = {}  # pid -> (start, cpu ticks)
        self._at: float | None = None
        self._last: dict[str, dict[str, float]] = {}
        self._machine = MachineLoad()

    def sample(self, roots: Mapping[str, int]) -> Sample:
        # A table the pane tick read within the last second will do: CPU is measured
        # against the time it was read, so an older table is not a wrong one.
        now, table = self._read(1.0)
        if now == self._at and set(roots) == set(self._last):
            return self._machine.sample(self._last)  # the same table as last time
        elapsed = now - self._at if self._at is not None else 0.0
        self._at = now
        children: dict[int, list[int]] = defaultdict(list)
        for pid, st in table.items():
            children[st.ppid].append(pid)
        prev, self._prev = self._prev, {}
        agents: dict[str, dict[str, float]] = {}
        for name, root in roots.items():
            if root not in table:
                continue
            ticks = 0
            pages = 0
            todo = [root]
            while todo:
                pid = todo.pop()
                st = table[pid]
                before = prev.get(pid)
                if before is not None and before[0] == st.start:
                    ticks += st.cpu - before[1]
                self._prev[pid] = (st.start, st.cpu)
                pages += st.rss
                todo += children.get(pid, ())
            cpu = ticks / self._tick / elapsed * 100 if elapsed > 0 else 0.0
            agents[name] = {"cpu": round(cpu, 1), "rss": pages * self._page}
        self._last = agents
        return self._machine.sample(agents)


class MachineLoad:
    """The machine's CPU and memory use from /proc/stat and /proc/meminfo, counted the way
    psutil counts them (busy share of all CPU time since the last call; memory not
    available), without importing psutil into the daemon: one MiB less resident. Where
    there is no /proc, psutil's own figures."""

    def __init__(self, use_proc: bool | None = None) -> None:
        self._psutil: Any = None
        if not (os.path.exists("/proc/stat") if use_proc is None else use_proc):
            import psutil

            self._psutil = psutil
            psutil.cpu_percent(None)
            return
        self._prev = self._cpu_times()

    @staticmethod
    def _cpu_times() -> tuple[int, int]:
        """(busy, total) jiffies of all CPUs."""
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal (guest time is inside user/nice)
        total = sum(fields[:8])
        return total - fields[3] - fields[4], total

    @staticmethod
    def memory_percent() -> float:
        info = {}
        with open("/proc/meminfo") as f:
            for line in f:
                key, _, rest = line.partition(":")
                info[key] = int(rest.split()[0])
        total = info.get("MemTotal", 0)
        available = info.get("MemAvailable", info.get("MemFree", 0))
        return (total - available) / total * 100 if total else 0.0

    def sample(self, agents: dict[str, dict[str, float]]) -> Sample:
        if self._psutil is not None:
            cpu, mem = self._psutil.cpu_percent(None), self._psutil.virtual_memory().percent
        else:
            busy, total = self._cpu_times()
            d_busy, d_total = busy - self._prev[0], total - self._prev[1]
            self._prev = (busy, total)
            cpu = d_busy / d_total * 100 if d_total > 0 else 0.0
            mem = self.memory_percent()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        return Sample(
            system={"cpu": round(cpu, 1), "mem": round(mem, 1), "load": round(load, 2)},
            agents=agents,
        )  # fmt: skip


class MetricsService:
    def __init__(self, engine: Engine, sampler: Sampler | None = None) -> None:
        self.engine = engine
        self._sampler = sampler
        size = engine.config.metrics.history
        self.size = size
        self.system: dict[str, deque[float]] = {k: deque(maxlen=size) for k in ("cpu", "mem")}
        self.agents: dict[str, dict[str, deque[float]]] = {}
        self.last: Sample = Sample(system={"cpu": 0.0, "mem": 0.0, "load": 0.0}, agents={})

    @property
    def sampler(self) -> Sampler:
        if self._sampler is None:
            self._sampler = ProcSampler(self.engine.get(ProcessTable).get)
        return self._sampler

    async def start(self) -> None:
        interval = self.engine.config.metrics.interval
        self.engine.every("metrics", lambda: interval, self.tick)

    def _roots(self) -> dict[str, int]:
        from wezmp_tui.engine.supervisor import Supervisor

        infos = (a.info for a in self.engine.get(Supervisor).agents.values())
        return {a.name: a.pid for a in infos if a.pid}

    async def tick(self) -> Sample:
        roots = self._roots()
        sample = await asyncio.get_running_loop().run_in_executor(None, self.sampler.sample, roots)
        self.apply(sample)
        return sample

    def apply(self, sample: Sample) -> None:
        from wezmp_tui.engine.supervisor import Supervisor

        sys_ = sample["system"]
        self.system["cpu"].append(sys_["cpu"])
        self.system["mem"].append(sys_["mem"])
        changed: dict[str, dict[str, float]] = {}
        agents = self.engine.get(Supervisor).agents
        for name, vals in sample["agents"].items():
            series = self.agents.setdefault(
                name, {"cpu": deque(maxlen=self.size), "rss": deque(maxlen=self.size)}
            )
            series["cpu"].append(vals["cpu"])
            series["rss"].append(vals["rss"])
            if self.last["agents"].get(name) != vals:
                changed[name] = vals
            known = agents.get(name)
            if known is not None:
                known.info.cpu = vals["cpu"]
                known.info.rss = int(vals["rss"])
        for name, known in agents.items():
            info = known.info
            if name not in sample["agents"] and info.cpu is not None:
                # Nothing of it runs: no figures (rather than the last ones, or a 0).
                info.cpu = info.rss = None
        for gone in set(self.agents) - set(sample["agents"]) - set(agents):
            del self.agents[gone]
        self.last = sample
        self.engine.bus.publish("metrics.tick", {"system": sys_, "agents": changed})

    @api("metrics.history")
    async def history(self, agent: str | None = None) -> dict[str, list[float]]:
        """Recent samples: system cpu/mem percent, or an agent's cpu percent and rss bytes."""
        if agent is None:
            return {k: list(v) for k, v in self.system.items()}
        series = self.agents.get(agent)
        if series is None:
            raise NotFound(f"no samples for agent {agent!r} (is it running?)")
        return {k: list(v) for k, v in series.items()}

    @api("metrics.current")
    async def current(self) -> dict[str, Any]:
        """The latest sample."""
        return dict(self.last)
