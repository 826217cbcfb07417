"""`wezmp rules test`: what the agent-state rules make of a saved screen, and which rule
decided (for people writing rule files, and for tests)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from wezmp_tui.cli.common import emit_json, handle_errors
from wezmp_tui.errors import ConfigError


@click.group()
def rules() -> None:
    """Agent-state rules (data files per agent kind)."""


@rules.command()
@click.option("--kind", "-k", required=True, help="The agent kind whose rules decide.")
@click.option("--title", default="", help="The pane title, for rules on the title.")
@click.option("--json", "as_json", is_flag=True)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@handle_errors
def test(kind: str, title: str, as_json: bool, files: tuple[Path, ...]) -> None:
    """Classify saved screens (FILE, or - for standard input) with the rules in force: the
    shipped ones and yours merged over them. No daemon needed."""
    from wezmp_tui.config.loader import load_config
    from wezmp_tui.config.rules import RuleBook, classify, rule_dirs
    from wezmp_tui.paths import resolve

    paths = resolve(os.environ)
    book = RuleBook.load(rule_dirs(paths, load_config(paths.config_file)))
    results = []
    for f in files:
        try:
            text = sys.stdin.read() if str(f) == "-" else f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{f}: cannot read: {exc}") from None
        results.append({"file": str(f), **classify(book, kind, text, title)})
    if as_json:
        emit_json(results if len(results) > 1 else results[0])
        return
    for r in results:
        if len(results) > 1:
            click.echo(f"{r['file']}:")
        if r["rule"] is None:
            click.echo(f"quiet: no rule of {r['rules_of']} matched (live: working while the "
                       "screen changes, quiet once it stops)")  # fmt: skip
            continue
        error = " (an error: a task sent to it goes back to the queue)" if r["error"] else ""
        click.echo(f"{r['state']}{error}: rule {r['rule']} ({r['source']})")
        for other in r["also"]:
            click.echo(f"  also matched, lower priority: {other}")
        click.echo("  text looked at:")
        for line in (r["region"] or "").splitlines()[-15:]:
            click.echo(f"  | {line}")
