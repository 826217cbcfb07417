"""The Board mode driven by Pilot against a real engine (frozen clock): every key."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from rich.console import Console
from textual.color import Color
from textual.widgets import Input, Static

from tests.helpers import async_wait_until
from tests.tui.apps import app_for
from wezmp_tui.clock import FakeClock
from wezmp_tui.engine.facade import Engine
from wezmp_tui.paths import Paths
from wezmp_tui.tui.app import create_app
from wezmp_tui.tui.board.details import TaskDetails
from wezmp_tui.tui.board.forms import TaskForm
from wezmp_tui.tui.board.queue_prompt import QueuePrompt
from wezmp_tui.tui.board.screen import BoardScreen
from wezmp_tui.tui.board.view import HEADER, BoardView
from wezmp_tui.tui.modals import ConfirmModal, PromptModal

SIZE = (150, 40)
NOW = 1_800_000_000.0


@pytest.fixture
async def engine(make_engine: Any) -> AsyncIterator[Engine]:
    eng = await make_engine("local", clock=FakeClock(NOW))
    for title, kw in [
        ("Write the parser", {"priority": "H", "tags": ["core"]}),
        ("Test the parser", {"depends_on": [1], "due": NOW + 2 * 86400}),
        ("Update the docs", {"column": "Queue", "priority": "L"}),
    ]:
        await eng.invoke("task.add", {"title": title, **kw})
    yield eng


async def open_board(pilot: Any) -> BoardScreen:
    await pilot.press("2")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    return screen


async def column_of(engine: Engine, task_id: int) -> str:
    return str((await engine.invoke("task.show", {"id": task_id}))["task"].column)


async def test_navigation_moves_and_blocked_cards(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        assert view.selected is not None and view.selected["id"] == 1
        await pilot.press("j")
        assert view.selected["id"] == 2
        await pilot.press("k", "l")
        assert view.selected["id"] == 3 and view.column_index == 1
        await pilot.press("h", "L")  # card 1 → Queue, asked first
        await pilot.pause()
        assert isinstance(app.screen, QueuePrompt)
        await pilot.press("y")
        await pilot.pause()
        assert await column_of(engine, 1) == "Queue"
        await pilot.press("L")  # → Doing
        await pilot.pause()
        assert await column_of(engine, 1) == "Doing"
        await pilot.press("H", "y")
        await pilot.pause()
        assert await column_of(engine, 1) == "Queue"
        # Card 2 is blocked by 1: it cannot enter Doing.
        view.select_task(2)
        await pilot.press("L")
        await pilot.pause()
        assert "blocked" in str(app.screen.query_one("#queue-where", Static).render())
        await pilot.press("y", "L")
        await pilot.pause()
        assert await column_of(engine, 2) == "Queue"
        assert any("blocked by #1" in str(n.message) for n in app._notifications)


async def test_reorder_new_edit_delete(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        await pilot.press("J")
        await pilot.pause()
        order = [t.id for t in await engine.invoke("task.list", {"column": "Backlog"})]
        assert order == [2, 1]
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)
        app.screen.query_one("#title", Input).value = "Fresh task"
        app.screen.query_one("#priority", Input).value = "m"
        app.screen.query_one("#tags", Input).value = "new ui"
        app.screen.query_one("#due", Input).value = "+1d"
        await pilot.press("enter")
        await pilot.pause()
        fresh = (await engine.invoke("task.show", {"id": 4}))["task"]
        assert (fresh.title, fresh.priority, fresh.tags) == ("Fresh task", "M", ["new", "ui"])
        assert view.selected is not None and view.selected["id"] == 4
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#title", Input).value = "Renamed"
        await pilot.press("enter")
        await pilot.pause()
        assert (await engine.invoke("task.show", {"id": 4}))["task"].title == "Renamed"
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await pilot.pause()
        assert [t.id for t in await engine.invoke("task.list")] == [2, 1, 3]


async def test_timer_priority_tags_filter_details(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        await pilot.press("space")
        await pilot.pause()
        assert view.selected is not None and view.selected["timer_running"]
        engine.clock.advance(125)  # type: ignore[attr-defined]
        await pilot.press("space")
        await pilot.pause()
        task = (await engine.invoke("task.show", {"id": 1}))["task"]
        assert task.tracked == 125.0 and not task.timer_running
        await pilot.press("p")
        await pilot.pause()
        assert (await engine.invoke("task.show", {"id": 1}))["task"].priority == ""
        await pilot.press("t")
        assert isinstance(app.screen, PromptModal)
        app.screen.query_one(Input).value = "core parser"
        await pilot.press("enter")
        await pilot.pause()
        assert (await engine.invoke("task.show", {"id": 1}))["task"].tags == ["core", "parser"]
        # The filter narrows the cards as it is typed; Enter keeps it, Esc clears it.
        await pilot.press("slash", "d", "o", "c")

        async def cards() -> list[int]:
            await pilot.pause()
            return [c["id"] for col in view.columns for c in col.cards]

        await async_wait_until(lambda: _is(cards, [3]))
        await pilot.press("s", "enter")
        await pilot.pause()
        assert app.focused is view and screen.filter_text == "docs"
        assert "filter: 'docs'" in str(screen.query_one("#board-status", Static).render())
        await pilot.press("escape")
        await async_wait_until(lambda: _is(cards, [1, 2, 3]))
        assert not screen.query_one("#board-filter", Input).display
        view.select_task(1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TaskDetails)
        history = plain(app.screen.query_one("#history", Static))
        assert "Added to Backlog" in history and "Tagged it +core +parser" in history
        assert "{" not in history  # sentences, not dicts
        summary = plain(app.screen.query_one("#details-summary", Static))
        assert "Time spent  2m" in summary and "Tags        +core +parser" in summary
        assert "until" in plain(app.screen.query_one("#times", Static))
        await pilot.press("escape")


def plain(widget: Static) -> str:
    """What a Static shows, as text (tables included)."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def _is(get: Any, expected: Any) -> bool:
    return bool(await get() == expected)


