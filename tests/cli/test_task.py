"""`wezmp task|board|time|report` against a real daemon, every listing also as JSON."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess

from tests.conftest import wezmp_argv
from wezmp_tui.paths import Paths


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def js(*args: str) -> object:
    r = wezmp(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_task_board_time_report(daemon: Paths) -> None:
    assert (
        wezmp("task", "add", "Write", "the", "parser", "-p", "H", "-t", "core").stdout.strip()
        == "added #1 to Backlog"
    )
    t2 = js("task", "add", "Test the parser", "--depends-on", "1", "--due", "+2d", "-t", "core")
    assert t2["blocked"] is True and t2["depends_on"] == [1]
    assert t2["due"] is not None and " due " in wezmp("task", "list").stdout
    r = wezmp("task", "edit", "2", "--due", "2026-13-45")
    assert r.returncode == 2 and "month must be in 1..12" in r.stderr
    assert js("task", "edit", "2", "--due", "tomorrow")["due"] is not None
    assert js("task", "edit", "2", "--no-due")["due"] is None
    js("task", "add", "Docs", "-c", "Queue", "-w", "api", "-a", "auto")
    listed = js("task", "list")
    assert [t["id"] for t in listed] == [1, 2, 3]
    assert "🔒" in wezmp("task", "list").stdout
    r = wezmp("task", "move", "2", "Doing")
    assert r.returncode == 1 and "task #2 is blocked by #1" in r.stderr
    assert js("task", "edit", "1", "-t", "urgent", "--untag", "core")["tags"] == ["urgent"]
    assert wezmp("task", "edit", "1", "--title", "Write the lexer").stdout.startswith("#1")
    assert js("task", "move", "1", "Doing")["column"] == "Doing"
    assert [t["id"] for t in js("task", "next")] == [3]
    assert "Docs" in wezmp("task", "next").stdout
    assert wezmp("time", "start", "1").stdout.startswith("started:")
    assert wezmp("time", "stop").stdout.startswith("stopped:")
    assert wezmp("time", "stop").stdout.strip() == "no timer running"
    assert wezmp("time", "continue").stdout.startswith("started:")
    entries = js("time", "list")
    assert entries[0]["task_id"] == 1
    assert "#1" in wezmp("time", "list").stdout
    assert wezmp("time", "edit", str(entries[0]["id"]), "--note", "pairing").returncode == 0
    assert wezmp("time", "edit", "1", "--start", "yesterday").returncode == 2
    assert js("task", "done", "1")["column"] == "Done"
    shown = js("task", "show", "1")
    assert [h["action"] for h in shown["history"]][:2] == ["added", "edited"]
    shown_text = wezmp("task", "show", "1").stdout
    assert "Time spent:" in shown_text and "Moved from Doing to Done" in shown_text
    assert wezmp("task", "rm", "3").stdout.strip() == "deleted #3"
    boards = js("board", "list")
    assert boards[0]["counts"]["Done"] == 1
    assert "Backlog 1" in wezmp("board", "list").stdout
    assert wezmp(
        "board", "create", "proj", "--column", "Todo", "--column", "Done"
    ).stdout.strip() == ("created proj: Todo | Done")
    assert js("board", "columns", "-b", "proj")["columns"] == ["Todo", "Done"]
    assert wezmp("board", "columns", "-b", "proj", "Todo", "Doing", "Done").stdout.strip() == (
        "Todo | Doing | Done"
    )
    assert js("board", "queue", "status")["paused"] is False
    assert "queue running" in wezmp("board", "queue", "status").stdout
    assert "paused" in wezmp("board", "queue", "pause").stdout
    assert "nothing to dispatch" in wezmp("board", "queue", "dry-run").stdout
    assert js("board", "queue", "dispatch") == []
    report = js("report", "--day", "--by", "tag")
    assert report["by"]["tag"][0]["key"] == "urgent"
    assert report["finished"] == 1 and report["cycle_time"]["tasks"] == 1
    rows = list(csv.reader(io.StringIO(wezmp("report", "--week", "--csv").stdout)))
    assert rows[0] == ["by", "key", "seconds", "share"]
    assert rows[1][:2] == ["task", "#1 Write the lexer"]
    month = wezmp("report", "--month", "--by", "workspace").stdout
    assert re.match(r"This month · \w+ \d{4} \(1 – \d\d \w{3}\)\n", month), month
    assert "Workspace" in month
    assert wezmp("time", "rm", str(entries[0]["id"])).returncode == 0


def test_task_list_past_every_frame_limit(daemon: Paths) -> None:
    """12,000 realistic tasks are about 5 MB of JSON, past the CLI's 4 MiB frame limit (and
    the TUI's 2 MiB): the listing arrives a page at a time, all of it."""
    from tests.board_data import seed
    from wezmp_tui.store.db import Database

    db = Database(daemon.db_file)
    with db.transaction() as conn:
        seed(conn, 12_000, 1_800_000_000.0)
    db.close()
    listed = js("task", "list")
    assert isinstance(listed, list) and len(listed) == 12_000
    assert len(json.dumps(listed)) > 4 << 20
    assert [t["id"] for t in listed[:2]] == [1, 6]  # Backlog first, in position order
    text = wezmp("task", "list", "--open")
    assert text.returncode == 0, text.stderr
    assert len(text.stdout.splitlines()) == 12_000 * 4 // 5  # Done is finished


def test_agent_work_from_the_command_line(daemon: Paths, monkeypatch: object) -> None:
    """What `wezmp mcp` offers agents, also for a person or an agent's shell."""
    import os

    wezmp("task", "add", "First")
    assert wezmp("task", "claim").returncode == 2  # nobody to claim for
    env = dict(os.environ, WEZMP_AGENT_ID="coder")
    claimed = subprocess.run(wezmp_argv("task", "claim"), capture_output=True, text=True,
                             env=env, timeout=60)  # fmt: skip
    assert claimed.stdout.startswith("#1     Doing    First") and "@coder" in claimed.stdout
    assert wezmp("task", "claim", "-a", "x").stdout.strip() == "no task to claim"
    assert wezmp("task", "comment", "1", "looks", "good").stdout.strip() == "#1 commented"
    assert wezmp("task", "comment", "1", " ").returncode == 1
    assert wezmp("time", "log", "1", "15", "--note", "review").stdout.startswith("logged: ")
    assert "at most a day" in wezmp("time", "log", "1", "2000").stderr
    assert wezmp("task", "report", "1", "blocked", "-n", "needs a key").stdout == "#1 blocked\n"
    assert "blocked" in js("task", "show", "1")["task"]["tags"]  # type: ignore[index]
    assert wezmp("task", "report", "1", "done").stdout == "#1 done\n"
    shown = js("task", "show", "1")
    assert shown["task"]["column"] == "Done" and "blocked" not in shown["task"]["tags"]  # type: ignore[index]
    assert js("task", "claim", "-a", "x") is None
