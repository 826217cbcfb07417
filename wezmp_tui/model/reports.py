"""What a time report says, worked out once for every client (`wezmp report`, the control
center's Reports mode): the period's name and dates, whole-percent shares that add up to 100,
bars in eighths of a cell and names cut to a width. No I/O and no clock: times are passed in.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

PERIODS = ("day", "week", "month")
EIGHTHS = " ▏▎▍▌▋▊▉"
# The period names timewarrior users type (`timew summary :lastweek`): period and offset.
HINTS = {
    ":day": ("day", 0),
    ":today": ("day", 0),
    ":yesterday": ("day", -1),
    ":week": ("week", 0),
    ":lastweek": ("week", -1),
    ":month": ("month", 0),
    ":lastmonth": ("month", -1),
}


def apportion(values: list[float], whole: int) -> list[int]:
    """Whole numbers in proportion to `values` that add up to exactly `whole`: each gets its
    exact part rounded down, the largest remainders one more (the same rule a report uses
    everywhere, so no column adds up to 101 %)."""
    total = sum(values)
    if total <= 0:
        return [0] * len(values)
    exact = [whole * v / total for v in values]
    out = [int(x) for x in exact]
    order = sorted(range(len(values)), key=lambda i: exact[i] - out[i], reverse=True)
    for i in order[: whole - sum(out)]:
        out[i] += 1
    return out


def shares(values: list[float]) -> list[int]:
    """Whole percentages that add up to exactly 100."""
    return apportion(values, 100)


def whole_seconds(values: list[float], total: float) -> list[int]:
    """Whole seconds to show for each part of `total`, adding up to it rounded (so every
    column of a report adds up to the same total)."""
    return apportion(values, round(total))


def bar(value: float, top: float, width: int) -> str:
    """A horizontal bar in eighths of a cell; any time at all shows at least a sliver."""
    if top <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = max(1, round(8 * width * value / top))
    return "█" * (eighths // 8) + EIGHTHS[eighths % 8].strip()


def _cell(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cells(text: str) -> int:
    """How many terminal cells `text` takes (wide characters take two)."""
    return sum(_cell(ch) for ch in text)


def fit(text: str, width: int) -> str:
    """Exactly `width` cells, with … where a long name is cut."""
    if cells(text) <= width:
        return text + " " * (width - cells(text))
    room, out = max(width - 1, 0), ""
    for ch in text:
        if cells(out) + _cell(ch) > room:
            break
        out += ch
    return out + " " * (room - cells(out)) + ("…" if width else "")


def counted(n: int, noun: str) -> str:
    """`1 task`, `3 tasks`, `1,204 days`."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def period_name(period: str, offset: int, days: int = 0) -> str:
    """`Today`, `Last week`, `3 months ago`; a range of dates (`range`) is its length."""
    if period == "range":
        return "1 day" if days == 1 else f"{days} days"
    if offset == 0:
        return {"day": "Today", "week": "This week", "month": "This month"}[period]
    if offset == -1:
        return {"day": "Yesterday", "week": "Last week", "month": "Last month"}[period]
    return f"{-offset} {period}s ago"


def date_range(since: float, until: float, period: str) -> str:
    """The dates from `since` to just before `until`: `Mon 23 – Sun 29 Nov 2026`."""
    a = dt.date.fromtimestamp(since)
    b = dt.date.fromtimestamp(until - 1)
    if period == "day" or a == b:
        return f"{a:%a} {a.day} {a:%b %Y}"
    if period == "month":
        return f"{a:%B %Y} ({a.day} – {b.day} {b:%b})"
    left = f"{a:%a} {a.day}"
    if a.year != b.year:
        left += f" {a:%b %Y}"
    elif a.month != b.month:
        left += f" {a:%b}"
    return f"{left} – {b:%a} {b.day} {b:%b %Y}"


def heading(report: Mapping[str, Any]) -> str:
    """`This week · Mon 23 – Sun 29 Nov 2026` for a `report.time` answer."""
    period = report["period"]
    name = period_name(period, report["offset"], len(report["days"]))
    return f"{name} · {date_range(report['since'], report['until'], period)}"
