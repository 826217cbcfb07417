"""The Reports mode driven by Pilot against a real engine (frozen clock): the period and its
dates, earlier and later periods, charts per day and per task, shares that add up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.color import Color
from textual.widgets import Static

from tests.tui.apps import app_for
from wezmp_tui.clock import FakeClock
from wezmp_tui.model.reports import bar, date_range
from wezmp_tui.tui.reports.screen import ReportsScreen

# Thursday 2026-11-26 18:00 local time.
NOW = dt.datetime(2026, 11, 26, 18, 0).timestamp()


def text(screen: ReportsScreen, widget_id: str) -> str:
    return str(screen.query_one(widget_id, Static).content)


async def track(engine: Any, task_id: int, start: float, seconds: float) -> None:
    clock = engine.clock
    clock.advance(start - clock.now())  # spans are tracked in order: the clock only goes on
    await engine.invoke("time.start", {"task_id": task_id})
    clock.advance(seconds)
    await engine.invoke("time.stop", {})


async def test_a_week_in_charts_then_the_week_before(make_engine: Any) -> None:
    monday = dt.datetime(2026, 11, 23, 9, 0).timestamp()
    engine = await make_engine("local", clock=FakeClock(monday - 8 * 86400))
    a = await engine.invoke("task.add", {"title": "Write the parser", "tags": ["core"]})
    b = await engine.invoke("task.add", {"title": "Review", "tags": ["core", "api"]})
    c = await engine.invoke("task.add", {"title": "Tiny", "tags": []})
    await track(engine, a.id, monday - 7 * 86400, 1800)  # the week before
    await track(engine, a.id, monday, 2 * 3600)
    await track(engine, b.id, monday + 86400, 3600)
    await track(engine, c.id, monday + 2 * 86400, 36)  # 0.01 h: shown as 36s, not 0.0 h
    engine.clock.advance(NOW - engine.clock.now())
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        title = text(screen, "#report-title")
        assert title.startswith("This week · Mon 23 – Sun 29 Nov 2026 · 3h 00m tracked")
        days = text(screen, "#report-days")
        assert "Mon 23" in days and "2h 00m" in days and "Tue 24" in days and "36s" in days
        assert len(days.splitlines()) == 7  # a line a day, no empty rows below
        groups = text(screen, "#report-groups")
        assert "#1 Write the parser" in groups and "36s" in groups and "0.0" not in groups
        shares = [r["share"] for r in screen.data["time"]["rows"]]
        assert sum(shares) == 100
        assert screen.check_action("shift", (1,)) is None  # nothing later than this week
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert text(screen, "#report-title").startswith("Last week · Mon 16 – Sun 22 Nov 2026")
        assert "30m" in text(screen, "#report-groups")
        await pilot.press("right_square_bracket", "g")
        await pilot.pause()
        groups = text(screen, "#report-groups")
        assert screen.query_one("#report-groups", Static).border_title == "By tag"
        assert "core" in groups and "(no tag)" in groups
        assert sum(r["seconds"] for r in screen.data["time"]["rows"]) == 3 * 3600 + 36
        await pilot.press("p")  # month
        await pilot.pause()
        assert text(screen, "#report-title").startswith("This month · November 2026 (1 – 30 Nov)")
        await pilot.press("p", "left_square_bracket")
        await pilot.pause()
        assert text(screen, "#report-title").startswith("Yesterday · Wed 25 Nov 2026 · 36s")
        await pilot.press(*["left_square_bracket"] * 3)  # a Sunday with nothing tracked
        await pilot.pause()
        assert text(screen, "#report-title").startswith("4 days ago · Sun 22 Nov 2026")
        empty = text(screen, "#report-groups")
        assert "No time tracked in this period" in empty and "Board (2), then space" in empty
        assert "Finished per day none in the last 14 days" in text(screen, "#report-flow")


def test_bars_and_ranges() -> None:
    assert bar(0, 10, 8) == "" and bar(0.001, 10, 8) == "▏" and bar(10, 10, 4) == "████"
    assert bar(5, 10, 3) == "█▌"
    jan = dt.datetime(2026, 1, 26).timestamp()
    assert date_range(jan, jan + 7 * 86400, "week") == "Mon 26 Jan – Sun 1 Feb 2026"


async def test_the_reports_follow_the_theme(make_engine: Any) -> None:
    engine = await make_engine("local", clock=FakeClock(NOW - 3600))
    task = await engine.invoke("task.add", {"title": "Write", "tags": []})
    await track(engine, task.id, NOW - 1800, 600)

    app = app_for(engine, engine.clock, paths=engine.paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        for theme in ("wezmp-light", "wezmp-dark"):
            app.theme = theme
            await pilot.pause()
            title = screen.query_one("#report-title", Static).render()
            primary = Color.parse(app.theme_variables["primary"])
            name = title.spans[0].style  # type: ignore[union-attr]
            assert getattr(name, "foreground", None) == primary  # "This week", in the theme
