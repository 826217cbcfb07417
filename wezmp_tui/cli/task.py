"""`wezmp task add|edit|move|rm|list|show|done|next|comment|claim|report` (agents can run
these in their panes)."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import click
import msgspec

from wezmp_tui.cli.common import call, client, emit_json, handle_errors
from wezmp_tui.model import dates, history

PRIORITY = click.Choice(["H", "M", "L", ""])
DUE_HELP = f"When it is due: {dates.FORMS}."


def _due(ctx: click.Context, param: click.Parameter, value: str | None) -> float | str | None:
    """Parsed here, in the person's own time zone, and sent as a time ("" clears it)."""
    if value is None or not value.strip():
        return value
    try:
        return dates.parse_due(value, time.time())
    except dates.DateError as exc:
        raise click.BadParameter(str(exc)) from None


def _line(t: dict[str, Any]) -> str:
    flags = ("🔒" if t["blocked"] else "") + ("❗" if t["blocking"] else "")
    due = f" due {dates.due_label(t['due'], time.time())}" if t["due"] else ""
    tags = f" +{' +'.join(t['tags'])}" if t["tags"] else ""
    who = f" @{t['assigned'] or t['agent']}" if (t["assigned"] or t["agent"]) else ""
    pr = f"[{t['priority']}] " if t["priority"] else ""
    head = f"#{t['id']:<5} {t['column']:<8} {pr}{t['title']}"
    return f"{head}{tags}{due}{who} {flags} ({t['urgency']:.1f})"


@click.group()
def task() -> None:
    """Tasks on the kanban board."""


@task.command()
@click.argument("title", nargs=-1, required=True)
@click.option("--description", "-d", default="")
@click.option("--board", "-b", default="default")
@click.option("--column", "-c")
@click.option("--priority", "-p", type=PRIORITY, default="")
@click.option("--tag", "-t", "tags", multiple=True)
@click.option("--due", callback=_due, help=DUE_HELP)
@click.option("--depends-on", "depends", type=int, multiple=True)
@click.option("--workspace", "-w")
@click.option("--agent", "-a", help="An agent's name, or `auto` to dispatch to any idle one.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def add(title: tuple[str, ...], description: str, board: str, column: str | None, priority: str,
        tags: tuple[str, ...], due: float | str | None, depends: tuple[int, ...],
        workspace: str | None, agent: str | None, as_json: bool) -> None:  # fmt: skip
    """Add a task."""
    t = call("task.add", title=" ".join(title), description=description, board=board,
             column=column, priority=priority, tags=list(tags), due=due,
             depends_on=list(depends), workspace=workspace, agent=agent)  # fmt: skip
    emit_json(t) if as_json else click.echo(f"added #{t['id']} to {t['column']}")


@task.command()
@click.argument("task_id", type=int)
@click.option("--title")
@click.option("--description", "-d")
@click.option("--priority", "-p", type=PRIORITY)
@click.option("--tag", "-t", "tags", multiple=True, help="Add a tag.")
@click.option("--untag", multiple=True, help="Remove a tag.")
@click.option("--due", callback=_due, help=DUE_HELP)
@click.option("--no-due", is_flag=True, help="Clear the due date.")
@click.option("--depends-on", "depends", type=int, multiple=True)
@click.option("--workspace", "-w")
@click.option("--agent", "-a")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def edit(task_id: int, title: str | None, description: str | None, priority: str | None,
         tags: tuple[str, ...], untag: tuple[str, ...], due: float | str | None, no_due: bool,
         depends: tuple[int, ...], workspace: str | None, agent: str | None,
         as_json: bool) -> None:  # fmt: skip
    """Change a task (an empty --workspace or --agent clears it)."""
    t = call("task.edit", id=task_id, title=title, description=description, priority=priority,
             add_tags=list(tags), remove_tags=list(untag), due="" if no_due else due,
             depends_on=list(depends) if depends else None, workspace=workspace,
             agent=agent)  # fmt: skip
    emit_json(t) if as_json else click.echo(_line(t))


@task.command()
@click.argument("task_id", type=int)
@click.argument("column")
@click.option("--before", type=int)
@click.option("--after", type=int)
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def move(task_id: int, column: str, before: int | None, after: int | None, as_json: bool) -> None:
    """Move a task to COLUMN."""
    t = call("task.move", id=task_id, column=column, before=before, after=after)
    emit_json(t) if as_json else click.echo(f"#{task_id} -> {t['column']}")


