"""Due dates as people type them: every form, the errors, and how they read back."""

from __future__ import annotations

import datetime as dt

import pytest

from wezmp_tui.model.dates import (
    DateError,
    describe_due,
    due_label,
    format_due,
    parse_day,
    parse_due,
)

# Wednesday 2026-11-25 10:30 local time.
NOW = dt.datetime(2026, 11, 25, 10, 30).timestamp()


def day(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> float:
    return dt.datetime(y, m, d, hh, mm).timestamp()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", day(2026, 11, 25)),
        ("  Tomorrow ", day(2026, 11, 26)),
        ("fri", day(2026, 11, 27)),
        ("Friday", day(2026, 11, 27)),
        ("wednesday", day(2026, 12, 2)),  # the next one, never today
        ("mon", day(2026, 11, 30)),
        ("+3d", NOW + 3 * 86400),
        ("3 days", NOW + 3 * 86400),
        ("in 2 weeks", NOW + 14 * 86400),
        ("+4h", NOW + 4 * 3600),
        ("+1w", NOW + 7 * 86400),
        ("2026-12-01", day(2026, 12, 1)),
        ("2027-1-5", day(2027, 1, 5)),
        ("2026-12-01 14:30", day(2026, 12, 1, 14, 30)),
        ("2026-12-01T09:05", day(2026, 12, 1, 9, 5)),
        ("", None),
        ("   ", None),
    ],
)
def test_forms(text: str, expected: float | None) -> None:
    assert parse_due(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13-45", "'2026-13-45' is not a date: month must be in 1..12"),
        ("2026-02-30", "day is out of range for month"),
        ("2026-12-01 25:00", "is not a date and time"),
        ("soonish", "'soonish' is not a date (today, tomorrow, a weekday, +3d"),
        ("fr", "'fr' is not a date"),
    ],
)
def test_errors_say_why(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message.replace("(", r"\(").replace("+", r"\+")):
        parse_due(text, NOW)


def test_read_back() -> None:
    assert describe_due(day(2026, 11, 26), NOW) == "Thu 26 Nov 2026 (tomorrow)"
    assert describe_due(day(2026, 12, 1, 14, 30), NOW) == "Tue 1 Dec 2026 14:30 (Tue)"
    assert due_label(day(2026, 11, 25), NOW) == "today"
    assert due_label(day(2026, 11, 25, 18), NOW) == "today 18:00"
    assert due_label(day(2026, 11, 23), NOW) == "2d overdue"
    assert due_label(day(2026, 12, 24), NOW) == "24 Dec"
    assert due_label(day(2027, 2, 1), NOW) == "1 Feb 2027"
    for due in (day(2026, 12, 1), day(2026, 12, 1, 14, 30)):
        assert parse_due(format_due(due), NOW) == due


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", day(2026, 11, 25)),
        ("Yesterday", day(2026, 11, 24)),
        ("wed", day(2026, 11, 25)),  # looking back: today is that day
        ("monday", day(2026, 11, 23)),
        ("thu", day(2026, 11, 19)),
        ("-3d", day(2026, 11, 22)),
        ("2w ago", day(2026, 11, 11)),
        ("2026-03-29", day(2026, 3, 29)),  # a day of 23 hours in much of Europe
    ],
)
def test_days_looking_back(text: str, expected: float) -> None:
    assert parse_day(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "day is out of range"),
        ("+3d", r"is not a day \(today, yesterday"),
        ("", "is not a day"),
    ],
)
def test_not_a_day(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_day(text, NOW)
