"""The daemon end to end on a real headless WezTerm: workspaces, a shipped layout with its
splits and sizes, agents under `wezmp exec` restarting in their pane, states read from real
screens, broadcast, send, freeze and restore — all through `wezterm cli`, as users run it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from tests.realwezterm import MuxServer
from wezmp_tui.paths import Paths


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def ok(*args: str) -> str:
    r = wezmp(*args)
    assert r.returncode == 0, f"wezmp {' '.join(args)}: {r.stderr}"
    return r.stdout


@pytest.fixture
def wez(
    wezmp_env: Paths, short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MuxServer]:
    """A real daemon driving a real WezTerm of this test's own, configured as the README says
    (the Lua module loaded, so its pane feed runs)."""
    from tests.realwezterm import SKIP_REASON, find_binaries, module_config
    from wezmp_tui.ipc.client import start_daemon

    bins = find_binaries()
    if bins is None:
        pytest.skip(SKIP_REASON)
    server = MuxServer(bins, short_tmp / "wez", extra_config=module_config()).start()
    for key, value in server.client_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WEZMP_BACKEND", "wezterm")
    start_daemon(wezmp_env)
    try:
        yield server
    finally:
        wezmp("daemon", "stop")
        server.stop()


def panes(wez: MuxServer) -> list[dict[str, Any]]:
    return json.loads(wez.cli("list", "--format", "json").stdout)  # type: ignore[no-any-return]


def text(wez: MuxServer, pane: str | int) -> str:
    return wez.cli("get-text", "--pane-id", str(pane), check=False).stdout


def agent(name: str) -> dict[str, Any]:
    return json.loads(ok("agent", "show", name, "--json"))["agent"]  # type: ignore[no-any-return]


def test_workspaces_live_in_wezterm(wez: MuxServer, tmp_path: Path) -> None:
    ok("ws", "create", "api", "--cwd", str(tmp_path))
    ws = {p["workspace"] for p in panes(wez)}
    assert ws == {"api"}
    first = next(p for p in panes(wez) if p["workspace"] == "api")
    assert first["cwd"] == f"file://{tmp_path.resolve()}/"
    ok("ws", "rename", "api", "backend")
    assert {p["workspace"] for p in panes(wez)} == {"backend"}
    listed = {w["name"]: w for w in json.loads(ok("ws", "list", "--json"))}
    assert listed["backend"]["pane_count"] == 1
    ok("ws", "delete", "backend")
    wait_until(lambda: not panes(wez))
    assert "backend" not in {w["name"] for w in json.loads(ok("ws", "list", "--json"))}


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`claude`, `codex` and `gemini` on PATH as plain shells with a prompt, so a shipped
    layout of agents can be built without the real CLIs."""
    bin_dir = tmp_path / "agents-bin"
    bin_dir.mkdir()
    for name in ("claude", "codex", "gemini"):
        exe = bin_dir / name
        exe.write_text(f"#!/bin/sh\nPS1='{name}$ ' exec sh -i\n")
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_shipped_layout_builds_its_splits_and_sizes(
    stand_ins: Path, wez: MuxServer, tmp_path: Path
) -> None:
    # (`stand_ins` first: the mux server hands its own environment, PATH too, to its panes.)
    out = ok("layout", "apply", "agents-2x2", "--workspace", "quad", "--cwd", str(tmp_path))
    assert out.strip().startswith("built quad: 4 pane(s)"), out
    quad = [p for p in panes(wez) if p["workspace"] == "quad"]
    assert len(quad) == 4 and len({p["tab_id"] for p in quad}) == 1
    by_pos = sorted(quad, key=lambda p: (p["left_col"], p["top_row"]))
    # A 2x2 grid: two columns of two rows each, halves within a cell of each other.
    cols = sorted({p["left_col"] for p in quad})
    rows = sorted({p["top_row"] for p in quad})
    assert len(cols) == 2 and len(rows) == 2, by_pos
    widths = {p["size"]["cols"] for p in quad}
    heights = {p["size"]["rows"] for p in quad}
    assert max(widths) - min(widths) <= 1 and max(heights) - min(heights) <= 1
    # Every agent of the layout runs under `wezmp exec` in its pane.
    names = {"claude-1", "claude-2", "codex-1", "gemini-1"}
    wait_until(lambda: all(agent(n)["pid"] for n in names), timeout=30)
    pane_ids = {str(p["pane_id"]) for p in quad}
    assert {agent(n)["pane_id"] for n in names} == pane_ids
    # A plain shell is no Claude, Codex or Gemini composer: quiet, never taken for idle.
    wait_until(lambda: all(agent(n)["state"] == "quiet" for n in names), timeout=30)


