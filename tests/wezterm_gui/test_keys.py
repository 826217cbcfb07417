"""The README's keys, pressed in a real WezTerm window: LEADER m, w, W, b, n."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import wait_until
from tests.realgui import GuiSession
from tests.wezterm_gui.conftest import ASKER, define_agent, waiting_pane, wezmp
from wezmp_tui.paths import Paths


def only_pane(gui: GuiSession) -> str:
    (first,) = gui.panes()
    return first


def new_pane(gui: GuiSession, known: set[str]) -> str:
    def found() -> str | None:
        return next((p for p in gui.panes() if p not in known), None)

    return str(wait_until(found, timeout=30))


def test_leader_m_opens_focuses_and_closes_the_control_center(gui: GuiSession) -> None:
    first = only_pane(gui)
    gui.leader("m")
    control = new_pane(gui, {first})
    panes = gui.panes()
    # A split to the right of the pane the key was pressed in, in the same tab.
    assert panes[control]["tab_id"] == panes[first]["tab_id"]
    assert panes[control]["left_col"] > panes[first]["left_col"]
    wait_until(lambda: "wezmp" in gui.text(control).lower(), timeout=30)
    # From the other pane, the key focuses the open control center; no second one opens.
    gui.cli("activate-pane", "--pane-id", first)
    wait_until(lambda: gui.focused() == first)
    gui.leader("m")
    wait_until(lambda: gui.focused() == control)
    assert set(gui.panes()) == {first, control}
    # From the control center itself, it closes.
    gui.leader("m")
    wait_until(lambda: set(gui.panes()) == {first}, timeout=20)
    assert gui.errors() == []


def test_leader_w_picks_a_workspace_from_the_daemon(gui: GuiSession) -> None:
    assert wezmp("ws", "create", "proj").returncode == 0
    assert gui.workspace() == "default"
    gui.leader("w")
    gui.overlay()
    gui.type("proj")
    gui.keys("Return")
    wait_until(lambda: gui.workspace() == "proj", timeout=20)


def test_leader_shift_w_creates_a_workspace_and_goes_there(gui: GuiSession) -> None:
    gui.leader("W")
    name_prompt = gui.overlay()
    gui.type("fresh")
    gui.keys("Return")
    gui.overlay(other_than=name_prompt)
    gui.keys("Return")  # no directory: the current one
    wait_until(lambda: gui.workspace() == "fresh", timeout=30)
    names = [w["name"] for w in json.loads(wezmp("ws", "list", "--json").stdout)]
    assert "fresh" in names


def test_leader_b_sends_a_line_to_every_agent_of_the_workspace(
    gui: GuiSession, short_tmp: Path
) -> None:
    script = "read line; echo \"got: $line\"; exec sleep 60"
    define_agent(short_tmp, "one", "default", script)
    define_agent(short_tmp, "two", "default", script)
    known = {"one", "two"}

    def placed() -> dict[str, str] | None:
        listed = json.loads(wezmp("agent", "list", "--json").stdout)
        panes = {a["name"]: str(a["pane_id"]) for a in listed if a.get("pane_id")}
        return panes if known <= set(panes) else None

    agents = wait_until(placed, timeout=30) or {}
    gui.leader("b")
    gui.overlay()
    gui.type("-n hello")  # a line that looks like an option is still just text
    gui.keys("Return")
    def all_got_it() -> bool:
        return all("got: -n hello" in gui.text(agents[name]) for name in known)

    wait_until(all_got_it, timeout=30)


def test_leader_n_jumps_to_the_agent_waiting_in_another_workspace(
    gui: GuiSession, short_tmp: Path, wezmp_env: Paths
) -> None:
    assert wezmp("ws", "create", "proj").returncode == 0
    define_agent(short_tmp, "asker", "proj", ASKER)
    pane = waiting_pane(wezmp_env, "asker")
    assert gui.workspace() == "default"
    gui.leader("n")
    wait_until(lambda: gui.workspace() == "proj" and gui.focused() == pane, timeout=20)
