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
HAVE_TMUX = shutil.which("tmux") is not None
NO_TMUX = "tmux is not installed: tmux tests skip (`make test` installs it where it may)"


def require_tmux() -> None:
    """Skip the calling test, in one line, where tmux is not installed."""
    if not HAVE_TMUX:
        pytest.skip(NO_TMUX)


# Tests that need some real multiplexer behind a daemon but not tmux itself: tmux where it is
# installed (the closest to what users run), else the built-in backend, so a machine without
# tmux still runs them and the coverage gate still holds.
SOME_BACKEND = "tmux" if HAVE_TMUX else "local"


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
def real_wezterm(short_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real headless WezTerm (`wezterm-mux-server`) of this test's own, with no panes, and
    this test's environment pointed at it; skipped in one line where it is not built."""
    from tests.realwezterm import SKIP_REASON, MuxServer, find_binaries

    bins = find_binaries()
    if bins is None:
        pytest.skip(SKIP_REASON)
    server = MuxServer(bins, short_tmp / "wez").start()
    for key, value in server.client_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PATH", f"{bins.directory}{os.pathsep}{os.environ['PATH']}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tmux_name() -> Iterator[str]:
    """A private tmux socket name for this test; its server (if any) is killed at teardown.
    Does not need tmux: fixtures that may or may not use it depend on this one."""
    import subprocess
    import uuid

    name = f"wzt-{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        if HAVE_TMUX:
            subprocess.run(
                ["tmux", "-L", name, "kill-server"], capture_output=True, check=False, timeout=10
            )


@pytest.fixture
def tmux_socket(tmux_name: str) -> str:
    """A private tmux socket name for a test that needs tmux (skipped in one line without)."""
    require_tmux()
    return tmux_name


@pytest.fixture
async def make_engine(wezmp_env: Paths, tmux_name: str) -> Any:
    """Build in-process engines with every standard service on a real backend.

    `await make_engine("tmux" | "local" | "wezterm", config=Config(...), clock=FakeClock())`
    ("wezterm" talks to whatever `WEZTERM_UNIX_SOCKET` names: the `fake_wezterm` fixture's
    double, or a real WezTerm). Periodic loops stay off: tests call each service's `tick()`
    themselves."""
    from wezmp_tui.config.schema import Config
    from wezmp_tui.engine.facade import Engine
    from wezmp_tui.mux.local import LocalMux
    from wezmp_tui.mux.tmux import TmuxMux
    from wezmp_tui.mux.wezterm import WeztermMux
    from wezmp_tui.store.db import Database

    engines: list[Any] = []

    async def make(backend: str = "local", config: Any = None, clock: Any = None) -> Any:
        mux: Any
        if backend == "tmux":
            require_tmux()
            mux = TmuxMux(socket_name=tmux_name, control=True)
        else:
            mux = {"wezterm": WeztermMux, "local": LocalMux}[backend]()
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
def some_backend(monkeypatch: pytest.MonkeyPatch, tmux_name: str) -> str:
    """`WEZMP_BACKEND` for this test: tmux on a private server where installed, else built-in."""
    monkeypatch.setenv("WEZMP_BACKEND", SOME_BACKEND)
    monkeypatch.setenv("WEZMP_TMUX_SOCKET", tmux_name)
    return SOME_BACKEND


@pytest.fixture
def daemon(wezmp_env: Paths, some_backend: str) -> Iterator[Paths]:
    """A real daemon process (on a private tmux server where tmux is installed), stopped at
    teardown. Commands run with `wezmp_argv(...)` talk to it (they inherit this test's
    environment)."""
    import subprocess
    import sys

    from wezmp_tui.ipc.client import start_daemon

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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per reason tests were skipped, saying how to enable them (pytest would give
    one line per test location)."""
    from collections import Counter

    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            reasons[str(longrepr[2]).removeprefix("Skipped: ")] += 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"skipped {count}: {reason}")
