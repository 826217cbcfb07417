"""One daemon per profile: autostart, stale socket and lock after SIGKILL, stop and restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import SOME_BACKEND, wezmp_argv
from tests.helpers import wait_until
from wezmp_tui.daemon.lock import AlreadyRunning, DaemonLock, holder_pid
from wezmp_tui.errors import DaemonUnavailable
from wezmp_tui.ipc.autostart import daemon_argv
from wezmp_tui.ipc.client import connect, try_connect
from wezmp_tui.paths import Paths


@pytest.fixture(autouse=True)
def on_a_real_backend(some_backend: str) -> None:
    """Every daemon here drives a real multiplexer (tmux where installed)."""


def stop(paths: Paths) -> None:
    subprocess.run(wezmp_argv("daemon", "stop"), capture_output=True, timeout=20, check=False)
    wait_until(lambda: holder_pid(paths.lock_file) is None)


def test_autostart_from_a_client_and_no_autostart(wezmp_env: Paths) -> None:
    with pytest.raises(DaemonUnavailable, match="not running"):
        connect(wezmp_env, autostart=False)
    with connect(wezmp_env) as c:
        pid = c.server["pid"]
        assert c.call("system.status")["backend"] == SOME_BACKEND
    assert holder_pid(wezmp_env.lock_file) == pid
    stop(wezmp_env)


def test_concurrent_autostarts_start_one_daemon(wezmp_env: Paths) -> None:
    def one(_: int) -> int:
        with connect(wezmp_env) as c:
            return int(c.server["pid"])

    with ThreadPoolExecutor(4) as pool:
        pids = set(pool.map(one, range(4)))
    assert len(pids) == 1
    stop(wezmp_env)


def test_stale_socket_and_lock_after_sigkill_are_replaced(wezmp_env: Paths) -> None:
    with connect(wezmp_env) as c:
        first = int(c.server["pid"])
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: holder_pid(wezmp_env.lock_file) is None)
    assert wezmp_env.socket.exists()  # left behind by the killed daemon
    assert try_connect(wezmp_env) is None
    with connect(wezmp_env) as c:
        assert int(c.server["pid"]) != first
    stop(wezmp_env)


def test_daemon_stop_then_any_command_starts_it_again(wezmp_env: Paths) -> None:
    out = subprocess.run(wezmp_argv("daemon", "start"), capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.startswith("started (pid ")
    again = subprocess.run(wezmp_argv("daemon", "start"), capture_output=True, text=True)
    assert again.stdout.startswith("already running")
    st = subprocess.run(wezmp_argv("daemon", "status", "--json"), capture_output=True, text=True)
    assert '"running": true' in st.stdout
    down = subprocess.run(wezmp_argv("daemon", "stop"), capture_output=True, text=True, timeout=30)
    assert down.stdout.startswith("stopped")
    st = subprocess.run(wezmp_argv("daemon", "status"), capture_output=True, text=True)
    assert st.returncode == 1 and "not running" in st.stdout
    assert "not running" in subprocess.run(wezmp_argv("daemon", "stop"), capture_output=True,
                                           text=True).stdout  # fmt: skip
    ws = subprocess.run(wezmp_argv("ws", "list", "--json"), capture_output=True, text=True)
    assert ws.returncode == 0 and ws.stdout.strip() == "[]"
    assert holder_pid(wezmp_env.lock_file) is not None
    stop(wezmp_env)


def test_lock_is_exclusive(wezmp_env: Paths) -> None:
    a = DaemonLock(wezmp_env.runtime_dir / "x.lock")
    a.acquire()
    with pytest.raises(AlreadyRunning) as err:
        DaemonLock(wezmp_env.runtime_dir / "x.lock").acquire()
    assert err.value.pid == os.getpid()
    a.release()
    assert holder_pid(wezmp_env.runtime_dir / "x.lock") is None
    assert holder_pid(wezmp_env.runtime_dir / "none.lock") is None


def test_daemon_logs_and_reports_a_broken_config(wezmp_env: Paths) -> None:
    wezmp_env.config_dir.mkdir(parents=True)
    wezmp_env.config_file.write_text("refresh_interval: soon\n")
    with connect(wezmp_env) as c:
        status = c.call("system.status")
    assert status["config_error"] == ('config.yaml:1: refresh_interval: expected float, got "soon"')
    st = subprocess.run(wezmp_argv("daemon", "status"), capture_output=True, text=True)
    assert "config error (defaults in force)" in st.stdout
    stop(wezmp_env)
    assert "refresh_interval" in wezmp_env.log_file.read_text()


def test_daemon_argv_puts_the_backend_before_the_command() -> None:
    assert daemon_argv("tmux") == [sys.executable, "-m", "wezmp_tui", "--backend", "tmux",
                                   "daemon", "run"]  # fmt: skip


def test_asking_for_another_backend_than_the_running_daemons_is_an_error(
    wezmp_env: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    with connect(wezmp_env) as c:  # a daemon on tmux (WEZMP_BACKEND=tmux)
        pid = c.server["pid"]

    def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=30)

    try:
        flag = wezmp("--backend", "local", "ws", "list")
        assert flag.returncode == 1
        assert flag.stderr.strip() == (
            f"Error: the running wezmp daemon (pid {pid}) uses the tmux backend, not local as "
            "--backend local asks. To switch: wezmp daemon stop, then run this again; or leave "
            "out --backend local to use the running daemon."
        )
        assert wezmp("--backend", "tmux", "ws", "list").returncode == 0
        started = wezmp("--backend", "local", "daemon", "start")
        assert "not local as --backend local" in started.stderr
        doctor = wezmp("--backend", "local", "doctor")
        assert doctor.returncode == 1 and "uses the tmux backend, not local" in doctor.stderr
        assert f"daemon:   running (pid {pid}) on tmux (chosen by the environment " in doctor.stdout
        monkeypatch.setenv("WEZMP_BACKEND", "local")
        env = wezmp("ws", "list")
        assert env.returncode == 1 and "not local as WEZMP_BACKEND=local asks" in env.stderr
        monkeypatch.delenv("WEZMP_BACKEND")
        assert wezmp("ws", "list").returncode == 0  # no choice made here: the running daemon
    finally:
        stop(wezmp_env)
