"""`wezmp hooks install|uninstall|status`: Claude Code hooks that report agent state."""

from __future__ import annotations

from pathlib import Path

import click

from wezmp_tui.cli.common import emit_json, handle_errors
from wezmp_tui.hooks import claude_mcp
from wezmp_tui.hooks import claude_settings as cs

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help="A project's personal .claude/settings.local.json instead of the user's settings.",
)
mcp_option = click.option(
    "--mcp",
    is_flag=True,
    help="`wezmp mcp` as an MCP server instead: the user's ~/.claude.json, or with --project "
    "the project's .mcp.json.",
)
shared_option = click.option(
    "--shared",
    is_flag=True,
    help="With --project: the project's committed .claude/settings.json instead.",
)


@click.group()
def hooks() -> None:
    """Claude Code hooks: exact working/waiting/idle states from Claude Code itself."""


def _path(project: Path | None, shared: bool) -> Path:
    if shared and project is None:
        raise click.UsageError("--shared goes with --project DIR")
    return cs.settings_path(project, shared=shared)


@hooks.command()
@project_option
@shared_option
@mcp_option
@handle_errors
def install(project: Path | None, shared: bool, mcp: bool) -> None:
    """Add wezmp's hooks for every event that changes an agent's state (your own hooks are
    kept; a backup is written first). With --mcp: register `wezmp mcp` instead."""
    r = (claude_mcp.install(claude_mcp.config_path(project)) if mcp
         else cs.install(_path(project, shared)))  # fmt: skip
    if r["changed"]:
        click.echo(
            f"installed in {r['path']}" + (f" (backup: {r['backup']})" if r["backup"] else "")
        )
    else:
        click.echo(f"already installed in {r['path']}")


@hooks.command()
@project_option
@shared_option
@mcp_option
@handle_errors
def uninstall(project: Path | None, shared: bool, mcp: bool) -> None:
    """Remove wezmp's hooks only (with --mcp: its MCP server entry only)."""
    r = (claude_mcp.uninstall(claude_mcp.config_path(project)) if mcp
         else cs.uninstall(_path(project, shared)))  # fmt: skip
    click.echo(f"removed {r['removed']} hook(s) from {r['path']}")


@hooks.command()
@project_option
@shared_option
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def status(project: Path | None, shared: bool, as_json: bool) -> None:
    """Which wezmp hooks are installed."""
    r = cs.status(_path(project, shared))
    r["mcp_path"] = str(claude_mcp.config_path(project))
    r["mcp"] = claude_mcp.installed(claude_mcp.config_path(project))
    if as_json:
        emit_json(r)
        return
    click.echo(f"{r['path']}: installed {', '.join(r['installed']) or 'none'}")
    said = "registered" if r["mcp"] else "not registered (wezmp hooks install --mcp)"
    click.echo(f"{r['mcp_path']}: MCP server {said}")
    if r["missing"]:
        click.echo(f"missing: {', '.join(r['missing'])} (run: wezmp hooks install)")
