"""`wezmp send`: copy one pane's text into another as a paste."""

from __future__ import annotations

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.command()
@click.option("--from", "source", required=True, help="Pane id or agent name to copy from.")
@click.option("--to", "target", required=True, help="Pane id or agent name to paste into.")
@click.option("--lines", "-n", type=click.IntRange(1, 2000), help="The last N lines.")
@click.option(
    "--last-output", is_flag=True, help="The output of the last command (between prompts)."
)
@click.option("--prompt-regex", help="How a prompt line looks, for --last-output.")
@click.option("--enter", is_flag=True, help="Press Enter after pasting.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@handle_errors
def send(
    source: str,
    target: str,
    lines: int | None,
    last_output: bool,
    prompt_regex: str | None,
    enter: bool,
    as_json: bool,
) -> None:
    """Paste a pane's last lines (or last command output) into another pane."""
    if lines is not None and last_output:
        raise click.UsageError("--lines and --last-output do not go together")
    result = call(
        "send.copy",
        source=source,
        target=target,
        lines=lines,
        last_output=last_output,
        prompt_regex=prompt_regex,
        enter=enter,
    )
    if as_json:
        emit_json(result)
    else:
        click.echo(
            f"pasted {result['lines']} line(s) from pane {result['source']} "
            f"into pane {result['target']}"
        )
