"""API method names and event sources said in words, for notification titles: a person reads
"Could not move the task", not `task.move`."""

from __future__ import annotations

NOUNS = {
    "ws": "workspace", "pane": "pane", "agent": "agent", "task": "task", "board": "board",
    "time": "timer", "queue": "queue", "report": "report", "layout": "layout",
    "theme": "theme", "config": "config", "broadcast": "broadcast", "send": "output",
    "metrics": "metrics", "worktree": "worktree", "group": "group", "rules": "rules",
    "system": "daemon",
}  # fmt: skip
VERBS = {
    "add": "add", "create": "create", "define": "define", "delete": "delete", "rm": "delete",
    "remove": "remove", "edit": "change", "rename": "rename", "move": "move",
    "switch": "switch to", "activate": "focus", "get_text": "read", "list": "list",
    "show": "show", "start": "start", "stop": "stop", "restart": "restart", "send": "send to",
    "keys": "press keys in", "explain": "explain", "apply": "apply", "snapshot": "save",
    "restore": "restore", "done": "finish", "dispatch": "dispatch", "pause": "pause",
    "resume": "resume", "copy": "copy", "continue": "continue", "status": "reach",
}  # fmt: skip
SOURCES = {
    "config": "Config file", "layout": "Layout file", "theme": "Theme file",
    "rules": "Rules file", "plugin": "Plugin",
}  # fmt: skip


def failure_title(method: str) -> str:
    """`task.move` -> "Could not move the task"."""
    noun, _, verb = method.partition(".")
    what = NOUNS.get(noun, noun.replace("_", " "))
    if not verb:
        return f"{what.capitalize()} failed"
    if noun == "broadcast":
        return "Could not broadcast"
    if verb == "list":
        return f"Could not list the {what}s"
    return f"Could not {VERBS.get(verb, verb.replace('_', ' '))} the {what}"


def source_title(source: str) -> str:
    """The source of an `error` event (`config`, `layout`, a service) as a title."""
    words = source.replace("_", " ").replace(".", " ").capitalize()
    return SOURCES.get(source) or words or "Error"
