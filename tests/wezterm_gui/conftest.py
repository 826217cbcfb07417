"""The GUI tier: each test gets its own X display, session bus, notification service, WezTerm
window (configured by the README's snippet) and wezmp daemon driving that window."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from tests.realgui import SKIP_REASON, GuiSession, find_tools
from wezmp_tui.paths import Paths

# An agent that asks a question and waits for the answer: wezmp's rules call it waiting.
ASKER = "printf 'Overwrite? [y/N] '; read a; echo \"answer: $a\"; exec sleep 60"


@pytest.fixture
def gui(
    short_tmp: Path, tmp_path: Path, wezmp_env: Paths, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GuiSession]:
    from wezmp_tui.ipc.client import start_daemon

    tools = find_tools()
    if tools is None:
        pytest.skip(SKIP_REASON)
    session = GuiSession(tools, short_tmp / "gui").start()
    try:
        for key, value in session.client_env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("WEZMP_BACKEND", "wezterm")
        start_daemon(wezmp_env)
        yield session
    finally:
        # What the screen showed at the end: the first thing to look at when a test failed.
        session.keep_screen(tmp_path / "logs" / "last-screen.png")
        subprocess.run(wezmp_argv("daemon", "stop"), capture_output=True, timeout=20)
        session.stop()
        session.keep_logs(tmp_path / "logs")


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def define_agent(tmp: Path, name: str, workspace: str, script: str) -> None:
    """Define and start a `shell` agent running `sh -c script` in `workspace`."""
    spec = tmp / f"{name}.yaml"
    spec.write_text(
        f"agents:\n  - name: {name}\n    kind: shell\n    workspace: {workspace}\n"
        f"    command: [sh, -c, {json.dumps(script)}]\n"
    )
    for args in (("agent", "define", str(spec)), ("agent", "start", name)):
        r = wezmp(*args)
        assert r.returncode == 0, r.stderr


def status(paths: Paths) -> dict[str, Any]:
    return dict(json.loads(paths.status_file.read_text()))


def waiting_pane(paths: Paths, agent: str, timeout: float = 30) -> str:
    """Wait until the daemon says `agent` waits for its person; its pane id."""

    def find() -> str | None:
        for w in status(paths).get("waiting", []):
            if w["agent"] == agent:
                return str(w["pane_id"])
        return None

    return str(wait_until(find, timeout=timeout))

