"""Board at 10,000 and 100,000 realistic tasks (titles, tags, descriptions), beside a bare
Textual app measured in the same run: first paint from process start, CPU per key, max RSS;
the TUI and the bare app each in a fresh process, the board served by a real daemon over its
socket; the daemon's RSS after serving it. Then dispatch throughput to 8 agents (real panes
running `cat`, their states driven by hook events as Claude Code sends them).

    python bench/board.py [N ...]        (default: 10000 100000)

Every figure the issue budgets is printed with its budget; a board that painted no card (or
fewer than its screen holds) stops the run: a paint of an empty board is no measurement.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms, peak_rss_mib, rss_mib

NOW = 1_800_000_000.0
SIZE = (160, 50)
KEYS = 60


async def make_engine(n_tasks: int) -> Any:
    from tests.board_data import seed
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
    with engine.db.transaction() as conn:
        seed(conn, n_tasks, NOW)
    return engine


# -- children: each a fresh process, timed from the moment the parent started it ----------


def _report(started: float, paint: tuple[float, float], cpus: list[float], **extra: Any) -> None:
    print(json.dumps({"paint": paint[0] - started, "paint_cpu": paint[1], "cpus": cpus,
                      "rss": peak_rss_mib(),
                      **extra}))  # fmt: skip


def bare_child(started: float) -> None:
    """A bare Textual app: a header, a static text, a footer; first paint, then keys."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("hello\n" * 40)
            yield Footer()

    async def run() -> None:
        app = Bare()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            paint = time.time(), time.process_time()  # CPU counts from process start
            cpus = []
            for _ in range(KEYS):
                c = time.process_time()
                await pilot.press("j")
                cpus.append(time.process_time() - c)
        _report(started, paint, cpus)

    asyncio.run(run())


def painted_cards(view: Any) -> int:
    """Cards drawn on the board's lines (their `#id`), read from what it renders."""
    text = "\n".join(
        "".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height)
    )
    return len(re.findall(r"#\d+ ", text))


def board_child(started: float, n_tasks: int) -> None:
    """`wezmp tui` showing the board, over the socket to a running daemon."""
    from wezmp_tui.ipc.client import connect_async
    from wezmp_tui.tui.app import create_app
    from wezmp_tui.tui.board.screen import BoardScreen
    from wezmp_tui.tui.board.view import BoardView

    async def factory() -> object:
        return await connect_async(autostart=False)

    async def run() -> None:
        app = create_app(factory, mode="board")  # type: ignore[arg-type]  # `wezmp tui --board`
        async with app.run_test(size=SIZE) as pilot:
            deadline = time.monotonic() + 60
            while True:
                screen = app.screen
                if isinstance(screen, BoardScreen):
                    view = screen.query_one(BoardView)
                    if view.columns and view.selected is not None:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit("the board never showed a card")
                await pilot.pause()
            await pilot.pause()
            paint = time.time(), time.process_time()  # CPU counts from process start
            painted = painted_cards(view)
            counts = sum(c.count for c in view.columns)
            cpus = []
            for i in range(KEYS):
                key = "j" if i % 20 < 10 else ("l" if i % 2 else "k")
                c = time.process_time()
                await pilot.press(key)
                cpus.append(time.process_time() - c)
            expected = view.visible_cards() * len(view.columns)
        _report(started, paint, cpus, painted=painted, expected=expected, counts=counts)

    asyncio.run(run())


