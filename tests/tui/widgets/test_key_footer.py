"""The footer is rebuilt only when the keys it shows changed, however often Textual asks."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets._footer import FooterKey

from wezmp_tui.clock import FakeClock
from wezmp_tui.ipc.base import InProcessClient
from wezmp_tui.tui.app import create_app
from wezmp_tui.tui.board.screen import BoardScreen
from wezmp_tui.tui.widgets.key_footer import KeyFooter

NOW = 1_800_000_000.0


async def test_the_board_footer_is_built_once_per_change_of_its_keys(
    make_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await make_engine("local", clock=FakeClock(NOW))
    for title, column in [("one", "Backlog"), ("two", "Backlog"), ("three", "Queue")]:
        await engine.invoke("task.add", {"title": title, "column": column})
    builds: list[int] = []
    compose = KeyFooter.compose

    def counted(self: KeyFooter) -> Any:
        builds.append(len(self.screen.active_bindings))
        return compose(self)

    monkeypatch.setattr(KeyFooter, "compose", counted)

    async def factory() -> InProcessClient:
        return InProcessClient(engine)

    app = create_app(factory, clock=engine.clock, mode="board")
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        footer = app.screen.query_one(KeyFooter)
        keys = {k.description for k in footer.query(FooterKey)}
        # One of the two, as the card's column allows: a card in Backlog goes to the queue.
        assert "To queue" in keys and "Dispatch" not in keys
        # Textual asked for a rebuild at each focus change and screen resume (seven times):
        # built only as the keys changed (before and after the cards took the focus).
        assert len(builds) <= 3
        builds.clear()
        await pilot.press("j", "k", "j")  # another card, the same keys
        await pilot.pause()
        assert builds == []
        await pilot.press("l")  # a queued card: dispatched, not queued
        await pilot.pause()
        assert len(builds) == 1
        keys = {k.description for k in footer.query(FooterKey)}
        assert "Dispatch" in keys and "To queue" not in keys
