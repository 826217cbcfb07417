"""`wezmp board list|create|columns` and the dispatch queue (`wezmp board queue …`)."""

from __future__ import annotations

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.group()
def board() -> None:
    """Boards and the queue that dispatches tasks to idle agents."""


@board.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(as_json: bool) -> None:
    """Boards with task counts per column."""
    items = call("board.list")
    if as_json:
        emit_json(items)
        return
    for b in items:
        counts = "  ".join(f"{c} {b['counts'].get(c, 0)}" for c in b["columns"])
        click.echo(f"{b['name']:<16} {counts}")


@board.command()
@click.argument("name")
@click.option("--workspace", "-w")
@click.option(
    "--column", "columns", multiple=True, help="Columns in order (default: the config's)."
)
@handle_errors
def create(name: str, workspace: str | None, columns: tuple[str, ...]) -> None:
    """Create a board."""
    b = call("board.create", name=name, workspace=workspace, columns=list(columns) or None)
    click.echo(f"created {b['name']}: {' | '.join(b['columns'])}")


@board.command()
@click.argument("columns", nargs=-1)
@click.option("--board", "-b", "name", default="default")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def columns(columns: tuple[str, ...], name: str, as_json: bool) -> None:
    """Show a board's columns, or set them (in order)."""
    b = call("board.columns", board=name, columns=list(columns) or None)
    emit_json(b) if as_json else click.echo(" | ".join(b["columns"]))


@board.command()
@click.argument("action", type=click.Choice(["status", "pause", "resume", "dry-run", "dispatch"]))
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def queue(action: str, as_json: bool) -> None:
    """The dispatch queue: status, pause, resume, dry-run, dispatch (now)."""
    method = {"dry-run": "queue.dry_run", "dispatch": "queue.dispatch"}.get(
        action, f"queue.{action}"
    )
    result = call(method)
    if as_json:
        emit_json(result)
        return
    if isinstance(result, list):
        for r in result:
            click.echo(
                f"#{r['task_id']} -> {r['agent']}" + (f"  {r['title']}" if "title" in r else "")
            )
        if result:
            return
        click.echo("nothing to dispatch:")
        result = call("queue.status")
        if not result["queued"]:
            click.echo("  no queued task (or all are blocked)")
    else:
        state = "paused" if result["paused"] else "running"
        click.echo(f"queue {state}: {result['queued']} queued; load {result['load'] or '-'}")
    for a in result["agents"]:
        click.echo(f"  {a['agent']:<16} {a['why']}")
