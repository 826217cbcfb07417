"""Workspaces as every interface sees them (the `ws.list` / `ws.show` results)."""

from __future__ import annotations

import msgspec

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
