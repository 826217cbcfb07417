"""The `wezmp` click application: a lazy group whose commands load on use."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from wezmp_tui import __version__

# name -> "module:attribute". A module that does not exist (yet) is simply not offered.
COMMANDS: dict[str, str] = {
    "tui": "wezmp_tui.cli.tui_cmd:tui",
    "daemon": "wezmp_tui.cli.daemon_cmd:daemon",
    "doctor": "wezmp_tui.cli.doctor:doctor",
    "panes": "wezmp_tui.cli.panes:panes",
    "ws": "wezmp_tui.cli.ws:ws",
    "agent": "wezmp_tui.cli.agent:agent",
    "hooks": "wezmp_tui.cli.hooks:hooks",
    "rules": "wezmp_tui.cli.rules:rules",
    "task": "wezmp_tui.cli.task:task",
    "board": "wezmp_tui.cli.board:board",
    "time": "wezmp_tui.cli.timecmd:time_",
    "report": "wezmp_tui.cli.report:report",
    "layout": "wezmp_tui.cli.layout:layout",
    "restore": "wezmp_tui.cli.layout:restore",
    "theme": "wezmp_tui.cli.theme:theme",
    "broadcast": "wezmp_tui.cli.broadcast:broadcast",
    "send": "wezmp_tui.cli.send:send",
    "lua": "wezmp_tui.cli.lua:lua",
    "config": "wezmp_tui.cli.config_cmd:config",
    "worktree": "wezmp_tui.cli.worktree:worktree",
    "plugin": "wezmp_tui.cli.plugin_cmd:plugin",
    "logs": "wezmp_tui.cli.logs:logs",
    "mcp": "wezmp_tui.cli.mcp_cmd:mcp",
    "web": "wezmp_tui.cli.web_cmd:web",
}

# Shown in --help for the two fast-path commands, which never reach click when run.
FAST_PATH = {
    "exec": "Run an agent command under wezmp supervision (used in agent panes).",
    "hook": "Report a Claude Code hook event to the daemon (used by Claude Code).",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = [n for n, target in COMMANDS.items() if _available(target)]
        return sorted({*names, *FAST_PATH, *_plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in FAST_PATH:
            return click.Command(cmd_name, help=FAST_PATH[cmd_name], hidden=False)
        target = COMMANDS.get(cmd_name)
        if target is None:
            found: click.Command | None = _plugin_commands().get(cmd_name)
            return found
        if not _available(target):
            return None
        module, attr = target.split(":")
        cmd: Any = getattr(importlib.import_module(module), attr)
        assert isinstance(cmd, click.Command)
        return cmd


def _plugin_commands() -> dict[str, click.Command]:
    """Commands plugins add (loaded only for a name wezmp does not have, or for --help)."""
    import os

    from wezmp_tui.paths import resolve
    from wezmp_tui.plugins.cli_commands import plugin_commands

    return {n: c for n, c in plugin_commands(resolve(os.environ)).items() if n not in COMMANDS}


def _available(target: str) -> bool:
    return importlib.util.find_spec(target.split(":")[0]) is not None


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="wezmp")
@click.option(
    "--backend",
    type=click.Choice(["auto", "wezterm", "tmux", "local"]),
    default=None,
    help="Multiplexer backend (default: WEZMP_BACKEND, else config, else automatic).",
)
@click.pass_context
def cli(ctx: click.Context, backend: str | None) -> None:
    """wezmp: a control center for many coding agents in WezTerm.

    With no command, opens the control center.
    """
    ctx.ensure_object(dict)
    ctx.obj["backend"] = backend
    if ctx.invoked_subcommand is None:
        tui = LazyGroup().get_command(ctx, "tui")
        if tui is None:
            raise click.ClickException("the control center is not installed")
        ctx.invoke(tui)
