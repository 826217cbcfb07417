"""Time tracking: one running timer per task, exclusive by default, with a heartbeat so a
timer left running when the daemon died is closed where the daemon last saw it.

A daemon that stops cleanly leaves a mark; the next one finds it and lets the running timers
run on (no time is lost to a restart). Only without the mark (a crash) are they closed at the
last heartbeat.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.api import api
from wezmp_tui.errors import InvalidInput, NotFound
from wezmp_tui.model.board import TimeEntry

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

HEARTBEAT = 30.0
MIGRATIONS = [
    """
    CREATE TABLE timer_daemon (
        key TEXT PRIMARY KEY,   -- 'clean_stop': the daemon stopped on purpose at `value`
        value REAL NOT NULL
    );
    """
]


class TimeService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.db = engine.db
        from wezmp_tui.engine.board import BoardService

        self.board = engine.get(BoardService)
        self.db.migrate("timetrack", MIGRATIONS)

    async def start(self) -> None:
        clean = self.db.query_one("SELECT value FROM timer_daemon WHERE key = 'clean_stop'")
        if clean is None:
            self.close_orphans()
        else:
            self.db.execute("DELETE FROM timer_daemon WHERE key = 'clean_stop'")
            await self.heartbeat()
        self.engine.every("timer-heartbeat", lambda: HEARTBEAT, self.heartbeat)

    async def stop(self) -> None:
        """A clean stop: running timers stay open for the next daemon."""
        await self.heartbeat()
        self.db.execute(
            "INSERT INTO timer_daemon(key, value) VALUES ('clean_stop', ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (self.engine.clock.now(),),
        )

    def close_orphans(self) -> int:
        """Entries still open from a daemon that died end at their last heartbeat."""
        rows = self.db.query("SELECT id, start, heartbeat FROM time_entries WHERE end IS NULL")
        with self.db.transaction() as conn:
            for r in rows:
                conn.execute(
                    "UPDATE time_entries SET end = ?,"
                    " note = CASE WHEN note = '' THEN ? ELSE note END WHERE id = ?",
                    (r["heartbeat"] or r["start"], "closed at the last heartbeat", r["id"]),
                )
        return len(rows)

    async def heartbeat(self) -> None:
        self.db.execute(
            "UPDATE time_entries SET heartbeat = ? WHERE end IS NULL", (self.engine.clock.now(),)
        )

    def _entry(self, row: Any) -> TimeEntry:
        now = self.engine.clock.now()
        title = self.db.query_one("SELECT title FROM tasks WHERE id = ?", (row["task_id"],))
        return TimeEntry(
            id=row["id"], task_id=row["task_id"], task=title["title"] if title else "",
            start=row["start"], end=row["end"], note=row["note"],
            duration=round((row["end"] or now) - row["start"], 1),
        )  # fmt: skip

    def running(self) -> list[int]:
        return [
            r["task_id"]
            for r in self.db.query("SELECT task_id FROM time_entries WHERE end IS NULL")
        ]

    @api("time.start")
    async def start_timer(
        self, task_id: int, note: str = "", exclusive: bool | None = None
    ) -> TimeEntry:
        """Start a task's timer (stopping the running one unless timers are not exclusive;
        timers of tasks dispatched to agents run side by side)."""
        self.board._row(task_id)
        if task_id in self.running():
            row = self.db.query_one(
                "SELECT * FROM time_entries WHERE task_id = ? AND end IS NULL", (task_id,)
            )
            return self._entry(row)
        if exclusive is None:
            exclusive = getattr(getattr(self.engine.config, "board", None), "timer_exclusive", True)
        if exclusive:
            for other in self.running():
                await self.stop_task(other)
        now = self.engine.clock.now()
        cur = self.db.execute(
            "INSERT INTO time_entries(task_id, start, heartbeat, note) VALUES (?, ?, ?, ?)",
            (task_id, now, now, note),
        )
        self.board.history(task_id, "timer started")
        self.engine.bus.publish("timer.started", {"task_id": task_id})
        row = self.db.query_one("SELECT * FROM time_entries WHERE id = ?", (cur.lastrowid,))
        return self._entry(row)

    async def stop_task(self, task_id: int) -> TimeEntry | None:
        row = self.db.query_one(
            "SELECT * FROM time_entries WHERE task_id = ? AND end IS NULL", (task_id,)
        )
        if row is None:
            return None
        self.db.execute(
            "UPDATE time_entries SET end = ? WHERE id = ?", (self.engine.clock.now(), row["id"])
        )
        self.board.history(task_id, "timer stopped")
        self.engine.bus.publish("timer.stopped", {"task_id": task_id})
        return self._entry(
            self.db.query_one("SELECT * FROM time_entries WHERE id = ?", (row["id"],))
        )

    def add_entry(self, task_id: int, start: float, end: float, note: str) -> TimeEntry:
        """A finished entry, as logged after the fact."""
        cur = self.db.execute(
            "INSERT INTO time_entries(task_id, start, end, heartbeat, note) VALUES (?, ?, ?, ?, ?)",
            (task_id, start, end, end, note),
        )
        self.board.history(task_id, "time logged", minutes=round((end - start) / 60, 1))
        self.engine.bus.publish("timer.stopped", {"task_id": task_id})
        return self._entry(self.db.query_one("SELECT * FROM time_entries WHERE id = ?",
                                             (cur.lastrowid,)))  # fmt: skip

    @api("time.stop")
    async def stop_timer(self, task_id: int | None = None) -> list[TimeEntry]:
        """Stop a task's timer (every running timer when no task is given)."""
        ids = [task_id] if task_id is not None else self.running()
        out = []
        for t in ids:
            entry = await self.stop_task(t)
            if entry is not None:
                out.append(entry)
        return out

    @api("time.continue")
    async def continue_last(self) -> TimeEntry:
        """Start again the task whose timer stopped last."""
        row = self.db.query_one(
            "SELECT e.task_id FROM time_entries e JOIN tasks t ON t.id = e.task_id"
            " WHERE e.end IS NOT NULL AND t.deleted = 0 ORDER BY e.end DESC LIMIT 1"
        )
        if row is None:
            raise NotFound("no timer to continue")
        return await self.start_timer(row["task_id"])

    @api("time.list")
    async def list_entries(
        self, task_id: int | None = None, since: float | None = None
    ) -> list[TimeEntry]:
        """Time entries, newest first."""
        where, params = "WHERE 1=1", list[float]()
        if task_id is not None:
            where += " AND task_id = ?"
            params.append(task_id)
        if since is not None:
            where += " AND COALESCE(end, ?) >= ?"
            params += [self.engine.clock.now(), since]
        rows = self.db.query(
            f"SELECT * FROM time_entries {where} ORDER BY start DESC", tuple(params)
        )
        return [self._entry(r) for r in rows]

    @api("time.edit")
    async def edit(
        self, id: int, start: float | None = None, end: float | None = None, note: str | None = None
    ) -> TimeEntry:
        """Correct an entry's start, end or note. Refused, saying why: an end before the
        start, a time in the future, or a span that overlaps another entry of the task."""
        row = self.db.query_one("SELECT * FROM time_entries WHERE id = ?", (id,))
        if row is None:
            raise NotFound(f"no time entry {id}")
        new_start = start if start is not None else row["start"]
        new_end = end if end is not None else row["end"]
        self._check_span(row, new_start, new_end)
        self.db.execute(
            "UPDATE time_entries SET start = ?, end = ?, note = ? WHERE id = ?",
            (new_start, new_end, note if note is not None else row["note"], id),
        )
        self.board.history(row["task_id"], "time edited", entry=id)
        return self._entry(self.db.query_one("SELECT * FROM time_entries WHERE id = ?", (id,)))

    def _check_span(self, row: Any, start: float, end: float | None) -> None:
        now = self.engine.clock.now()
        if end is not None and end < start:
            raise InvalidInput(
                f"entry {row['id']}: end {_when(end)} is before its start {_when(start)}"
            )
        for label, value in (("start", start), ("end", end)):
            if value is not None and value > now + 60:
                raise InvalidInput(f"entry {row['id']}: {label} {_when(value)} is in the future")
        others = self.db.query(
            "SELECT id, start, end FROM time_entries WHERE task_id = ? AND id != ?"
            " AND start < ? AND COALESCE(end, ?) > ? ORDER BY start",
            (row["task_id"], row["id"], end if end is not None else now, now, start),
        )
        if others:
            o = others[0]
            span = f"{_when(o['start'])} – {_when(o['end']) if o['end'] else 'running'}"
            raise InvalidInput(
                f"entry {row['id']}: {_when(start)} – {_when(end) if end else 'running'} overlaps"
                f" entry {o['id']} ({span}) of the same task; time would count twice"
            )

    @api("time.rm")
    async def remove(self, id: int) -> dict[str, int]:
        """Delete a time entry."""
        row = self.db.query_one("SELECT task_id FROM time_entries WHERE id = ?", (id,))
        if row is None:
            raise NotFound(f"no time entry {id}")
        self.db.execute("DELETE FROM time_entries WHERE id = ?", (id,))
        self.board.history(row["task_id"], "time deleted", entry=id)
        return {"id": id}


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")
