"""Desktop notifications from a real WezTerm window, received by a notification service on
the test's own session bus: one per agent that starts waiting, not one per status tick."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import wait_until
from tests.realgui import GuiSession
from tests.wezterm_gui.conftest import ASKER, define_agent, waiting_pane
from wezmp_tui.paths import Paths

TICKS = 3


def test_a_waiting_agent_gives_one_notification(
    gui: GuiSession, short_tmp: Path, wezmp_env: Paths
) -> None:
    assert gui.notifications() == [], "WezTerm started without a toast (no config error)"
    define_agent(short_tmp, "asker", "default", ASKER)
    waiting_pane(wezmp_env, "asker")

    def about_asker() -> list[dict[str, object]]:
        return [n for n in gui.notifications() if "asker" in f"{n['summary']} {n['body']}"]

    wait_until(about_asker, timeout=10)
    # Several status ticks later (each one rereads the daemon's status), still just one.
    ticks = len(gui.statuses())
    wait_until(lambda: len(gui.statuses()) >= ticks + TICKS, timeout=TICKS * 2 + 5)
    assert len(about_asker()) == 1, gui.notifications()
