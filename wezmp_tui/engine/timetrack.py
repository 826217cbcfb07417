"""Time tracking: one running timer per task, exclusive by default, with a heartbeat so a
timer left running when the daemon died is closed where the daemon last saw it.

A daemon that stops cleanly leaves a mark; the next one finds it and lets the running timers
run on (no time is lost to a restart). Only without the mark (a crash) are they closed at the
last heartbeat.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from wezmp_tui.engine.api import api
from wezmp_tui.engine.board import BoardService
from wezmp_tui.errors import InvalidInput, NotFound
from wezmp_tui.model.board import TimeEntry
from wezmp_tui.model.events import Event
from wezmp_tui.store.time_entries import TimeEntryStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

HEARTBEAT = 30.0


class TimeService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = TimeEntryStore(engine.db)
        self.board = engine.get(BoardService)
        # A task finished or deleted stops its timer.
        engine.bus.listen(["task.moved", "task.deleted"], self._on_task)

    def _on_task(self, ev: Event) -> None:
        data = ev.data or {}
        if ev.topic == "task.deleted" or data.get("done"):
            self.stop_task(int(data["task_id"]))

    async def start(self) -> None:
        if self.store.take_clean_stop():
            await self.heartbeat()
        else:
            self.close_orphans()
        self.engine.every("timer-heartbeat", lambda: HEARTBEAT, self.heartbeat)

    async def stop(self) -> None:
        """A clean stop: running timers stay open for the next daemon."""
        await self.heartbeat()
        self.store.mark_clean_stop(self.engine.clock.now())

    def close_orphans(self) -> int:
        """Entries still open from a daemon that died end at their last heartbeat."""
        return self.store.close_at_heartbeat("closed at the last heartbeat")

    async def heartbeat(self) -> None:
        self.store.heartbeat(self.engine.clock.now())

    def running(self) -> list[int]:
        return self.store.running()

    def _get(self, entry_id: int) -> TimeEntry:
        entry = self.store.get(entry_id, self.engine.clock.now())
        if entry is None:
            raise NotFound(f"no time entry {entry_id}")
        return entry

    @api("time.start")
    async def start_timer(
        self, task_id: int, note: str = "", exclusive: bool | None = None
    ) -> TimeEntry:
        """Start a task's timer (stopping the running one unless timers are not exclusive;
        timers of tasks dispatched to agents run side by side)."""
        self.board._row(task_id)
        now = self.engine.clock.now()
        running = self.store.open_for(task_id, now)
        if running is not None:
            return running
        if exclusive is None:
            exclusive = self.engine.config.board.timer_exclusive
        if exclusive:
            for other in self.running():
                self.stop_task(other)
        entry_id = self.store.insert(task_id, now, note)
        self.board.history(task_id, "timer started")
        self.engine.bus.publish("timer.started", {"task_id": task_id})
        return self._get(entry_id)

    def stop_task(self, task_id: int) -> TimeEntry | None:
        """Stop a task's timer; None when it was not running."""
        entry = self.store.open_for(task_id, self.engine.clock.now())
        if entry is None:
            return None
        self.store.set_end(entry.id, self.engine.clock.now())
        self.board.history(task_id, "timer stopped")
        self.engine.bus.publish("timer.stopped", {"task_id": task_id})
        return self._get(entry.id)

    @api("time.stop")
    async def stop_timer(self, task_id: int | None = None) -> list[TimeEntry]:
        """Stop a task's timer (every running timer when no task is given)."""
        ids = [task_id] if task_id is not None else self.running()
        out = []
        for t in ids:
            entry = self.stop_task(t)
            if entry is not None:
                out.append(entry)
        return out

    @api("time.continue")
    async def continue_last(self) -> TimeEntry:
        """Start again the task whose timer stopped last."""
        task_id = self.store.last_stopped_task()
        if task_id is None:
            raise NotFound("no timer to continue")
        return await self.start_timer(task_id)

    @api("time.list")
    async def list_entries(
        self, task_id: int | None = None, since: float | None = None
    ) -> list[TimeEntry]:
        """Time entries, newest first."""
        return self.store.entries(self.engine.clock.now(), task_id=task_id, since=since)

    @api("time.edit")
    async def edit(
        self, id: int, start: float | None = None, end: float | None = None, note: str | None = None
    ) -> TimeEntry:
        """Correct an entry's start, end or note. Refused, saying why: an end before the
        start, a time in the future, or a span that overlaps another entry of the task."""
        row = self._get(id)
        new_start = start if start is not None else row.start
        new_end = end if end is not None else row.end
        self._check_span(row, new_start, new_end)
        self.store.update(id, new_start, new_end, note if note is not None else row.note)
        self.board.history(row.task_id, "time edited", entry=id)
        return self._get(id)

    def _check_span(self, row: TimeEntry, start: float, end: float | None) -> None:
        now = self.engine.clock.now()
        if end is not None and end < start:
            raise InvalidInput(
                f"entry {row.id}: end {_when(end)} is before its start {_when(start)}"
            )
        for label, value in (("start", start), ("end", end)):
            if value is not None and value > now + 60:
                raise InvalidInput(f"entry {row.id}: {label} {_when(value)} is in the future")
        others = self.store.overlapping(row.task_id, row.id, start, end, now)
        if others:
            o = others[0]
            span = f"{_when(o.start)} – {_when(o.end) if o.end else 'running'}"
            raise InvalidInput(
                f"entry {row.id}: {_when(start)} – {_when(end) if end else 'running'} overlaps"
                f" entry {o.id} ({span}) of the same task; time would count twice"
            )

    @api("time.rm")
    async def remove(self, id: int) -> dict[str, int]:
        """Delete a time entry."""
        row = self._get(id)
        self.store.delete(id)
        self.board.history(row.task_id, "time deleted", entry=id)
        return {"id": id}


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")
