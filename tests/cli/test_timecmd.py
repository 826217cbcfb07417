"""`wezmp time …`: entries across midnight, and a timer across `wezmp daemon stop`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

from tests.conftest import wezmp_argv
from wezmp_tui.cli.timecmd import _fmt
from wezmp_tui.paths import Paths


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def test_an_entry_across_midnight_shows_the_day_it_ended() -> None:
    start = dt.datetime(2027, 3, 1, 23, 0).timestamp()
    entry = {"id": 1, "task_id": 2, "task": "t", "start": start, "duration": 5400.0}
    assert _fmt({**entry, "end": start + 5400}) == (
        "    1 #2     2027-03-01 23:00 - 2027-03-02 00:30   1:30:00  t"
    )
    assert _fmt({**entry, "end": start + 1800}) == (
        "    1 #2     2027-03-01 23:00 - 23:30     1:30:00  t"
    )
    assert "- running" in _fmt({**entry, "end": None})


def test_a_timer_runs_on_across_a_daemon_stop(daemon: Paths) -> None:
    assert wezmp("task", "add", "write").returncode == 0
    assert wezmp("time", "start", "1").returncode == 0
    assert wezmp("daemon", "stop").stdout.startswith("stopped")
    # Any command starts the daemon again; the timer was never closed.
    entries = json.loads(wezmp("time", "list", "--json").stdout)
    assert [e["end"] for e in entries] == [None]
    assert wezmp("time", "stop").stdout.startswith("stopped:")
