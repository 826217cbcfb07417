"""What every report says the same way: shares and seconds that add up, names cut to a width,
the period's name and dates."""

from __future__ import annotations

import datetime as dt

from wezmp_tui.model.reports import (
    apportion,
    bar,
    cells,
    date_range,
    fit,
    heading,
    period_name,
    shares,
    whole_seconds,
)


def test_parts_add_up_to_the_whole() -> None:
    assert shares([1, 1, 1]) == [34, 33, 33] and sum(shares([0.01, 3, 7.5, 2])) == 100
    assert shares([]) == [] and shares([0.0]) == [0]
    assert apportion([1, 1], 3) == [2, 1]
    assert whole_seconds([0.4, 0.4, 0.4], 1.2) == [1, 0, 0]  # 0:00:01 in all, not 0:00:00
    assert sum(whole_seconds([7200.0, 3600.0, 333.3], 11133.4)) == 11133


def test_bars_and_names_in_cells() -> None:
    assert bar(0, 10, 8) == "" and bar(0.001, 10, 8) == "▏" and bar(10, 10, 4) == "████"
    assert bar(5, 10, 3) == "█▌"
    assert cells("日本") == 4 and cells("e\u0301") == 1
    assert fit("abc", 5) == "abc  " and fit("abcdef", 4) == "abc…"
    assert fit("日本語のタスク", 6) == "日本 …" and fit("x", 0) == ""


def test_names_and_dates_of_periods() -> None:
    assert period_name("week", 0) == "This week" and period_name("day", -1) == "Yesterday"
    assert period_name("month", -3) == "3 months ago" and period_name("range", 0, 1) == "1 day"
    jan = dt.datetime(2026, 1, 26).timestamp()
    assert date_range(jan, jan + 7 * 86400, "week") == "Mon 26 Jan – Sun 1 Feb 2026"
    dec = dt.datetime(2025, 12, 29).timestamp()
    end = dt.datetime(2026, 1, 3).timestamp()
    assert date_range(dec, end, "range") == "Mon 29 Dec 2025 – Fri 2 Jan 2026"
    report = {"period": "range", "offset": 0, "since": dec, "until": end, "days": [{}] * 5}
    assert heading(report) == "5 days · Mon 29 Dec 2025 – Fri 2 Jan 2026"
