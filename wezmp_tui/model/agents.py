"""Agents as every interface sees them (the `agent.list` / `agent.show` results)."""

from __future__ import annotations

from typing import Literal

import msgspec

from wezmp_tui.model.agent_spec import AgentKind
from wezmp_tui.model.states import STATE_ICONS, STOPPED_STATES, AgentState

__all__ = ["STATE_ICONS", "STOPPED_STATES", "AgentInfo", "AgentKind", "AgentState", "StateSource"]

StateSource = Literal["hook", "rule", "activity", "process", "dispatch", "none"]


class AgentInfo(msgspec.Struct, kw_only=True):
    name: str
    kind: str = "generic"
    workspace: str = ""
    state: AgentState = AgentState.STOPPED
    state_source: str = "none"  # one of StateSource
    state_reason: str = ""  # the rule or hook that decided, for `agent explain`
    state_since: float = 0.0
    state_error: bool = False  # the state is an error it cannot work past (not signed in…)
    pane_id: str | None = None
    pid: int | None = None
    command: list[str] = msgspec.field(default_factory=list)
    cwd: str = ""
    restarts: int = 0
    started_at: float | None = None
    last_exit: int | None = None
    last_exit_at: float | None = None
    last_output: list[str] = msgspec.field(default_factory=list)  # kept when it fails
    desired: Literal["running", "stopped"] = "stopped"
    cpu: float | None = None  # percent of one core, whole process tree; None: not running
    rss: int | None = None  # bytes, whole process tree; None: not running
    task_id: int | None = None  # board task it is working on, if any
    version: str | None = None  # the agent CLI's version, as `wezmp exec` found it
    rules_note: str = ""  # set when its kind's rules were not recorded against that version
