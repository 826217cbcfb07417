"""`wezmp hook`: never blocks or fails the agent; tells a running daemon."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import wezmp_argv
from tests.helpers import clean_env


def hook(event: str, payload: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        wezmp_argv("hook", event),
        input=payload,
        capture_output=True,
        text=True,
        timeout=10,
        env={**os.environ, **env},
    )


def test_no_daemon_exits_zero_fast_and_silent() -> None:
    t = time.monotonic()
    r = hook("Stop", '{"session_id": "x"}')
    assert (r.returncode, r.stdout) == (0, "")
    assert time.monotonic() - t < 5
    assert hook("Stop", "not json").returncode == 0
    assert hook("Stop", "").returncode == 0


def test_help_and_imports_stay_light() -> None:
    r = subprocess.run(wezmp_argv("hook", "--help"), capture_output=True, text=True)
    assert r.returncode == 0 and "usage" in r.stderr
    code = (
        "import sys; import wezmp_tui.cli.hook;"
        "print(sorted({'click','asyncio','yaml','psutil','textual','msgspec'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=clean_env()
    )
    assert out.stdout.strip() == "[]"


def test_with_a_daemon_the_state_changes(daemon: Path) -> None:
    from wezmp_tui.ipc.client import connect

    with connect(autostart=False) as c:
        c.call("agent.register", name="claude-1", pid=1, pane_id="%42")
    payload = json.dumps({"message": "Claude needs your permission", "notification_type": "x"})
    r = hook("Notification", payload, WEZMP_AGENT_ID="claude-1")
    assert (r.returncode, r.stdout) == (0, "")
    with connect(autostart=False) as c:
        shown = c.call("agent.show", name="claude-1")["agent"]
    assert (shown["state"], shown["state_source"]) == ("waiting", "hook")
    r = hook("Stop", "{}", TMUX_PANE="%42")
    with connect(autostart=False) as c:
        assert c.call("agent.show", name="claude-1")["agent"]["state"] == "idle"
