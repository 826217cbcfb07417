"""`lua/wezmp.lua` in a real WezTerm: loaded through the README's own snippet by a real
`wezterm-mux-server`, its keys taken by WezTerm's config parser, its handlers run against a real
daemon's status file and real panes.

A config error is never in the mux server's log: it reports config errors through a callback
only the GUI and the CLI set, so the server drops them and runs on its default config. The
evidence here is therefore positive: the config records that it ran to its end, re-assigns its
keys through `config_builder` (which converts them as WezTerm's parser does, and raises on any
it cannot take), and its `mux-startup` handler, which exists only if the config took effect,
runs the probe.

A headless mux server has no GUI, so nothing there presses keys or fires `update-status` /
`user-var-changed`; the config under test starts a timer in `mux-startup` that, once the test
says go (a file appears), calls the module's handlers itself — with real panes, a real
`wezterm.mux`, real `run_child_process` — and a stand-in for the one GUI object they touch,
the window (its `perform_action`, `set_right_status` and `toast_notification` only exist in the
GUI). What each handler asked of the window is recorded, so the GUI-only part is checked too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from tests.realwezterm import SKIP_REASON, MuxServer, find_binaries
from wezmp_tui.paths import Paths

# Runs in the real mux server after the snippet. `PROBE_RESULTS` and `PROBE_GO` are filled in.
PROBE = r"""
local results_path, go_path = PROBE_RESULTS, PROBE_GO
local function record(name, value)
  local f = io.open(results_path, 'a')
  f:write(wezterm.json_encode({ name = name, value = value }) .. '\n')
  f:close()
end

-- The GUI window, reduced to what the handlers call on it; every call is recorded.
local function gui_window(workspace)
  local w = { calls = {} }
  function w:active_workspace() return workspace end
  function w:set_right_status(text) table.insert(self.calls, { 'set_right_status', text }) end
  function w:toast_notification(title, msg) table.insert(self.calls, { 'toast', title, msg }) end
  function w:perform_action(action, _)
    local ok, text = pcall(wezterm.json_encode, action)
    table.insert(self.calls, { 'perform_action', ok and text or tostring(action) })
  end
  function w:mux_window() return nil end
  return w
end

