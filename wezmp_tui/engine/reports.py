"""Reports: time per day/week/month by task, tag, workspace or agent; throughput; cycle time."""

from __future__ import annotations

import bisect
import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from wezmp_tui.engine.api import api
from wezmp_tui.errors import InvalidInput
from wezmp_tui.model import dates
from wezmp_tui.model.reports import shares
from wezmp_tui.store.tasks import TaskStore
from wezmp_tui.store.time_entries import TimeEntryStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine
    from wezmp_tui.model.board import TrackedSpan

Period = Literal["day", "week", "month"]
By = Literal["task", "tag", "workspace", "agent"]
MAX_RANGE_DAYS = 366


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


class ReportService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tasks = TaskStore(engine.db)
        self.entries = TimeEntryStore(engine.db)

    @api("report.time")
    async def time(
        self,
        period: Period = "day",
        by: By = "task",
        offset: int = 0,
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, Any]:
        """Seconds tracked in this day/week/month (`offset` -1: the one before), or from the day
        `since` to the day `until` included (as `model.dates.parse_day` reads them; `until`
        defaults to today), grouped, with each row's share (whole percentages adding up to 100)
        and the seconds and finished tasks of each day. A span of a task with several tags
        counts a part for each, so rows add up to the total."""
        now = self.engine.clock.now()
        if since is not None or until is not None:
            start, end = self.range_bounds(since, until, now)
            period_name, offset = "range", 0
        else:
            offset = min(offset, 0)  # the future holds no tracked time
            start, end = period_bounds(now, period, offset)
            period_name = period
        until_now = min(end, now)
        groups: dict[str, float] = {}
        day_starts = []
        d = dt.datetime.fromtimestamp(start)
        while d.timestamp() < end:
            day_starts.append(d.timestamp())
            d += dt.timedelta(days=1)
        bounds = [*day_starts, end]
        per_day = [0.0] * len(day_starts)
        for r in self.entries.spans_since(start, until_now):
            lo, hi = max(r.start, start), min(r.end or until_now, until_now)
            if hi <= lo:
                continue
            for k in (keys := self.keys(r, by)):
                groups[k] = groups.get(k, 0.0) + (hi - lo) / len(keys)
            i = bisect.bisect_right(bounds, lo) - 1
            while i < len(day_starts) and bounds[i] < hi:
                per_day[i] += min(hi, bounds[i + 1]) - max(lo, bounds[i])
                i += 1
        finished = [0] * len(day_starts)
        for when in self.tasks.finished_since(start):
            if when < end:
                finished[bisect.bisect_right(bounds, when) - 1] += 1
        items = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
        rounded = [round(v, 1) for _, v in items]
        return {
            "period": period_name,
            "by": by,
            "offset": offset,
            "since": start,
            "until": end,
            "total": round(sum(rounded), 1),
            "finished": sum(finished),
            "rows": [
                {"key": k, "seconds": sec, "share": sh}
                for (k, _), sec, sh in zip(items, rounded, shares(rounded), strict=True)
            ],
            "days": [
                {"day": dt.date.fromtimestamp(ds).isoformat(), "seconds": round(sec, 1),
                 "finished": n}
                for ds, sec, n in zip(day_starts, per_day, finished, strict=True)
            ],
        }  # fmt: skip

    @staticmethod
    def keys(span: TrackedSpan, by: By) -> list[str]:
        if by == "task":
            return [f"#{span.task_id} {span.title}"]
        if by == "tag":
            return span.tags or ["(no tag)"]
        if by == "workspace":
            return [span.workspace or "(none)"]
        note = span.note or ""
        return [note[6:] if note.startswith("agent ") else (span.assigned or "(you)")]

    @staticmethod
    def range_bounds(since: str | None, until: str | None, now: float) -> tuple[float, float]:
        """Start of the day `since`, end of the day `until` (today when not given)."""
        if since is None:
            raise InvalidInput("since: a range needs its first day (until alone is not one)")
        try:
            start = dates.parse_day(since, now)
        except dates.DateError as exc:
            raise InvalidInput(f"since: {exc}") from None
        try:
            last = dates.parse_day(until or "today", now)
        except dates.DateError as exc:
            raise InvalidInput(f"until: {exc}") from None
        if last < start:
            first, last_day = dt.date.fromtimestamp(start), dt.date.fromtimestamp(last)
            raise InvalidInput(f"the range's last day, {last_day}, is before its first, {first}")
        end = dt.datetime.fromtimestamp(last) + dt.timedelta(days=1)
        if (end.date() - dt.date.fromtimestamp(start)).days > MAX_RANGE_DAYS:
            raise InvalidInput(f"since: a range holds at most {MAX_RANGE_DAYS} days")
        return start, end.timestamp()

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
