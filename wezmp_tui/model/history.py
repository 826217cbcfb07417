"""A task's history and state in words, for the board's task view and `wezmp task show`."""

from __future__ import annotations

import json
from typing import Any

from wezmp_tui.model import dates

PRIORITY_NAMES = {"H": "High", "M": "Medium", "L": "Low", "": "none"}


def duration(seconds: float) -> str:
    """`45s`, `12m`, `1h 30m`: what a person says, not `1:30:00`."""
    s = round(max(seconds, 0.0))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):  # older entries kept the tags as JSON text
        text: str = value
        try:
            value = json.loads(text)
        except ValueError:
            return text.split()
    return [str(t) for t in value or []]


def _change(field: str, value: Any, now: float) -> str:
    if field == "title":
        return f"renamed it “{value}”"
    if field == "description":
        return "rewrote the description" if value else "cleared the description"
    if field == "priority":
        return f"set priority {PRIORITY_NAMES.get(value, value)}" if value else "cleared priority"
    if field == "tags":
        tags = _tags(value)
        return "tagged it " + " ".join(f"+{t}" for t in tags) if tags else "removed every tag"
    if field == "due":
        return f"set the due date to {dates.describe_due(value, now)}" if value else (
            "cleared the due date"
        )
    if field == "depends_on":
        deps = ", ".join(f"#{d}" for d in value or [])
        return f"made it depend on {deps}" if deps else "removed its dependencies"
    if field in ("workspace", "agent"):
        return f"set the {field} to {value}" if value else f"cleared the {field}"
    if field == "note":
        return f"noted “{value}”" if value else "cleared the note"
    return f"set {field} to {value}"


def sentence(action: str, detail: dict[str, Any], now: float) -> str:
    """One history entry as a sentence."""
    d = detail
    if action == "added":
        return f"Added to {d.get('column', 'the board')}"
    if action == "edited":
        parts = [_change(k, v, now) for k, v in d.items()]
        text = ", ".join(parts) if parts else "edited"
        return text[0].upper() + text[1:]
    if action == "moved":
        return f"Moved from {d.get('frm', '?')} to {d.get('to', '?')}"
    if action == "dispatched":
        return f"Dispatched to {d.get('agent', '?')}: typed into its pane"
    if action == "agent finished":
        return f"{d.get('agent', 'The agent')} finished it and went idle"
    if action == "requeued":
        return f"Back in the queue: {d.get('agent', 'the agent')} {d.get('reason', 'failed')}"
    if action == "enter pressed again":
        return f"Enter pressed again in {d.get('agent', 'the agent')}'s pane (no sign it began)"
    if action == "deleted":
        freed = d.get("freed") or []
        return "Deleted" + (
            f"; {', '.join(f'#{t}' for t in freed)} no longer wait for it" if freed else ""
        )
    rest = ", ".join(f"{k} {v}" for k, v in d.items())
    return action[:1].upper() + action[1:] + (f": {rest}" if rest else "")


def summary(task: dict[str, Any], now: float) -> list[tuple[str, str]]:
    """(label, value) pairs a person reads first: where it is, priority, due, tags, time."""
    rows = [("Column", str(task["column"]))]
    rows.append(("Priority", PRIORITY_NAMES.get(task["priority"], task["priority"])))
    rows.append(("Due", dates.describe_due(task["due"], now) if task.get("due") else "no date"))
    tags = task.get("tags") or []
    rows.append(("Tags", " ".join(f"+{t}" for t in tags) if tags else "none"))
    spent = duration(task.get("tracked") or 0.0)
    rows.append(("Time spent", spent + (" (timer running)" if task.get("timer_running") else "")))
    who = task.get("assigned") or task.get("agent")
    if who:
        rows.append(("Agent", str(who) + (" (working on it)" if task.get("assigned") else "")))
    if task.get("workspace"):
        rows.append(("Workspace", str(task["workspace"])))
    if task.get("depends_on"):
        deps = ", ".join(f"#{d}" for d in task["depends_on"])
        rows.append(("Depends on", deps + (" (blocked)" if task.get("blocked") else " (done)")))
    return rows
