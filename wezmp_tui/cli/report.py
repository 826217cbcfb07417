"""`wezmp report`: time per day/week/month by task, tag, workspace or agent."""

from __future__ import annotations

import csv
import sys

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors, hms


@click.command()
@click.option("--day", "period", flag_value="day", default=True)
@click.option("--week", "period", flag_value="week")
@click.option("--month", "period", flag_value="month")
@click.option("--by", type=click.Choice(["task", "tag", "workspace", "agent"]), default="task")
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "as_csv", is_flag=True)
@handle_errors
def report(period: str, by: str, as_json: bool, as_csv: bool) -> None:
    """Where the time went."""
    r = call("report.time", period=period, by=by)
    if as_json:
        r["throughput"] = call("report.throughput", days=7)
        r["cycle_time"] = call("report.cycle_time")
        emit_json(r)
        return
    if as_csv:
        w = csv.writer(sys.stdout)
        w.writerow([by, "seconds"])
        for row in r["rows"]:
            w.writerow([row["key"], row["seconds"]])
        return
    click.echo(f"time this {period} by {by}: {hms(r['total'])}")
    top = max((row["seconds"] for row in r["rows"]), default=1) or 1
    for row in r["rows"]:
        bar = "█" * max(1, int(30 * row["seconds"] / top))
        click.echo(f"  {row['key'][:30]:<30} {hms(row['seconds']):>9} {bar}")
