"""Snapshots of the Board mode, the task form, a task's view, the queue prompt and Reports,
at 80x24 and 160x50, in the dark and the light theme, from fixed data and a frozen clock
(time zone UTC, so dates read the same on every machine)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from tests.helpers import async_wait_until
from tests.tui.apps import app_for
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config
from wezmp_tui.engine.facade import Engine
from wezmp_tui.mux.local import LocalMux
from wezmp_tui.paths import Paths
from wezmp_tui.store.db import Database
from wezmp_tui.tui.dashboard import DashboardScreen
from wezmp_tui.tui.reports.screen import ReportsScreen

NOW = 1_800_000_000.0  # Fri 15 Jan 2027 08:00 UTC
SIZES = [(80, 24), (160, 50)]
THEMES = ["wezmp-dark", "wezmp-light"]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make(paths: Paths, theme: str = "wezmp-dark") -> Any:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    clock = FakeClock(NOW - 4 * 86400)
    config = Config(theme=theme)
    engine = Engine(
        paths=paths, mux=LocalMux(), db=Database(paths.db_file), config=config, clock=clock
    )
    engine.add_standard_services()

    async def seed() -> None:
        add = engine.invoke
        await add("ws.create", {"name": "api", "cwd": "/"})
        await add("task.add", {"title": "Write the parser", "priority": "H", "tags": ["core"],
                               "description": "Tokens first, then the grammar."})  # fmt: skip
        await add("task.add", {"title": "Test the parser on every recorded screen",
                               "depends_on": [1], "tags": ["core", "test"]})  # fmt: skip
        await add("task.add", {"title": "Update the docs", "column": "Queue", "priority": "L",
                               "agent": "auto"})  # fmt: skip
        await add("task.add", {"title": "Review the API", "column": "Review", "tags": ["api"],
                               "workspace": "api"})  # fmt: skip
        for day, secs in ((0, 5400), (1, 2700), (2, 36)):
            await add("time.start", {"task_id": 4 - day % 2})
            clock.advance(secs)
            await add("time.stop", {})
            clock.advance(86400 - secs)
        await add("task.add", {"title": "Ship 0.1", "column": "Done", "priority": "M"})
        await add("task.edit", {"id": 2, "due": NOW - 86400})
        await add("task.move", {"id": 1, "column": "Doing"})
        clock.advance(NOW - clock.now() - 600)
        await add("time.start", {"task_id": 1})
        clock.advance(600)

    asyncio.run(seed())

    return app_for(engine, clock, config=config, paths=paths)


async def settled(pilot: Any) -> None:
    """Until no screen waits for a window of cards it asked for (slower under coverage and
    parallel runs: a fixed number of pauses is not enough)."""

    async def idle() -> bool:
        await pilot.pause()
        stack = pilot.app.screen_stack
        return not any(getattr(s, "_pending", False) for s in stack) and not any(
            isinstance(s, ReportsScreen) and not s.data for s in stack
        )

    await async_wait_until(idle)


def keys(*pressed: str) -> Callable[[Any], Awaitable[None]]:
    async def go(pilot: Any) -> None:
        async def started() -> bool:  # a mode key pressed sooner loses to the first mode
            await pilot.pause()
            return isinstance(pilot.app.screen, DashboardScreen)

        await async_wait_until(started)
        for key in pressed:
            await pilot.press(key)
            await settled(pilot)
        for field in pilot.app.screen.query("Input, TextArea"):
            field.cursor_blink = False  # a blinking cursor is on or off by chance
        await pilot.pause()

    return go


MODES = {
    "board": keys("2", "l", "l"),
    "form": keys("2", "n", *"Ship", "tab", "tab", "h", "tab", *"api", "tab", *"tomorrow"),
    "details": keys("2", "l", "l", "l", "enter"),
    "queue_prompt": keys("2", "Q"),
    "reports": keys("3"),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", list(MODES))
def test_mode(
    snap_compare: Any, wezmp_env: Paths, mode: str, size: tuple[int, int], theme: str
) -> None:
    assert snap_compare(make(wezmp_env, theme), terminal_size=size, run_before=MODES[mode])
