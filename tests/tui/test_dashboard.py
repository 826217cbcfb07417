"""The Dashboard driven by Pilot: against a real engine (local backend, and tmux where the
pane must come to the front) through the in-process client, and against a scripted client
for fixed data."""

from __future__ import annotations

import os
from typing import Any

import pytest
from textual.color import Color
from textual.widgets import DataTable, Input, Static, Tree

from tests.helpers import async_wait_until
from tests.tui.apps import SIZE, app_for, dash
from tests.tui.fakes import ScriptedClient, scripted_app
from wezmp_tui.engine.facade import Engine
from wezmp_tui.model.events import Event
from wezmp_tui.paths import resolve
from wezmp_tui.tui.app import WezmpApp
from wezmp_tui.tui.attach import AttachScreen
from wezmp_tui.tui.dashboard import DashboardScreen
from wezmp_tui.tui.modals import ChoiceModal, ConfirmModal, PromptModal, TextModal
from wezmp_tui.tui.widgets.key_footer import KeyFooter
from wezmp_tui.tui.widgets.metrics import MetricsPanel
from wezmp_tui.tui.widgets.preview import Preview


def footer(app: WezmpApp) -> list[str]:
    """The descriptions the footer shows now."""
    return [
        b.binding.description
        for b in app.screen.active_bindings.values()
        if b.binding.show and b.enabled
    ]


async def ws_names(engine: Engine) -> list[str]:
    return [w.name for w in await engine.invoke("ws.list")]


async def agent_state(engine: Engine, name: str) -> str:
    return str((await engine.invoke("agent.show", {"name": name}))["agent"]["state"])


async def define_cat(engine: Engine, name: str = "bot", ws: str = "alpha") -> None:
    await engine.invoke(
        "agent.define",
        {"spec": {"name": name, "workspace": ws, "command": ["sh", "-c", "exec cat"],
                  "restart": {"policy": "no"}}},
    )  # fmt: skip


async def test_create_rename_switch_delete(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        assert d.selected_ws == "alpha"
        await pilot.press("n")
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*"bad:name", "enter")
        assert ": not allowed" in str(app.screen.query_one("#prompt-error", Static).render())
        await pilot.press("escape")
        await pilot.press("r")
        app.screen.query_one(Input).value = "gamma"
        await pilot.press("enter")

        async def renamed() -> bool:
            return await ws_names(engine) == ["gamma"]

        await async_wait_until(renamed)
        await pilot.press("s")
        await pilot.pause()
        assert await engine.invoke("ws.current") == "gamma"
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.question == "Delete workspace gamma and close its panes?"
        await pilot.press("n")
        assert await ws_names(engine) == ["gamma"]
        await pilot.press("D", "y")

        async def none_left() -> bool:
            await pilot.pause()
            return await ws_names(engine) == []

        await async_wait_until(none_left)


async def test_deleting_a_workspace_with_running_agents_offers_to_stop_them(
    engine: Engine,
) -> None:
    await define_cat(engine)
    await engine.invoke("agent.start", {"name": "bot"})
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:

        async def running() -> bool:
            await pilot.pause()
            bot = app.state.agents.get("bot")
            return bot is not None and bot.state not in ("stopped", "exited")

        await async_wait_until(running)
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.question == (
            "Workspace alpha has running agents (bot). Stop them, close its panes and delete it?"
        )
        await pilot.press("y")

        async def gone() -> bool:
            await pilot.pause()
            return await ws_names(engine) == []

        await async_wait_until(gone)
        assert await agent_state(engine, "bot") in ("stopped", "exited")


async def test_footer_offers_what_the_selected_agent_allows(engine: Engine) -> None:
    await define_cat(engine)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        assert d.selected_agent == "bot"
        shown = footer(app)
        assert "Start" in shown and "Stop" not in shown and "Restart" not in shown
        assert shown[-2:] == ["Quit", "more"]
        await pilot.press("R")  # not offered: does nothing
        await pilot.press("S")

        async def started() -> bool:
            await pilot.pause()
            return "Stop" in footer(app)

        await async_wait_until(started)
        assert "Start" not in footer(app) and "Restart" in footer(app)
        await pilot.press("i", *"hi", "enter")
        await pilot.press("x")

        async def stopped() -> bool:
            await pilot.pause()
            return "Start" in footer(app)

        await async_wait_until(stopped)


