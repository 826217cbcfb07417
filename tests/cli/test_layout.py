"""`wezmp layout …` and `wezmp restore` against a real daemon on tmux."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import wezmp_argv
from wezmp_tui.paths import Paths


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def test_layout_commands(daemon: Paths, tmp_path: Path) -> None:
    assert "review" in wezmp("layout", "list").stdout
    assert "agents-2x2" in [
        x["name"] for x in json.loads(wezmp("layout", "list", "--json").stdout)["layouts"]
    ]
    assert wezmp("layout", "show", "review").stdout.startswith("name: review")
    f = tmp_path / "two.yaml"
    f.write_text(
        "name: two\ntabs:\n  - layout:\n      split: bottom\n      panes:\n"
        "        - {command: [sleep, '300']}\n        - {command: [sleep, '301']}\n"
    )
    r = wezmp("layout", "apply", str(f), "--cwd", str(tmp_path))
    assert r.stdout.strip() == "built two: 2 pane(s)", r.stderr
    out = tmp_path / "frozen.yaml"
    assert wezmp("layout", "freeze", "two", "-o", str(out)).stdout.strip() == f"wrote {out}"
    assert "split: bottom" in out.read_text()
    assert "sleep" in wezmp("layout", "freeze", "two").stdout
    r = wezmp("layout", "apply", str(out), "--workspace", "copy", "--cwd", str(tmp_path))
    assert r.stdout.strip() == "built copy: 2 pane(s)"
    assert wezmp("restore", "--save").stdout.startswith("saved ")
    assert "two" in wezmp("restore", "--list").stdout
    assert "already running: copy, two" in wezmp("restore").stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntabs:\n  - layout: {split: up, panes: [{}, {}]}\n")
    r = wezmp("layout", "apply", str(bad))
    assert r.returncode == 1
    assert f"{bad}:3: tabs[0].layout.split: expected one of right, left, top, bottom" in r.stderr
    assert wezmp("layout", "apply", "no-such-layout").stderr.strip() == (
        "Error: no layout named 'no-such-layout' (see: wezmp layout list)"
    )


def test_a_dependent_agent_in_a_layout_waits_for_its_dependency(
    daemon: Paths, tmp_path: Path
) -> None:
    """A layout makes every pane at once; the dependent agent's pane waits (and says why)
    until the dependency's condition holds, then starts; a kill restarts it in place."""
    from tests.conftest import require_tmux
    from tests.helpers import wait_until

    require_tmux()  # reads the pane with tmux itself

    go = tmp_path / "GO"
    f = tmp_path / "deps.yaml"
    f.write_text(
        "name: deps\ntabs:\n  - layout:\n      split: right\n      panes:\n"
        "        - agent: {name: srv, command: [sh, -c, 'while [ ! -f GO ]; do sleep 0.05; done;"
        " echo READY; exec cat'], log_ready: READY}\n"
        "        - agent: {name: wrk, kind: shell, command: [sh], depends_on: {srv: log_ready},"
        " restart: {policy: always, backoff_seconds: 0.2}}\n"
    )
    r = wezmp("layout", "apply", str(f), "--cwd", str(tmp_path))
    assert r.stdout.strip() == "built deps: 2 pane(s), agents srv, wrk", r.stderr

    def agent(name: str) -> dict[str, object]:
        return json.loads(wezmp("agent", "show", name, "--json").stdout)["agent"]  # type: ignore[no-any-return]

    def wrk_text() -> str:
        tmux = ["tmux", "-L", os.environ["WEZMP_TMUX_SOCKET"]]
        pane = str(agent("wrk")["pane_id"])
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", pane], capture_output=True, text=True, check=False
        ).stdout

    assert wait_until(lambda: "wrk waiting: srv output has no 'READY' yet" in wrk_text())
    assert agent("srv")["pid"] and not agent("wrk")["pid"]
    assert agent("wrk")["state"] == "starting"
    released = time.time()
    go.touch()
    first = wait_until(lambda: agent("wrk")["pid"], timeout=20)
    # Up since it started, not since its pane was made.
    assert float(str(agent("wrk")["started_at"])) >= released - 0.5
    # Killed from outside: restarted in the same pane, the table counting it.
    os.kill(int(str(first)), signal.SIGKILL)
    wait_until(lambda: agent("wrk")["restarts"] == 1 and agent("wrk")["pid"] not in (None, first))
