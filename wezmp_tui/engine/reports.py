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


def period_bounds(now: float, period: Period, offset: int = 0) -> tuple[float, float]:
    """Start and end of the day/week/month `offset` periods from the one holding `now`
    (local calendar: a month is its days, a day across a clock change is 23 or 25 hours)."""
    d = dt.datetime.fromtimestamp(period_start(now, period))
    if period == "month":
        months = d.year * 12 + d.month - 1 + offset
        d = d.replace(year=months // 12, month=months % 12 + 1)
        months += 1
        nxt = d.replace(year=months // 12, month=months % 12 + 1)
    else:
        step = dt.timedelta(days=7 if period == "week" else 1)
        d = d + step * offset
        nxt = d + step
    return d.timestamp(), nxt.timestamp()


def shares(values: list[float]) -> list[int]:
    """Whole percentages that add up to exactly 100 (largest remainders get the rest)."""
    total = sum(values)
    if total <= 0:
        return [0] * len(values)
    exact = [100 * v / total for v in values]
    out = [int(x) for x in exact]
    order = sorted(range(len(values)), key=lambda i: exact[i] - out[i], reverse=True)
    for i in order[: 100 - sum(out)]:
        out[i] += 1
    return out


class ReportService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tasks = TaskStore(engine.db)
        self.entries = TimeEntryStore(engine.db)

    @api("report.time")
    async def time(
        self, period: Period = "day", by: By = "task", offset: int = 0
    ) -> dict[str, Any]:
        """Seconds tracked in this day/week/month (`offset` -1: the one before), grouped, with
        each row's share (whole percentages adding up to 100) and the seconds of each day. A
        span of a task with several tags counts a part for each, so rows add up to the total."""
        if offset > 0:
            offset = 0  # the future holds no tracked time
        now = self.engine.clock.now()
        start, end = period_bounds(now, period, offset)
        until = min(end, now)
        groups: dict[str, float] = {}
        day_starts = []
        d = dt.datetime.fromtimestamp(start)
        while d.timestamp() < end:
            day_starts.append(d.timestamp())
            d += dt.timedelta(days=1)
        per_day = [0.0] * len(day_starts)
        for r in self.entries.spans_since(start, until):
            lo, hi = max(r.start, start), min(r.end or until, until)
            if hi <= lo:
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
                groups[k] = groups.get(k, 0.0) + (hi - lo) / len(keys)
            for i, ds in enumerate(day_starts):
                de = day_starts[i + 1] if i + 1 < len(day_starts) else end
                if hi > ds and lo < de:
                    per_day[i] += min(hi, de) - max(lo, ds)
        items = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
        rounded = [round(v, 1) for _, v in items]
        return {
            "period": period,
            "by": by,
            "offset": offset,
            "since": start,
            "until": end,
            "total": round(sum(rounded), 1),
            "rows": [
                {"key": k, "seconds": sec, "share": sh}
                for (k, _), sec, sh in zip(items, rounded, shares(rounded), strict=True)
            ],
            "days": [
                {"day": dt.date.fromtimestamp(ds).isoformat(), "seconds": round(sec, 1)}
                for ds, sec in zip(day_starts, per_day, strict=True)
            ],
        }

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
