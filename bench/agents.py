"""Agents at scale: a real daemon supervising 16 and 64 agents (each `wezmp exec` wrapping a
shell loop in its own pane), on tmux and on the built-in backend. Measures the daemon's CPU
at its 1 s tick, its RSS, and the TUI's CPU while it shows them live (idle ticks and key
presses), in separate processes as in real use.

    python bench/agents.py [tmux|local ...]
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms, rss_mib

# Seconds after all agents run, before measuring: past their first minute, when the age
# column stops ticking every second (steady state; agents run for hours).
SETTLE = 60.0
WINDOW = 20.0  # seconds of ticks measured


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the full line: 12 and 13 after the comm.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tui_child() -> None:
    """The TUI on the dashboard, connected to the running daemon: start to every agent shown
    (app start, connect, first lists), CPU over idle ticks, then CPU per key press in the
    agent table."""
    from wezmp_tui.ipc.client import connect_async
    from wezmp_tui.tui.app import create_app

    n = int(sys.argv[2])

    async def run() -> dict[str, object]:
        async def factory() -> object:
            return await connect_async(autostart=False)

        started = time.perf_counter()
        app = create_app(factory)  # type: ignore[arg-type]
        async with app.run_test(size=(160, 50)) as pilot:
            deadline = time.monotonic() + 30
            while app.screen.query("#agents").first().row_count < n:  # type: ignore[attr-defined]
                if time.monotonic() > deadline:
                    raise SystemExit("the TUI never showed every agent")
                await pilot.pause()
            paint = time.perf_counter() - started
            await asyncio.sleep(3)
            c0, t0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(WINDOW)
            idle = (time.process_time() - c0) / (time.perf_counter() - t0)
            app.screen.query_one("#agents").focus()
            cpus, walls = [], []
            for i in range(40):
                c, t = time.process_time(), time.perf_counter()
                await pilot.press("down" if i % 20 < 10 else "up")
                cpus.append(time.process_time() - c)
                walls.append(time.perf_counter() - t)
        return {"idle": idle, "keys": cpus, "walls": walls, "paint": paint}

    print(json.dumps(asyncio.run(run())))


def measure(backend: str, n: int) -> None:
    root = isolated_env(backend)
    from wezmp_tui.ipc.client import connect

    try:
        with connect(backend=backend, call_timeout=120) as c:
            pid = int(c.server["pid"])
            c.call("ws.create", name="bench", cwd="/tmp")
            loop = ["sh", "-c", "while :; do echo tick; sleep 5; done"]
            for i in range(n):
                c.call("agent.define", spec={"name": f"a{i:02d}", "kind": "shell",
                                             "command": loop, "workspace": "bench"})  # fmt: skip
            t = time.perf_counter()
            c.call("agent.start", workspace="bench")
            deadline = time.monotonic() + 120
            while True:
                agents = c.call("agent.list")
                if all(a.get("pid") for a in agents):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"agents never all ran: {agents}")
                time.sleep(0.1)
            started = time.perf_counter() - t
            time.sleep(SETTLE)
            c0, t0 = cpu_seconds(pid), time.perf_counter()
            time.sleep(WINDOW)
            share = (cpu_seconds(pid) - c0) / (time.perf_counter() - t0)
            label = f"{backend:>5} {n:>2} agents"
            print(f"{label}: all started and registered in {started:.2f} s")
            print(f"{label}: daemon CPU at 1 s ticks {share * 100:.2f} % of one core")
            print(f"{label}: daemon RSS {rss_mib(pid):.1f} MiB")
            out = subprocess.run(
                [sys.executable, __file__, "--tui", str(n)], capture_output=True, text=True,
                check=True, timeout=180,
            )  # fmt: skip
            tui = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{label}: TUI start to every agent shown {tui['paint'] * 1000:.0f} ms")
            print(f"{label}: TUI CPU on the dashboard {tui['idle'] * 100:.2f} % of one core")
            print(f"{label}: TUI key in agent table (CPU)        {ms(tui['keys'])}")
            print(f"{label}: TUI key in agent table (Pilot wall) {ms(tui['walls'])}")
            c.call("system.shutdown")
    except BaseException:
        log = root / "s" / "wezmp.log"
        if log.exists():
            print("daemon log:\n" + log.read_text()[-4000:])
        raise
    finally:
        time.sleep(0.5)
        cleanup(root)


def main() -> None:
    if sys.argv[1:2] == ["--tui"]:
        tui_child()
        return
    print(f"machine: {machine()}")
    for backend in sys.argv[1:] or ["tmux", "local"]:
        for n in (16, 64):
            measure(backend, n)


if __name__ == "__main__":
    main()
