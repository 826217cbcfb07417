"""The board's view draws only what changed: a key draws the card the cursor left and the one
it reached, a scroll the card that came in, a reload the cards that differ; what it keeps
is what a fresh drawing gives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.board_data import COLUMNS, seed
from tests.helpers import async_wait_until
from tests.tui.apps import app_for
from wezmp_tui.clock import FakeClock
from wezmp_tui.engine.facade import Engine
from wezmp_tui.tui.board.screen import BoardScreen
from wezmp_tui.tui.board.view import BoardView

SIZE = (150, 40)  # 11 whole cards a column and one cut by the bottom edge
NOW = 1_800_000_000.0


@pytest.fixture
async def engine(make_engine: Any) -> AsyncIterator[Engine]:
    eng = await make_engine("local", clock=FakeClock(NOW))
    with eng.db.transaction() as conn:
        seed(conn, 200, NOW)  # 40 realistic cards in each of the five columns
    yield eng


class Drawn:
    """Counts the card lines the view draws (each a (column, card id, line))."""

    def __init__(self, view: BoardView) -> None:
        self.lines: list[tuple[str, int, int]] = []
        draw = view._card_line

        def counted(pal: Any, card: dict[str, Any], line: int, width: int, sel: bool) -> Any:
            self.lines.append((card["column"], card["id"], line))
            return draw(pal, card, line, width, sel)

        view._card_line = counted  # type: ignore[method-assign]

    def take(self) -> list[tuple[str, int, int]]:
        out, self.lines = sorted(self.lines), []
        return out


def screen_text(view: BoardView) -> list[str]:
    return ["".join(s.text for s in view.render_line(y)) for y in range(view.size.height)]


async def open_board(engine: Engine, pilot: Any) -> BoardView:
    await pilot.press("2")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    view = screen.query_one(BoardView)
    assert [c.count for c in view.columns] == [40] * 5
    return view


async def test_a_key_draws_only_the_two_cards_it_changed(engine: Engine) -> None:
    async with app_for(engine, engine.clock).run_test(size=SIZE) as pilot:
        view = await open_board(engine, pilot)
        drawn = Drawn(view)
        first, second = view.columns[0].cards[0]["id"], view.columns[0].cards[1]["id"]
        await pilot.press("j")
        await pilot.pause()
        assert drawn.take() == [("Backlog", first, 0), ("Backlog", first, 1),
                                ("Backlog", second, 0), ("Backlog", second, 1)]  # fmt: skip
        await pilot.press("l")  # the next column's second card, and the titles
        await pilot.pause()
        queue = view.columns[1].cards[1]["id"]
        assert drawn.take() == [("Backlog", second, 0), ("Backlog", second, 1),
                                ("Queue", queue, 0), ("Queue", queue, 1)]  # fmt: skip


async def test_a_scroll_draws_only_the_card_that_came_in(engine: Engine) -> None:
    async with app_for(engine, engine.clock).run_test(size=SIZE) as pilot:
        view = await open_board(engine, pilot)
        rows = view.visible_cards()
        for _ in range(rows - 1):
            await pilot.press("j")
        await pilot.pause()
        drawn = Drawn(view)
        await pilot.press("j")  # past the last whole card: the column scrolls by one
        await pilot.pause()
        col = view.columns[0]
        assert col.scroll == 1
        left, reached = col.card(rows - 1), col.card(rows)
        came_in = col.card(rows + 1)  # the card cut by the bottom edge
        assert left is not None and reached is not None and came_in is not None
        assert drawn.take() == sorted(
            ("Backlog", card["id"], line) for card in (left, reached, came_in) for line in (0, 1)
        )


async def test_a_reload_draws_only_the_cards_that_differ(engine: Engine) -> None:
    async with app_for(engine, engine.clock).run_test(size=SIZE) as pilot:
        view = await open_board(engine, pilot)
        drawn = Drawn(view)
        doing = view.columns[2].cards[3]["id"]
        await engine.invoke("task.edit", {"id": doing, "title": "Renamed by an agent"})

        async def shown() -> bool:
            await pilot.pause()
            return any("Renamed by an agent" in line for line in screen_text(view))

        await async_wait_until(shown)
        assert drawn.take() == [("Doing", doing, 0), ("Doing", doing, 1)]


async def test_what_it_keeps_is_what_a_fresh_drawing_gives(engine: Engine) -> None:
    async with app_for(engine, engine.clock).run_test(size=SIZE) as pilot:
        view = await open_board(engine, pilot)
        for key in "jjjjjjjjjjjjjjlljjkkhhhjjjjjjjjjjjjjjjjjjkl":
            await pilot.press(key)
        col = view.columns[view.column_index]
        shown = col.card(col.scroll + 1)  # the cards under it move up
        other = view.columns[0].card(view.columns[0].scroll)
        assert shown is not None and other is not None
        await engine.invoke("task.move", {"id": shown["id"], "column": COLUMNS[4]})
        await engine.invoke("task.edit", {"id": other["id"], "title": "Renamed by an agent"})

        async def shown_anew() -> bool:
            await pilot.pause()
            return any("Renamed by an agent" in line for line in screen_text(view))

        await async_wait_until(shown_anew)
        kept = screen_text(view)
        view.refresh()
        assert kept == screen_text(view)
