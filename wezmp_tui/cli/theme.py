"""`wezmp theme list|show|check`."""

from __future__ import annotations

import os
from pathlib import Path

import click
import msgspec

from wezmp_tui.cli.common import emit_json, handle_errors
from wezmp_tui.paths import resolve


@click.group()
def theme() -> None:
    """Themes of the control center (shipped ones and your config dir's themes/)."""


@theme.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(as_json: bool) -> None:
    """Every theme and where it comes from."""
    from wezmp_tui.config.themes import list_themes, load_themes

    paths = resolve(os.environ)
    refs = list_themes(paths)
    _, errors = load_themes(paths)
    if as_json:
        emit_json({"themes": [r.__dict__ for r in refs], "errors": errors})
        return
    for r in refs:
        click.echo(f"{r.name:<22} {r.source:<8} {r.path}")
    for e in errors:
        click.echo(f"broken: {e}", err=True)


@theme.command()
@click.argument("name")
@handle_errors
def show(name: str) -> None:
    """Print a theme's colours."""
    from wezmp_tui.config.themes import get_theme

    spec = get_theme(resolve(os.environ), name)
    emit_json(msgspec.to_builtins(spec))


@theme.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@handle_errors
def check(file: Path) -> None:
    """Validate a theme file (file:line: key errors)."""
    from wezmp_tui.config.themes import parse_theme

    spec = parse_theme(file.read_text(encoding="utf-8"), str(file))
    click.echo(f"{file}: ok (theme {spec.name})")
