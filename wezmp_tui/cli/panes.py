"""`wezmp panes`: the panes of the backend in use, as the daemon sees them."""

from __future__ import annotations

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.command()
@click.option("--workspace", "-w", help="Only this workspace.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def panes(workspace: str | None, as_json: bool) -> None:
    """List panes (id, workspace, size, title, cwd, pids)."""
    items = call("pane.list", workspace=workspace, fresh=True)
    if as_json:
        emit_json(items)
        return
    click.echo(f"{'PANE':<6} {'WORKSPACE':<16} {'SIZE':<8} {'TITLE':<24} CWD")
    for p in items:
        size = f"{p['cols']}x{p['rows']}"
        click.echo(
            f"{p['pane_id']:<6} {p['workspace']:<16} {size:<8} {p['title'][:24]:<24} {p['cwd']}"
        )
