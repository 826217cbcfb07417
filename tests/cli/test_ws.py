"""`wezmp ws …` as a person runs it: real `wezmp` processes against a real daemon."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from wezmp_tui.daemon.lock import holder_pid
from wezmp_tui.paths import Paths


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


@pytest.fixture(params=["tmux", "local"])
def backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, wezmp_env: Paths
) -> str:
    monkeypatch.setenv("WEZMP_BACKEND", request.param)
    if request.param == "tmux":
        monkeypatch.setenv("WEZMP_TMUX_SOCKET", request.getfixturevalue("tmux_socket"))
    yield request.param
    wezmp("daemon", "stop")


def _in_root(root: Path) -> dict[str, Any] | None:
    shown: dict[str, Any] = json.loads(wezmp("ws", "show", "api", "--json").stdout)
    return shown if Path(shown["panes"][0]["cwd"]).resolve() == root.resolve() else None


def test_workspace_crud_through_the_cli(backend: str, tmp_path: Path) -> None:
    created = wezmp("ws", "create", "api", "--cwd", str(tmp_path))
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("created api (1 pane(s))")
    listed = json.loads(wezmp("ws", "list", "--json").stdout)
    assert [(w["name"], w["root"], w["pane_count"]) for w in listed] == [("api", str(tmp_path), 1)]
    # tmux reads a pane's directory from its process, which may not have changed into it
    # yet on a loaded machine: asked again until it has.
    wait_until(lambda: _in_root(tmp_path))
    assert "pane" in wezmp("ws", "show", "api").stdout
    assert wezmp("ws", "rename", "api", "backend").stdout.strip() == "renamed api -> backend"
    assert wezmp("ws", "switch", "backend").returncode == 0
    assert "* backend" in wezmp("ws", "list").stdout
    panes = json.loads(wezmp("panes", "--json").stdout)
    assert [p["workspace"] for p in panes] == ["backend"]
    assert "backend" in wezmp("panes").stdout
    deleted = wezmp("ws", "delete", "backend")
    assert deleted.stdout.startswith("deleted backend (1 pane(s) closed)")
    assert "no workspaces" in wezmp("ws", "list").stdout


def test_errors_are_one_clear_line(backend: str) -> None:
    for args, message in [
        (("ws", "create", "a:b"), "Error: workspace name 'a:b': : not allowed"),
        (
            ("ws", "create", "x", "--cwd", "/nonexistent"),
            "Error: --cwd /nonexistent: not a directory",
        ),
        (("ws", "show", "ghost"), "Error: no workspace named 'ghost' (see: wezmp ws list)"),
    ]:
        r = wezmp(*args)
        assert r.returncode == 1
        assert r.stderr.strip() == message


def test_reconcile_after_the_daemon_is_killed(
    monkeypatch: pytest.MonkeyPatch, tmux_socket: str, wezmp_env: Paths
) -> None:
    monkeypatch.setenv("WEZMP_BACKEND", "tmux")
    monkeypatch.setenv("WEZMP_TMUX_SOCKET", tmux_socket)
    assert wezmp("ws", "create", "keep").returncode == 0
    assert wezmp("ws", "create", "lose").returncode == 0
    pid = holder_pid(wezmp_env.lock_file)
    assert pid
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: holder_pid(wezmp_env.lock_file) is None)
    # While no daemon runs: a pane of `lose` dies, a new workspace appears in tmux.
    tmux = ["tmux", "-L", tmux_socket, "-f", "/dev/null"]
    subprocess.run([*tmux, "kill-session", "-t", "=lose"], check=True)
    subprocess.run([*tmux, "new-session", "-d", "-s", "adopted", "sleep", "60"], check=True)
    listed = {w["name"]: w for w in json.loads(wezmp("ws", "list", "--json").stdout)}
    assert set(listed) == {"keep", "lose", "adopted"}
    assert listed["keep"]["pane_count"] == 1
    assert listed["lose"]["pane_count"] == 0
    assert listed["adopted"]["pane_count"] == 1
    wezmp("daemon", "stop")
