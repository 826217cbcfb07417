"""`wezmp plugin list|enable|disable|doctor`: the daemon's plugins, as it loaded them."""

from __future__ import annotations

from typing import Any

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.group()
def plugin() -> None:
    """Plugins: installed packages (entry points `wezmp.plugins`) and the config dir's
    plugins/*.py."""


def _line(p: dict[str, Any]) -> str:
    where = p.get("dist") or p["origin"]
    text = f"{p['name']:<20} {p['state']:<6} {p['source']:<8} {where}"
    if p["state"] == "error":
        text += f"\n    {p['error']}"
    elif p["why_off"]:
        text += f"\n    {p['why_off']}"
    for warning in p["warnings"]:
        text += f"\n    warning: {warning}"
    return text


@plugin.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(as_json: bool) -> None:
    """Every plugin: on, off (and why) or not loadable."""
    plugins = call("plugin.list")
    if as_json:
        emit_json(plugins)
        return
    if not plugins:
        click.echo("no plugins (see `wezmp plugin doctor` for where they are looked for)")
    for p in plugins:
        click.echo(_line(p))


@plugin.command()
@click.argument("name")
@handle_errors
def enable(name: str) -> None:
    """Turn a plugin on (also one turned off after failures)."""
    click.echo(_line(call("plugin.enable", name=name)))


@plugin.command()
@click.argument("name")
@handle_errors
def disable(name: str) -> None:
    """Turn a plugin off (it stays off across daemon restarts)."""
    click.echo(_line(call("plugin.disable", name=name)))


@plugin.command()
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def doctor(as_json: bool) -> None:
    """The plugin API version, where plugins are looked for, each one's full traceback, and
    whether notifications can reach you here."""
    report = call("plugin.doctor")
    notify = call("notify.status")
    if as_json:
        emit_json({**report, "notifications": notify})
        return
    click.echo(f"plugin API version {report['spec_version']}; hooks: {', '.join(report['hooks'])}")
    click.echo(f"local plugins: {report['plugins_dir']}/*.py (reloaded when changed)")
    click.echo(f"time limit per hook {report['timeout']:g}s; turned off after "
               f"{report['max_failures']} failures in a row")  # fmt: skip
    for p in report["plugins"]:
        click.echo("")
        click.echo(_line({**p, "error": ""}) if p["state"] == "error" else _line(p))
        if p["state"] == "error":
            click.echo("    " + p["error"].replace("\n", "\n    "))
        if p["last_error"]:
            click.echo(f"    last failure: {p['last_error']}")
    click.echo("")
    desktop = notify["desktop"]
    click.echo(f"desktop notifications: {'yes' if desktop['available'] else 'no'} "
               f"({desktop['reason']})")  # fmt: skip
    for note in notify["notes"]:
        click.echo(f"config: {note}")
