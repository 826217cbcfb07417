"""The client-side mirror of the daemon: every screen is told, shown or not; a reconnect
resyncs every mode; data that does not fit never ends the app."""

from __future__ import annotations

from typing import Any

from tests.helpers import async_wait_until
from tests.tui.apps import SIZE
from tests.tui.fakes import CuttableClient, ScriptedClient, scripted_app
from wezmp_tui.clock import FakeClock
from wezmp_tui.engine.facade import Engine
from wezmp_tui.model.agents import AgentInfo
from wezmp_tui.model.events import Event
from wezmp_tui.tui.app import create_app
from wezmp_tui.tui.state import DaemonState


def cuttable_app(engine: Engine) -> tuple[Any, list[CuttableClient]]:
    clients: list[CuttableClient] = []

    async def factory() -> CuttableClient:
        clients.append(CuttableClient(engine))
        return clients[-1]

    return create_app(factory, clock=FakeClock()), clients  # type: ignore[arg-type]


def card_titles(app: Any) -> list[str]:
    from wezmp_tui.tui.board.view import BoardView

    view = app.screen.query_one(BoardView)
    return [card["title"] for column in view.columns for card in column.cards]


def tree_labels(app: Any) -> list[str]:
    from textual.widgets import Tree

    tree = app.get_screen("dashboard").query_one("#ws-tree", Tree)
    return [str(n.label).split()[-3] for n in tree.root.children]


async def pause(pilot: Any, times: int = 10) -> None:
    for _ in range(times):
        await pilot.pause()


async def test_a_mode_not_in_front_is_current_the_moment_it_is_shown(engine: Engine) -> None:
    app, _ = cuttable_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("board")
        await pause(pilot)
        await app.switch_mode("dashboard")
        await engine.invoke("task.add", {"title": "Added from the CLI"})
        await pause(pilot)
        await app.switch_mode("board")
        await pilot.pause()
        assert "Added from the CLI" in card_titles(app)
        # And the other way round: the dashboard learns of a workspace while the board is up.
        await engine.invoke("ws.create", {"name": "beta"})
        await pause(pilot)
        await app.switch_mode("dashboard")
        await pilot.pause()
        assert any("beta" in str(n.label) for n in app.screen.query_one("#ws-tree").root.children)


async def test_after_a_reconnect_every_mode_resyncs(engine: Engine) -> None:
    app, clients = cuttable_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("board")
        await pause(pilot)
        await app.switch_mode("dashboard")
        await pause(pilot)
        clients[0].cut.set()  # the daemon restarts: what happens meanwhile is not heard
        await engine.invoke("task.add", {"title": "Added while we were away"})
        await engine.invoke("ws.create", {"name": "gamma"})

        async def back() -> bool:
            await pilot.pause()
            return len(clients) == 2 and app.connected

        await async_wait_until(back)
        await pause(pilot)
        assert any("gamma" in str(n.label) for n in app.screen.query_one("#ws-tree").root.children)
        await app.switch_mode("board")
        await pilot.pause()
        assert "Added while we were away" in card_titles(app)


async def test_an_event_that_does_not_fit_is_reported_and_the_app_goes_on() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pause(pilot)
        bad = {"agent": "claude-api", "state": "dancing", "source": "hook"}
        await client.queue.put(Event(seq=1, ts=0, topic="agent.state", data=bad))
        await client.queue.put(Event(seq=2, ts=0, topic="metrics.tick", data={"agents": {
            "claude-api": {"cpu": "lots"}}}))  # fmt: skip
        await client.queue.put(
            Event(seq=3, ts=0, topic="agent.state",
                  data={"agent": "claude-api", "state": "idle", "source": "hook"})
        )  # fmt: skip
        await pause(pilot)
        assert app.is_running
        assert app.state.agents["claude-api"].state == "idle"  # the stream went on
        titles = [n.title for n in app._notifications]
        assert titles.count("Error applying the event agent.state") == 1
        assert "Error applying the event metrics.tick" in titles


