"""`wezmp ws create|list|show|rename|delete|switch`."""

from __future__ import annotations

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.group()
def ws() -> None:
    """Workspaces: named sets of panes (a WezTerm workspace, a tmux session)."""


@ws.command()
@click.argument("name")
@click.option("--cwd", help="Root directory (default: home).")
@click.option("--template", "-t", help="A layout to build the workspace from.")
@click.option(
    "--domain", help="A WezTerm domain to run its panes and agents in (an SSH host, say)."
)
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def create(
    name: str, cwd: str | None, template: str | None, domain: str | None, as_json: bool
) -> None:
    """Create workspace NAME."""
    info = call("ws.create", name=name, cwd=cwd, template=template, domain=domain)
    if as_json:
        emit_json(info)
    else:
        where = f" in domain {info['domain']}" if info.get("domain") else ""
        root = info["root"] or "the home directory"
        click.echo(f"created {info['name']} ({info['pane_count']} pane(s)) at {root}{where}")


@ws.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(as_json: bool) -> None:
    """List workspaces."""
    items = call("ws.list")
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("no workspaces (create one: wezmp ws create NAME)")
    for w in items:
        mark = "*" if w["is_current"] else " "
        click.echo(
            f"{mark} {w['name']:<20} {w['pane_count']:>3} panes {w['agent_count']:>3} agents"
            f"  {w['root']}"
        )


@ws.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def show(name: str, as_json: bool) -> None:
    """Show a workspace and its panes."""
    w = call("ws.show", name=name)
    if as_json:
        emit_json(w)
        return
    click.echo(f"{w['name']}  root {w['root']}  template {w['template'] or '-'}")
    for p in w["panes"]:
        active = "*" if p["is_active"] else " "
        click.echo(
            f" {active} pane {p['pane_id']:<6} tab {p['tab_id']:<5} {p['title']:<24} {p['cwd']}"
        )


@ws.command()
@click.argument("old")
@click.argument("new")
@handle_errors
def rename(old: str, new: str) -> None:
    """Rename workspace OLD to NEW (in the multiplexer too)."""
    call("ws.rename", old=old, new=new)
    click.echo(f"renamed {old} -> {new}")


@ws.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="Even while agents run (they are stopped).")
@handle_errors
def delete(name: str, force: bool) -> None:
    """Delete a workspace and close its panes."""
    result = call("ws.delete", name=name, force=force)
    click.echo(f"deleted {name} ({len(result['killed'])} pane(s) closed)")


@ws.command()
@click.argument("name")
@handle_errors
def switch(name: str) -> None:
    """Bring workspace NAME to the front."""
    call("ws.switch", name=name)
    click.echo(f"switched to {name}")
