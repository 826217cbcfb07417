"""`wezmp hooks install|uninstall|status`: Claude Code hooks that report agent state."""

from __future__ import annotations

from pathlib import Path

import click

from wezmp_tui.cli.common import emit_json, handle_errors
from wezmp_tui.hooks import claude_settings as cs

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help="A project's .claude/settings.json instead of the user's.",
)


@click.group()
def hooks() -> None:
    """Claude Code hooks: exact working/waiting/idle states from Claude Code itself."""


@hooks.command()
@project_option
@handle_errors
def install(project: Path | None) -> None:
    """Add wezmp's hooks (your own hooks are kept; a backup is written first)."""
    r = cs.install(cs.settings_path(project))
    if r["changed"]:
        click.echo(
            f"installed in {r['path']}" + (f" (backup: {r['backup']})" if r["backup"] else "")
        )
    else:
        click.echo(f"already installed in {r['path']}")


@hooks.command()
@project_option
@handle_errors
def uninstall(project: Path | None) -> None:
    """Remove wezmp's hooks only."""
    r = cs.uninstall(cs.settings_path(project))
    click.echo(f"removed {r['removed']} hook(s) from {r['path']}")


@hooks.command()
@project_option
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def status(project: Path | None, as_json: bool) -> None:
    """Which wezmp hooks are installed."""
    r = cs.status(cs.settings_path(project))
    if as_json:
        emit_json(r)
        return
    click.echo(f"{r['path']}: installed {', '.join(r['installed']) or 'none'}")
    if r["missing"]:
        click.echo(f"missing: {', '.join(r['missing'])} (run: wezmp hooks install)")
