"""The status file for WezTerm's status bar: counts per workspace, waiting list, colours."""

from __future__ import annotations

import json
from typing import Any

from wezmp_tui.clock import FakeClock
from wezmp_tui.engine.status_file import StatusFileService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.model.states import STATE_NAMES


async def test_written_at_start_and_on_agent_changes_coalesced(make_engine: Any) -> None:
    clock = FakeClock()
    engine = await make_engine("local", clock=clock)
    svc = engine.get(StatusFileService)
    path = engine.paths.status_file
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["totals"]["working"] == 0
    await engine.invoke("agent.define", {"spec": {"name": "a", "workspace": "w1"}})
    await engine.invoke("agent.define", {"spec": {"name": "b", "workspace": "w2"}})
    sup = engine.get(Supervisor)
    writes = svc.writes
    clock.advance(1)
    sup.agents["a"].info.state = "working"
    sup._set(sup.agents["a"].info, "waiting", "hook", "permission")
    # Within 200 ms of the last write: scheduled, not written yet.
    sup._set(sup.agents["b"].info, "failed", "process", "crash")
    assert svc.writes == writes + 1
    clock.advance(1)
    svc.request()
    data = json.loads(path.read_text())
    assert data["workspaces"]["w1"]["waiting"] == 1
    assert data["totals"]["failed"] == 1
    assert data["waiting"] == [
        {"agent": "a", "workspace": "w1", "pane_id": None, "reason": "permission"}
    ]
    assert set(data["states"]) == set(STATE_NAMES) == set(data["totals"])
    assert data["states"]["waiting"]["icon"] == "◆"
    svc.set_colors({"waiting": "#ff0000", "bogus": "x"})
    clock.advance(1)
    svc.request()
    colors = json.loads(path.read_text())["colors"]
    assert colors["waiting"] == "#ff0000" and "bogus" not in colors
    assert not list(path.parent.glob(".*.tmp"))
