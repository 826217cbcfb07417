"""`wezmp layout list|show|apply|freeze` and `wezmp restore`."""

from __future__ import annotations

from pathlib import Path

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.group()
def layout() -> None:
    """Layout templates: tabs, splits and what runs in each pane."""


@layout.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(as_json: bool) -> None:
    """Shipped and your own layouts."""
    result = call("layout.list")
    if as_json:
        emit_json(result)
        return
    for ref in result["layouts"]:
        click.echo(f"{ref['name']:<26} {ref['source']:<8} {ref['description']}")
    for err in result["errors"]:
        click.echo(f"broken: {err}", err=True)


@layout.command()
@click.argument("name")
@handle_errors
def show(name: str) -> None:
    """Print a layout."""
    click.echo(call("layout.show", name=name)["yaml"], nl=False)


@layout.command()
@click.argument("name_or_file")
@click.option("--workspace", "-w", help="Workspace to build it in (default: the layout's name).")
@click.option("--cwd", help="Root directory for the panes.")
@click.option("--domain", help="A WezTerm domain to build it in (an SSH host, say).")
@handle_errors
def apply(name_or_file: str, workspace: str | None, cwd: str | None, domain: str | None) -> None:
    """Build a layout (by name or file) in a workspace."""
    path = Path(name_or_file)
    where = {"workspace": workspace, "cwd": cwd, "domain": domain}
    if path.suffix in (".yaml", ".yml") and path.exists():
        text = path.read_text(encoding="utf-8")
        result = call("layout.apply", text=text, source=str(path), **where)
    else:
        result = call("layout.apply", name=name_or_file, **where)
    agents = f", agents {', '.join(result['agents'])}" if result["agents"] else ""
    click.echo(f"built {result['workspace']}: {len(result['panes'])} pane(s){agents}")


@layout.command()
@click.argument("workspace")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def freeze(workspace: str, output: Path | None) -> None:
    """Write a live workspace as a layout (to rebuild it later)."""
    text = call("layout.freeze", workspace=workspace)["yaml"]
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@click.command()
@click.argument("snapshot", required=False)
@click.option("--list", "list_only", is_flag=True, help="List snapshots.")
@click.option("--save", is_flag=True, help="Take a snapshot of every workspace now.")
@handle_errors
def restore(snapshot: str | None, list_only: bool, save: bool) -> None:
    """Rebuild what is missing (workspaces, tabs, stopped agents) from the newest snapshot
    that has workspaces, or from SNAPSHOT."""
    if save:
        r = call("layout.snapshot")
        if r["path"] is None:
            click.echo("nothing to save: no workspace has panes")
        else:
            unchanged = " (unchanged)" if r["unchanged"] else ""
            click.echo(f"saved {r['path']}{unchanged} ({', '.join(r['workspaces'])})")
        return
    if list_only:
        for s in call("layout.snapshots"):
            click.echo(f"{s['name']:<24} {s['panes']:>3} pane(s)  {', '.join(s['workspaces'])}")
        return
    r = call("layout.restore", snapshot=snapshot)
    done = [*r["restored"], *r["filled"]]
    click.echo(f"restored {', '.join(done) or 'nothing'} from {r['snapshot']}")
    if r["started"]:
        click.echo(f"started {', '.join(r['started'])}")
    if r["skipped"]:
        click.echo(f"already running: {', '.join(r['skipped'])}")
