"""`wezmp broadcast`: one line to many panes."""

from __future__ import annotations

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.command()
@click.option("--workspace", "-w", help="Only panes of this workspace.")
@click.option("--group", "-g", help="Only panes of this named group.")
@click.option("--agents-only", "-a", is_flag=True, help="Only panes running an agent.")
@click.option("--no-enter", is_flag=True, help="Paste without pressing Enter.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.argument("text")
@handle_errors
def broadcast(
    workspace: str | None,
    group: str | None,
    agents_only: bool,
    no_enter: bool,
    as_json: bool,
    text: str,
) -> None:
    """Send TEXT to a set of panes (paste, then Enter), reporting the panes that failed."""
    result = call(
        "broadcast.send",
        text=text,
        workspace=workspace,
        group=group,
        agents_only=agents_only,
        enter=not no_enter,
    )
    if as_json:
        emit_json(result)
    else:
        click.echo(f"sent to {len(result['sent'])} pane(s): {' '.join(result['sent'])}")
        for f in result["failed"]:
            click.echo(f"failed: pane {f['pane_id']}: {f['error']}", err=True)
    if result["failed"]:
        raise SystemExit(1)