async def test_footer_follows_the_focused_panel() -> None:
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Explain" in footer(app) and "Rename" not in footer(app)
        app.screen.query_one("#ws-tree").focus()
        await pilot.pause()
        assert "Rename" in footer(app) and "Explain" not in footer(app)
        # A key of another panel still means the same thing: x stops the selected agent.
        assert app.screen.check_action("agent_stop", ()) is True


async def test_scripted_actions_call_the_api() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        table = app.screen.query_one("#agents", DataTable)
        assert str(table.get_row("claude-api")[2]) == "claude ⚠ 2.1.198"
        assert str(table.get_row("codex-api")[-1]).startswith("rule d")  # why it waits
        await pilot.press("w")  # next waiting agent: codex-api, its pane in front
        assert d.selected_agent == "codex-api"
        assert ("pane.activate", {"pane_id": "2"}) in client.calls
        assert ("ws.switch", {"name": "api"}) in client.calls
        # Answer its menu from here: named keys, checked before they are sent.
        await pilot.press("k", *"Dwn", "enter")
        assert isinstance(app.screen, PromptModal)
        assert "unknown key 'Dwn'" in str(app.screen.query_one("#prompt-error", Static).render())
        await pilot.press(*["backspace"] * 3, *"Down Down Enter", "enter")
        assert not isinstance(app.screen, PromptModal)
        assert ("agent.keys", {"name": "codex-api", "keys": ["Down", "Down", "Enter"]}) in (
            client.calls
        )
        await pilot.press("b", *"make test", "enter")
        assert (
            "broadcast.send",
            {"text": "make test", "workspace": "api", "agents_only": True},
        ) in client.calls
        await pilot.press("c", *"3", "enter")
        assert ("send.copy", {"source": "2", "target": "3", "last_output": True}) in client.calls
        # Sync input: typing goes to every pane of the workspace until Escape.
        await pilot.press("y")
        assert "active" in app.screen.query_one("#sync-indicator").classes
        await pilot.press("l", "s", "enter", "escape")
        keys = [p["text"] for m, p in client.calls if m == "broadcast.keys"]
        assert keys == ["l", "s", "\r"]
        assert "active" not in app.screen.query_one("#sync-indicator").classes
        await client.queue.put(
            Event(seq=2, ts=0, topic="agent.failed", data={"agent": "x", "reason": "r"})
        )
        await client.queue.put(
            Event(seq=4, ts=0, topic="error", data={"source": "layout", "message": "m"})
        )
        for _ in range(4):
            await pilot.pause()
        titles = [n.title for n in app._notifications]
        assert "Agent failed" in titles and "Layout file" in titles


async def test_explain_and_apply_layout(engine: Engine, tmp_path: Any) -> None:
    await define_cat(engine)
    layouts = engine.paths.layouts_dir
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "pair.yaml").write_text(
        f"name: pair\nroot: {tmp_path}\ndescription: two shells\n"
        "tabs:\n  - title: main\n    layout: {title: one}\n"
    )
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TextModal)
        assert "bot: □ stopped" in app.screen.body
        await pilot.press("escape")
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceModal)
        assert ("pair", "two shells") in app.screen.choices
        app.screen.query_one("#choices").highlighted = [
            name for name, _ in app.screen.choices].index("pair")  # fmt: skip
        await pilot.press("enter")

        async def built() -> bool:
            await pilot.pause()
            return "pair" in await ws_names(engine)

        await async_wait_until(built)

        async def shown() -> bool:
            await pilot.pause()
            return app.state.workspace("pair") is not None

        await async_wait_until(shown)


@pytest.mark.parametrize("backend", ["tmux", "wezterm"])
async def test_go_to_pane_brings_it_forward(
    backend: str, make_engine: Any, request: pytest.FixtureRequest
) -> None:
    if backend == "wezterm":
        request.getfixturevalue("fake_wezterm")
    engine = await make_engine(backend)
    await engine.invoke("ws.create", {"name": "alpha"})
    await engine.invoke("ws.create", {"name": "beta"})
    await engine.invoke("ws.switch", {"name": "beta"})
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        pane = next(p.pane_id for p in app.state.panes.values() if p.workspace == "alpha")
        d.selected_pane = pane
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, AttachScreen)
        assert await engine.invoke("ws.current") == "alpha"


