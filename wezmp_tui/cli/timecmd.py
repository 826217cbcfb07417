"""`wezmp time start|stop|continue|list|edit|rm`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors, hms


def _fmt(e: dict[str, Any]) -> str:
    began = dt.datetime.fromtimestamp(e["start"])
    start = began.strftime("%Y-%m-%d %H:%M")
    end = "running"
    if e["end"]:
        ended = dt.datetime.fromtimestamp(e["end"])
        # An entry that crosses midnight shows the day it ended on.
        end = ended.strftime("%H:%M" if ended.date() == began.date() else "%Y-%m-%d %H:%M")
    took = hms(e["duration"])
    return f"{e['id']:>5} #{e['task_id']:<5} {start} - {end:<7} {took:>9}  {e['task']}"


def _when(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise click.BadParameter(f"{value!r}: use YYYY-MM-DD HH:MM") from None


@click.group(name="time")
def time_() -> None:
    """Time tracking per task."""


@time_.command()
@click.argument("task_id", type=int)
@click.option("--note", default="")
@handle_errors
def start(task_id: int, note: str) -> None:
    """Start a task's timer (stops the running one)."""
    click.echo(f"started: {_fmt(call('time.start', task_id=task_id, note=note))}")


@time_.command()
@click.argument("task_id", type=int, required=False)
@handle_errors
def stop(task_id: int | None) -> None:
    """Stop a timer (all when no task is given)."""
    stopped = call("time.stop", task_id=task_id)
    for e in stopped:
        click.echo(f"stopped: {_fmt(e)}")
    if not stopped:
        click.echo("no timer running")


@time_.command(name="continue")
@handle_errors
def continue_() -> None:
    """Start the last stopped task again."""
    click.echo(f"started: {_fmt(call('time.continue'))}")


@time_.command(name="list")
@click.option("--task", "task_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(task_id: int | None, as_json: bool) -> None:
    """Time entries, newest first."""
    items = call("time.list", task_id=task_id)
    if as_json:
        emit_json(items)
        return
    for e in items:
        click.echo(_fmt(e))


@time_.command()
@click.argument("entry_id", type=int)
@click.option("--start")
@click.option("--end")
@click.option("--note")
@handle_errors
def edit(entry_id: int, start: str | None, end: str | None, note: str | None) -> None:
    """Correct an entry (times as YYYY-MM-DD HH:MM)."""
    click.echo(_fmt(call("time.edit", id=entry_id, start=_when(start), end=_when(end), note=note)))


@time_.command()
@click.argument("entry_id", type=int)
@handle_errors
def rm(entry_id: int) -> None:
    """Delete an entry."""
    call("time.rm", id=entry_id)
    click.echo(f"deleted entry {entry_id}")


@time_.command()
@click.argument("task_id", type=int)
@click.argument("minutes", type=float)
@click.option("--note", default="")
@handle_errors
def log(task_id: int, minutes: float, note: str) -> None:
    """Log MINUTES spent on a task, ending now."""
    import os

    entry = call("time.log", task_id=task_id, minutes=minutes, note=note,
                 by=os.environ.get("WEZMP_AGENT_ID") or None)  # fmt: skip
    click.echo(f"logged: {_fmt(entry)}")
