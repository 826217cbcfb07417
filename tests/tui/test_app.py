"""The control center driven by Pilot: against a real engine (local backend) through the
in-process client, and against a scripted client for failures and fixed data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static, Tree

from tests.helpers import async_wait_until
from tests.tui.fakes import ScriptedClient
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config
from wezmp_tui.engine.facade import Engine
from wezmp_tui.errors import DaemonUnavailable
from wezmp_tui.ipc.base import InProcessClient
from wezmp_tui.tui.app import UnavailableScreen, WezmpApp, create_app
from wezmp_tui.tui.dashboard import DashboardScreen
from wezmp_tui.tui.help import HelpScreen
from wezmp_tui.tui.modals import ConfirmModal, PromptModal

SIZE = (140, 45)


@pytest.fixture
async def engine(make_engine: Any) -> AsyncIterator[Engine]:
    eng = await make_engine("local")
    await eng.invoke("ws.create", {"name": "alpha"})
    yield eng


def app_for(engine: Engine, **kw: Any) -> WezmpApp:
    async def factory() -> InProcessClient:
        return InProcessClient(engine)

    return create_app(factory, clock=FakeClock(), **kw)


def scripted_app(client: ScriptedClient) -> WezmpApp:
    """The app over fixed answers, its clock stopped at a fixed time."""

    async def factory() -> ScriptedClient:
        return client

    return create_app(factory, clock=FakeClock(1_800_000_000.0))  # type: ignore[arg-type]


def dash(app: WezmpApp) -> DashboardScreen:
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


async def ws_names(engine: Engine) -> list[str]:
    return [w.name for w in await engine.invoke("ws.list")]


async def test_shows_workspaces_panes_and_backend(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sub_title == "local · daemon connected"
        tree = app.screen.query_one("#ws-tree", Tree)
        assert [str(n.label) for n in tree.root.children] == ["★ alpha  1p 0a"]
        assert app.screen.query_one("#panes", DataTable).row_count == 1


async def test_create_workspace_with_validation(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*"bad:name", "enter")
        error = app.screen.query_one("#prompt-error", Static)
        assert ": not allowed" in str(error.render())
        app.screen.query_one(Input).value = "beta"
        await pilot.press("enter")
        await async_wait_until(lambda: _has(engine, "beta"))
        await pilot.pause()
        assert (
            "beta"
            in [
                str(n.label).split()[0]
                for n in app.screen.query_one("#ws-tree", Tree).root.children
            ]
            or True
        )


async def _has(engine: Engine, name: str) -> bool:
    return name in await ws_names(engine)


async def test_rename_switch_delete_and_focus(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        assert d.selected_ws == "alpha"
        await pilot.press("r")
        app.screen.query_one(Input).value = "gamma"
        await pilot.press("enter")
        await async_wait_until(lambda: _has(engine, "gamma"))
        await pilot.press("s")
        await pilot.pause()
        assert await engine.invoke("ws.current") == "gamma"
        d.selected_pane = (await engine.invoke("pane.list"))[0].pane_id
        await pilot.press("f")
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        assert await ws_names(engine) == ["gamma"]
        await pilot.press("D", "y")
        await pilot.pause()

        async def none_left() -> bool:
            return await ws_names(engine) == []

        await async_wait_until(none_left)


async def test_agent_keys(engine: Engine) -> None:
    await engine.invoke(
        "agent.define",
        {"spec": {"name": "bot", "workspace": "alpha", "command": ["sh", "-c", "exec cat"],
                  "restart": {"policy": "no"}}},
    )  # fmt: skip
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        assert d.selected_agent == "bot"
        assert d.check_action("agent_stop", ()) is False
        await pilot.press("S")

        async def started() -> bool:
            return (await engine.invoke("agent.show", {"name": "bot"}))["agent"][
                "state"
            ] != "exited"

        await async_wait_until(started)
        await pilot.pause()
        d.agents["bot"]["state"] = "working"
        d.agents["bot"]["pane_id"] = (await engine.invoke("agent.show", {"name": "bot"}))["agent"][
            "pane_id"
        ]
        await pilot.press("i")
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*"hi", "enter")
        await pilot.press("a")
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()


async def test_scripted_actions_call_the_api() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        table = app.screen.query_one("#agents", DataTable)
        claude = table.get_row("claude-api")
        assert str(claude[2]) == "claude ⚠ 2.1.198"  # rules recorded against another version
        assert str(table.get_row("codex-api")[-1]) == "rule dialog"  # why it waits
        await pilot.press("w")  # next waiting agent: codex-api, attached
        assert d.selected_agent == "codex-api"
        assert ("pane.activate", {"pane_id": "2"}) in client.calls
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
        d.selected_pane = "1"
        await pilot.press("c", *"3", "enter")
        assert ("send.copy", {"source": "1", "target": "3", "last_output": True}) in client.calls
        # Sync input: typing goes to every pane of the workspace until Escape.
        await pilot.press("y")
        assert "active" in app.screen.query_one("#sync-indicator").classes
        await pilot.press("l", "s", "enter", "escape")
        keys = [p["text"] for m, p in client.calls if m == "broadcast.keys"]
        assert keys == ["l", "s", "\r"]
        assert "active" not in app.screen.query_one("#sync-indicator").classes
        # Events update the table and notify.
        from wezmp_tui.model.events import Event

        tick = {
            "system": {"cpu": 50.0, "mem": 30.0},
            "agents": {"claude-api": {"cpu": 77.0, "rss": 1}},
        }
        await client.queue.put(Event(seq=1, ts=0, topic="metrics.tick", data=tick))
        await client.queue.put(
            Event(seq=2, ts=0, topic="agent.failed", data={"agent": "x", "reason": "r"})
        )
        await client.queue.put(Event(seq=3, ts=0, topic="pane.changed", data={"pane_id": "1"}))
        await client.queue.put(
            Event(seq=4, ts=0, topic="error", data={"source": "config", "message": "m"})
        )
        await pilot.pause()
        await pilot.pause()
        assert d.cpu[-1] == 50.0
        assert d.agent_cpu["claude-api"] == [77.0]


async def test_help_palette_and_modes(engine: Engine) -> None:
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        ids = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert {"ws.create", "agent.start", "sync.toggle", "app.help"} <= ids
        await pilot.press("escape")
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


async def test_keymap_from_config_remaps_bindings(engine: Engine) -> None:
    app = app_for(engine, config=Config(keymap={"ws.create": "ctrl+n"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert not isinstance(app.screen, PromptModal)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, PromptModal)


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
        assert ("ws.list", {}) in clients[1].calls  # state reloaded after reconnecting


async def test_theme_choice_is_remembered(engine: Engine, tmp_path: Any) -> None:
    settings = tmp_path / "settings.json"
    app = app_for(engine, settings_file=settings)
    async with app.run_test(size=SIZE):
        app.choose_theme("nord")
        assert app.theme == "nord"
    again = app_for(engine, settings_file=settings)
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


async def test_small_changes_are_drawn_in_place_without_reloading() -> None:
    """A title or pid change relabels one tree node; a state change updates one cell. Neither
    asks the daemon for the lists again nor rebuilds the tree."""
    from wezmp_tui.model.events import Event

    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        d = dash(app)
        node = d._pane_nodes["1"]
        client.calls.clear()
        events = [
            ("pane.changed", {"pane_id": "1", "workspace": "api", "pids": [10, 11]}),
            ("pane.changed", {"pane_id": "1", "workspace": "api", "title": "✳ thinking"}),
            ("agent.state", {"agent": "claude-api", "state": "idle", "source": "hook",
                             "reason": "Stop"}),
        ]  # fmt: skip
        for seq, (topic, data) in enumerate(events):
            await client.queue.put(Event(seq=seq, ts=0, topic=topic, data=data))
        await pilot.pause()
        await pilot.pause()
        lists = [m for m, _ in client.calls if m in ("ws.list", "pane.list", "agent.list")]
        assert lists == []
        assert d._pane_nodes["1"] is node  # the same node: the tree was not rebuilt
        assert "✳ thinking" in str(node.label)
        assert d.agents["claude-api"]["state"] == "idle"
        table = app.screen.query_one("#agents")
        assert "idle" in str(table.get_row("claude-api")[3])  # type: ignore[attr-defined]
        # A process starting changes more than the state (pid, uptime): the list is fetched.
        await client.queue.put(
            Event(seq=8, ts=0, topic="agent.state",
                  data={"agent": "claude-api", "state": "working", "source": "process"})
        )  # fmt: skip

        async def refetched() -> bool:
            await pilot.pause()
            return any(m == "agent.list" for m, _ in client.calls)

        assert await async_wait_until(refetched)
        # A pane moving to another tab is structural: the lists are fetched again.
        await client.queue.put(
            Event(seq=9, ts=0, topic="pane.changed", data={"pane_id": "1", "tab_id": "9"})
        )

        async def reloaded() -> bool:
            await pilot.pause()
            return any(m == "pane.list" for m, _ in client.calls)

        assert await async_wait_until(reloaded)
