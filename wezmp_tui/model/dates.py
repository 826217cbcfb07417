"""Due dates as people type them, and as people read them.

`parse_due` takes what a person types into a form or `--due`: `today`, `tomorrow`, a weekday
(`fri`, `friday`: the next one after today), `+3d` / `+4h` / `+2w` (also `3d`, `in 3 days`),
or ISO (`2026-12-01`, `2026-12-01 14:30`). A day without a time means the start of that local
day. Nothing here reads the clock: `now` is passed in, so the TUI can show the parsed date as
it is typed and the daemon parse it the same way.
"""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FORMS = "today, tomorrow, a weekday, +3d, +4h, +2w or 2026-12-01"
_UNITS = {"h": 3600, "hour": 3600, "d": 86400, "day": 86400, "w": 7 * 86400, "week": 7 * 86400}
_OFFSET = re.compile(r"(?:in\s+)?\+?\s*(\d+)\s*(h|hours?|d|days?|w|weeks?)")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_AGO = re.compile(r"(?:-\s*(\d+)\s*(d|days?|w|weeks?))|(?:(\d+)\s*(d|days?|w|weeks?)\s+ago)")
DAY_FORMS = "today, yesterday, a weekday, -3d, 2w ago or 2026-11-01"


class DateError(ValueError):
    """Text that is not a date; the message says why, for the person who typed it."""


def _midnight(when: dt.datetime) -> dt.datetime:
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def _weekday(word: str) -> int | None:
    if len(word) < 3:
        return None
    for i, name in enumerate(WEEKDAYS):
        if name.startswith(word):
            return i
    return None


def parse_due(text: str, now: float) -> float | None:
    """Epoch seconds for `text` (None for empty: no due date). Raises `DateError`."""
    value = " ".join(text.strip().lower().split())
    if not value:
        return None
    today = _midnight(dt.datetime.fromtimestamp(now))
    if value in ("today", "tod"):
        return today.timestamp()
    if value in ("tomorrow", "tom", "tmr"):
        return (today + dt.timedelta(days=1)).timestamp()
    day = _weekday(value)
    if day is not None:
        ahead = (day - today.weekday() - 1) % 7 + 1  # the next one, never today
        return (today + dt.timedelta(days=ahead)).timestamp()
    m = _OFFSET.fullmatch(value)
    if m:
        unit = m.group(2).rstrip("s") if len(m.group(2)) > 1 else m.group(2)
        return now + int(m.group(1)) * _UNITS[unit]
    m = _ISO_DAY.match(value)
    if m:
        try:
            dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            raise DateError(f"{text.strip()!r} is not a date: {exc}") from None
        try:
            iso = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            return dt.datetime.fromisoformat(iso + value[m.end() :]).timestamp()
        except ValueError:
            raise DateError(
                f"{text.strip()!r} is not a date and time (2026-12-01 14:30)"
            ) from None
    raise DateError(f"{text.strip()!r} is not a date ({FORMS})")


def parse_day(text: str, now: float) -> float:
    """The start of the local day `text` names, looking back (a report's `--from`/`--to`):
    `today`, `yesterday`, a weekday (the last one, today on that day), `-3d`, `2w ago`, ISO.
    Raises `DateError`."""
    value = " ".join(text.strip().lower().split())
    today = _midnight(dt.datetime.fromtimestamp(now))
    if value in ("today", "tod"):
        return today.timestamp()
    if value in ("yesterday", "yday"):
        return (today - dt.timedelta(days=1)).timestamp()
    day = _weekday(value)
    if day is not None:
        return (today - dt.timedelta(days=(today.weekday() - day) % 7)).timestamp()
    m = _AGO.fullmatch(value)
    if m:
        count, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        days = int(count) * (7 if unit.startswith("w") else 1)
        return (today - dt.timedelta(days=days)).timestamp()
    m = _ISO_DAY.fullmatch(value)
    if m:
        try:
            return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))).timestamp()
        except ValueError as exc:
            raise DateError(f"{text.strip()!r} is not a date: {exc}") from None
    raise DateError(f"{text.strip()!r} is not a day ({DAY_FORMS})")


def describe_due(due: float, now: float) -> str:
    """The date in full with how far it is: `Fri 28 Nov 2026 (tomorrow)`."""
    when = dt.datetime.fromtimestamp(due)
    text = f"{when:%a} {when.day} {when:%b %Y}"
    if (when.hour, when.minute) != (0, 0):
        text += f" {when:%H:%M}"
    return f"{text} ({due_label(due, now)})"


def due_label(due: float, now: float) -> str:
    """A short label for a card: `today`, `tomorrow`, `Fri`, `12 Dec`, `2d overdue`."""
    when = dt.datetime.fromtimestamp(due)
    days = (_midnight(when) - _midnight(dt.datetime.fromtimestamp(now))).days
    if due < now and days < 0:
        return f"{-days}d overdue"
    if days == 0:
        return "today" if (when.hour, when.minute) == (0, 0) else f"today {when:%H:%M}"
    if days == 1:
        return "tomorrow"
    if days < 7:
        return f"{when:%a}"
    same_year = when.year == dt.datetime.fromtimestamp(now).year
    return f"{when.day} {when:%b}" + ("" if same_year else f" {when.year}")


def format_due(due: float) -> str:
    """The ISO text a form shows for an existing due date (parsed back to the same value)."""
    when = dt.datetime.fromtimestamp(due)
    if (when.hour, when.minute, when.second) == (0, 0, 0):
        return f"{when:%Y-%m-%d}"
    return f"{when:%Y-%m-%d %H:%M}"