def spawn(*args: str) -> dict[str, Any]:
    started = time.time()
    out = subprocess.run([sys.executable, __file__, *args, repr(started)], capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- the parent ---------------------------------------------------------------------------


def seed_daemon(n: int) -> int:
    """A daemon over a board of `n` tasks; returns its pid."""

    async def seed() -> None:
        engine = await make_engine(n)
        await engine.stop()
        await engine.mux.close()
        engine.db.close()

    asyncio.run(seed())
    from wezmp_tui.ipc.client import connect, start_daemon
    from wezmp_tui.paths import resolve

    start_daemon(resolve())
    with connect(autostart=False) as c:
        return int(c.call("system.status")["pid"])


def board_vs_bare(n: int, bare: dict[str, Any]) -> None:
    root = isolated_env("local")
    try:
        pid = seed_daemon(n)
        idle = rss_mib(pid)
        board = spawn("--board", str(n))
        served = rss_mib(pid)
    finally:
        subprocess.run([sys.executable, "-m", "wezmp_tui", "daemon", "stop"],
                       capture_output=True, check=False, timeout=30)  # fmt: skip
        cleanup(root)
    painted, expected = board["painted"], board["expected"]
    if board["counts"] != n or painted != expected or not painted:
        raise SystemExit(f"board of {n:,}: painted {painted} cards of {expected} on screen, "
                         f"counted {board['counts']:,} tasks")  # fmt: skip
    head = f"board {n:>7,} tasks:"
    print(f"{head} painted {painted} cards, columns count {n:,}")
    print(f"{head} first paint from process start {board['paint'] * 1000:.0f} ms wall, "
          f"{board['paint_cpu'] * 1000:.0f} ms CPU (bare Textual {bare['paint'] * 1000:.0f} / "
          f"{bare['paint_cpu'] * 1000:.0f} ms: {board['paint'] / bare['paint']:.2f}x / "
          f"{board['paint_cpu'] / bare['paint_cpu']:.2f}x; budget 2x)")  # fmt: skip
    print(f"{head} key CPU {ms(board['cpus'])}; bare {ms(bare['cpus'])}; budget p50 <= 6 ms")
    print(f"{head} TUI max RSS {board['rss']:.1f} MiB (bare {bare['rss']:.1f} MiB: "
          f"{board['rss'] / bare['rss']:.2f}x; budget 1.5x)")  # fmt: skip
    print(f"board {n:>7,} tasks: daemon RSS {idle:.1f} MiB started, {served:.1f} MiB after "
          f"serving the board")


async def throughput() -> None:
    from wezmp_tui.engine.queue import QueueService
    from wezmp_tui.engine.supervisor import Supervisor

    engine = await make_engine(0)
    sup = engine.get(Supervisor)
    names = [f"agent{i}" for i in range(8)]
    clock = engine.clock

    async def hook(agent: str, event: str) -> None:
        # As Claude Code's hooks report: the one positive evidence of idle the queue trusts.
        await engine.invoke("hook.event", {"event": event, "agent": agent})

    for n in names:
        await engine.invoke("agent.define", {"spec": {"name": n, "command": ["cat"]}})
        pane = await engine.mux.spawn(workspace="bench", argv=["cat"])
        info = sup.agents[n].info
        info.pane_id, info.pid, info.state = pane, 1, "working"
        await hook(n, "Stop")
    clock.advance(2.0)  # idle must hold a moment before a task is typed
    n_tasks = 2000
    with engine.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO tasks(board, col, title, position, created_at) VALUES (?, ?, ?, ?, ?)",
            [("default", "Queue", f"job {i}", i, NOW) for i in range(n_tasks)],
        )
    queue = engine.get(QueueService)
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
    await engine.stop()
    await engine.mux.close()


def main() -> None:
    if sys.argv[1:2] == ["--bare"]:
        bare_child(float(sys.argv[2]))
        return
    if sys.argv[1:2] == ["--board"]:
        board_child(float(sys.argv[3]), int(sys.argv[2]))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(f"machine: {machine()}")
    os.environ.setdefault("WEZMP_BACKEND", "local")
    for n in sizes:
        bare = spawn("--bare")  # beside each board, so both see the machine as it is now
        board_vs_bare(n, bare)
    root = isolated_env("local")
    try:
        asyncio.run(throughput())
    finally:
        cleanup(root)


if __name__ == "__main__":
    main()
