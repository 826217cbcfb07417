"""`wezmp mcp` registered as an MCP server for Claude Code, where Claude Code reads it.

As `claude mcp add` writes it (Claude Code 2.x): a project's servers in `<project>/.mcp.json`
(committed, shared with the team; Claude Code asks each person to approve it once), the
user's own in `~/.claude.json` under `mcpServers`, each
`{"type": "stdio", "command": ..., "args": [...], "env": {}}`. Everything else in those files
is kept as it was (`~/.claude.json` is Claude Code's own state file, written by it all the
time: only our entry changes, its mode stays).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path
from typing import Any

from wezmp_tui.errors import ConfigError
from wezmp_tui.hooks.claude_settings import read, wezmp_command

NAME = "wezmp"


def config_path(project: Path | None) -> Path:
    if project is None:
        return Path(os.path.expanduser("~")) / ".claude.json"
    return project / ".mcp.json"


def entry(command: str | None = None) -> dict[str, Any]:
    return {"type": "stdio", "command": command or wezmp_command(), "args": ["mcp"], "env": {}}


def _servers(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    servers = data.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise ConfigError(f"{path}: mcpServers: expected an object; nothing changed")
    return servers


def _write(path: Path, data: dict[str, Any]) -> str | None:
    backup = None
    mode = 0o600 if path.name == ".claude.json" else 0o644
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        backup = path.with_name(f"{path.name}.wezmp-backup-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.copy2(path, backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.wezmp-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)
    return str(backup) if backup else None


def install(path: Path, command: str | None = None) -> dict[str, Any]:
    data = read(path)
    servers = _servers(path, data)
    want = entry(command)
    if servers.get(NAME) == want:
        return {"path": str(path), "changed": False, "backup": None}
    servers[NAME] = want
    return {"path": str(path), "changed": True, "backup": _write(path, data)}


def uninstall(path: Path) -> dict[str, Any]:
    data = read(path)
    servers = _servers(path, data)
    if NAME not in servers:
        return {"path": str(path), "removed": 0, "backup": None}
    del servers[NAME]
    return {"path": str(path), "removed": 1, "backup": _write(path, data)}


def installed(path: Path) -> bool:
    servers = read(path).get("mcpServers")
    return isinstance(servers, dict) and NAME in servers
