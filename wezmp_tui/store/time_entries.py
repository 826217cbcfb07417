"""Time entries (one running per task at most) and the clean-stop mark of the timer domain:
every SQL statement on those tables."""

from __future__ import annotations

import json
import sqlite3

from wezmp_tui.model.board import TimeEntry, TrackedSpan
from wezmp_tui.store.board import MIGRATIONS as BOARD_MIGRATIONS
from wezmp_tui.store.db import Database

MIGRATIONS = [
    """
    CREATE TABLE timer_daemon (
        key TEXT PRIMARY KEY,   -- 'clean_stop': the daemon stopped on purpose at `value`
        value REAL NOT NULL
    );
    """
]
_SELECT = (
    "SELECT e.id, e.task_id, e.start, e.end, e.note, COALESCE(t.title, '') title"
    " FROM time_entries e LEFT JOIN tasks t ON t.id = e.task_id"
)


class TimeEntryStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("board", BOARD_MIGRATIONS)
        db.migrate("timetrack", MIGRATIONS)

    # -- the daemon's clean stop ----------------------------------------------------------

    def take_clean_stop(self) -> bool:
        """Whether the last daemon stopped on purpose (the mark is consumed)."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT value FROM timer_daemon WHERE key = 'clean_stop'").fetchone()
            conn.execute("DELETE FROM timer_daemon WHERE key = 'clean_stop'")
        return row is not None

    def mark_clean_stop(self, now: float) -> None:
        self.db.execute(
            "INSERT INTO timer_daemon(key, value) VALUES ('clean_stop', ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (now,),
        )

    def heartbeat(self, now: float) -> None:
        self.db.execute("UPDATE time_entries SET heartbeat = ? WHERE end IS NULL", (now,))

    def close_at_heartbeat(self, note: str) -> int:
        """End every open entry at its last heartbeat (with `note` unless it has one)."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE time_entries SET end = COALESCE(heartbeat, start),"
                " note = CASE WHEN note = '' THEN ? ELSE note END WHERE end IS NULL",
                (note,),
            )
        return cur.rowcount

    # -- entries --------------------------------------------------------------------------

    def running(self) -> list[int]:
        """Tasks whose timer runs."""
        rows = self.db.query("SELECT task_id FROM time_entries WHERE end IS NULL")
        return [r["task_id"] for r in rows]

    def get(self, entry_id: int, now: float) -> TimeEntry | None:
        row = self.db.query_one(f"{_SELECT} WHERE e.id = ?", (entry_id,))
        return _entry(row, now) if row is not None else None

    def open_for(self, task_id: int, now: float) -> TimeEntry | None:
        row = self.db.query_one(f"{_SELECT} WHERE e.task_id = ? AND e.end IS NULL", (task_id,))
        return _entry(row, now) if row is not None else None

    def entries(
        self, now: float, task_id: int | None = None, since: float | None = None
    ) -> list[TimeEntry]:
        """Entries newest first, of one task and/or running at or after `since`."""
        where, params = "WHERE 1=1", list[float]()
        if task_id is not None:
            where += " AND e.task_id = ?"
            params.append(task_id)
        if since is not None:
            where += " AND COALESCE(e.end, ?) >= ?"
            params += [now, since]
        rows = self.db.query(f"{_SELECT} {where} ORDER BY e.start DESC", params)
        return [_entry(r, now) for r in rows]

    def overlapping(
        self, task_id: int, skip: int, start: float, end: float | None, now: float
    ) -> list[TimeEntry]:
        """Other entries of a task that share some time with start..end (open: until now)."""
        rows = self.db.query(
            f"{_SELECT} WHERE e.task_id = ? AND e.id != ?"
            " AND e.start < ? AND COALESCE(e.end, ?) > ? ORDER BY e.start",
            (task_id, skip, end if end is not None else now, now, start),
        )
        return [_entry(r, now) for r in rows]

    def last_stopped_task(self) -> int | None:
        """The live task whose timer stopped last."""
        row = self.db.query_one(
            "SELECT e.task_id FROM time_entries e JOIN tasks t ON t.id = e.task_id"
            " WHERE e.end IS NOT NULL AND t.deleted = 0 ORDER BY e.end DESC LIMIT 1"
        )
        return int(row["task_id"]) if row else None

    def spans_since(self, since: float, now: float) -> list[TrackedSpan]:
        """Entries running at some point after `since`, with their task's fields."""
        rows = self.db.query(
            "SELECT e.start, e.end, e.note, t.id, t.title, t.tags, t.workspace, t.assigned"
            " FROM time_entries e JOIN tasks t ON t.id = e.task_id"
            " WHERE COALESCE(e.end, ?) > ?",
            (now, since),
        )
        return [_span(r) for r in rows]

    def insert(self, task_id: int, start: float, note: str) -> int:
        cur = self.db.execute(
            "INSERT INTO time_entries(task_id, start, heartbeat, note) VALUES (?, ?, ?, ?)",
            (task_id, start, start, note),
        )
        return int(cur.lastrowid or 0)

    def set_end(self, entry_id: int, end: float) -> None:
        self.db.execute("UPDATE time_entries SET end = ? WHERE id = ?", (end, entry_id))

    def update(self, entry_id: int, start: float, end: float | None, note: str) -> None:
        self.db.execute(
            "UPDATE time_entries SET start = ?, end = ?, note = ? WHERE id = ?",
            (start, end, note, entry_id),
        )

    def delete(self, entry_id: int) -> None:
        self.db.execute("DELETE FROM time_entries WHERE id = ?", (entry_id,))


def _entry(r: sqlite3.Row, now: float) -> TimeEntry:
    return TimeEntry(
        id=r["id"], task_id=r["task_id"], task=r["title"], start=r["start"], end=r["end"],
        note=r["note"], duration=round((r["end"] or now) - r["start"], 1),
    )  # fmt: skip


def _span(r: sqlite3.Row) -> TrackedSpan:
    return TrackedSpan(
        start=r["start"], end=r["end"], note=r["note"], task_id=r["id"], title=r["title"],
        tags=json.loads(r["tags"]), workspace=r["workspace"], assigned=r["assigned"],
    )  # fmt: skip
