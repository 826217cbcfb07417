"""Snapshots of the Board and Reports modes with fixed data and a frozen clock."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.helpers import async_wait_until
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config
from wezmp_tui.engine.facade import Engine
from wezmp_tui.ipc.base import InProcessClient
from wezmp_tui.mux.local import LocalMux
from wezmp_tui.paths import Paths
from wezmp_tui.store.db import Database
from wezmp_tui.tui.app import create_app

NOW = 1_800_000_000.0


def make(paths: Paths) -> Any:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    clock = FakeClock(NOW)
    engine = Engine(
        paths=paths, mux=LocalMux(), db=Database(paths.db_file), config=Config(), clock=clock
    )
    engine.add_standard_services(
        ["wezmp_tui.engine.board:BoardService", "wezmp_tui.engine.timetrack:TimeService",
         "wezmp_tui.engine.queue:QueueService", "wezmp_tui.engine.reports:ReportService"]
    )  # fmt: skip

    async def seed() -> None:
        add = engine.invoke
        await add("task.add", {"title": "Write the parser", "priority": "H", "tags": ["core"]})
        await add(
            "task.add", {"title": "Test the parser", "depends_on": [1], "due": NOW + 2 * 86400}
        )
        await add(
            "task.add",
            {"title": "Update the docs", "column": "Queue", "priority": "L", "agent": "auto"},
        )
        await add("task.add", {"title": "Review the API", "column": "Review", "tags": ["api"]})
        await add("time.start", {"task_id": 4})
        clock.advance(5400)
        await add("time.stop", {})
        await add("task.add", {"title": "Ship 0.1", "column": "Done", "priority": "M"})

    asyncio.run(seed())

    async def factory() -> InProcessClient:
        return InProcessClient(engine)

    return create_app(factory, clock=clock)


def test_board(snap_compare: Any, wezmp_env: Paths) -> None:
    from wezmp_tui.tui.board.view import BoardView

    async def go(pilot: Any) -> None:
        await pilot.press("2")

        async def settled() -> bool:  # its window arrived and no other is on its way
            await pilot.pause()
            screen = pilot.app.screen
            view = screen.query(BoardView)
            return bool(view) and view.first().selected is not None and not getattr(
                screen, "_pending", False
            )

        await async_wait_until(settled)
        await pilot.pause()

    assert snap_compare(make(wezmp_env), terminal_size=(150, 30), run_before=go)


def test_reports(snap_compare: Any, wezmp_env: Paths) -> None:
    async def go(pilot: Any) -> None:
        await pilot.press("3")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make(wezmp_env), terminal_size=(150, 30), run_before=go)
