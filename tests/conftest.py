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
