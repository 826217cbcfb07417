"""`wezmp report`: where the time of a day, week, month or range of days went: per day, per
task and per tag (or workspace, agent), with totals, shares that add up to 100 % and the tasks
finished; `--json` and `--csv` for scripts."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import sys
import time
from typing import Any

import click

from wezmp_tui.cli.common import client, emit_json, handle_errors, hms
from wezmp_tui.model import dates
from wezmp_tui.model.reports import (
    HINTS,
    PERIODS,
    bar,
    cells,
    counted,
    fit,
    heading,
    whole_seconds,
)

GROUPS = ("task", "tag", "workspace", "agent")
EPILOG = f"""\b
Which time:
  wezmp report                      today
  wezmp report --week               this week (Monday to Sunday)
  wezmp report :lastweek            timewarrior's names: :day (:today),
                                    :yesterday, :week, :month, :lastmonth
  wezmp report --month --earlier 2  the month before last
  wezmp report --from monday        from the last Monday to today
  wezmp report --from 2026-11-01 --to 2026-11-15

--from and --to take {dates.DAY_FORMS}; both days are included. Durations are
H:MM:SS; each column adds up to its total, shares to 100 % (largest remainders round up, as in
the control center's Reports mode, key 3). An empty period is said in one line.
"""


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Checked here so a typo names its option; the daemon reads it again with its clock."""
    if value is not None:
        try:
            dates.parse_day(value, time.time())
        except dates.DateError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@click.command(epilog=EPILOG)
@click.argument("hint", required=False, type=click.Choice(list(HINTS)), metavar="[:PERIOD]")
@click.option("--period", type=click.Choice(PERIODS), help="Day, week or month (default: day).")
@click.option("--day", "short", flag_value="day", help="Same as --period day.")
@click.option("--week", "short", flag_value="week", help="Same as --period week.")
@click.option("--month", "short", flag_value="month", help="Same as --period month.")
@click.option("--earlier", type=click.IntRange(min=0), default=0, metavar="N",
              help="N periods before this one (1: yesterday, last week, last month).")
@click.option("--from", "since", callback=_day, metavar="DAY", help="First day of a range.")
@click.option("--to", "until", callback=_day, metavar="DAY",
              help="Last day of a range (default: today).")
@click.option("--by", type=click.Choice(GROUPS), multiple=True,
              help="Group by this (repeat for more; default: task and tag).")
@click.option("--json", "as_json", is_flag=True, help="Everything as JSON, for scripts.")
@click.option("--csv", "as_csv", is_flag=True, help="Rows of by,key,seconds,share.")
@handle_errors
def report(
    hint: str | None, period: str | None, short: str | None, earlier: int, since: str | None,
    until: str | None, by: tuple[str, ...], as_json: bool, as_csv: bool,
) -> None:  # fmt: skip
    """Where the time went: per day, per task and per tag, with tasks finished."""
    which = _which(hint, period or short, earlier, since, until)
    groups = by or ("task", "tag")
    with client() as c:
        reports = {g: c.call("report.time", by=g, **which) for g in dict.fromkeys(groups)}
        cycle = c.call("report.cycle_time")
    first = next(iter(reports.values()))
    if as_json:
        emit_json(_as_json(first, reports, cycle))
    elif as_csv:
        w = csv.writer(sys.stdout)
        w.writerow(["by", "key", "seconds", "share"])
        for g, r in reports.items():
            for row in r["rows"]:
                w.writerow([g, row["key"], row["seconds"], row["share"]])
    elif not first["total"] and not first["finished"]:
        click.echo(f"{heading(first)}: no time tracked, no task finished.")
    else:
        width = min(shutil.get_terminal_size((80, 24)).columns, 100)
        click.echo("\n".join(_text(first, reports, cycle, width)))


def _which(
    hint: str | None, period: str | None, earlier: int, since: str | None, until: str | None
) -> dict[str, Any]:
    """The `report.time` parameters naming the time asked for; a mix that cannot be meant
    together is refused."""
    if since is not None or until is not None:
        if hint or period or earlier:
            raise click.UsageError("--from/--to name the days themselves: leave out the period")
        if since is None:
            raise click.UsageError("--to needs --from (the first day of the range)")
        return {"since": since, "until": until}
    if hint:
        if period:
            raise click.UsageError(f"{hint} names the period already: leave out --period")
        period, back = HINTS[hint]
        earlier -= back
    return {"period": period or "day", "offset": -earlier}


def _as_json(
    first: dict[str, Any], reports: dict[str, dict[str, Any]], cycle: dict[str, Any]
) -> dict[str, Any]:
    return {
        "heading": heading(first),
        "period": first["period"],
        "offset": first["offset"],
        "from": dt.date.fromtimestamp(first["since"]).isoformat(),
        "to": dt.date.fromtimestamp(first["until"] - 1).isoformat(),
        "since": first["since"],
        "until": first["until"],
        "total": first["total"],
        "finished": first["finished"],
        "days": first["days"],
        "by": {g: r["rows"] for g, r in reports.items()},
        "cycle_time": cycle,
    }


def _text(
    first: dict[str, Any], reports: dict[str, dict[str, Any]], cycle: dict[str, Any], width: int
) -> list[str]:
    finished = first["finished"]
    out = [
        click.style(heading(first), bold=True),
        f"{hms(first['total'])} tracked · {counted(finished, 'task')} finished",
    ]
    if len(first["days"]) > 1:
        out += ["", *_days(first, width)]
    for g, r in reports.items():
        if r["rows"]:
            out += ["", *_groups(g, r, width)]
    out += ["", _flow(first, cycle)]
    return out


def _days(report: dict[str, Any], width: int) -> list[str]:
    """One line a day; past a week only the days with something in them."""
    days = report["days"]
    shown = whole_seconds([d["seconds"] for d in days], report["total"])
    busy = len(days) <= 7
    room = min(max(width - 11 - 9 - 6 - 2, 4), 40)
    top = max(shown, default=0)
    lines = [click.style(f"{'Day':<11}{'Time':>9}{'Done':>6}", bold=True)]
    for d, secs in zip(days, shown, strict=True):
        if not (busy or secs or d["finished"]):
            continue
        day = dt.date.fromisoformat(d["day"])
        label = f"{day:%a} {day.day} {day:%b}"
        time_ = hms(secs) if secs else "·"
        done = str(d["finished"]) if d["finished"] else "·"
        chart = bar(secs, top, room)
        line = f"{label:<11}{time_:>9}{done:>6}"
        lines.append(f"{line}  {click.style(chart, fg='cyan')}" if chart else line)
    quiet = sum(1 for d, s in zip(days, shown, strict=True) if not (s or d["finished"]))
    total = f"{'Total':<11}{hms(sum(shown)):>9}{report['finished']:>6}"
    if not busy and quiet:
        total += click.style(f"  ({quiet} of {len(days)} days with nothing, not listed)", dim=True)
    lines.append(click.style(total, bold=True))
    return lines


def _groups(by: str, report: dict[str, Any], width: int) -> list[str]:
    rows = report["rows"]
    shown = whole_seconds([r["seconds"] for r in rows], report["total"])
    name_w = max(min(max(cells(r["key"]) for r in rows), width // 2), 12)
    room = min(max(width - name_w - 9 - 7 - 2, 4), 40)
    lines = [click.style(f"{fit(by.capitalize(), name_w)}{'Time':>9}{'Share':>7}", bold=True)]
    top = max(shown)
    for r, secs in zip(rows, shown, strict=True):
        chart = click.style(bar(secs, top, room), fg="magenta")
        lines.append(f"{fit(r['key'], name_w)}{hms(secs):>9}{r['share']:>6}%  {chart}")
    total = f"{fit('Total', name_w)}{hms(sum(shown)):>9}{sum(r['share'] for r in rows):>6}%"
    lines.append(click.style(total, bold=True))
    return lines


def _flow(report: dict[str, Any], cycle: dict[str, Any]) -> str:
    days = counted(len(report["days"]), "day")
    line = f"Throughput: {counted(report['finished'], 'task')} finished in {days}"
    if cycle["tasks"]:
        line += (
            f"; cycle time over the last 30 days ({counted(cycle['tasks'], 'task')}):"
            f" median {hms(cycle['median'])}, longest {hms(cycle['max'])}"
        )
    return line
