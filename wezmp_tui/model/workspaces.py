"""Workspaces as every interface sees them (the `ws.list` / `ws.show` results)."""

from __future__ import annotations

import unicodedata

import msgspec

from wezmp_tui.errors import InvalidInput
from wezmp_tui.model.panes import PaneInfo


class WorkspaceInfo(msgspec.Struct, kw_only=True):
    name: str  # the multiplexer's workspace name (WezTerm workspace, tmux session)
    root: str = ""  # root directory
    template: str | None = None  # layout it was built from
    domain: str | None = None  # the WezTerm domain its panes run in (an SSH host, say)
    created_at: float = 0.0
    pane_count: int = 0
    agent_count: int = 0
    is_current: bool = False
    panes: list[PaneInfo] = msgspec.field(default_factory=list)  # filled by ws.show


MAX_NAME = 64


def validate_name(name: str) -> str:
    """A workspace name people can type and every backend accepts, or InvalidInput."""
    if not name or not name.strip():
        raise InvalidInput("workspace name: must not be empty")
    if name != name.strip():
        raise InvalidInput(f"workspace name {name!r}: no leading or trailing spaces")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"workspace name: at most {MAX_NAME} characters (got {len(name)})")
    for ch in name:
        if unicodedata.category(ch).startswith("C"):
            raise InvalidInput(f"workspace name {name!r}: control characters are not allowed")
    # tmux treats '.' and ':' in target names as window/pane separators.
    bad = set(name) & set(".:")
    if bad:
        raise InvalidInput(f"workspace name {name!r}: {' '.join(sorted(bad))} not allowed")
    return name
