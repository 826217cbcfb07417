"""The task form driven by Pilot against a real engine (frozen clock): inline checks, dates
shown parsed before saving, refusals that keep what was typed, clearing, fast typing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, Static, TextArea

from tests.tui.apps import app_for
from tests.tui.board.test_screen import NOW, engine, open_board
from wezmp_tui.engine.facade import Engine
from wezmp_tui.model import dates
from wezmp_tui.tui.board.forms import TaskForm
from wezmp_tui.tui.board.view import BoardView

__all__ = ["engine"]  # the fixture, shared with the board's tests


def hint(app: Any, name: str) -> str:
    box = app.screen.query_one(f"#{name}-hint", Static)
    return str(box.render()) if box.display else ""


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


async def test_a_bad_date_is_named_beside_the_field_and_nothing_is_lost(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        await type_text(pilot, "Ship it")
        form.query_one("#due", Input).focus()
        await type_text(pilot, "2026-13-45")
        await pilot.pause()
        assert "month must be in 1..12" in hint(app, "due")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and form.focused is form.query_one("#due")
        assert form.query_one("#title", Input).value == "Ship it"
        form.query_one("#due", Input).value = "tomorrow"
        await pilot.pause()
        tomorrow = dt.date.fromtimestamp(engine.clock.now()) + dt.timedelta(days=1)
        assert f"{tomorrow.day} {tomorrow:%b %Y} (tomorrow)" in hint(app, "due")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not form
        task = (await engine.invoke("task.show", {"id": 4}))["task"]
        assert dt.date.fromtimestamp(task.due) == tomorrow


async def test_keys_typed_fast_across_tab_land_in_the_focused_field(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(pilot)
        # All queued at once, before any of them is handled: faster than any typist. Even
        # the keys right after `n` belong to the form (`h`, `p` would move or change a card).
        for key in ["n", *"ab", "tab", *"cd", "tab", "h", "tab", *"ef"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        assert board.query_one(BoardView).column_index == 0
        assert form.query_one("#title", Input).value == "ab"
        assert form.query_one("#description", TextArea).text == "cd"
        assert form.query_one("#priority", Input).value == "h"
        assert form.query_one("#tags", Input).value == "ef"


async def test_new_card_fields_and_edit_clears_them(engine: Engine) -> None:
    await engine.invoke("ws.create", {"name": "api", "cwd": "/"})
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_board(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#title", Input).value = "Wire the API"
        form.query_one("#description", TextArea).text = "both ends\nwith tests"
        form.query_one("#priority", Input).value = "high"
        form.query_one("#tags", Input).value = "api, net"
        form.query_one("#due", Input).value = "fri"
        form.query_one("#agent", Input).value = "auto"
        form.query_one("#workspace", Input).value = "nowhere"
        await pilot.pause()
        assert "no workspace named 'nowhere'" in hint(app, "workspace")
        form.query_one("#workspace", Input).value = "api"
        await pilot.pause()
        assert hint(app, "workspace") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        t = (await engine.invoke("task.show", {"id": 4}))["task"]
        assert (t.title, t.description, t.priority, t.tags) == (
            "Wire the API", "both ends\nwith tests", "H", ["api", "net"]
        )
        assert (t.agent, t.workspace) == ("auto", "api") and t.due is not None
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#due", Input).value != ""
        form.query_one("#due", Input).value = ""
        form.query_one("#agent", Input).value = ""
        await pilot.pause()
        assert "no due date (cleared)" in hint(app, "due")
        await pilot.press("enter")
        await pilot.pause()
        t = (await engine.invoke("task.show", {"id": 4}))["task"]
        assert (t.due, t.agent, t.workspace, t.title) == (None, None, "api", "Wire the API")
        edits = [h.detail for h in (await engine.invoke("task.show", {"id": 4}))["history"]
                 if h.action == "edited"]  # fmt: skip
        assert edits[-1] == {"due": None, "agent": None}  # only what changed


async def test_a_refused_save_keeps_the_form(engine: Engine) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(pilot)
        saved: list[dict[str, Any]] = []

        async def save(values: dict[str, Any]) -> str | None:
            saved.append(values)
            return "tags: the daemon says no" if len(saved) == 1 else "disk full"

        form = TaskForm(save, now=engine.clock.now)
        await app.push_screen(form)
        form.query_one("#title", Input).value = "x"
        form.query_one("#tags", Input).value = "a"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and hint(app, "tags") == "tags: the daemon says no"
        assert form.focused is form.query_one("#tags")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(form.query_one("#form-error", Static).render()) == "disk full"
        assert saved == [{"title": "x", "tags": ["a"]}] * 2
        await pilot.press("escape")
        assert app.screen is not form


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("today", "(today)"),
        ("tomorrow", "(tomorrow)"),
        ("mon", "(Mon)"),
        ("+3d", dates.describe_due(NOW + 3 * 86400, NOW)),  # three days on, at this hour
        ("2027-03-01", "Mon 1 Mar 2027 (1 Mar)"),
    ],
)
async def test_a_due_date_is_shown_parsed_as_it_is_typed(
    engine: Engine, typed: str, shown: str
) -> None:
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#due", Input).focus()
        await type_text(pilot, typed)
        await pilot.pause()
        assert hint(app, "due").startswith("→ ") and shown in hint(app, "due")