async def test_go_to_pane_attaches_on_the_built_in_backend(engine: Engine) -> None:
    await define_cat(engine)
    await engine.invoke("agent.start", {"name": "bot"})
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:

        async def has_pane() -> bool:
            await pilot.pause()
            bot = app.state.agents.get("bot")
            return bot is not None and bot.pane_id is not None

        await async_wait_until(has_pane)
        dash(app).select_agent("bot")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AttachScreen)
        await pilot.press(*"hello", "enter")

        async def echoed() -> bool:
            await pilot.pause()
            pane = app.state.agents["bot"].pane_id
            return "hello" in await engine.invoke("pane.get_text", {"pane_id": pane})

        await async_wait_until(echoed)
        await pilot.press("ctrl+right_square_bracket")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_agent_table_sorts_and_searches() -> None:
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#agents", DataTable)

        def order() -> list[str]:
            return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]

        assert order() == ["claude-api", "codex-api", "gemini-web"]
        await pilot.press("o")  # by state: who needs you first
        assert order() == ["codex-api", "claude-api", "gemini-web"]
        await pilot.press("o")  # by cpu
        assert order()[0] == "claude-api"
        await pilot.press("slash", *"web")
        await pilot.pause()
        assert order() == ["gemini-web"]
        panel = app.screen.query_one("#agent-panel")
        assert panel.border_title == "Agents 1/3"
        await pilot.press("enter")  # keeps the filter, back to the table
        assert order() == ["gemini-web"]
        await pilot.press("escape")  # clears it
        await pilot.pause()
        assert len(order()) == 3


async def test_preview_follows_the_selected_agent_live_and_across_a_restart() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        preview = app.screen.query_one(Preview)
        assert preview.agent == "claude-api"
        await pilot.press("down")
        assert preview.agent == "codex-api"

        async def read(pane: str) -> bool:
            await pilot.pause()
            return ("pane.get_text", {"pane_id": pane, "lines": 60}) in client.calls

        await async_wait_until(lambda: read("2"))
        # A pane chosen in the pane table that holds no agent is previewed as a pane.
        app.screen.query_one("#panes").focus()
        panes = app.screen.query_one("#panes", DataTable)
        panes.move_cursor(row=panes.get_row_index("3"))
        await pilot.pause()
        assert (preview.agent, preview.pane) == (None, "3")
        # The agent restarts in a new pane: the preview reads the new one.
        app.screen.query_one("#agents").focus()
        dash(app).select_agent("codex-api")
        await pilot.pause()
        assert preview.agent == "codex-api"
        app.state.agents["codex-api"].pane_id = "9"
        client.calls.clear()
        await client.queue.put(Event(seq=1, ts=0, topic="agent.state", data={
            "agent": "codex-api", "state": "working", "source": "hook"}))  # fmt: skip
        preview.tick()
        await async_wait_until(lambda: read("9"))


async def test_sparklines_are_on_a_fixed_scale_and_blank_for_an_agent_that_does_not_run() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        mem = app.screen.query_one("#mem-meter")
        assert "Memory 40% /100%" in str(mem.query_one(".meter-label").render())
        bars = str(mem.query_one(".meter-bars").render()).strip()
        assert set(bars) == {"▃"}  # 40 % is a low bar, not a full one
        dash(app).select_agent("gemini-web")
        await pilot.pause()
        agent = app.screen.query_one("#agent-meter")
        assert "gemini-web not running" in str(agent.query_one(".meter-label").render())
        assert str(agent.query_one(".meter-bars").render()).strip() == ""


async def test_a_broken_layout_file_is_said_with_file_line_and_key(
    engine: Engine, tmp_path: Any
) -> None:
    engine.paths.layouts_dir.mkdir(parents=True, exist_ok=True)
    file = engine.paths.layouts_dir / "pair.yaml"
    file.write_text(f"name: pair\nroot: {tmp_path}\ntabs:\n  - title: main\n    layout: {{}}\n")
    await engine.invoke("layout.list")
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        file.write_text("name: pair\ntabs:\n  - title: main\n    layot: {}\n")
        engine.bus.publish("layout.changed", {"files": ["pair.yaml"]})

        async def said() -> bool:
            await pilot.pause()
            return any(n.title == "Layout file" for n in app._notifications)

        await async_wait_until(said)
        note = next(n for n in app._notifications if n.title == "Layout file")
        assert note.message.startswith("pair.yaml:4: tabs[0].layot: unknown key")
        assert note.message.endswith("the last good version stays in force)")
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceModal)
        assert "pair" in [name for name, _ in app.screen.choices]


