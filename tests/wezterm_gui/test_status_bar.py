"""The status bar of a real WezTerm window: the daemon's counts, read by the module on each
`update-status` the GUI fires, following a change within two seconds."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.helpers import wait_until
from tests.realgui import GuiSession
from tests.wezterm_gui.conftest import ASKER, define_agent, status, waiting_pane, wezmp
from wezmp_tui.paths import Paths


def latest(gui: GuiSession) -> str:
    shown = gui.statuses()
    return str(shown[-1]["text"]) if shown else ""


def test_the_bar_shows_the_counts_and_follows_a_change(
    gui: GuiSession, short_tmp: Path, wezmp_env: Paths
) -> None:
    define_agent(short_tmp, "asker", "default", ASKER)
    waiting_pane(wezmp_env, "asker")
    wait_until(lambda: "◆ 1 needs you (asker: " in latest(gui), timeout=5)
    text = latest(gui)
    # WezTerm's own formatting: the state's colour as an escape sequence before its count.
    assert re.search(r"\x1b\[38:2::\d+:\d+:\d+m ◆ 1 needs you", text), repr(text)
    assert gui.statuses()[-1]["workspace"] == "default"

    assert wezmp("agent", "send", "asker", "y").returncode == 0
    wait_until(lambda: status(wezmp_env)["workspaces"]["default"]["waiting"] == 0, timeout=30)
    changed = time.monotonic()
    wait_until(lambda: "◆" not in latest(gui), timeout=2.0)
    assert time.monotonic() - changed <= 2.0
    assert gui.errors() == []