@task.command()
@click.argument("task_id", type=int)
@handle_errors
def rm(task_id: int) -> None:
    """Delete a task."""
    call("task.rm", id=task_id)
    click.echo(f"deleted #{task_id}")


@task.command()
@click.argument("task_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def done(task_id: int, as_json: bool) -> None:
    """Finish a task."""
    t = call("task.done", id=task_id)
    emit_json(t) if as_json else click.echo(f"#{task_id} done")


@task.command(name="list")
@click.option("--board", "-b", default="default")
@click.option("--column", "-c")
@click.option("--tag", "-t")
@click.option("--workspace", "-w")
@click.option("--open", "only_open", is_flag=True, help="Hide finished tasks.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(board: str, column: str | None, tag: str | None, workspace: str | None,
          only_open: bool, as_json: bool) -> None:  # fmt: skip
    """List tasks (printed a page at a time as they arrive: any number of them)."""
    first = True
    if as_json:
        sys.stdout.write("[")
    for t in _pages(board=board, column=column, tag=tag, workspace=workspace,
                    include_done=not only_open):  # fmt: skip
        if as_json:
            item = msgspec.json.format(msgspec.json.encode(t), indent=2).decode()
            sys.stdout.write(("\n" if first else ",\n") + textwrap.indent(item, "  "))
        else:
            click.echo(_line(t))
        first = False
    if as_json:
        sys.stdout.write("]\n" if first else "\n]\n")


def _pages(**params: Any) -> Iterator[dict[str, Any]]:
    """Every task of a listing, one answer of `task.list` at a time over one connection."""
    with client() as c:
        offset = 0
        while page := c.call("task.list", offset=offset, **params):
            yield from page
            offset += len(page)


@task.command()
@click.argument("task_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def show(task_id: int, as_json: bool) -> None:
    """A task with its history and time entries."""
    data = call("task.show", id=task_id)
    if as_json:
        emit_json(data)
        return
    t = data["task"]
    click.echo(_line(t))
    if t["description"]:
        click.echo(t["description"])
    if t["depends_on"]:
        click.echo("depends on: " + ", ".join(f"#{d}" for d in t["depends_on"]))
    if t["note"]:
        click.echo(f"note: {t['note']}")
    now = time.time()
    for label, value in history.summary(t, now):
        click.echo(f"{label + ':':<12} {value}")
    for h in data["history"]:
        when = dt.datetime.fromtimestamp(h["ts"]).strftime("%Y-%m-%d %H:%M")
        click.echo(f"  {when}  {history.sentence(h['action'], h['detail'], now)}")


@task.command(name="next")
@click.option("--limit", "-n", default=5)
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def next_(limit: int, as_json: bool) -> None:
    """The most urgent tasks to do next."""
    items = call("task.next", limit=limit)
    if as_json:
        emit_json(items)
        return
    for t in items:
        click.echo(_line(t))


def _me() -> str | None:
    """The agent this command runs in (its pane's `wezmp exec` says), else None: a person."""
    import os

    return os.environ.get("WEZMP_AGENT_ID") or None


@task.command()
@click.argument("task_id", type=int)
@click.argument("text", nargs=-1, required=True)
@handle_errors
def comment(task_id: int, text: tuple[str, ...]) -> None:
    """Comment on a task (kept in its history)."""
    call("task.comment", id=task_id, text=" ".join(text), by=_me())
    click.echo(f"#{task_id} commented")


@task.command()
@click.option("--agent", "-a", help="Whose (default: the agent this runs in).")
@click.option("--board", "-b")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def claim(agent: str | None, board: str | None, as_json: bool) -> None:
    """Take the next open task: into Doing, its timer running."""
    who = agent or _me()
    if not who:
        raise click.UsageError("--agent is needed outside an agent's pane")
    t = call("task.claim", agent=who, board=board)
    if as_json:
        emit_json(t)
    else:
        click.echo(_line(t) if t else "no task to claim")


@task.command()
@click.argument("task_id", type=int)
@click.argument("outcome", type=click.Choice(["done", "blocked"]))
@click.option("--note", "-n", default="", help="What was done, or what it waits for.")
@handle_errors
def report(task_id: int, outcome: str, note: str) -> None:
    """Say a task is done, or blocked (with a note saying on what)."""
    call("task.report", id=task_id, outcome=outcome, note=note, by=_me())
    click.echo(f"#{task_id} {outcome}")
