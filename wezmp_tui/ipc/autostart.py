"""Start the daemon on demand (as tmux starts its server) and wait until it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from wezmp_tui.errors import DaemonUnavailable
from wezmp_tui.paths import Paths

START_TIMEOUT = 15.0


def daemon_argv(backend: str | None = None) -> list[str]:
    argv = [sys.executable, "-m", "wezmp_tui"]
    if backend:
        argv += ["--backend", backend]
    return [*argv, "daemon", "run"]


def start_daemon(
    paths: Paths, *, backend: str | None = None, timeout: float = START_TIMEOUT
) -> int:
    """Start a detached daemon and wait (bounded) until it answers `hello`. Returns its pid.

    Two clients racing here start two processes, but the daemon's lock lets only one live:
    the loser exits at once and both clients connect to the winner."""
    from wezmp_tui.ipc.client import try_connect

    paths.ensure_runtime_dir()
    paths.log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(paths.log_file, "ab") as log:
        proc = subprocess.Popen(
            daemon_argv(backend),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            env=dict(os.environ),
        )
    deadline = time.monotonic() + timeout
    delay = 0.01
    while time.monotonic() < deadline:
        c = try_connect(paths, timeout=1.0)
        if c is not None:
            pid = int(c.server.get("pid", proc.pid))
            c.close()
            return pid
        if proc.poll() not in (None, 0):
            break
        time.sleep(delay)  # waiting for another process, not for test state
        delay = min(delay * 2, 0.1)
    raise DaemonUnavailable(f"the wezmp daemon did not start; see {paths.log_file}")
