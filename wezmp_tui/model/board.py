"""Boards, tasks and time entries as every interface sees them."""

from __future__ import annotations

from typing import Any

import msgspec


class TaskInfo(msgspec.Struct, kw_only=True):
    id: int
    board: str
    column: str
    title: str
    description: str = ""
    priority: str = ""  # "H" | "M" | "L" | ""
    tags: list[str] = msgspec.field(default_factory=list)
    due: float | None = None
    depends_on: list[int] = msgspec.field(default_factory=list)
    blocking: list[int] = msgspec.field(default_factory=list)  # open tasks that wait for it
    blocked: bool = False  # an unfinished dependency
    position: float = 0.0
    workspace: str | None = None
    agent: str | None = None  # a name, "auto", or None
    assigned: str | None = None  # the agent it was dispatched to
    waiting: bool = False  # its agent waits for the person
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    note: str = ""
    urgency: float = 0.0
    tracked: float = 0.0  # seconds of time entries
    timer_running: bool = False


class BoardInfo(msgspec.Struct, kw_only=True):
    name: str
    workspace: str | None = None
    columns: list[str] = msgspec.field(default_factory=list)
    counts: dict[str, int] = msgspec.field(default_factory=dict)


class TimeEntry(msgspec.Struct, kw_only=True):
    id: int
    task_id: int
    task: str = ""
    start: float
    end: float | None = None
    note: str = ""
    duration: float = 0.0


class TaskQuery(msgspec.Struct, kw_only=True, frozen=True):
    """Which live (not deleted) tasks a store read returns; every field narrows."""

    id: int | None = None
    board: str | None = None
    column: str | None = None
    not_column: str | None = None
    workspace: str | None = None
    assigned: str | None = None
    open_only: bool = False  # not finished
    unassigned: bool = False  # not dispatched to an agent


class TaskHistoryEntry(msgspec.Struct, kw_only=True):
    ts: float
    action: str
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


class TrackedSpan(msgspec.Struct, kw_only=True):
    """A time entry with the fields of its task that reports group by."""

    start: float
    end: float | None
    note: str
    task_id: int
    title: str
    tags: list[str]
    workspace: str | None
    assigned: str | None
