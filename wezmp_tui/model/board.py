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
    tag: str | None = None
    text: str | None = None  # in the title or description, case-insensitive
    # Dispatchable from this queue column: open, unassigned, no open dependency, and in the
    # column or meant for any agent (`agent: auto`).
    queued_in: str | None = None


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


class ColumnWindow(msgspec.Struct, kw_only=True):
    """Consecutive cards of one column: `tasks[0]` is card number `offset` (from 0)."""

    column: str
    offset: int = 0
    tasks: list[TaskInfo] = msgspec.field(default_factory=list)


class CardPlace(msgspec.Struct, kw_only=True):
    column: str
    index: int  # from 0, in the column's order


class BoardWindow(msgspec.Struct, kw_only=True):
    """What a board view shows: every column's count, and a window of each column's cards."""

    name: str
    columns: list[str] = msgspec.field(default_factory=list)
    counts: dict[str, int] = msgspec.field(default_factory=dict)
    windows: list[ColumnWindow] = msgspec.field(default_factory=list)
    focus: CardPlace | None = None  # where the task asked about (`around`) is
