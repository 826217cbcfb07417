"""Agents at scale: a real daemon supervising 16 and 64 agents (each `wezmp exec` wrapping a
shell loop in its own pane), on tmux, the built-in backend and a real WezTerm (where built).
Measures the daemon's CPU at its 1 s tick (with the multiplexer commands it runs), its RSS,
how soon a screen change is seen as a state, and the TUI's CPU while it shows them live (idle
ticks and key presses), in separate processes as in real use.

    python bench/agents.py [tmux|local|wezterm ...]
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

from bench._util import cleanup, cpu_seconds, isolated_env, machine, ms, real_wezterm, rss_mib

# Seconds after all agents run, before measuring: past their first minute, when the age
# column stops ticking every second (steady state; agents run for hours).
SETTLE = float(os.environ.get("BENCH_SETTLE", "60"))
WINDOW = 20.0  # seconds of ticks measured


def state_latency(c: object, n: int = 10) -> tuple[list[float], list[float]]:
    """Seconds from a screen change to the state it shows, seen by a client: an agent at a
    prompt is asked a question (waiting), then answered (idle, which must hold for
    `state.idle_debounce` before it is believed), n times."""
    call = c.call  # type: ignore[attr-defined]
    call("queue.pause")  # the board is here to be served, not dispatched to the agents
    call("agent.define", spec={"name": "asker", "kind": "shell", "command": ["sh", "-i"],
                               "workspace": "bench"})  # fmt: skip
    call("agent.start", name="asker")

    def wait_for(state: str) -> float:
        t = time.perf_counter()
        while call("agent.show", name="asker")["agent"]["state"] != state:
            if time.perf_counter() - t > 30:
                raise SystemExit(f"asker never became {state}")
            time.sleep(0.01)
        return time.perf_counter() - t

    wait_for("idle")
    waiting, idle = [], []
    for _ in range(n):
        call("agent.send", name="asker", text="printf 'Go on? [y/N] '; read x")
        waiting.append(wait_for("waiting"))
        call("agent.send", name="asker", text="y")
        idle.append(wait_for("idle"))
    call("agent.stop", name="asker")
    return waiting, idle


def serve_board(c: object, paths: object, n: int) -> None:
    """A board of `n` realistic tasks served as the TUI and the CLI read it: windows of every
    column scrolled through, and the whole listing page by page."""
    from tests.board_data import seed
    from wezmp_tui.store.db import Database

    db = Database(paths.db_file)  # type: ignore[attr-defined]
    with db.transaction() as conn:
        seed(conn, n, time.time())
    db.close()
    call = c.call  # type: ignore[attr-defined]
    call("queue.pause")  # the board is here to be served, not dispatched to the agents
    for i in range(20):
        call("board.window", size=48, offsets=dict.fromkeys(["Backlog", "Queue"], i * 40))
    offset = 0
    while page := call("task.list", offset=offset):
        offset += len(page)
    if offset != n:
        raise SystemExit(f"listed {offset} of {n} tasks")


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
    root = isolated_env(backend.removesuffix("-cli"))
    from wezmp_tui.ipc.client import connect

    real = backend.startswith("wezterm")
    # "wezterm-cli": the same WezTerm without wezmp's Lua module (no pane feed).
    wez = real_wezterm(root, module=backend == "wezterm") if real else None
    if real and wez is None:
        print("wezterm: not built (name its directory in WEZMP_REAL_WEZTERM_DIR): skipped")
        return
    try:
        with connect(backend=backend.removesuffix("-cli"), call_timeout=120) as c:
            pid = int(c.server["pid"])
            label = f"{backend:>11} {n:>2} agents"
            print(f"{label}: daemon RSS idle {rss_mib(pid):.1f} MiB")
            tasks = 100_000 if n > 64 else 10_000
            from wezmp_tui.paths import resolve

            serve_board(c, resolve(), tasks)
            print(f"{label}: daemon RSS idle after serving a {tasks:,}-task board "
                  f"{rss_mib(pid):.1f} MiB")  # fmt: skip
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
            mux_pid = wez.proc.pid if wez is not None else None
            c0, t0 = cpu_seconds(pid), time.perf_counter()
            m0 = cpu_seconds(mux_pid, children=False) if mux_pid else 0.0
            time.sleep(WINDOW)
            share = (cpu_seconds(pid) - c0) / (time.perf_counter() - t0)
            if mux_pid:
                mux_share = (cpu_seconds(mux_pid, children=False) - m0) / (
                    time.perf_counter() - t0
                )
            print(f"{label}: all started and registered in {started:.2f} s")
            print(f"{label}: daemon CPU at 1 s ticks {share * 100:.2f} % of one core"
                  " (with the multiplexer commands it runs)")  # fmt: skip
            if mux_pid:
                print(f"{label}: wezterm-mux-server CPU meanwhile {mux_share * 100:.2f} %")
            print(f"{label}: daemon RSS {rss_mib(pid):.1f} MiB")
            waiting, idle = state_latency(c)
            print(f"{label}: screen change to waiting seen {ms(waiting)}")
            print(f"{label}: screen change to idle seen    {ms(idle)}")
            out = subprocess.run(
                [sys.executable, __file__, "--tui", str(n)], capture_output=True, text=True,
                timeout=180,
            )  # fmt: skip
            if out.returncode != 0:
                raise SystemExit(f"the TUI run failed:\n{out.stderr[-3000:]}")
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
        if wez is not None:
            wez.stop()
        cleanup(root)


def main() -> None:
    if sys.argv[1:2] == ["--tui"]:
        tui_child()
        return
    print(f"machine: {machine()}")
    sizes = [int(x) for x in os.environ.get("BENCH_AGENTS", "16,64").split(",")]
    for backend in sys.argv[1:] or ["tmux", "local", "wezterm"]:
        for n in sizes:
            measure(backend, n)


if __name__ == "__main__":
    main()
