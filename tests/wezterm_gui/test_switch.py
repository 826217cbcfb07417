"""A workspace switch asked by the daemon reaches the real window: WezTerm fires the user var
event only for a pane it shows, and the module's handler switches the window."""

from __future__ import annotations

from tests.helpers import wait_until
from tests.realgui import GuiSession
from tests.wezterm_gui.conftest import wezmp


def test_wezmp_ws_switch_changes_the_windows_workspace(gui: GuiSession) -> None:
    for name in ("api", "web"):
        assert wezmp("ws", "create", name).returncode == 0
    assert gui.workspace() == "default"
    assert wezmp("ws", "switch", "api").returncode == 0
    wait_until(lambda: gui.workspace() == "api", timeout=20)
    # Again from there: the var now goes through a pane of `api`, the one on screen.
    assert wezmp("ws", "switch", "web").returncode == 0
    wait_until(lambda: gui.workspace() == "web", timeout=20)
    assert gui.errors() == []
