"""Reports: time per day/week/month by task, tag, workspace or agent; throughput; cycle time."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from wezmp_tui.engine.api import api
from wezmp_tui.store.tasks import TaskStore
from wezmp_tui.store.time_entries import TimeEntryStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

Period = Literal["day", "week", "month"]
By = Literal["task", "tag", "workspace", "agent"]


def period_start(now: float, period: Period) -> float:
    d = dt.datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        d -= dt.timedelta(days=d.weekday())
    elif period == "month":
        d = d.replace(day=1)
    return d.timestamp()


class ReportService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tasks = TaskStore(engine.db)
        self.entries = TimeEntryStore(engine.db)

    @api("report.time")
    async def time(self, period: Period = "day", by: By = "task") -> dict[str, Any]:
        """Seconds tracked since the start of this day/week/month, grouped."""
        now = self.engine.clock.now()
        start = period_start(now, period)
        rows = self.entries.spans_since(start, now)
        groups: dict[str, float] = {}
        for r in rows:
            secs = min(r.end or now, now) - max(r.start, start)
            if secs <= 0:
                continue
            if by == "task":
                keys = [f"#{r.task_id} {r.title}"]
            elif by == "tag":
                keys = r.tags or ["(no tag)"]
            elif by == "workspace":
                keys = [r.workspace or "(none)"]
            else:
                note = r.note or ""
                keys = [note[6:] if note.startswith("agent ") else (r.assigned or "(you)")]
            for k in keys:
                groups[k] = groups.get(k, 0.0) + secs
        items = sorted(groups.items(), key=lambda kv: -kv[1])
        return {
            "period": period,
            "by": by,
            "since": start,
            "total": round(sum(v for _, v in items) if by != "tag" else sum(
                min(r.end or now, now) - max(r.start, start) for r in rows
                if min(r.end or now, now) > max(r.start, start)), 1),
            "rows": [{"key": k, "seconds": round(v, 1)} for k, v in items],
        }  # fmt: skip

    @api("report.throughput")
    async def throughput(self, days: int = 14) -> list[dict[str, Any]]:
        """Tasks finished per day, for the last `days` days."""
        now = self.engine.clock.now()
        start = period_start(now, "day") - (days - 1) * 86400
        counts: dict[str, int] = {}
        for finished in self.tasks.finished_since(start):
            day = dt.date.fromtimestamp(finished).isoformat()
            counts[day] = counts.get(day, 0) + 1
        out = []
        for i in range(days):
            day = dt.date.fromtimestamp(start + i * 86400 + 3600).isoformat()
            out.append({"day": day, "finished": counts.get(day, 0)})
        return out

    @api("report.cycle_time")
    async def cycle_time(self, days: int = 30) -> dict[str, Any]:
        """Time from start (Doing) to finish for tasks finished in the last `days` days."""
        since = self.engine.clock.now() - days * 86400
        spans = sorted(self.tasks.cycle_spans(since))
        return {
            "tasks": len(spans),
            "mean": round(sum(spans) / len(spans), 1) if spans else 0.0,
            "median": round(spans[len(spans) // 2], 1) if spans else 0.0,
            "max": round(spans[-1], 1) if spans else 0.0,
        }
