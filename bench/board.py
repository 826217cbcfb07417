"""Board: first paint and key latency with 1,000 and 10,000 tasks, TUI RSS at 10,000, and
dispatch throughput to 8 agents (real panes running `cat`, their states driven by hook
events as Claude Code sends them, every dispatch checked on screen as in real use)."""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms

NOW = 1_800_000_000.0


async def make_engine(n_tasks: int) -> object:
    from wezmp_tui.clock import FakeClock
    from wezmp_tui.config.schema import Config
    from wezmp_tui.engine.facade import Engine
    from wezmp_tui.mux.local import LocalMux
    from wezmp_tui.paths import resolve
    from wezmp_tui.store.db import Database

    paths = resolve()
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    engine = Engine(paths=paths, mux=LocalMux(), db=Database(paths.db_file), config=Config(),
                    clock=FakeClock(NOW))  # fmt: skip
    engine.add_standard_services()
    await engine.start()
    cols = ["Backlog", "Queue", "Doing", "Review", "Done"]
    with engine.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO tasks(board, col, title, priority, tags, position, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [("default", cols[i % 5], f"task number {i}", "HML"[i % 3], '["bench"]', i, NOW)
             for i in range(n_tasks)],
        )  # fmt: skip
    return engine


async def paint_and_keys(n_tasks: int) -> None:
    from wezmp_tui.ipc.base import InProcessClient
    from wezmp_tui.tui.app import create_app
    from wezmp_tui.tui.board.screen import BoardScreen
    from wezmp_tui.tui.board.view import BoardView

    engine = await make_engine(n_tasks)

    async def factory() -> InProcessClient:
        return InProcessClient(engine)  # type: ignore[arg-type]

    app = create_app(factory, clock=engine.clock)  # type: ignore[attr-defined]
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("2")
        while (
            not isinstance(app.screen, BoardScreen) or not app.screen.query_one(BoardView).columns
        ):
            await pilot.pause()
        await pilot.pause()
        paint = time.perf_counter() - t
        walls, cpus = [], []
        for i in range(60):
            key = "j" if i % 20 < 10 else ("l" if i % 2 else "k")
            t, c = time.perf_counter(), time.process_time()
            await pilot.press(key)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
    print(f"board {n_tasks:>6} tasks: first paint {paint * 1000:.0f} ms")
    print(f"board {n_tasks:>6} tasks: key (Pilot wall) {ms(walls)}")
    print(f"board {n_tasks:>6} tasks: key (CPU)        {ms(cpus)}")
    await engine.stop()  # type: ignore[attr-defined]
    await engine.mux.close()  # type: ignore[attr-defined]


async def throughput() -> None:
    from wezmp_tui.engine.queue import QueueService
    from wezmp_tui.engine.supervisor import Supervisor

    engine = await make_engine(0)
    sup = engine.get(Supervisor)  # type: ignore[attr-defined]
    names = [f"agent{i}" for i in range(8)]
    clock = engine.clock  # type: ignore[attr-defined]

    async def hook(agent: str, event: str) -> None:
        # As Claude Code's hooks report: the one positive evidence of idle the queue trusts.
        await engine.invoke("hook.event", {"event": event, "agent": agent})  # type: ignore[attr-defined]

    for n in names:
        await engine.invoke("agent.define", {"spec": {"name": n, "command": ["cat"]}})  # type: ignore[attr-defined]
        pane = await engine.mux.spawn(workspace="bench", argv=["cat"])  # type: ignore[attr-defined]
        info = sup.agents[n]
        info.pane_id, info.pid, info.state = pane, 1, "working"
        await hook(n, "Stop")
    clock.advance(2.0)  # idle must hold a moment before a task is typed
    n_tasks = 2000
    with engine.db.transaction() as conn:  # type: ignore[attr-defined]
        conn.executemany(
            "INSERT INTO tasks(board, col, title, position, created_at) VALUES (?, ?, ?, ?, ?)",
            [("default", "Queue", f"job {i}", i, NOW) for i in range(n_tasks)],
        )
    queue = engine.get(QueueService)  # type: ignore[attr-defined]
    queue.paused = True  # drive it by hand
    t = time.perf_counter()
    done = 0
    while done < n_tasks:
        dispatched = await queue.dispatch_now()
        if not dispatched:
            break
        for d in dispatched:
            await hook(d["agent"], "UserPromptSubmit")
            await hook(d["agent"], "Stop")
        clock.advance(2.0)
        await asyncio.sleep(0)
        done += len(dispatched)
    wall = time.perf_counter() - t
    if done != n_tasks:
        raise SystemExit(f"dispatch stopped at {done} of {n_tasks} tasks: {queue.why_not()}")
    print(f"dispatch to 8 agents: {done} tasks in {wall:.2f} s = {done / wall * 60:,.0f} tasks/min")
    await engine.stop()  # type: ignore[attr-defined]
    await engine.mux.close()  # type: ignore[attr-defined]


def rss_child() -> None:
    """The TUI alone, as in real use: a fresh process, the board served by a daemon over the
    socket."""
    asyncio.run(paint_only())
    print(json.dumps({"rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def seed_daemon(n: int) -> None:
    async def seed() -> None:
        engine = await make_engine(n)
        await engine.stop()  # type: ignore[attr-defined]
        await engine.mux.close()  # type: ignore[attr-defined]
        engine.db.close()  # type: ignore[attr-defined]

    asyncio.run(seed())
    from wezmp_tui.ipc.client import start_daemon
    from wezmp_tui.paths import resolve

    start_daemon(resolve())


async def paint_only() -> None:
    from wezmp_tui.ipc.client import connect_async
    from wezmp_tui.tui.app import create_app
    from wezmp_tui.tui.board.screen import BoardScreen
    from wezmp_tui.tui.board.view import BoardView

    async def factory() -> object:
        return await connect_async(autostart=False)

    app = create_app(factory)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2")
        while (
            not isinstance(app.screen, BoardScreen) or not app.screen.query_one(BoardView).columns
        ):
            await pilot.pause()
        for _ in range(20):
            await pilot.press("j")


def main() -> None:
    if sys.argv[1:] == ["--rss"]:
        rss_child()
        return
    print(f"machine: {machine()}")
    for n in (1_000, 10_000):
        root = isolated_env("local")
        try:
            asyncio.run(paint_and_keys(n))
        finally:
            cleanup(root)
    root = isolated_env("local")
    try:
        asyncio.run(throughput())
    finally:
        cleanup(root)
    root = isolated_env("local")
    try:
        seed_daemon(10_000)
        out = subprocess.run(
            [sys.executable, __file__, "--rss"], capture_output=True, text=True, check=True,
            timeout=120,
        )  # fmt: skip
        rss = json.loads(out.stdout.strip().splitlines()[-1])["rss_mib"]
        print(f"TUI alone (board over the socket) max RSS with 10,000 tasks: {rss:.1f} MiB")
    finally:
        subprocess.run([sys.executable, "-m", "wezmp_tui", "daemon", "stop"],
                       capture_output=True, check=False, timeout=30)  # fmt: skip
        cleanup(root)


if __name__ == "__main__":
    main()
