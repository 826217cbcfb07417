"""`wezmp lua`: where the WezTerm module lives and the lines that load it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from wezmp_tui.paths import builtin_dir, resolve


def module_dir() -> Path:
    return builtin_dir("lua")


def executable() -> str:
    """The `wezmp` the Lua module should run: the one next to this Python when it exists
    (a venv's bin/), else the one on PATH."""
    beside = Path(sys.executable).parent / "wezmp"
    if beside.exists():
        return str(beside)
    return shutil.which("wezmp") or "wezmp"


def _lua_string(value: str) -> str:
    """A Lua long-bracket-free quoted string (paths may hold quotes or backslashes)."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return f"'{escaped}'"


def snippet(*, full: bool = True) -> str:
    paths = resolve()
    lines = []
    if full:
        lines += [
            "local wezterm = require 'wezterm'",
            "local config = wezterm.config_builder and wezterm.config_builder() or {}",
            "",
        ]
    lines += [
        "-- wezmp: the control center for coding agents (keys: LEADER m, w, W, b, n)",
        f"package.path = package.path .. ';' .. {_lua_string(str(module_dir()))} .. '/?.lua'",
        "local wezmp_ok, wezmp = pcall(require, 'wezmp')",
        "if wezmp_ok then",
        "  wezmp.apply_to_config(config, {",
        f"    executable = {_lua_string(executable())},",
        f"    status_file = {_lua_string(str(paths.status_file))},",
        "  })",
        "else",
        "  wezterm.log_error('wezmp: ' .. tostring(wezmp))",
        "end",
    ]
    if full:
        lines += ["", "return config"]
    return "\n".join(lines) + "\n"


@click.group()
def lua() -> None:
    """The WezTerm Lua module."""


@lua.command("path")
def path_cmd() -> None:
    """Print the directory that holds wezmp.lua."""
    click.echo(str(module_dir()))


@lua.command("snippet")
@click.option(
    "--bare",
    is_flag=True,
    help="Only the lines to paste into an existing wezterm.lua (before `return config`).",
)
def snippet_cmd(bare: bool) -> None:
    """Print the lines that load wezmp in wezterm.lua."""
    click.echo(snippet(full=not bare), nl=False)
