"""`wezmp daemon run`: the process that owns wezmp's state and work."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import sys
from typing import Any

from wezmp_tui.clock import Clock
from wezmp_tui.daemon.lock import DaemonLock
from wezmp_tui.engine.facade import Engine
from wezmp_tui.paths import Paths
from wezmp_tui.store.db import Database

log = logging.getLogger("wezmp")


def setup_logging(paths: Paths, debug: bool) -> None:
    from wezmp_tui.logs.daemon_log import handler

    root = logging.getLogger("wezmp")
    root.handlers[:] = [handler(paths.log_file)]
    root.setLevel(logging.DEBUG if debug else logging.INFO)


def raise_fd_limit() -> None:
    """1,000 clients and 64 agents need more than the usual 1,024 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def wait_for_children_on_the_loop() -> Any:
    """Before Python 3.12, asyncio waits for each child process (the daemon runs a tmux or
    `wezterm cli` command several times a second) in a thread started for it; where Linux
    gives process file descriptors the event loop waits on those instead. Returns the watcher
    to put back (None: nothing was changed)."""
    if sys.version_info >= (3, 12) or not hasattr(os, "pidfd_open"):
        return None  # 3.12 does this by itself
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return None  # a kernel before 5.3
    previous = asyncio.get_child_watcher()
    watcher = asyncio.PidfdChildWatcher()
    watcher.attach_loop(asyncio.get_running_loop())
    asyncio.set_child_watcher(watcher)
    return previous


def load_config(paths: Paths) -> tuple[Any, str | None]:
    """(config, error message or None). A broken file leaves the defaults in force."""
    from wezmp_tui.config.loader import load_config as load
    from wezmp_tui.config.schema import Config
    from wezmp_tui.errors import ConfigError

    try:
        return load(paths.config_file), None
    except ConfigError as exc:
        return Config(), exc.message


def create_engine(
    paths: Paths, *, backend: str | None = None, clock: Clock | None = None
) -> Engine:
    from wezmp_tui.config.loader import where_set
    from wezmp_tui.mux.choose import choose_backend, create_mux

    config, error = load_config(paths)
    where = where_set(paths.config_file, "backend") if config.backend else ""
    name, _source, reason = choose_backend(os.environ, config.backend, backend, where)
    log.info("backend %s: %s", name, reason)
    mux = create_mux(
        name,
        wezterm_path=config.wezterm.executable,
        wezterm_class=config.wezterm.class_,
        tmux_socket=os.environ.get("WEZMP_TMUX_SOCKET") or config.tmux.socket_name,
        feed_root=paths.runtime_dir / "wezterm-feed",
    )
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    engine = Engine(paths=paths, mux=mux, db=Database(paths.db_file), config=config, clock=clock)
    engine.backend_reason = reason
    engine.loops = True
    engine.add_standard_services()
    if error:
        log.error("config: %s", error)
        engine.config_error = error
    return engine


async def run_daemon(
    paths: Paths, *, backend: str | None = None, debug: bool = False, clock: Clock | None = None
) -> int:
    """Serve until SIGTERM/SIGINT or `system.shutdown`. Returns the exit status."""
    from wezmp_tui.daemon.lock import AlreadyRunning
    from wezmp_tui.ipc.server import IpcServer

    setup_logging(paths, debug)
    lock = DaemonLock(paths.lock_file)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        log.info("%s; exiting", exc)
        return 0
    raise_fd_limit()
    previous_watcher = wait_for_children_on_the_loop()
    engine = create_engine(paths, backend=backend, clock=clock)
    stop = asyncio.Event()
    engine.shutdown_event = stop
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    server = IpcServer(engine)
    try:
        await engine.start()
        await server.start()
        if getattr(engine, "config_error", None):
            engine.bus.publish("error", {"source": "config", "message": engine.config_error})
        log.info("daemon %s listening on %s", os.getpid(), paths.socket)
        await stop.wait()
    finally:
        log.info("daemon stopping")
        await server.stop()
        await engine.stop()
        await engine.mux.close()
        engine.db.close()
        lock.release()
        if previous_watcher is not None:
            asyncio.get_child_watcher().close()
            asyncio.set_child_watcher(previous_watcher)
    return 0
