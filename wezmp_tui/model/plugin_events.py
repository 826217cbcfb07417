"""The events plugins, notifications and event actions receive: one typed record per kind.

They are a stable, documented subset of the bus's topics (whose `data` dicts may grow or
change shape between releases): a record's fields only ever gain optional members within one
`SPEC_VERSION` of the plugin API. `EVENT_NAMES` maps each record type to the name used in
the config (`notifications.events`, `actions[].on`) and in an action's `WEZMP_EVENT`.

An agent's state change is also named after the state it entered (`agent.waiting`,
`agent.failed`...), so the config can ask for one state without a filter language.
"""

from __future__ import annotations

from typing import Any

import msgspec


class PluginEvent(msgspec.Struct, frozen=True, kw_only=True):
    ts: float  # wall-clock seconds when the daemon published it

    @property
    def subject(self) -> str:
        """What the event is about (an agent, task or workspace), for quiet periods."""
        for field in ("agent", "task_id", "workspace", "plugin"):
            value = getattr(self, field, None)
            if value is not None:
                return f"{field}:{value}"
        return ""


class AgentStateChanged(PluginEvent, frozen=True, kw_only=True):
    agent: str
    state: str
    previous: str
    reason: str = ""
    source: str = ""  # hook, rule, activity, process, dispatch
    workspace: str = ""


class RunStarted(PluginEvent, frozen=True, kw_only=True):
    agent: str
    pane_id: str = ""
    workspace: str = ""


class RunExited(PluginEvent, frozen=True, kw_only=True):
    agent: str
    code: int | None = None
    signal: int | None = None
    reason: str = ""


class TaskCreated(PluginEvent, frozen=True, kw_only=True):
    task_id: int
    board: str
    column: str
    title: str = ""


class TaskMoved(PluginEvent, frozen=True, kw_only=True):
    task_id: int
    board: str
    from_column: str
    column: str
    title: str = ""


class TaskDone(PluginEvent, frozen=True, kw_only=True):
    task_id: int
    board: str
    title: str = ""


class TimerStarted(PluginEvent, frozen=True, kw_only=True):
    task_id: int


class TimerStopped(PluginEvent, frozen=True, kw_only=True):
    task_id: int


class WorkspaceCreated(PluginEvent, frozen=True, kw_only=True):
    workspace: str
    root: str = ""


class WorkspaceDeleted(PluginEvent, frozen=True, kw_only=True):
    workspace: str


class LayoutApplied(PluginEvent, frozen=True, kw_only=True):
    workspace: str
    layout: str
    panes: list[str] = msgspec.field(default_factory=list)


class ConfigReloaded(PluginEvent, frozen=True, kw_only=True):
    agents: list[str] = msgspec.field(default_factory=list)


class PluginDisabled(PluginEvent, frozen=True, kw_only=True):
    """wezmp turned a plugin off after repeated failures (not a hook: the user is told)."""

    plugin: str
    reason: str


EVENT_NAMES: dict[type[PluginEvent], str] = {
    AgentStateChanged: "agent.state",
    RunStarted: "run.started",
    RunExited: "run.exited",
    TaskCreated: "task.created",
    TaskMoved: "task.moved",
    TaskDone: "task.done",
    TimerStarted: "timer.started",
    TimerStopped: "timer.stopped",
    WorkspaceCreated: "workspace.created",
    WorkspaceDeleted: "workspace.deleted",
    LayoutApplied: "layout.applied",
    ConfigReloaded: "config.reloaded",
    PluginDisabled: "plugin.disabled",
}


def event_names(record: PluginEvent) -> list[str]:
    """Every config name `record` answers to: its kind's, and for a state change also
    `agent.<state>`."""
    names = [EVENT_NAMES[type(record)]]
    if isinstance(record, AgentStateChanged):
        names.append(f"agent.{record.state}")
    return names


def as_json(record: PluginEvent) -> dict[str, Any]:
    """The record as an event action reads it on stdin."""
    return {"event": EVENT_NAMES[type(record)], **msgspec.to_builtins(record)}
