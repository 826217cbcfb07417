"""The app: connecting and reconnecting, the one quit key, help, the palette, themes,
screenshots, and errors that never end it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from tests.helpers import async_wait_until
from tests.tui.apps import SIZE, app_for
from tests.tui.fakes import ScriptedClient, scripted_app
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config, Tui
from wezmp_tui.engine.facade import Engine
from wezmp_tui.errors import DaemonUnavailable
from wezmp_tui.tui.app import UnavailableScreen, create_app
from wezmp_tui.tui.dashboard import DashboardScreen
from wezmp_tui.tui.help import HelpScreen
from wezmp_tui.tui.modals import ConfirmModal, PromptModal
from wezmp_tui.tui.widgets.preview import Preview


async def test_shows_workspaces_panes_and_backend(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sub_title == "local · daemon connected"
        tree = app.screen.query_one("#ws-tree")
        assert [str(n.label) for n in tree.root.children] == ["★ alpha  1p 0a"]  # type: ignore[attr-defined]
        assert app.screen.query_one("#panes", DataTable).row_count == 1


async def test_the_first_screen_on_the_built_in_backend_is_the_demo(make_engine: Any) -> None:
    engine = await make_engine("local")
    app = app_for(engine, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [w.name for w in app.state.workspaces] == ["demo"]
        assert "demo-worker" in app.state.agents


@pytest.mark.parametrize("backend", ["tmux", "wezterm"])
async def test_an_empty_first_screen_says_what_to_press(
    backend: str, make_engine: Any, request: pytest.FixtureRequest
) -> None:
    if backend == "wezterm":
        request.getfixturevalue("fake_wezterm")
    engine = await make_engine(backend)
    app = app_for(engine, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.screen.query_one("#ws-tree")
        hint = [str(n.label) for n in tree.root.children]  # type: ignore[attr-defined]
        assert hint == ["No workspaces yet.", "n: create one", "A: from a layout"]
        empty = app.screen.query_one("#agents-empty", Static)
        assert empty.display and "press A to apply a layout" in str(empty.render())
        assert "Select an agent or a pane" in str(app.screen.query_one(Preview).render())


async def test_reconnects_after_the_daemon_goes_away() -> None:
    clients: list[ScriptedClient] = []
    attempts = 0

    async def factory() -> ScriptedClient:
        nonlocal attempts
        attempts += 1
        if attempts == 2:
            raise DaemonUnavailable("still down")
        c = ScriptedClient(fail_events=attempts == 1)
        clients.append(c)
        return c

    app = create_app(factory, clock=FakeClock())  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:

        async def back() -> bool:
            await pilot.pause()
            return len(clients) == 2 and app.connected

        await async_wait_until(back)
        assert attempts == 3
        assert app.sub_title == "wezterm · daemon connected"
        assert ("subscribe", {"topics": pytest.approx(clients[1].calls[1][1]["topics"])}) in (
            clients[1].calls
        )
        assert ("agent.list", {}) in clients[1].calls  # the picture fetched again
        assert "Daemon" in [n.title for n in app._notifications]


async def test_quit_is_one_key_that_asks_while_agents_run() -> None:
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")  # no key but the quit key quits
        assert app.is_running and not isinstance(app.screen, ConfirmModal)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmModal)
        assert "2 agent(s) run (claude-api, codex-api)" in app.screen.question
        await pilot.press("n")
        assert app.is_running
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_quit_without_running_agents_does_not_ask(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")  # the quit key is the same in every mode
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


async def test_help_groups_keys_by_panel_with_readable_names() -> None:
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        titles = [r[0] for r in rows if not r[0].startswith(" ")]
        assert titles == ["Workspaces panel", "Agents panel", "Panes panel", "Dashboard",
                          "Everywhere"]  # fmt: skip
        keys = {r[2]: r[0].strip() for r in rows}
        assert keys["app.help"] == "?"
        assert keys["agents.search"] == "/"
        assert keys["app.quit"] == "^q"
        assert "question_mark" not in str(rows)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_modes_and_the_palette(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        assert isinstance(app.screen, UnavailableScreen) or app.current_mode == "board"
        await pilot.press("1")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("ctrl+p")
        await pilot.press(*"switch to alpha")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert await engine.invoke("ws.current") == "alpha"


async def test_the_palette_asks_the_daemon_nothing_while_typing() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        client.calls.clear()  # what the palette's providers ask once, as it opens
        await pilot.press(*"start gem")
        await pilot.pause()
        asked = [c for c in client.calls if c[0] != "pane.get_text"]  # the live preview
        assert asked == []
        await pilot.press("enter")
        await pilot.pause()
        asked = [c for c in client.calls if c[0] != "pane.get_text"]
        assert asked == [("agent.start", {"name": "gemini-web"})]


async def test_keymap_from_config_remaps_bindings(engine: Engine) -> None:
    app = app_for(engine, config=Config(keymap={"ws.create": "ctrl+n"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert not isinstance(app.screen, PromptModal)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PromptModal)


async def test_theme_choice_is_remembered(engine: Engine, tmp_path: Any) -> None:
    settings = tmp_path / "settings.json"
    app = app_for(engine, settings_file=settings)
    async with app.run_test(size=SIZE):
        app.choose_theme("nord")
        assert app.theme == "nord"
    again = app_for(engine, settings_file=settings)
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


async def test_screenshots_go_where_the_config_says_creating_the_directory(
    tmp_path: Path,
) -> None:
    target = tmp_path / "shots" / "wezmp"
    app = scripted_app(ScriptedClient(), config=Config(tui=Tui(screenshots=str(target))))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.deliver_screenshot()

        async def saved() -> bool:
            await pilot.pause()
            return target.is_dir() and any(target.glob("*.svg"))

        assert await async_wait_until(saved)


async def test_screenshots_default_to_the_state_directory(engine: Engine) -> None:
    app = app_for(engine, paths=engine.paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screenshot_dir() == engine.paths.state_dir / "screenshots"


async def test_a_failing_background_task_is_said_once_and_the_app_goes_on() -> None:
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        async def broken() -> None:
            raise KeyError("pane_id")

        app.run_worker(broken, name="preview", exit_on_error=False)
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        assert [n.title for n in app._notifications if n.title.startswith("Error")] == [
            "Error in preview"
        ]


async def test_failed_calls_are_titled_in_words() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.call_or_notify("task.move", task_id=1, column="Done")
        await pilot.pause()
        assert [n.title for n in app._notifications][-1] == "Could not move the task"


async def test_a_broken_config_file_is_said_with_file_line_and_key(engine: Engine) -> None:
    engine.paths.config_dir.mkdir(parents=True, exist_ok=True)
    engine.paths.config_file.write_text("tui:\n  preview_interval: 2\n")
    assert (await engine.invoke("config.reload"))["ok"]
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        engine.paths.config_file.write_text("tui:\n  preview_intervall: 3\n")
        assert not (await engine.invoke("config.reload"))["ok"]

        async def said() -> bool:
            await pilot.pause()
            return any(n.title == "Config file" for n in app._notifications)

        await async_wait_until(said)
        note = next(n for n in app._notifications if n.title == "Config file")
        assert note.message.startswith("config.yaml:2: tui.preview_intervall: unknown key")
        assert engine.config.tui.preview_interval == 2  # the last good config stays
