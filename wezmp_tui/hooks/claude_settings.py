"""Merging wezmp's entries into Claude Code's settings.json — and taking only them out.

Claude Code's format: {"hooks": {"EVENT": [{"matcher": "...", "hooks": [{"type": "command",
"command": "..."}]}]}}. The user's own entries are never touched; a backup is written before
any change; installing twice changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from wezmp_tui.errors import ConfigError
from wezmp_tui.model.claude_hooks import INSTALLED, WITH_MATCHER

EVENTS = INSTALLED
OURS = re.compile(r"(^|[/\s\"'])wezmp[\"']? hook \w+$")


def wezmp_command() -> str:
    here = Path(sys.executable).parent / "wezmp"
    exe = str(here) if here.exists() else (shutil.which("wezmp") or "wezmp")
    return exe


def settings_path(project: Path | None, *, shared: bool = False) -> Path:
    """The user's `~/.claude/settings.json`, or in a project the personal, uncommitted
    `.claude/settings.local.json` (`shared`: the committed `.claude/settings.json`)."""
    if project is None:
        return Path(os.path.expanduser("~")) / ".claude" / "settings.json"
    return project / ".claude" / ("settings.json" if shared else "settings.local.json")


def read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); nothing changed"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object; nothing changed")
    if not isinstance(data.get("hooks", {}), dict):
        raise ConfigError(f"{path}: hooks: expected an object; nothing changed")
    return data


def is_ours(hook: Any) -> bool:
    return isinstance(hook, dict) and bool(OURS.search(str(hook.get("command", ""))))


def _strip(data: dict[str, Any]) -> int:
    """Remove our entries; returns how many were removed. Empty groups/events are dropped."""
    removed = 0
    hooks = data.get("hooks", {})
    for event in list(hooks):
        groups = hooks[event]
        if not isinstance(groups, list):
            continue
        kept_groups = []
        for group in groups:
            if isinstance(group, dict) and isinstance(group.get("hooks"), list):
                before = len(group["hooks"])
                group["hooks"] = [h for h in group["hooks"] if not is_ours(h)]
                removed += before - len(group["hooks"])
                if not group["hooks"]:
                    continue
            kept_groups.append(group)
        if kept_groups:
            hooks[event] = kept_groups
        else:
            del hooks[event]
    if "hooks" in data and not data["hooks"]:
        del data["hooks"]
    return removed


def _write(path: Path, data: dict[str, Any]) -> Path | None:
    backup = None
    if path.exists():
        backup = path.with_name(f"{path.name}.wezmp-backup-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.copy2(path, backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return backup


def install(path: Path, command: str | None = None) -> dict[str, Any]:
    data = read(path)
    before = json.dumps(data, sort_keys=True)
    _strip(data)
    exe = command or wezmp_command()
    hooks = data.setdefault("hooks", {})
    for event in EVENTS:
        group: dict[str, Any] = {"hooks": [{"type": "command", "command": f"{exe} hook {event}"}]}
        if event in WITH_MATCHER:
            group = {"matcher": "*", **group}
        hooks.setdefault(event, []).append(group)
    if json.dumps(data, sort_keys=True) == before:
        return {"path": str(path), "changed": False, "backup": None}
    backup = _write(path, data)
    return {"path": str(path), "changed": True, "backup": str(backup) if backup else None}


def uninstall(path: Path) -> dict[str, Any]:
    data = read(path)
    removed = _strip(data)
    if not removed:
        return {"path": str(path), "removed": 0, "backup": None}
    backup = _write(path, data)
    return {"path": str(path), "removed": removed, "backup": str(backup) if backup else None}


def status(path: Path) -> dict[str, Any]:
    data = read(path)
    ours = {
        event: True
        for event, groups in data.get("hooks", {}).items()
        if isinstance(groups, list)
        and any(is_ours(h) for g in groups if isinstance(g, dict) for h in g.get("hooks", []))
    }
    return {
        "path": str(path),
        "installed": sorted(ours),
        "missing": [e for e in EVENTS if e not in ours],
    }
