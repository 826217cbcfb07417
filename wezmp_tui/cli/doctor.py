"""`wezmp doctor`: what wezmp would use on this machine, and what is wrong with it."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import click

from wezmp_tui.cli.common import backend_option, emit_json
from wezmp_tui.paths import resolve


def _version(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (
        (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else None
    )


def _daemon() -> dict[str, Any] | None:
    """The running daemon's pid, backend and why it has that backend (never starts one)."""
    from wezmp_tui.ipc.client import try_connect

    c = try_connect(resolve(os.environ), timeout=2.0)
    if c is None:
        return None
    with c:
        try:
            status = c.call("system.status")
        except Exception:
            return None
    return {k: status.get(k) for k in ("pid", "backend", "backend_reason")}


def agent_kinds(config: Any, paths: Any) -> dict[str, dict[str, Any]]:
    """Each agent kind's CLI as installed here: its version, the versions its state rules
    were recorded against, and a note when they differ (states may then go unrecognised)."""
    from wezmp_tui.agentexec.version import agent_version
    from wezmp_tui.config.rules import RuleBook, rule_dirs
    from wezmp_tui.errors import WezmpError

    try:
        book = RuleBook.load(rule_dirs(paths, config))
    except WezmpError:
        book = RuleBook.load([])
    out = {}
    for kind, argv in sorted((getattr(config, "agent_kinds", None) or {}).items()):
        recorded = book.versions.get(kind)
        if not argv or not recorded:
            continue
        path = shutil.which(argv[0])
        version = agent_version(argv[0]) if path else None
        out[kind] = {
            "path": path,
            "version": version,
            "rules_recorded_with": list(recorded),
            "note": book.version_note(kind, version),
        }
    return out


def diagnose(flag: str | None) -> dict[str, Any]:
    from wezmp_tui.config.loader import load_config, where_set
    from wezmp_tui.errors import WezmpError
    from wezmp_tui.mux.choose import choose_backend, explicit_choice, mismatch

    paths = resolve(os.environ)
    problems: list[str] = []
    notes: list[str] = []
    config_backend = None
    config_error = None
    from wezmp_tui.config.schema import Config

    config = Config()
    try:
        config = load_config(paths.config_file)
        config_backend = config.backend
    except WezmpError as exc:
        config_error = exc.message
        problems.append(f"config: {exc.message} (fix the file; defaults are used meanwhile)")
    where = where_set(paths.config_file, "backend") if config_backend else ""
    try:
        backend, source, reason = choose_backend(os.environ, config_backend, flag, where)
    except WezmpError as exc:
        backend, source, reason = "local", "error", exc.message
        problems.append(exc.message)
    wezterm = shutil.which(os.environ.get("WEZMP_WEZTERM") or "wezterm")
    tmux = shutil.which("tmux")
    if backend == "wezterm" and not wezterm:
        problems.append("backend wezterm chosen but wezterm is not on PATH: install WezTerm")
    if backend == "tmux" and not tmux:
        problems.append("backend tmux chosen but tmux is not on PATH: apt-get install tmux")
    daemon = _daemon()
    if daemon is not None and daemon["backend"] != backend:
        asked = explicit_choice(os.environ, flag)
        if asked is not None:
            problems.append(mismatch(daemon["backend"], daemon["pid"], *asked))
        else:
            notes.append(
                f"the running daemon uses {daemon['backend']}, not {backend}: commands use it "
                "until it stops (wezmp daemon stop), and the next one chooses again"
            )
    return {
        "backend": backend,
        "source": source,
        "reason": reason,
        "daemon": daemon,
        "wezterm": {
            "path": wezterm,
            "version": _version([wezterm, "--version"]) if wezterm else None,
        },
        "tmux": {"path": tmux, "version": _version([tmux, "-V"]) if tmux else None},
        "config_file": str(paths.config_file),
        "config_error": config_error,
        "agents": agent_kinds(config, paths),
        "paths": {
            "config dir": str(paths.config_dir),
            "data": str(paths.data_dir),
            "state": str(paths.state_dir),
            "runtime": str(paths.runtime_dir),
            "socket": str(paths.socket),
            "log": str(paths.log_file),
        },
        "notes": notes,
        "problems": problems,
        "ok": not problems,
    }


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Which backend wezmp uses and why, what is installed, and what is wrong."""
    report = diagnose(backend_option(ctx))
    if as_json:
        emit_json(report)
    else:
        click.echo(f"backend:  {report['backend']} ({report['reason']})")
        daemon = report["daemon"]
        if daemon is not None:
            click.echo(
                f"daemon:   running (pid {daemon['pid']}) on {daemon['backend']} "
                f"({daemon['backend_reason']} when it started)"
            )
        if report["backend"] == "local":
            click.echo(
                "          the built-in backend runs panes inside the wezmp daemon; "
                "run wezmp inside WezTerm to drive WezTerm panes"
            )
        for tool in ("wezterm", "tmux"):
            t = report[tool]
            click.echo(
                f"{tool + ':':<9} {t['version'] or 'not found'}"
                + (f" ({t['path']})" if t["path"] else "")
            )
        click.echo(
            f"config:   {report['config_file']}"
            + ("" if not report["config_error"] else " (broken)")
        )
        for name, value in report["paths"].items():
            click.echo(f"{name + ':':<9} {value}")
        for kind, a in report["agents"].items():
            found = a["version"] or ("version unknown" if a["path"] else "not found")
            recorded = ", ".join(a["rules_recorded_with"])
            click.echo(f"{kind + ':':<9} {found} (state rules recorded with {recorded})")
            if a["note"]:
                click.echo(f"note:     {a['note']}")
        for n in report["notes"]:
            click.echo(f"note:     {n}")
        for p in report["problems"]:
            click.echo(f"problem:  {p}", err=True)
    if report["problems"]:
        raise SystemExit(1)
