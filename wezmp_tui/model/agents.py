"""Agents as every interface sees them (the `agent.list` / `agent.show` results)."""

from __future__ import annotations

from typing import Literal

import msgspec

AgentState = Literal["starting", "working", "waiting", "idle", "exited", "failed", "unknown"]
AgentKind = Literal["claude", "codex", "gemini", "aider", "shell", "generic"]
# How each state is marked wherever it is shown (the CLI's tables, the control center).
STATE_ICONS = {
    "starting": "◌",
    "working": "●",
    "waiting": "◆",
    "idle": "○",
    "exited": "■",
    "failed": "✖",
    "unknown": "?",
}
StateSource = Literal["hook", "rule", "activity", "process", "dispatch", "none"]

# States in which the agent process is not running.
STOPPED_STATES: frozenset[str] = frozenset({"exited", "failed"})


class AgentInfo(msgspec.Struct, kw_only=True):
    name: str
    kind: str = "generic"
    workspace: str = ""
    state: str = "unknown"  # one of AgentState
    state_source: str = "none"  # one of StateSource
    state_reason: str = ""  # the rule or hook that decided, for `agent explain`
    state_since: float = 0.0
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
