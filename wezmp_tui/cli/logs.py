"""`wezmp logs [-f] [--level L] [--since WHEN] [--json]`: the daemon's log."""

from __future__ import annotations

import json
import time

import click

from wezmp_tui.logs.daemon_log import LEVELS, Record, follow, parse_since, read, wanted


def _show(r: Record, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"ts": r.ts, "level": r.level, "logger": r.logger, "msg": r.msg}))
    else:
        click.echo(r.line())


@click.command()
@click.option("--follow", "-f", "follow_", is_flag=True, help="Keep showing what is written.")
@click.option("--level", type=click.Choice(LEVELS), default="debug", show_default=True,
              help="Only records at this level or above.")  # fmt: skip
@click.option("--since", help="Only records since: 30s, 10m, 2h, 1d ago, or a date.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def logs(follow_: bool, level: str, since: str | None, as_json: bool) -> None:
    """The daemon's log (read from its file: works while the daemon is down)."""
    from wezmp_tui.paths import resolve

    try:
        start = None if since is None else parse_since(since, time.time())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    keep = wanted(level, start)
    path = resolve().log_file
    try:
        for r in follow(path, keep, history=True) if follow_ else read(path, keep):
            _show(r, as_json)
    except KeyboardInterrupt:
        pass
