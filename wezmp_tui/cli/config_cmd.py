"""`wezmp config path|check|show|init`."""

from __future__ import annotations

import os

import click
import msgspec

from wezmp_tui.cli.common import emit_json, handle_errors
from wezmp_tui.paths import resolve

TEMPLATE = """\
# wezmp configuration. Every key is optional; these are the defaults.
# Errors name this file, the line and the key; a broken save keeps the last good config.

backend: auto            # auto | wezterm | tmux | local
refresh_interval: 1.0    # seconds between pane ticks
theme: wezmp-dark        # see: wezmp theme list
watch: true              # apply edits to this file, layouts/, themes/ and rules/ on save
keymap: {}               # binding id -> key, e.g. {ws.create: ctrl+n} (ids: press ? in the app)

# agents:
#   - name: claude-api
#     kind: claude            # claude | codex | gemini | aider | shell | generic
#     command: [claude]
#     workspace: api
#     cwd: ~/src/api
#     depends_on: {db: log_ready}
#     restart: {policy: on_failure, backoff_seconds: 1, max_restarts: 5, window_seconds: 60,
#               resume: false}   # true: a restart continues the last session (resume_args)
#     autostart: false        # true: start with the daemon and the workspace
#     worktree: false         # true: a git worktree of its own (see worktrees:)

state:
  idle_debounce: 1.5     # seconds idle must hold (rule or hook) before it is believed
  silence_seconds: 10    # no output and no rule -> quiet (never idle: no task goes to it)

metrics:
  interval: 1.0
  history: 300

snapshots:
  interval_minutes: 0    # > 0: freeze every workspace periodically (one is always taken at
                         # daemon stop and when the multiplexer dies; wezmp restore)
  keep: 20
  restore_on_loss: false # true: rebuild by itself what a dying multiplexer took

worktrees:
  copy: []               # untracked files copied into a new agent worktree, e.g. [.env]
  # setup: [npm, ci]     # run in a new worktree before its agent starts
  setup_timeout: 600

notifications:           # sent by the daemon, also while the control center is closed
  quiet_seconds: 60      # the same event about the same agent again within this: not sent
  events:                # merged over these defaults; false silences one
    agent.waiting: {toast: true, desktop: auto, bell: true}  # auto: unless on WezTerm
    agent.failed: {toast: true, desktop: auto, bell: true}
    plugin.disabled: {toast: true, desktop: auto, bell: false}

# actions:               # run a command of yours on an event (JSON on stdin, WEZMP_* vars)
#   - event: agent.failed
#     run: [notify-team, --channel, agents]   # an argv list, never a shell string
#     timeout: 30

plugins:                 # plugins/*.py here and packages (docs/plugins.md)
  timeout: 5             # seconds a hook may run
  max_failures: 3        # in a row, then it is turned off and you are told
  options: {}            # plugin name -> its settings, e.g. {time-report: {dir: ~/time}}

tui:
  # screenshots: ~/Pictures/wezmp   # default: screenshots/ in the state directory
  preview_interval: 1.0  # seconds between reads of the previewed pane
"""


def _full(value: object) -> object:
    """Builtins with every default spelled out (the schema omits defaults when encoding)."""
    if isinstance(value, msgspec.Struct):
        return {f: _full(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, dict):
        return {k: _full(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_full(v) for v in value]
    return value


@click.group()
def config() -> None:
    """The config file."""


@config.command()
def path() -> None:
    """Where config.yaml lives."""
    click.echo(resolve(os.environ).config_file)


@config.command()
@handle_errors
def check() -> None:
    """Validate config.yaml (file:line: key errors)."""
    from wezmp_tui.config.loader import load_config

    p = resolve(os.environ).config_file
    load_config(p)
    click.echo(f"{p}: ok" if p.exists() else f"{p}: not present (defaults in force)")


@config.command()
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def show(as_json: bool) -> None:
    """The config in force, defaults included."""
    import yaml

    from wezmp_tui.config.loader import load_config

    cfg = _full(load_config(resolve(os.environ).config_file))
    if as_json:
        emit_json(cfg)
    else:
        click.echo(yaml.safe_dump(cfg, sort_keys=False), nl=False)


@config.command()
@handle_errors
def init() -> None:
    """Write a commented config.yaml with the defaults (never overwrites)."""
    p = resolve(os.environ).config_file
    if p.exists():
        raise click.ClickException(f"{p} exists; not overwriting it")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(TEMPLATE, encoding="utf-8")
    click.echo(f"wrote {p}")
