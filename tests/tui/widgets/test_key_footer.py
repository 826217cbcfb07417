"""The footer: one widget whatever the keys, repainted only when the keys it shows changed,
a key that cannot run now dimmed, a click on a key pressing it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import async_wait_until
from wezmp_tui.clock import FakeClock
from wezmp_tui.ipc.base import InProcessClient
from wezmp_tui.tui.app import WezmpApp, create_app
from wezmp_tui.tui.board.screen import BoardScreen
from wezmp_tui.tui.widgets.key_footer import KeyFooter

NOW = 1_800_000_000.0


async def board(make_engine: Any, *tasks: tuple[str, str]) -> WezmpApp:
    engine = await make_engine("local", clock=FakeClock(NOW))
    for title, column in tasks:
        await engine.invoke("task.add", {"title": title, "column": column})

    async def factory() -> InProcessClient:
        return InProcessClient(engine)

    return create_app(factory, clock=engine.clock, mode="board")


def line(footer: KeyFooter) -> str:
    return "".join(s.text for s in footer.render_line(0)).rstrip()


async def test_the_board_footer_repaints_only_when_its_keys_change(
    make_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await board(make_engine, ("one", "Backlog"), ("two", "Backlog"), ("three", "Queue"))
    paints: list[int] = []
    render = KeyFooter.render

    def counted(self: KeyFooter) -> Any:
        paints.append(len(self.items))
        return render(self)

    monkeypatch.setattr(KeyFooter, "render", counted)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        footer = app.screen.query_one(KeyFooter)
        assert not footer.children  # one widget, not one per key
        # One of the two, as the card's column allows: a card in Backlog goes to the queue.
        assert "Q To queue" in line(footer) and "Dispatch" not in line(footer)
        paints.clear()
        await pilot.press("j", "k", "j")  # another card, the same keys
        await pilot.pause()
        assert paints == []
        await pilot.press("l")  # a queued card: dispatched, not queued
        await pilot.pause()
        assert len(paints) == 1
        assert "D Dispatch" in line(footer) and "To queue" not in line(footer)


async def test_a_key_that_cannot_run_is_dimmed_and_a_click_presses_a_key(
    make_engine: Any,
) -> None:
    app = await board(make_engine, ("one", "Backlog"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        edit = next(k for k in footer.items if k.description == "Edit")
        assert edit.enabled
        await pilot.press("/", "z", "z", "z", "enter")  # a filter no card matches

        async def no_card() -> bool:
            await pilot.pause()
            return not next(k for k in footer.items if k.description == "Edit").enabled

        await async_wait_until(no_card)
        edit = next(k for k in footer.items if k.description == "Edit")
        segments = list(footer.render_line(0))
        dim = {s.text: bool(s.style and s.style.dim) for s in segments}
        assert dim[edit.display] and not dim[" New"]
        new = next(k for k in footer.items if k.description == "New")
        await pilot.click(KeyFooter, offset=(new.start, 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "TaskForm"  # as if `n` was pressed
