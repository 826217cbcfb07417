"""`wezmp agent …` against a real daemon with agents in tmux panes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from wezmp_tui.paths import Paths

CONFIG = """\
agents:
  - name: db
    command: [sh, -c, "echo db ready; exec sleep 60"]
    workspace: proj
    log_ready: db ready
  - name: api
    kind: shell
    command: [sh, -c, "echo api up; exec cat"]
    workspace: proj
    depends_on: {db: log_ready}
"""


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


@pytest.fixture
def configured(wezmp_env: Paths) -> Paths:
    wezmp_env.config_dir.mkdir(parents=True)
    wezmp_env.config_file.write_text(CONFIG)
    return wezmp_env


def states() -> dict[str, str]:
    return {a["name"]: a["state"] for a in json.loads(wezmp("agent", "list", "--json").stdout)}


def test_agent_commands(configured: Paths, daemon: Paths, tmp_path: Path) -> None:
    r = wezmp("agent", "start", "api")
    assert r.stdout.strip() == "starting db → api", r.stderr
    running = {"working", "idle", "waiting", "quiet"}
    wait_until(lambda: set(states().values()) <= running, timeout=20)
    table = wezmp("agent", "list").stdout
    assert "db" in table and "proj" in table
    shown = wezmp("agent", "show", "api")
    assert "api (shell) in proj: " in shown.stdout
    assert json.loads(wezmp("agent", "show", "api", "--json").stdout)["spec"]["kind"] == "shell"
    assert wezmp("agent", "send", "api", "hello", "there").stdout.strip() == "sent to api"
    assert (
        wezmp("agent", "send", "--workspace", "proj", "again").stdout.strip() == "sent to db, api"
    )
    assert wezmp("agent", "send", "api").returncode == 2
    pressed = wezmp("agent", "keys", "api", *"echo", "Space", *"k3y", "Enter")
    assert pressed.stdout.strip() == "pressed e c h o Space k 3 y Enter in api", pressed.stderr

    def screen() -> str:
        return str(json.loads(wezmp("agent", "explain", "api", "--json").stdout)["screen"])

    wait_until(lambda: "echo k3y\necho k3y" in screen())  # typed, then echoed by cat
    bad = wezmp("agent", "keys", "api", "Dwn")
    assert bad.returncode == 1 and "unknown key 'Dwn'" in bad.stderr
    explained = wezmp("agent", "explain", "api")
    assert explained.stdout.startswith("api: ")
    assert json.loads(wezmp("agent", "explain", "api", "--json").stdout)["agent"] == "api"
    runs = json.loads(wezmp("agent", "runs", "db", "--json").stdout)
    assert len(runs) == 1 and runs[0]["ended_at"] is None
    assert "running" in wezmp("agent", "runs", "db").stdout
    assert wezmp("agent", "restart", "api").stdout.startswith("restarted")
    assert wezmp("agent", "stop", "db").stdout.strip() == "stopped api, db"
    assert states() == {"db": "stopped", "api": "stopped"}
    spec = tmp_path / "more.yaml"
    spec.write_text("agents:\n  - name: extra\n    command: [sleep, '1']\n")
    assert wezmp("agent", "define", str(spec)).stdout.strip() == "defined extra"
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  - name: x\n    restart: {policy: sometimes}\n")
    r = wezmp("agent", "define", str(bad))
    assert r.returncode == 1 and f"{bad}:3: agents[0].restart.policy: expected one of" in r.stderr
    # A bare list of specs, or a single spec, with errors on the lines as written.
    listed = tmp_path / "list.yaml"
    listed.write_text("- name: l1\n  command: [sleep, '1']\n- name: l2\n  command: [sleep, '1']\n")
    assert wezmp("agent", "define", str(listed)).stdout.split() == [
        "defined",
        "l1",
        "defined",
        "l2",
    ]
    single = tmp_path / "single.yaml"
    single.write_text("name: one\ncommand: [sleep, '1']\nrestart:\n  max_restarts: three\n")
    r = wezmp("agent", "define", str(single))
    assert (
        r.returncode == 1
        and f"{single}:4: agents[0].restart.max_restarts: expected int" in r.stderr
    )
    single.write_text("name: one\ncommand: [sleep, '1']\n")
    assert wezmp("agent", "define", str(single)).stdout.strip() == "defined one"
    r = wezmp("agent", "start", "ghost")
    assert r.returncode == 1 and "unknown agent 'ghost'" in r.stderr
