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
from wezmp_tui.errors import DaemonUnavailable, ProtocolMismatch
from wezmp_tui.ipc.client import connect, daemon_argv, try_connect
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


# A daemon started by an older wezmp: the same code, told to speak protocol 0.
OLD_DAEMON = (
    "import runpy, sys\n"
    "import wezmp_tui.ipc.protocol as p\n"
    "p.PROTOCOL_VERSION = 0\n"
    "sys.argv = ['wezmp', 'daemon', 'run']\n"
    "runpy.run_module('wezmp_tui', run_name='__main__')\n"
)


def test_a_daemon_of_another_protocol_is_named_at_once_and_restart_replaces_it(
    wezmp_env: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    wezmp_env.ensure_runtime_dir()
    old = subprocess.Popen([sys.executable, "-c", OLD_DAEMON], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_until(lambda: holder_pid(wezmp_env.lock_file) == old.pid)
        said = "the running daemon speaks protocol 0, this client 1: run `wezmp daemon restart`"

        def no_second_daemon(*_: object, **__: object) -> int:
            raise AssertionError("a second daemon was started")

        monkeypatch.setattr("wezmp_tui.ipc.client.start_daemon", no_second_daemon)

        def answers() -> bool:
            try:
                try_connect(wezmp_env)
            except ProtocolMismatch:
                return True
            return False

        wait_until(answers)  # it serves (it takes its lock before it listens)
        with pytest.raises(ProtocolMismatch) as err:
            connect(wezmp_env)
        assert err.value.message == said
        ws = subprocess.run(wezmp_argv("ws", "list"), capture_output=True, text=True, timeout=30)
        assert ws.returncode == 1 and ws.stderr.strip() == f"Error: {said}"
        assert holder_pid(wezmp_env.lock_file) == old.pid  # no second daemon took over
        again = subprocess.run(
            wezmp_argv("daemon", "restart"), capture_output=True, text=True, timeout=60
        )
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith(f"restarted (pid {old.pid} -> ")
        assert old.wait(timeout=20) == 0  # it stopped cleanly
        with try_connect(wezmp_env) as c:  # type: ignore[union-attr]
            assert c.server["protocol"] == 1 and c.server["pid"] != old.pid
        stop(wezmp_env)
    finally:
        if old.poll() is None:
            old.kill()
            old.wait()
