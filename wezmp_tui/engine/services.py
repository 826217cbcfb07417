"""The services the daemon runs, in start order ("module:Class", each built as Class(engine)).

Later services may look up earlier ones with `engine.get(Class)`; reactions across services go
through the event bus.
"""

from __future__ import annotations

SERVICES: list[str] = [
    "wezmp_tui.engine.proctable:ProcessTable",
    "wezmp_tui.engine.panes:PaneService",
    "wezmp_tui.engine.workspaces:WorkspaceService",
    "wezmp_tui.engine.supervisor:Supervisor",
    "wezmp_tui.engine.agent_state:AgentStateService",
    "wezmp_tui.engine.metrics:MetricsService",
    "wezmp_tui.engine.board:BoardService",
    "wezmp_tui.engine.timetrack:TimeService",
    "wezmp_tui.engine.queue:QueueService",
    "wezmp_tui.engine.reports:ReportService",
    "wezmp_tui.engine.layouts:LayoutService",
    "wezmp_tui.engine.snapshots:SnapshotService",
    "wezmp_tui.engine.worktree_service:WorktreeService",
    "wezmp_tui.engine.broadcast:BroadcastService",
    "wezmp_tui.engine.status_file:StatusFileService",
    "wezmp_tui.engine.watch_service:WatchService",
    "wezmp_tui.engine.demo:DemoService",
]