CONFIG = """\
agents:
  - name: sh1
    kind: shell
    command: [sh, -i]
    workspace: work
    restart: {policy: always, backoff_seconds: 0.2}
  - name: sh2
    kind: shell
    command: [sh, -i]
    workspace: work
"""


@pytest.fixture
def configured(wezmp_env: Paths) -> Paths:
    wezmp_env.config_dir.mkdir(parents=True, exist_ok=True)
    wezmp_env.config_file.write_text(CONFIG)
    return wezmp_env


def test_agents_states_restart_broadcast_and_send(configured: Paths, wez: MuxServer) -> None:
    ok("agent", "start", "sh1", "sh2")
    wait_until(lambda: agent("sh1")["pid"] and agent("sh2")["pid"], timeout=30)
    pane = agent("sh1")["pane_id"]
    # A prompt on a real screen is idle (a rule matched); a question is waiting.
    wait_until(lambda: agent("sh1")["state"] == "idle", timeout=20)
    ok("agent", "send", "sh1", "printf 'Continue? [y/N] '; read answer")
    wait_until(lambda: agent("sh1")["state"] == "waiting", timeout=20)
    assert "question" in ok("agent", "explain", "sh1")
    ok("agent", "send", "sh1", "y")
    wait_until(lambda: agent("sh1")["state"] == "idle", timeout=20)

    # Killed, it comes back in the same pane (policy always), with a new pid.
    old_pid = agent("sh1")["pid"]
    os.kill(old_pid, signal.SIGKILL)
    wait_until(lambda: agent("sh1")["pid"] not in (None, old_pid), timeout=30)
    assert agent("sh1")["pane_id"] == pane
    assert agent("sh1")["restarts"] >= 1
    work = [p for p in panes(wez) if p["workspace"] == "work"]
    assert len(work) == 2  # each agent started once, and restarted in its own pane

    # Broadcast reaches every agent pane of the workspace; send copies one pane into another.
    wait_until(lambda: agent("sh1")["state"] == "idle", timeout=20)
    out = json.loads(ok("broadcast", "--workspace", "work", "--json", "echo hello-$((40+2))"))
    assert not out.get("failed"), out
    for name in ("sh1", "sh2"):
        wait_until(lambda n=name: "hello-42" in text(wez, agent(n)["pane_id"]), timeout=20)
    ok("agent", "send", "sh1", "echo marker-$((6*7))")
    wait_until(lambda: "marker-42" in text(wez, pane))
    sent = json.loads(ok("send", "--from", "sh1", "--to", "sh2", "--last-output", "--json"))
    assert (sent["lines"], sent["chars"]) == (1, len("marker-42")), sent
    wait_until(lambda: "marker-42" in text(wez, agent("sh2")["pane_id"]))
    ok("agent", "stop", "sh1", "sh2")
    wait_until(lambda: agent("sh1")["pid"] is None and agent("sh2")["pid"] is None, timeout=20)


def test_freeze_and_restore(wez: MuxServer, tmp_path: Path) -> None:
    f = tmp_path / "two.yaml"
    f.write_text(
        "name: two\ntabs:\n  - title: main\n    layout:\n      split: right\n      size: 30%\n"
        "      panes:\n        - {command: [sleep, '300']}\n        - {command: [sleep, '301']}\n"
    )
    assert ok("layout", "apply", str(f), "--cwd", str(tmp_path)).strip() == (
        "built two: 2 pane(s)"
    )
    two = sorted((p for p in panes(wez) if p["workspace"] == "two"), key=lambda p: p["left_col"])
    assert len(two) == 2 and two[0]["tab_title"] == "main"
    # The second pane takes 30 % of 80 columns; the first the rest, less the divider.
    assert [p["size"]["cols"] for p in two] == [55, 24]
    frozen = tmp_path / "frozen.yaml"
    ok("layout", "freeze", "two", "-o", str(frozen))
    ok("layout", "apply", str(frozen), "--workspace", "copy", "--cwd", str(tmp_path))
    copy = sorted((p for p in panes(wez) if p["workspace"] == "copy"), key=lambda p: p["left_col"])
    assert [p["size"]["cols"] for p in copy] == [p["size"]["cols"] for p in two]
    assert [p["title"] for p in copy] == [p["title"] for p in two]

    # The terminal loses the workspace's panes; restore brings them back.
    assert ok("restore", "--save").startswith("saved ")
    for p in two:
        wez.cli("kill-pane", "--pane-id", str(p["pane_id"]))
    wait_until(lambda: not [p for p in panes(wez) if p["workspace"] == "two"])
    ok("restore")
    back = wait_until(lambda: [p for p in panes(wez) if p["workspace"] == "two"])
    assert len(back) == 2