async def test_queue_and_dispatch_keys_ask_first(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        assert screen.check_action("dispatch", ()) is False  # card 1 is not queued: hidden
        await pilot.press("Q")
        await pilot.pause()
        assert isinstance(app.screen, QueuePrompt)
        where = str(app.screen.query_one("#queue-where", Static).render())
        assert "No agent may take it now" in where and "No agent is defined" in where
        await pilot.press("n")  # nothing moves on no
        await pilot.pause()
        assert await column_of(engine, 1) == "Backlog"
        await pilot.press("Q", "y")
        await pilot.pause()
        assert await column_of(engine, 1) == "Queue"
        # The footer offers what the card's column allows: dispatch now, no longer "to queue".
        assert screen.check_action("dispatch", ()) is True
        assert screen.check_action("queue", ()) is False
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, QueuePrompt)
        await pilot.press("y")
        await pilot.pause()
        assert any("nothing dispatched" in str(n.message) for n in app._notifications)


async def test_q_never_quits_and_h_does_not_wrap(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        await pilot.press("h", "h")
        assert view.column_index == 0
        await pilot.press("l", "l", "l", "l", "l", "l")
        assert view.column_index == 4 and view.selected is None  # Done: empty
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert any("q does nothing" in str(n.message) for n in app._notifications)
        # Keys that need a card do nothing without one (greyed out), whatever the column.
        assert screen.check_action("delete", ()) is None
        await pilot.press("d", "Q", "h")
        assert app.screen is screen and view.column_index == 3


async def test_a_running_timer_ticks_on_the_card(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        await pilot.press("space")
        await pilot.pause()

        def details() -> str:
            return "".join(s.text for s in view.render_line(HEADER + 1))

        assert "⏱ 0m00" in details()
        engine.clock.advance(65)  # type: ignore[attr-defined]
        screen.tick_timers()
        assert "⏱ 1m05" in details()


async def test_mouse_and_events(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        await pilot.click(BoardView, offset=(35, 2))  # second column, first card
        assert view.column_index == 1 and view.selected is not None and view.selected["id"] == 3
        await engine.invoke("task.add", {"title": "From an agent", "column": "Queue"})

        async def shown() -> bool:
            await pilot.pause()
            return any(c["id"] == 4 for c in view.columns[1].cards)

        await async_wait_until(shown)


async def test_ten_thousand_tasks_render_only_what_is_visible(make_engine: Any) -> None:
    engine = await make_engine("local", clock=FakeClock(NOW))
    db = engine.db
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO tasks(board, col, title, position, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                ("default", ["Backlog", "Queue", "Doing"][i % 3], f"task {i}", i, NOW)
                for i in range(10_000)
            ],
        )
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        assert [c.count for c in view.columns][:3] == [3334, 3333, 3333]
        assert all(len(c.cards) <= view.window_request()[1] < 100 for c in view.columns)
        for _ in range(50):
            await pilot.press("j")
        assert view.card_index == 50 and view.columns[0].scroll > 0

        async def loaded() -> bool:  # the window followed the cursor
            await pilot.pause()
            return view.selected is not None and view.selected["title"] == "task 150"

        await async_wait_until(loaded)
        assert len(screen.query(BoardView)) == 1  # one widget, not one per card


async def test_board_over_the_socket_past_the_frame_limit(
    daemon: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """12,000 realistic tasks (about 5 MB of JSON, past the TUI's 2 MiB frame limit) from a
    real daemon: the board shows every column's count and scrolls, asking only for what it
    shows, and for it only now and then (the daemon sends fewer cards than asked when a
    window of realistic cards would not fit its frame)."""
    from tests.board_data import seed
    from wezmp_tui.ipc.client import connect_async
    from wezmp_tui.store.db import Database

    db = Database(daemon.db_file)
    with db.transaction() as conn:
        seed(conn, 12_000, NOW)
    db.close()

    async def factory() -> Any:
        return await connect_async(autostart=False)

    app = create_app(factory)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        view = pilot.app.screen.query_one(BoardView)

        async def painted() -> bool:
            await pilot.pause()
            return [c.count for c in view.columns] == [2400] * 5 and view.selected is not None

        await async_wait_until(painted)
        assert "12,000 tasks" in str(pilot.app.screen.query_one("#board-status").render())
        fetches: list[int] = []
        fetch = BoardScreen.fetch_window

        async def counted(self: BoardScreen, around: int | None = None) -> Any:
            fetches.append(view.card_index)
            return await fetch(self, around)

        monkeypatch.setattr(BoardScreen, "fetch_window", counted)
        for _ in range(60):
            await pilot.press("j")
            await pilot.pause()
        # What shows sits in the middle of what the daemon sent: 16 keys or so between two
        # fetches here, 2 in all (near the window's end it was 8 keys, 4 fetches).
        assert len(fetches) <= 3, fetches

        async def scrolled() -> bool:
            await pilot.pause()
            return view.selected is not None and view.selected["position"] == 300.0

        await async_wait_until(scrolled)
        assert not any("lost the connection" in str(n.message) for n in app._notifications)


async def test_a_narrow_terminal_shows_fewer_wider_columns(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        assert list(view.shown_columns()) == [0, 1, 2]
        header = "".join(s.text for s in view.render_line(0))
        assert "Backlog" in header and "Doing" in header and "›" in header
        await pilot.press("l", "l", "l", "l")
        assert list(view.shown_columns()) == [2, 3, 4] and view.column_index == 4
        assert "‹" in "".join(s.text for s in view.render_line(0))
        await pilot.click(BoardView, offset=(2, 0))  # the first column shown: Doing
        assert view.column_index == 2


async def test_the_app_can_open_on_the_board(engine: Engine) -> None:
    """`wezmp tui --board`: the board is the first screen (no dashboard built first)."""

    app = app_for(engine, engine.clock, mode="board")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen) and app.current_mode == "board"
        view = app.screen.query_one(BoardView)

        async def shown() -> bool:
            await pilot.pause()
            return view.selected is not None

        await async_wait_until(shown)
        assert "dashboard" not in app._screen_stacks


async def test_the_board_draws_in_the_theme_colours(engine: Engine) -> None:
    """Cards, their priority bar and the board itself in the theme's colours, light or dark:
    no terminal default colours, no reverse video."""

    app = app_for(engine, engine.clock, paths=engine.paths)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        pilot.app.screen.query_one(BoardView).focus()
        await pilot.press("j")  # card 1 ([H]) is no longer selected: drawn as any card
        seen = []
        for theme in ("wezmp-light", "wezmp-dark"):
            app.theme = theme
            await pilot.pause()
            variables = app.theme_variables
            bar, *rest = list(view.render_line(HEADER))  # the first card of Backlog: #1, [H]
            assert bar.style is not None and bar.style.color is not None
            assert bar.style.color.name == app.theme_color("wezmp-card-H", "")
            assert all(s.style is not None and s.style.bgcolor is not None
                       and not s.style.reverse for s in rest)  # fmt: skip
            empty = next(iter(view.render_line(SIZE[1] - 8))).style
            assert empty is not None and empty.bgcolor is not None
            assert empty.bgcolor.name == Color.parse(variables["background"]).hex.lower()
            seen.append(empty.bgcolor.name)
        assert seen[0] != seen[1]  # a light board under the light theme


async def test_an_empty_board_and_an_empty_filter_say_what_to_press(make_engine: Any) -> None:
    engine = await make_engine("local", clock=FakeClock(NOW))
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)

        def status() -> str:
            return str(screen.query_one("#board-status", Static).render())

        assert status().startswith("board default: no tasks yet, n adds one  queue running")
        await engine.invoke("task.add", {"title": "Only one"})

        async def says(start: str) -> bool:
            await pilot.pause()
            return status().startswith(start)

        await async_wait_until(lambda: says("board default: 1 task  queue"))
        await pilot.press("slash", *"zzz")
        await async_wait_until(lambda: says("board default: 0 tasks  filter: 'zzz' (esc clears"))


async def test_scrolling_asks_only_for_the_window(make_engine: Any) -> None:
    """Past the cards it holds, the board asks for the window there, not the agents or the
    queue's status again (the queue counts its whole column)."""
    from tests.board_data import seed

    engine = await make_engine("local", clock=FakeClock(NOW))
    with engine.db.transaction() as conn:
        seed(conn, 1_000, NOW)
    app = app_for(engine, engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)
        asked: list[str] = []
        call = app.call

        async def counted(method: str, /, **params: Any) -> Any:
            asked.append(method)
            return await call(method, **params)

        app.call = counted  # type: ignore[method-assign]
        for _ in range(60):
            await pilot.press("j")

        async def loaded() -> bool:
            await pilot.pause()
            return view.selected is not None and view.card_index == 60

        await async_wait_until(loaded)
        assert asked and set(asked) == {"board.window"}