PANELS = ("ws-tree", "metrics", "agent-panel", "panes", "preview")


async def test_every_panel_is_titled_and_the_focused_one_is_marked() -> None:
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        titles = [str(screen.query_one(f"#{p}").border_title) for p in PANELS]
        assert titles == ["Workspaces 2", "Metrics", "Agents 3", "Panes 4", "Preview · claude-api"]
        accent = Color.parse(app.theme_variables["accent"])

        def marked() -> list[str]:
            """The panels whose border and title are in the accent colour."""
            return [p for p in PANELS if screen.query_one(f"#{p}").styles.border_top[1] == accent
                    and screen.query_one(f"#{p}").styles.border_title_color == accent]  # fmt: skip

        assert marked() == ["agent-panel"]
        for panel in ("ws-tree", "panes"):
            screen.query_one(f"#{panel}").focus()
            await pilot.pause()
            assert marked() == [panel]
        # The tree shows its cursor on the workspace its keys act on.
        tree = screen.query_one("#ws-tree", Tree)
        assert tree.cursor_node is not None and str(tree.cursor_node.label).startswith("★ api")


def scrollbars(app: WezmpApp) -> list[str]:
    """Widgets showing a scrollbar (the footer has none: its keys are checked on screen)."""
    return [str(w) for w in app.screen.query("*") if not isinstance(w, KeyFooter)
            and (w.show_vertical_scrollbar or w.show_horizontal_scrollbar)]  # fmt: skip


async def test_the_layout_adapts_from_80x24_to_250x70() -> None:
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        tree = screen.query_one("#ws-tree", Tree)
        assert screen.query_one("#left").region.width == 26  # a third of 80, not 42 %
        assert not screen.query_one("#panes").display  # the tree lists the panes
        assert screen.query_one("#preview").region.height == 7
        # Names cut to fit end in an ellipsis; the footer ends with "? more", on screen.
        label = next(n.label for n in tree.root.children[0].children[0].children)
        assert str(label).endswith("…") and label.cell_len <= tree.content_size.width
        why = str(screen.query_one("#agents", DataTable).get_row("claude-api")[-1])
        assert why.endswith("…")
        keys = screen.query_one(KeyFooter).items
        assert keys[-1].description == "more" and keys[-1].end <= 80
        assert scrollbars(app) == []
    app = scripted_app(ScriptedClient())
    async with app.run_test(size=(250, 70)) as pilot:
        await pilot.pause()
        screen = app.screen
        tree = screen.query_one("#ws-tree", Tree)
        assert screen.query_one("#left").region.width == 44
        assert screen.query_one("#panes").region.height == 14
        assert screen.query_one("#preview").region.height == 22
        label = next(n.label for n in tree.root.children[0].children[0].children)
        assert str(label) == "1 ● claude-api  /src/api"
        table = screen.query_one("#agents", DataTable)
        assert [str(c.label) for c in table.columns.values()][:4] == [
            "agent", "workspace", "kind", "state"]  # fmt: skip
        assert str(table.get_row("claude-api")[-1]) == "hook UserPromptSubmit"
        assert scrollbars(app) == []


async def test_sparklines_and_states_in_the_theme_colours() -> None:
    app = scripted_app(ScriptedClient(), paths=resolve(os.environ))
    async with app.run_test(size=SIZE) as pilot:
        for theme in ("wezmp-light", "wezmp-dark"):
            app.theme = theme
            await pilot.pause()
            dash(app).query_one(MetricsPanel).show("claude-api")
            await pilot.pause()
            bars = app.screen.query_one("#mem-meter .meter-bars", Static).render()
            assert bars.spans[0].style == app.theme_color("wezmp-spark-mem", "")  # type: ignore[union-attr]
            state = app.screen.query_one("#agents", DataTable).get_row("codex-api")[3]
            assert state.style == app.theme_color("wezmp-state-waiting", "")
            tree = app.screen.query_one("#ws-tree", Tree)
            star = tree.root.children[0].label.style  # "★ ", before the name
            assert str(star) == f"bold {app.theme_color('accent', '')}"
