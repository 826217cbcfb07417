"""`wezmp agent start|stop|restart|list|show|explain|send|runs|logs|define|rm`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors
from wezmp_tui.errors import ConfigError, Conflict
from wezmp_tui.model.states import STATE_ICONS, STOPPED_STATES


@click.group()
def agent() -> None:
    """Coding agents: supervised processes in panes."""


@agent.command()
@click.argument("names", nargs=-1)
@click.option("--workspace", "-w", help="Every agent of this workspace.")
@handle_errors
def start(names: tuple[str, ...], workspace: str | None) -> None:
    """Start agents (their dependencies first)."""
    result = call("agent.start", names=list(names), workspace=workspace)
    click.echo("starting " + " → ".join(result["order"]))


@agent.command()
@click.argument("names", nargs=-1, required=True)
@handle_errors
def stop(names: tuple[str, ...]) -> None:
    """Stop agents (what depends on them first)."""
    for name in names:
        result = call("agent.stop", name=name)
        click.echo("stopped " + ", ".join(result["stopped"]))


@agent.command()
@click.argument("names", nargs=-1, required=True)
@handle_errors
def restart(names: tuple[str, ...]) -> None:
    """Restart agents."""
    for name in names:
        result = call("agent.restart", name=name)
        click.echo("restarted " + ", ".join(result["order"]))


def _uptime(a: dict[str, Any]) -> str:
    if a["state"] in STOPPED_STATES or not a["started_at"]:
        return "-"
    secs = int(time.time() - a["started_at"])
    return (
        f"{secs // 3600}h{secs % 3600 // 60:02d}m"
        if secs >= 3600
        else f"{secs // 60}m{secs % 60:02d}s"
    )


@agent.command(name="list")
@click.option("--workspace", "-w")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(workspace: str | None, as_json: bool) -> None:
    """List agents with their state."""
    items = call("agent.list", workspace=workspace)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("no agents (define them in config.yaml or a layout)")
        return
    click.echo(
        f"{'AGENT':<16} {'WORKSPACE':<12} {'KIND':<8} {'STATE':<10} {'PID':>7} "
        f"{'CPU%':>5} {'MEM':>7} {'RST':>3} {'UP':>7} LAST"
    )
    for a in items:
        # Blank when nothing runs (not a measured 0).
        mem = "-" if a["rss"] is None else f"{a['rss'] / 1048576:.0f}M"
        cpu = "-" if a["cpu"] is None else f"{a['cpu']:.1f}"
        click.echo(
            f"{a['name']:<16} {a['workspace']:<12} {a['kind']:<8} "
            f"{STATE_ICONS.get(a['state'], '?')} {a['state']:<8} {a['pid'] or '-':>7} "
            f"{cpu:>5} "
            f"{mem:>7} {a['restarts']:>3} {_uptime(a):>7} "
            f"{'' if a['last_exit'] is None else a['last_exit']}"
        )


@agent.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def show(name: str, as_json: bool) -> None:
    """Show an agent, its definition and recent runs."""
    data = call("agent.show", name=name)
    if as_json:
        emit_json(data)
        return
    a = data["agent"]
    click.echo(
        f"{a['name']} ({a['kind']}) in {a['workspace'] or '-'}: {a['state']} — {a['state_reason']}"
    )
    click.echo(f"  command: {' '.join(a['command'])}")
    click.echo(f"  pane {a['pane_id'] or '-'}  pid {a['pid'] or '-'}  restarts {a['restarts']}")
    if a["version"]:
        click.echo(f"  version: {a['version']}")
    if a["rules_note"]:
        click.echo(f"  note: {a['rules_note']}")
    if a["last_output"]:
        click.echo("  last output:")
        for line in a["last_output"]:
            click.echo(f"    {line}")
    for r in data["runs"]:
        end = "running" if r["ended_at"] is None else (r["reason"] or "")
        resumed = " (resumed its last session)" if r["resumed"] else ""
        click.echo(f"  run {r['id']}: pid {r['pid'] or '-'} {end}{resumed}")


@agent.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def explain(name: str, as_json: bool) -> None:
    """Why an agent is in its state: the source, the rule, and the text looked at."""
    data = call("agent.explain", name=name)
    if as_json:
        emit_json(data)
    else:
        click.echo(data["text"])


@agent.command()
@click.argument("args", nargs=-1, required=True)
@click.option("--workspace", "-w", help="Every running agent of this workspace.")
@click.option("--no-enter", is_flag=True)
@handle_errors
def send(args: tuple[str, ...], workspace: str | None, no_enter: bool) -> None:
    """Type a line into an agent: `send NAME TEXT` or `send --workspace W TEXT`."""
    if workspace:
        name, text = None, " ".join(args)
    else:
        if len(args) < 2:
            raise click.UsageError("send NAME TEXT (or --workspace W TEXT)")
        name, text = args[0], " ".join(args[1:])
    result = call("agent.send", name=name, workspace=workspace, text=text, enter=not no_enter)
    click.echo(f"sent to {', '.join(result['sent'])}")
    for f in result["failed"]:
        click.echo(f"failed: {f['agent']}: {f['error']}", err=True)
    if result["failed"]:
        raise SystemExit(1)


@agent.command()
@click.argument("name")
@click.argument("keys", nargs=-1, required=True)
@handle_errors
def keys(name: str, keys: tuple[str, ...]) -> None:
    """Press keys in an agent's pane, e.g. `keys NAME Down Down Enter` to answer a menu.

    Keys: Up Down Left Right Enter Esc Tab BTab Space Backspace Delete Insert Home End
    PageUp PageDown F1-F12, ctrl-a … ctrl-z, or one character (y, n, 1)."""
    result = call("agent.keys", name=name, keys=list(keys))
    click.echo(f"pressed {' '.join(result['keys'])} in {result['agent']}")


@agent.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def runs(name: str, as_json: bool) -> None:
    """Every run of an agent."""
    items = call("agent.runs", name=name)
    if as_json:
        emit_json(items)
        return
    for r in items:
        dur = "-" if r["ended_at"] is None else f"{r['ended_at'] - r['started_at']:.1f}s"
        code = "-" if r["exit_code"] is None else r["exit_code"]
        click.echo(
            f"{r['id']:>5} pid {r['pid'] or '-':>7} exit {code:>4} {dur:>8} "
            f"{r['reason'] or 'running'}" + ("  (resumed its last session)" if r["resumed"] else "")
        )


@agent.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True)
@handle_errors
def define(file: Path, replace: bool) -> None:
    """Define agents from a YAML file: `agents: [spec, …]`, a bare list of specs, or one
    spec."""
    import msgspec

    from wezmp_tui.config.schema import AgentFile
    from wezmp_tui.config.yamlpos import convert, parse_yaml

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    data, lines = parse_yaml(text, str(file))
    # Every accepted shape becomes `agents: [...]`, with line numbers moved to match, so an
    # error still names the file, line and key path as the person wrote them.
    if isinstance(data, list):
        data = {"agents": data}
        lines = {("agents", *k): v for k, v in lines.items()}
    elif isinstance(data, dict) and "name" in data:
        data = {"agents": [data]}
        lines = {("agents", 0, *k): v for k, v in lines.items()}
    specs = convert(data or {}, AgentFile, name=str(file), lines=lines).agents
    for spec in specs:
        call("agent.define", spec=msgspec.to_builtins(spec), replace=replace)
        click.echo(f"defined {spec.name}")


@agent.command()
@click.argument("name")
@click.option("--worktree", is_flag=True, help="Remove its git worktree and branch too.")
@click.option("--force", is_flag=True, help="Discard the work they hold without asking.")
@handle_errors
def rm(name: str, worktree: bool, force: bool) -> None:
    """Forget a stopped agent (and with --worktree its worktree, refused or asked first when
    it holds commits or changes)."""
    if not worktree:
        call("agent.remove", name=name)
        click.echo(f"removed {name}")
        return
    try:
        result = call("worktree.remove", name=name, force=force, forget=True)
    except Conflict as exc:
        if force or "holds work" not in exc.message or not sys.stdin.isatty():
            raise
        click.echo(exc.message, err=True)
        if not click.confirm("Discard it?", default=False, err=True):
            raise click.ClickException("nothing removed") from None
        result = call("worktree.remove", name=name, force=True, forget=True)
    click.echo(f"removed {name}: {result['done']}")


@agent.command("logs")
@click.argument("name")
@click.option("--follow", "-f", "follow_", is_flag=True,
              help="Keep showing what it prints, into its next runs.")  # fmt: skip
@click.option("--run", "run", type=int, default=None,
              help="Only this run (its id, as `wezmp agent runs` lists them).")  # fmt: skip
@handle_errors
def logs(name: str, follow_: bool, run: int | None) -> None:
    """What an agent printed, run by run, kept after it exited."""
    from wezmp_tui.cli.common import client

    with client() as c:
        kept = c.call("agent.output", name=name, run=run, max_bytes=0)["runs"]
        order = [run] if run is not None else kept
        current, offset = (order[-1] if order else None), 0
        for r in order:
            current, offset = r, _print_run(c, name, r, len(order) > 1)
        if not follow_:
            return
        try:
            while True:
                answer = c.call("agent.output", name=name, run=current, offset=offset)
                if current is None and answer["run"] is not None:
                    current = answer["run"]  # its first run began
                sys.stdout.write(answer["text"])
                sys.stdout.flush()
                offset = answer["offset"]
                newer = [r for r in answer["runs"] if current is None or r > current]
                if run is None and newer and not answer["live"] and not answer["text"]:
                    current, offset = newer[0], 0
                    click.echo(f"── run {current} ──")
                    continue
                time.sleep(0.25)
        except KeyboardInterrupt:
            pass


def _print_run(c: Any, name: str, run: int, heading: bool) -> int:
    """Print one run's kept output; the offset it ends at."""
    if heading:
        click.echo(f"── run {run} ──")
    offset = 0
    while True:
        answer = c.call("agent.output", name=name, run=run, offset=offset)
        sys.stdout.write(answer["text"])
        if answer["screen"]:
            sys.stdout.write(answer["screen"].rstrip("\n") + "\n")
        if answer["offset"] == offset:
            sys.stdout.flush()
            return int(offset)
        offset = answer["offset"]
