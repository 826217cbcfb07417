"""`wezmp logs` and `wezmp agent logs` against a real daemon, followed as they are written."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from wezmp_tui.paths import Paths

CONFIG = """\
agents:
  - name: talker
    command:
      - sh
      - -c
      - "echo hello from run; printf '\\\\033[1mbold\\\\033[0m done\\\\n'; sleep 0.3; exit 3"
    workspace: proj
    restart: {policy: on_failure, max_restarts: 1, backoff_seconds: 0.1}
"""


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


class Reader:
    """What a following command printed so far, gathered by a thread as it comes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(wezmp_argv(*args), stdout=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._gather, daemon=True)
        self.thread.start()

    def _gather(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.thread.join(timeout=10)


def test_daemon_log_followed(daemon: Paths) -> None:
    assert '"level": "info"' in daemon.log_file.read_text()  # JSON lines
    shown = wezmp("logs", "--level", "info")
    assert " INFO    wezmp: daemon " in shown.stdout
    assert wezmp("logs", "--level", "error").stdout == ""
    assert wezmp("logs", "--since", "soon").returncode == 2
    follower = Reader("logs", "-f", "--since", "1h")
    try:
        wait_until(lambda: "listening on" in follower.text())
        wezmp("daemon", "stop")
        wait_until(lambda: "daemon stopping" in follower.text())
    finally:
        follower.close()


def test_agent_output_across_runs_followed(daemon: Paths) -> None:
    daemon.config_dir.mkdir(parents=True, exist_ok=True)
    daemon.config_file.write_text(CONFIG)
    wezmp("daemon", "stop")
    follower = Reader("agent", "logs", "talker", "-f")
    try:
        assert wezmp("agent", "start", "talker").returncode == 0
        wait_until(lambda: follower.text().count("bold done") == 2, timeout=30)
        assert "\x1b" not in follower.text()
        assert "── run " in follower.text()  # the second run, told apart
    finally:
        follower.close()
    wait_until(lambda: "failed" in wezmp("agent", "list").stdout, timeout=20)
    shown = wezmp("agent", "logs", "talker").stdout
    assert shown.count("hello from run") == 2 and shown.count("── run ") == 2
    runs = [int(line.split()[2]) for line in shown.splitlines() if line.startswith("── run")]
    one = wezmp("agent", "logs", "talker", "--run", str(runs[0])).stdout
    assert one.count("hello from run") == 1 and "── run" not in one
    missing = wezmp("agent", "logs", "talker", "--run", "999")
    assert missing.returncode == 1 and f"runs kept: {runs[0]}, {runs[1]}" in missing.stderr
    assert "no agent named 'ghost'" in wezmp("agent", "logs", "ghost").stderr


def test_nothing_printed_yet(daemon: Paths, tmp_path: Path) -> None:
    spec = tmp_path / "a.yaml"
    spec.write_text("name: quiet\ncommand: [sleep, '1']\n")
    wezmp("agent", "define", str(spec))
    r = wezmp("agent", "logs", "quiet")
    assert r.returncode == 0 and r.stdout == ""
