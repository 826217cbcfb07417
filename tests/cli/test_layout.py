"""`wezmp layout …` and `wezmp restore` against a real daemon on tmux."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

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


def test_agents_running_then_the_tmux_server_killed_then_restore(
    daemon: Paths, tmp_path: Path
) -> None:
    """The whole cycle as a user sees it: a workspace with agents, its tmux server killed
    under the running daemon, `wezmp restore` bringing back the same panes, sizes, titles
    and agents with their definitions."""
    from tests.helpers import wait_until

    sock = os.environ["WEZMP_TMUX_SOCKET"]
    tmux = ["tmux", "-L", sock]
    f = tmp_path / "rd.yaml"
    f.write_text(
        "name: rd\ntabs:\n  - title: work\n    layout:\n      split: right\n      size: 40%\n"
        "      panes:\n"
        "        - agent: {name: api, command: [sh, -c, 'echo READY; exec sleep 300'],"
        " restart: {policy: always, backoff_seconds: 0.2}, readiness: {log_regex: READY}}\n"
        "        - split: bottom\n          size: 10\n          panes:\n"
        "            - agent: {name: web, command: [sleep, '301'], depends_on: {api: healthy}}\n"
        "            - {command: [sh, -c, 'while :; do sleep 3; done'], title: watcher}\n"
        "  - title: notes\n    layout: {command: [sleep, '302']}\n"
    )
    assert wezmp("layout", "apply", str(f), "--cwd", str(tmp_path)).returncode == 0

    def show(name: str) -> dict[str, Any]:
        return json.loads(wezmp("agent", "show", name, "--json").stdout)  # type: ignore[no-any-return]

    def layout() -> list[str]:
        fmt = "#{window_name} #{pane_left},#{pane_top} #{pane_width}x#{pane_height} #{pane_title}"
        out = subprocess.run([*tmux, "list-panes", "-a", "-F", fmt], capture_output=True,
                             text=True, check=False).stdout  # fmt: skip
        return sorted(out.splitlines())

    wait_until(lambda: show("api")["agent"]["pid"] and show("web")["agent"]["pid"], timeout=30)
    before, specs = layout(), {n: show(n)["spec"] for n in ("api", "web")}
    assert len(before) == 4 and any(line.endswith(" watcher") for line in before)
    subprocess.run([*tmux, "kill-server"], check=True)
    wait_until(lambda: "`wezmp restore` brings them back" in wezmp("daemon", "status").stdout)
    assert "4 pane(s) of rd and 2 agent(s) lost" in wezmp("daemon", "status").stdout
    for name in ("api", "web"):  # runs ended, nothing restarted into a dead server
        agent = show(name)
        assert agent["agent"]["state"] == "exited" and agent["agent"]["pane_id"] is None
        assert all(r["ended_at"] is not None for r in agent["runs"])
    assert subprocess.run([*tmux, "has-session"], capture_output=True).returncode != 0
    r = wezmp("restore")
    assert r.stdout.startswith("restored rd from ") and r.stdout.split()[-1].endswith("-lost")
    assert layout() == before
    assert {n: show(n)["spec"] for n in ("api", "web")} == specs
    wait_until(lambda: show("api")["agent"]["pid"] and show("web")["agent"]["pid"], timeout=30)
    assert "already running: rd" in wezmp("restore").stdout


def test_daemon_stop_then_the_tmux_server_killed_then_restore(
    daemon: Paths, tmp_path: Path
) -> None:
    """`wezmp daemon stop; tmux kill-server; wezmp restore`: the daemon started by restore
    takes no empty snapshot of its own, and the one taken at the stop rebuilds everything."""
    f = tmp_path / "two.yaml"
    f.write_text(
        "name: two\ntabs:\n  - layout:\n      split: bottom\n      size: 30%\n      panes:\n"
        "        - {command: [sleep, '300'], title: top}\n        - {command: [sleep, '301']}\n"
    )
    assert wezmp("layout", "apply", str(f), "--cwd", str(tmp_path)).returncode == 0
    sock = os.environ["WEZMP_TMUX_SOCKET"]
    fmt = "#{pane_top} #{pane_height} #{pane_title}"
    listing = ["tmux", "-L", sock, "list-panes", "-a", "-F", fmt]
    before = subprocess.run(listing, capture_output=True, text=True, check=True).stdout
    assert wezmp("daemon", "stop").stdout.startswith("stopped")
    subprocess.run(["tmux", "-L", sock, "kill-server"], check=True)
    r = wezmp("restore")
    assert r.stdout.startswith("restored two from "), r.stdout + r.stderr
    after = subprocess.run(listing, capture_output=True, text=True, check=True).stdout
    assert after == before
    assert " 2 pane(s)  two" in wezmp("restore", "--list").stdout
