"""A task's history and summary in words."""

from __future__ import annotations

import datetime as dt

from wezmp_tui.model.history import duration, sentence, summary

NOW = dt.datetime(2026, 11, 25, 10, 30).timestamp()


def test_every_action_reads_as_a_sentence() -> None:
    due = dt.datetime(2026, 11, 26).timestamp()
    said = [
        sentence("added", {"title": "x", "column": "Backlog"}, NOW),
        sentence("edited", {"title": "New", "priority": "H", "tags": ["a", "b"]}, NOW),
        sentence("edited", {"due": due, "agent": None, "tags": '["old"]'}, NOW),
        sentence("edited", {"due": None, "priority": "", "tags": [], "depends_on": [1, 2]}, NOW),
        sentence("edited", {"description": "", "workspace": "api", "note": "hi"}, NOW),
        sentence("moved", {"frm": "Backlog", "to": "Queue"}, NOW),
        sentence("dispatched", {"agent": "claude-1"}, NOW),
        sentence("agent finished", {"agent": "claude-1"}, NOW),
        sentence("requeued", {"agent": "codex", "reason": "exited"}, NOW),
        sentence("enter pressed again", {"agent": "codex"}, NOW),
        sentence("deleted", {"freed": [4]}, NOW),
        sentence("deleted", {"freed": []}, NOW),
        sentence("timer started", {}, NOW),
    ]
    assert said == [
        "Added to Backlog",
        "Renamed it “New”, set priority High, tagged it +a +b",
        "Set the due date to Thu 26 Nov 2026 (tomorrow), cleared the agent, tagged it +old",
        "Cleared the due date, cleared priority, removed every tag, made it depend on #1, #2",
        "Cleared the description, set the workspace to api, noted “hi”",
        "Moved from Backlog to Queue",
        "Dispatched to claude-1: typed into its pane",
        "claude-1 finished it and went idle",
        "Back in the queue: codex exited",
        "Enter pressed again in codex's pane (no sign it began)",
        "Deleted; #4 no longer wait for it",
        "Deleted",
        "Timer started",
    ]


def test_summary_and_durations() -> None:
    task = {"column": "Doing", "priority": "M", "due": None, "tags": ["api"], "tracked": 5400.0,
            "timer_running": True, "assigned": "bot", "agent": None, "workspace": "w",
            "depends_on": [3], "blocked": False}  # fmt: skip
    assert summary(task, NOW) == [
        ("Column", "Doing"), ("Priority", "Medium"), ("Due", "no date"), ("Tags", "+api"),
        ("Time spent", "1h 30m (timer running)"), ("Agent", "bot (working on it)"),
        ("Workspace", "w"), ("Depends on", "#3 (done)"),
    ]  # fmt: skip
    assert [duration(s) for s in (0, 59, 61, 3599, 3600, 86399)] == [
        "0s", "59s", "1m", "59m", "1h 00m", "23h 59m"
    ]  # fmt: skip
