"""Test isolation shared by the whole suite.

Every test gets its own config/data/state/runtime directories (short paths under /tmp: a Unix
socket path must fit in 107 bytes) and an environment with no WezTerm, tmux or XDG variables
from the machine running the tests.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wezmp_tui.paths import Paths, resolve

_SCRUB = (
    "WEZTERM_PANE",
    "WEZTERM_UNIX_SOCKET",
    "WEZTERM_EXECUTABLE",
    "TMUX",
    "TMUX_PANE",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
    "WEZMP_PROFILE",
    "WEZMP_BACKEND",
    "WEZMP_AGENT_ID",
    "WEZMP_SOCKET",
)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A fresh directory with a short path (for sockets)."""
    d = Path(tempfile.mkdtemp(prefix="wz", dir="/tmp"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def wezmp_env(monkeypatch: pytest.MonkeyPatch, short_tmp: Path) -> Paths:
    """Isolated wezmp directories for every test; returns the resolved `Paths`."""
    for var in _SCRUB:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(short_tmp / "home"))
    monkeypatch.setenv("WEZMP_CONFIG_DIR", str(short_tmp / "c"))
    monkeypatch.setenv("WEZMP_DATA_DIR", str(short_tmp / "d"))
    monkeypatch.setenv("WEZMP_STATE_DIR", str(short_tmp / "s"))
    monkeypatch.setenv("WEZMP_RUNTIME_DIR", str(short_tmp / "r"))
    # Tests that want watchers or a real sampler turn them back on explicitly.
    monkeypatch.setenv("WEZMP_WATCH", "0")
    (short_tmp / "home").mkdir()
    return resolve(os.environ)


FAKES = Path(__file__).parent / "fakes"


@pytest.fixture
def fake_wezterm(short_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A running fake WezTerm "GUI" and a `wezterm` executable on PATH that talks to it.

    Yields the directory holding the executable. The fake's state (its socket) lives in this
    test's own directory, so parallel tests never share panes."""
    import subprocess
    import sys

    bin_dir = short_tmp / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "wezterm"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKES / "wezterm"}" "$@"\n')
    exe.chmod(0o755)
    sock = short_tmp / "gui.sock"
    gui = subprocess.Popen(
        [str(exe), "fake-gui", "--socket", str(sock)], stdout=subprocess.PIPE, text=True
    )
    assert gui.stdout is not None
    assert gui.stdout.readline().strip() == "ready"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("WEZTERM_UNIX_SOCKET", str(sock))
    try:
        yield bin_dir
    finally:
        gui.terminate()
        gui.wait(timeout=10)


@pytest.fixture
def tmux_socket() -> Iterator[str]:
    """A private tmux socket name for this test; its server is killed at teardown."""
    import subprocess
    import uuid

    name = f"wzt-{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        subprocess.run(
            ["tmux", "-L", name, "kill-server"], capture_output=True, check=False, timeout=10
        )


@pytest.fixture
async def make_engine(wezmp_env: Paths, tmux_socket: str) -> Any:
    """Build in-process engines with every standard service on a real backend.

    `await make_engine("tmux" | "local" | "wezterm", config=Config(...), clock=FakeClock())`
    ("wezterm" drives the fake: the test asks for the `fake_wezterm` fixture). Periodic
    loops stay off: tests call each service's `tick()` themselves."""
    from wezmp_tui.config.schema import Config
    from wezmp_tui.engine.facade import Engine
    from wezmp_tui.mux.local import LocalMux
    from wezmp_tui.mux.tmux import TmuxMux
    from wezmp_tui.mux.wezterm import WeztermMux
    from wezmp_tui.store.db import Database

    engines: list[Any] = []

    async def make(backend: str = "local", config: Any = None, clock: Any = None) -> Any:
        mux: Any = {"tmux": lambda: TmuxMux(socket_name=tmux_socket), "wezterm": WeztermMux}.get(
            backend, LocalMux
        )()
        wezmp_env.data_dir.mkdir(parents=True, exist_ok=True)
        engine = Engine(
            paths=wezmp_env,
            mux=mux,
            db=Database(wezmp_env.db_file),
            config=config or Config(),
            clock=clock,
        )
        engine.add_standard_services()
        await engine.start()
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.stop()
        await engine.mux.close()
        engine.db.close()


def wezmp_argv(*args: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "wezmp_tui", *args]


@pytest.fixture
def daemon(wezmp_env: Paths, tmux_socket: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    """A real daemon process on a private tmux server, stopped at teardown. Commands run with
    `wezmp_argv(...)` talk to it (they inherit this test's environment)."""
    import subprocess
    import sys

    monkeypatch.setenv("WEZMP_BACKEND", "tmux")
    monkeypatch.setenv("WEZMP_TMUX_SOCKET", tmux_socket)
    from wezmp_tui.ipc.autostart import start_daemon

    start_daemon(wezmp_env)
    try:
        yield wezmp_env
    finally:
        subprocess.run(
            [sys.executable, "-m", "wezmp_tui", "daemon", "stop"],
            capture_output=True,
            timeout=20,
            check=False,
        )