async def test_small_changes_are_applied_in_place_without_refetching() -> None:
    """A title or pid change, a state from a hook: neither asks the daemon for the lists
    again nor rebuilds the tree."""
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pause(pilot)
        tree = app.screen.query_one("#ws-tree")
        node = tree.pane_nodes["1"]
        label = node.label
        client.calls.clear()
        events = [
            ("pane.changed", {"pane_id": "1", "workspace": "api", "pids": [10, 11]}),
            ("pane.changed", {"pane_id": "3", "workspace": "api", "title": "✳ thinking"}),
            ("agent.state", {"agent": "claude-api", "state": "idle", "source": "hook",
                             "reason": "Stop"}),
        ]  # fmt: skip
        for seq, (topic, data) in enumerate(events):
            await client.queue.put(Event(seq=seq, ts=0, topic=topic, data=data))
            if seq == 0:
                # New processes on a pane change nothing its label shows: it is not set
                # again (a label set redraws the tree; 256 agents make ~50 such a second).
                await pause(pilot)
                assert node.label is label
        await pause(pilot)
        lists = [m for m, _ in client.calls if m in ("ws.list", "pane.list", "agent.list")]
        assert lists == []
        assert tree.pane_nodes["1"] is node  # the same node: the tree was not rebuilt
        assert "✳ thinking" in str(tree.pane_nodes["3"].label)
        assert app.state.panes["1"].pids == (10, 11)
        table = app.screen.query_one("#agents")
        assert "idle" in str(table.get_row("claude-api")[3])
        # A process starting changes more than the state (pid, uptime): the list is fetched,
        # once for a burst.
        for seq in range(3):
            await client.queue.put(Event(seq=10 + seq, ts=0, topic="agent.state",
                                         data={"agent": "claude-api", "state": "working",
                                               "source": "process"}))  # fmt: skip
        await client.queue.put(
            Event(seq=20, ts=0, topic="pane.changed", data={"pane_id": "1", "tab_id": "9"})
        )
        await pause(pilot)
        await app.state.settle()
        calls = [m for m, _ in client.calls]
        assert calls.count("agent.list") == 1
        assert calls.count("pane.list") == 1


async def test_metrics_fill_series_and_a_stopped_agent_keeps_no_figures() -> None:
    client = ScriptedClient()
    app = scripted_app(client)
    async with app.run_test(size=SIZE) as pilot:
        await pause(pilot)
        state = app.state
        assert state.agents["gemini-web"].cpu is None  # failed: nothing runs, nothing shown
        tick = {"system": {"cpu": 50.0, "mem": 30.0},
                "agents": {"claude-api": {"cpu": 77.0, "rss": 1024}}}  # fmt: skip
        await client.queue.put(Event(seq=1, ts=0, topic="metrics.tick", data=tick))
        await client.queue.put(Event(seq=2, ts=0, topic="metrics.tick", data={"system": tick[
            "system"], "agents": {}}))  # fmt: skip
        await pause(pilot)
        assert state.cpu[-2:] == [50.0, 50.0]
        # One sample per tick, whether or not its figures changed.
        assert list(state.agent_cpu["claude-api"]) == [77.0, 77.0]
        assert list(state.agent_cpu["codex-api"]) == [0.4, 0.4]
        assert "gemini-web" not in state.agent_cpu


def test_the_agent_in_a_pane_is_found_by_index_and_a_new_list_reindexes() -> None:
    async def no_call(*_: Any) -> Any:
        raise AssertionError("nothing is fetched")

    state = DaemonState(call=no_call, post=lambda _: None)
    state.agents = {f"a{i}": AgentInfo(name=f"a{i}", pane_id=str(i)) for i in range(256)}
    assert state.agent_in_pane("200") is state.agents["a200"]
    assert state.agent_in_pane("999") is None
    # A restart puts the agent in a new pane; the new list says so.
    state.agents = {"a200": AgentInfo(name="a200", pane_id="999")}
    assert state.agent_in_pane("999") is state.agents["a200"]
    assert state.agent_in_pane("200") is None


def test_screens_hear_what_they_draw_and_not_each_process_in_a_pane() -> None:
    """New processes on a pane are kept in the mirror and told to no screen; topics the
    mirror keeps reach screens as their own messages, not a second time as raw events (with
    256 agents these are hundreds of messages a second, each to every screen)."""
    from wezmp_tui.model.panes import PaneInfo
    from wezmp_tui.tui.messages import DaemonEvent, MetricsTicked, PaneChanged

    async def no_call(*_: Any) -> Any:
        raise AssertionError("nothing is fetched")

    posted: list[Any] = []
    state = DaemonState(call=no_call, post=lambda make: posted.append(make()))
    state.panes = {"1": PaneInfo(pane_id="1", window_id="1", tab_id="1", workspace="api")}

    def told(topic: str, data: dict[str, Any]) -> list[type]:
        posted.clear()
        state.apply(Event(seq=0, ts=0, topic=topic, data=data))
        return [type(m) for m in posted]

    assert told("pane.changed", {"pane_id": "1", "workspace": "api", "pids": [7, 8]}) == []
    assert state.panes["1"].pids == (7, 8)
    assert told("pane.changed", {"pane_id": "1", "workspace": "api", "title": "vim"}) == [
        PaneChanged
    ]
    assert told("metrics.tick", {"system": {"cpu": 1.0, "mem": 2.0}, "agents": {}}) == [
        MetricsTicked
    ]
    assert told("task.added", {"id": 1}) == [DaemonEvent]
