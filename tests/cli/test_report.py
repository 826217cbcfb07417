"""`wezmp report` run as a command against a daemon on real SQLite whose clock is frozen on
Thursday 26 November 2026, 18:00 local time: the period and its dates, time per day, task and
tag with totals and shares that agree, tasks finished, JSON, CSV, an empty period, bad input."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import wezmp_argv
from wezmp_tui.clock import FakeClock
from wezmp_tui.ipc.server import IpcServer

NOW = dt.datetime(2026, 11, 26, 18, 0).timestamp()
MONDAY = dt.datetime(2026, 11, 23, 9, 0).timestamp()
DAY = 86400


async def wezmp(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *wezmp_argv(*args), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def track(engine: Any, task_id: int, start: float, seconds: float) -> None:
    engine.clock.advance(start - engine.clock.now())  # the clock only goes on
    await engine.invoke("time.start", {"task_id": task_id})
    engine.clock.advance(seconds)
    await engine.invoke("time.stop", {})


@pytest.fixture
async def week(make_engine: Any) -> AsyncIterator[Any]:
    """A daemon serving a week with time on three tasks and one task finished on Tuesday."""
    engine = await make_engine("local", clock=FakeClock(MONDAY - 8 * DAY))
    server = IpcServer(engine)
    await server.start()
    a = await engine.invoke("task.add", {"title": "Write the parser", "tags": ["core"]})
    b = await engine.invoke("task.add", {"title": "Review", "tags": ["core", "api"]})
    c = await engine.invoke("task.add", {"title": "Tiny", "tags": []})
    await track(engine, a.id, MONDAY - 7 * DAY, 1800)  # last week
    await track(engine, a.id, MONDAY, 2 * 3600)
    await track(engine, b.id, MONDAY + DAY, 3600)
    await engine.invoke("task.done", {"id": b.id})
    await track(engine, c.id, MONDAY + 2 * DAY, 1000 / 3)  # a third of a second too many
    engine.clock.advance(NOW - engine.clock.now())
    try:
        yield engine
    finally:
        await server.stop()


async def test_this_week_per_day_task_and_tag(week: Any) -> None:
    code, out, err = await wezmp("report", "--week")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "This week · Mon 23 – Sun 29 Nov 2026"
    assert lines[1] == "3:05:33 tracked · 1 task finished"
    days = lines[lines.index("Day             Time  Done") :]
    assert days[1] == "Mon 23 Nov   2:00:00     ·  " + "█" * 40  # bars 40 cells at most
    assert days[2] == "Tue 24 Nov   1:00:00     1  " + "█" * 20
    assert days[3] == "Wed 25 Nov   0:05:33     ·  █▉"
    assert days[4] == "Thu 26 Nov         ·     ·"
    assert days[8] == "Total        3:05:33     1"
    tasks = out[out.index("Task ") :].split("\n\n")[0].splitlines()
    assert tasks[0] == "Task                    Time  Share"
    assert tasks[1].startswith("#1 Write the parser  2:00:00    65%  ████")
    assert tasks[2].startswith("#2 Review            1:00:00    32%  ██")
    assert tasks[3].startswith("#3 Tiny              0:05:33     3%  █")
    assert tasks[4] == "Total                3:05:33   100%"
    # Review's hour counts half for each of its tags: the tags add up to the same total.
    tags = out[out.index("Tag ") :].split("\n\n")[0].splitlines()
    assert [t.split()[0] for t in tags[1:]] == ["core", "api", "(no", "Total"]
    assert tags[1].split()[1:3] == ["2:30:00", "81%"]
    assert tags[-1].split()[1:] == ["3:05:33", "100%"]
    assert lines[-1] == "Throughput: 1 task finished in 7 days"


async def test_timewarrior_names_and_earlier_periods_agree(week: Any) -> None:
    asked = (["--week", "--earlier", "1"], [":lastweek"], ["--period", "week", "--earlier", "1"])
    outs = [(await wezmp("report", *args))[1] for args in asked]
    assert outs[0] == outs[1] == outs[2]
    assert outs[0].startswith("Last week · Mon 16 – Sun 22 Nov 2026\n0:30:00 tracked · 0 tasks")
    code, out, _ = await wezmp("report", ":yesterday")
    assert code == 0 and out.startswith("Yesterday · Wed 25 Nov 2026\n0:05:33 tracked")
    assert "Day " not in out  # one day needs no table of days
    code, out, _ = await wezmp("report", "--month")
    assert out.startswith("This month · November 2026 (1 – 30 Nov)\n3:35:33 tracked")
    assert "Tue 24 Nov   1:00:00     1" in out and "Fri 27 Nov" not in out
    assert "(26 of 30 days with nothing, not listed)" in out


async def test_an_empty_period_is_one_line(week: Any) -> None:
    code, out, _ = await wezmp("report", "--day", "--earlier", "4")
    assert code == 0
    assert out == "4 days ago · Sun 22 Nov 2026: no time tracked, no task finished.\n"


async def test_a_range_of_days_as_json(week: Any) -> None:
    code, out, err = await wezmp("report", "--from", "monday", "--to", "wed", "--json",
                                 "--by", "task", "--by", "workspace")  # fmt: skip
    assert code == 0, err
    r = json.loads(out)
    assert r["heading"] == "3 days · Mon 23 – Wed 25 Nov 2026"
    assert (r["period"], r["from"], r["to"]) == ("range", "2026-11-23", "2026-11-25")
    assert r["finished"] == 1
    assert [d["day"] for d in r["days"]] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert [d["finished"] for d in r["days"]] == [0, 1, 0]
    assert set(r["by"]) == {"task", "workspace"}
    assert sum(row["share"] for row in r["by"]["task"]) == 100
    assert sum(row["seconds"] for row in r["by"]["task"]) == r["total"]
    assert r["by"]["workspace"] == [{"key": "(none)", "seconds": r["total"], "share": 100}]
    assert r["cycle_time"]["tasks"] == 0  # Review never went through Doing


async def test_csv_rows_per_group(week: Any) -> None:
    code, out, _ = await wezmp("report", "--week", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["by", "key", "seconds", "share"]
    assert rows[1] == ["task", "#1 Write the parser", "7200.0", "65"]
    assert {r[0] for r in rows[1:]} == {"task", "tag"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-45"], "Invalid value for '--from': '2026-13-45' is not a date"),
        (["--from", "soon"], "'soon' is not a day (today, yesterday, a weekday"),
        (["--to", "today"], "--to needs --from"),
        (["--from", "monday", "--week"], "--from/--to name the days themselves"),
        ([":week", "--period", "month"], ":week names the period already"),
        (["--from", "today", "--to", "yesterday"], "2026-11-25, is before its first, 2026-11-26"),
    ],
)
async def test_bad_input_is_named(week: Any, args: list[str], message: str) -> None:
    code, out, err = await wezmp("report", *args)
    assert code != 0 and out == "" and message in err