do
  -- WezTerm's own conversion of every key the module bound: a fresh config_builder converts
  -- a value when a key is first assigned (later assignments bypass its check).
  local keys = {}
  for _, k in ipairs(config.keys or {}) do
    keys[#keys + 1] = tostring(k.mods) .. ' ' .. tostring(k.key)
  end
  local ok, err = pcall(function() wezterm.config_builder().keys = config.keys end)
  record('keys', { accepted = ok, err = tostring(err), keys = keys,
                   leader = config.leader and (config.leader.mods .. ' ' .. config.leader.key) })
end

local function probe(pane)
  local ok, err
  -- update-status, as the GUI fires it every second.
  local w = gui_window('main')
  ok, err = pcall(wezterm.emit, 'update-status', w, pane)
  record('update-status', { ok = ok, err = tostring(err), calls = w.calls })
  -- LEADER m: opens the control center in a split of the current pane.
  w = gui_window('main')
  local opened = wezmp.open_control(w, pane)
  record('open-control', { pane = opened and opened:pane_id() or nil, calls = w.calls })
  -- LEADER m again from another pane: focuses the open one (a real MuxPane:activate()).
  w = gui_window('main')
  ok, err = pcall(wezmp.toggle, w, pane)
  record('toggle-focus', { ok = ok, err = tostring(err), calls = w.calls })
  -- LEADER m from the control center itself: closes it (a GUI action).
  w = gui_window('main')
  ok, err = pcall(wezmp.toggle, w, opened)
  record('toggle-close', { ok = ok, err = tostring(err), calls = w.calls })
  -- LEADER n: the next waiting agent, from the daemon's status file.
  w = gui_window('main')
  ok, err = pcall(wezmp.jump_next_waiting, w, pane)
  record('next-waiting', { ok = ok, err = tostring(err), calls = w.calls })
  -- LEADER w: the workspace picker, fed by `wezmp ws list --json` (a real child process).
  w = gui_window('main')
  ok, err = pcall(wezmp.pick_workspace, w, pane)
  record('pick-workspace', { ok = ok, err = tostring(err), calls = w.calls })
  -- A switch asked by the daemon through the user var.
  w = gui_window('main')
  ok, err = pcall(wezterm.emit, 'user-var-changed', w, pane, 'wezmp_switch_workspace', 'other')
  record('user-var', { ok = ok, err = tostring(err), calls = w.calls })
  record('done', true)
end

wezterm.on('mux-startup', function()
  local _, pane, _ = wezterm.mux.spawn_window { workspace = 'main', args = { 'sh' } }
  local function wait()
    local f = io.open(go_path, 'r')
    if f then
      f:close()
      local ok, err = pcall(probe, pane)
      if not ok then
        record('probe-error', tostring(err))
      end
    else
      wezterm.time.call_after(0.1, wait)
    end
  end
  wait()
end)
record('config-loaded', true)
"""


def lua_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def snippet(bare: bool) -> str:
    from wezmp_tui.cli.lua import lua

    args = ["snippet", "--bare"] if bare else ["snippet"]
    return CliRunner().invoke(lua, args).output


@pytest.fixture
def bins() -> Any:
    found = find_binaries()
    if found is None:
        pytest.skip(SKIP_REASON)
    return found


def start_server(bins: Any, root: Path, config_tail: str) -> MuxServer:
    return MuxServer(bins, root, extra_config=config_tail).start(clear=False)


def probe_config(results: Path, go: Path, before: str = "") -> str:
    return (
        snippet(bare=True)
        + before
        + PROBE.replace("PROBE_RESULTS", lua_string(str(results))).replace(
            "PROBE_GO", lua_string(str(go))
        )
    )


def records(results: Path) -> dict[str, Any]:
    if not results.exists():
        return {}
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    return {r["name"]: r["value"] for r in rows}


def test_a_key_wezterm_cannot_take_is_caught(bins: Any, short_tmp: Path) -> None:
    """The control for the test below: the same check does refuse a bad key."""
    results = short_tmp / "results.jsonl"
    bad = "table.insert(config.keys, {key='x', mods='LEADER', action={NoSuchAction={}}})\n"
    server = start_server(bins, short_tmp / "wez", probe_config(results, short_tmp / "go", bad))
    try:
        found = wait_until(lambda: records(results).get("config-loaded") and records(results))
        assert found["keys"]["accepted"] is False
        assert "`NoSuchAction` is not a valid KeyAssignment" in found["keys"]["err"]
    finally:
        server.stop()


@pytest.fixture
def probed(
    bins: Any, short_tmp: Path, wezmp_env: Paths, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[MuxServer, Path]]:
    """A real daemon on a real WezTerm whose config is the README snippet plus the probe."""
    from wezmp_tui.ipc.client import start_daemon

    results, go = short_tmp / "results.jsonl", short_tmp / "go"
    server = start_server(bins, short_tmp / "wez", probe_config(results, go))
    for key, value in server.client_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WEZMP_BACKEND", "wezterm")
    start_daemon(wezmp_env)
    try:
        yield server, results
    finally:
        subprocess.run(wezmp_argv("daemon", "stop"), capture_output=True, timeout=20)
        server.stop()


def listed_panes(server: MuxServer) -> dict[str, dict[str, Any]]:
    return {str(p["pane_id"]): p for p in json.loads(server.cli("list", "--format", "json").stdout)}


def run_probe(server: MuxServer, results: Path) -> dict[str, Any]:
    (results.parent / "go").write_text("")

    def done() -> dict[str, Any] | None:
        found = records(results)
        return found if "done" in found or "probe-error" in found else None

    return wait_until(done, timeout=30)


def test_the_module_in_a_real_wezterm(
    probed: tuple[MuxServer, Path], wezmp_env: Paths, tmp_path: Path
) -> None:
    server, results = probed
    loaded = wait_until(lambda: records(results).get("config-loaded") and records(results))
    # Every key the README promises, with the leader the module set, taken by WezTerm.
    assert loaded["keys"]["accepted"], loaded["keys"]["err"]
    assert {f"LEADER {k}" for k in "mwWbn"} <= set(loaded["keys"]["keys"])
    assert loaded["keys"]["leader"] == "CTRL|ALT Space"
    # A daemon with an agent waiting for its person, in the window the config opened.
    spec = tmp_path / "agents.yaml"
    spec.write_text(
        "agents:\n  - name: asker\n    kind: shell\n    workspace: main\n"
        "    command: [sh, -c, \"printf 'Overwrite? [y/N] '; read a; exec sleep 60\"]\n"
    )
    run = [sys.executable, "-m", "wezmp_tui"]
    subprocess.run([*run, "agent", "define", str(spec)], check=True, capture_output=True)
    subprocess.run([*run, "agent", "start", "asker"], check=True, capture_output=True)

    def waiting() -> bool:
        status = json.loads(wezmp_env.status_file.read_text())
        return bool(status["waiting"])

    wait_until(waiting, timeout=30)
    asker_pane = json.loads(wezmp_env.status_file.read_text())["waiting"][0]["pane_id"]

    found = run_probe(server, results)
    assert "probe-error" not in found, found["probe-error"]

    # The status bar: real wezterm.format of the counts the daemon wrote.
    status = found["update-status"]
    assert status["ok"], status
    (call,) = status["calls"]
    assert call[0] == "set_right_status" and "◆ 1 needs you (asker: rule question)" in call[1]

    # The control center opened in a real split, running `wezmp tui`.
    opened = found["open-control"]["pane"]
    assert opened is not None
    listed = listed_panes(server)
    assert listed[str(opened)]["workspace"] == "main"
    wait_until(
        lambda: "wezmp" in server.cli("get-text", "--pane-id", str(opened), check=False).stdout,
        timeout=30,
    )
    # Pressed again elsewhere, it focused the open one: no GUI action needed.
    focus = found["toggle-focus"]
    assert focus["ok"] and not focus["calls"], focus  # (an empty Lua table encodes as {})
    # Pressed in the control center, it asks the GUI to close the pane.
    close = found["toggle-close"]
    assert close["ok"] and close["calls"][0][0] == "perform_action"
    assert "CloseCurrentPane" in close["calls"][0][1]

    # Next waiting agent: the real pane of the waiting agent was activated.
    assert found["next-waiting"]["ok"], found["next-waiting"]
    listed = listed_panes(server)
    assert listed[str(asker_pane)]["is_active"]

    # The picker ran the real CLI and offered the daemon's workspaces to the GUI's selector.
    picked = found["pick-workspace"]
    assert picked["ok"] and picked["calls"][0][0] == "perform_action", picked
    assert "InputSelector" in picked["calls"][0][1] and "main" in picked["calls"][0][1]

    # The user var handler asks the GUI to switch workspace.
    switched = found["user-var"]
    assert switched["ok"] and "SwitchToWorkspace" in switched["calls"][0][1], switched
    assert "other" in switched["calls"][0][1]
    # Nothing the module did logged an error (its handlers log instead of raising).
    assert [e for e in server.errors() if "wezmp" in e] == [], server.log_text()
