"""`wezmp daemon start|stop|restart|status|run`."""

from __future__ import annotations

import os
import signal
import time

import click

from wezmp_tui.cli.common import backend_option, emit_json, handle_errors
from wezmp_tui.paths import Paths, resolve


@click.group()
def daemon() -> None:
    """Manage the wezmp daemon (started on demand by any command)."""


@daemon.command()
@click.option("--debug", is_flag=True, help="Log more.")
@click.pass_context
def run(ctx: click.Context, debug: bool) -> None:
    """Run the daemon in the foreground."""
    import asyncio

    from wezmp_tui.daemon.main import run_daemon

    raise SystemExit(
        asyncio.run(run_daemon(resolve(os.environ), backend=backend_option(ctx), debug=debug))
    )


@daemon.command()
@click.pass_context
@handle_errors
def start(ctx: click.Context) -> None:
    """Start the daemon in the background (no-op when it runs)."""
    from wezmp_tui.ipc.client import check_backend, start_daemon, try_connect

    paths = resolve(os.environ)
    c = try_connect(paths)
    if c is not None:
        with c:
            check_backend(c.server, backend_option(ctx))
            click.echo(f"already running (pid {c.server.get('pid')}, {c.server.get('backend')})")
        return
    pid = start_daemon(paths, backend=backend_option(ctx))
    click.echo(f"started (pid {pid})")


def _stop(paths: Paths) -> int | None:
    """Stop the running daemon and wait until it is gone; its pid, or None when none ran.
    A daemon of another protocol cannot be asked, so it gets SIGTERM (it stops cleanly)."""
    from wezmp_tui.daemon.lock import holder_pid
    from wezmp_tui.errors import ProtocolMismatch
    from wezmp_tui.ipc.client import try_connect

    try:
        c = try_connect(paths)
    except ProtocolMismatch:
        pid = holder_pid(paths.lock_file)
        if pid is None:
            return None
        os.kill(pid, signal.SIGTERM)
    else:
        if c is None:
            return None
        with c:
            pid = c.server.get("pid")
            c.call("system.shutdown")
    deadline = time.monotonic() + 10
    while holder_pid(paths.lock_file) is not None and time.monotonic() < deadline:
        time.sleep(0.02)  # waiting for another process to exit
    if holder_pid(paths.lock_file) is not None:
        raise click.ClickException(f"the daemon (pid {pid}) did not stop within 10 s")
    return pid


@daemon.command()
@handle_errors
def stop() -> None:
    """Stop the daemon. Agents keep running in their panes."""
    pid = _stop(resolve(os.environ))
    click.echo("not running" if pid is None else f"stopped (pid {pid})")


@daemon.command()
@click.pass_context
@handle_errors
def restart(ctx: click.Context) -> None:
    """Stop the daemon (of whatever version) and start this one. Agents keep running in
    their panes and are adopted by the new daemon."""
    from wezmp_tui.ipc.client import start_daemon

    paths = resolve(os.environ)
    old = _stop(paths)
    pid = start_daemon(paths, backend=backend_option(ctx))
    click.echo(f"restarted (pid {old} -> {pid})" if old else f"started (pid {pid})")


@daemon.command()
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def status(as_json: bool) -> None:
    """Is the daemon running: pid, backend, uptime, socket."""
    from wezmp_tui.ipc.client import try_connect

    paths = resolve(os.environ)
    c = try_connect(paths)
    if c is None:
        if as_json:
            emit_json({"running": False, "socket": str(paths.socket)})
        else:
            click.echo("not running")
        raise SystemExit(1)
    with c:
        info = c.call("system.status")
    info["running"] = True
    if as_json:
        emit_json(info)
        return
    click.echo(
        f"running: pid {info['pid']}, backend {info['backend']}, "
        f"up {info['uptime']:.0f}s, socket {info['socket']}"
    )
    if info.get("mux_lost"):
        click.echo(info["mux_lost"]["message"])
    if info.get("config_error"):
        click.echo(f"config error (defaults in force): {info['config_error']}")
