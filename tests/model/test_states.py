"""The one list of agent states: every part of wezmp speaks only its words, and nothing else
ever reaches a client."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from textual.coordinate import Coordinate

from tests.helpers import async_wait_until
from tests.tui.apps import SIZE, app_for
from wezmp_tui.cli import agent as agent_cli
from wezmp_tui.cli.main import cli
from wezmp_tui.config.rules import STATES as RULE_STATES
from wezmp_tui.config.themes import States
from wezmp_tui.engine.status_file import StatusFileService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.ipc.server import IpcServer
from wezmp_tui.model.agents import AgentInfo
from wezmp_tui.model.claude_hooks import HOOK_STATES, NOTIFICATION_STATES
from wezmp_tui.model.states import STATE_NAMES, STATES, STOPPED_STATES, AgentState, state_def
from wezmp_tui.tui.widgets.agent_table import AgentPanel

ROOT = Path(__file__).resolve().parents[2]


def test_the_list_is_complete_and_each_state_says_what_it_claims() -> None:
    assert STATE_NAMES == (
        "stopped", "starting", "working", "waiting", "idle", "quiet", "exited", "failed"
    )  # fmt: skip
    assert {"stopped", "exited", "failed"} == STOPPED_STATES
    assert len({s.icon for s in STATES}) == len(STATES)
    for s in STATES:
        assert s.meaning and s.label and s.theme_var == f"wezmp-state-{s.name}"
    with pytest.raises(ValueError, match="'unknown' is not an agent state"):
        state_def("unknown")


def test_the_enum_is_the_table_and_travels_as_its_name() -> None:
    assert [str(s) for s in AgentState] == list(STATE_NAMES)
    waiting = AgentState.WAITING
    assert (waiting.icon, waiting.label) == ("◆", "needs you")
    assert waiting.theme_var == "wezmp-state-waiting"
    assert waiting == "waiting" and waiting.running and not AgentState.EXITED.running
    wire = msgspec.json.encode(AgentInfo(name="a", state=waiting))
    assert b'"state":"waiting"' in wire
    assert msgspec.json.decode(wire, type=AgentInfo).state is AgentState.WAITING
    with pytest.raises(msgspec.ValidationError, match="state"):
        msgspec.json.decode(b'{"name": "a", "state": "asleep"}', type=AgentInfo)


def test_every_source_of_states_speaks_only_the_list() -> None:
    assert set(RULE_STATES) <= set(STATE_NAMES)
    assert {s for s in HOOK_STATES.values() if s} <= set(STATE_NAMES)
    assert set(NOTIFICATION_STATES.values()) <= set(STATE_NAMES)
    # A theme may colour every state (`unknown` is read from older theme files as `quiet`);
    # one it leaves unset has the list's own colour.
    assert {f.name for f in msgspec.structs.fields(States)} == {*STATE_NAMES, "unknown"}
    for theme in sorted((ROOT / "themes").glob("*.yaml")):
        line = next(x for x in theme.read_text().splitlines() if x.startswith("states:"))
        assert set(re.findall(r"(\w+):", line.split(":", 1)[1])) <= set(STATE_NAMES), theme
    # The Lua status bar's fallback looks are states of the list.
    lua = (ROOT / "lua" / "wezmp.lua").read_text()
    block = lua[lua.index("local STATE_LOOK = {") : lua.index("}\n", lua.index("STATE_LOOK"))]
    assert set(re.findall(r"^  (\w+) = ", block, re.M)) <= set(STATE_NAMES)


def test_a_state_outside_the_list_never_decodes_on_a_client() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"name": "a", "state": "unknown"}, AgentInfo)


async def test_nothing_outside_the_list_reaches_a_client(make_engine: Any) -> None:
    """Drive one agent through start, hooks, screens, a crash and a stop; every state any
    event or listing carried is one of the list, and setting another one is refused."""
    engine = await make_engine("local")
    server = IpcServer(engine)  # `wezmp exec` in the pane reports here
    await server.start()
    seen = engine.bus.subscribe(["agent."])
    await engine.invoke(
        "agent.define",
        {"spec": {"name": "a", "kind": "claude", "workspace": "w",
                  "command": ["sh", "-c", "echo 'esc to interrupt'; exec sleep 60"],
                  "restart": {"policy": "no"}}},
    )  # fmt: skip
    sup = engine.get(Supervisor)
    listed = {a.state for a in await engine.invoke("agent.list")}
    await engine.invoke("agent.start", {"name": "a"})

    async def registered() -> bool:
        return sup.agents["a"].info.pid is not None

    await async_wait_until(registered, timeout=15)
    for event in ("SessionStart", "UserPromptSubmit", "PermissionRequest", "StopFailure", "Stop"):
        await engine.invoke("hook.event", {"event": event, "agent": "a"})
        listed |= {a.state for a in await engine.invoke("agent.list")}
    with pytest.raises(ValueError):
        sup._set(sup.agents["a"].info, "unknown", "process", "a bug")
    await engine.invoke("agent.stop", {"name": "a"})
    listed |= {a.state for a in await engine.invoke("agent.list")}
    states = set()
    while (ev := seen.get_nowait()) is not None:
        if "state" in (ev.data or {}):
            states.add(ev.data["state"])
    await server.stop()
    assert {"stopped", "starting", "waiting", "idle"} <= states | listed
    assert states | listed <= set(STATE_NAMES)


async def test_each_state_of_the_list_reaches_every_client(
    make_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state is added in one place, the table: one agent in each state, and the wire, the
    status file (which the Lua status bar reads), the CLI's agent list and the control
    center's agent table each show every one of them as the table says."""
    engine = await make_engine("local")
    sup = engine.get(Supervisor)
    for state in AgentState:
        await engine.invoke("agent.define", {"spec": {"name": f"in-{state}", "workspace": "w"}})
        sup._set(sup.agents[f"in-{state}"].info, state, "process", "as the test says")

    wire = msgspec.json.encode(await engine.invoke("agent.list"))
    assert [a.state for a in msgspec.json.decode(wire, type=list[AgentInfo])] == list(AgentState)

    status = engine.get(StatusFileService).snapshot()
    for state in AgentState:
        assert status["states"][state] == {"icon": state.icon, "label": state.label,
                                           "color": state.definition.color}  # fmt: skip
        assert status["totals"][state] == status["workspaces"]["w"][state] == 1

    listed = msgspec.to_builtins(await engine.invoke("agent.list"))
    monkeypatch.setattr(agent_cli, "call", lambda method, **kw: listed)
    listing = CliRunner().invoke(cli, ["agent", "list"])
    assert listing.exit_code == 0, listing.output
    for state in AgentState:
        assert f"in-{state}" in listing.output and f" {state.icon} {state} " in listing.output

    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.screen.query_one(AgentPanel)
        panel.sort_by = "state"  # who needs you first: the table's order of attention
        panel.post_message(AgentPanel.Changed())
        table = panel.table

        async def every_row() -> bool:
            await pilot.pause()
            return table.row_count == len(AgentState)

        await async_wait_until(every_row)
        column = table.get_column_index("state")
        shown = [str(table.get_cell_at(Coordinate(r, column))) for r in range(table.row_count)]
        by_attention = sorted(AgentState, key=lambda s: (s.attention, f"in-{s}"))
        assert shown == [f"{s.icon} {s}" for s in by_attention]
