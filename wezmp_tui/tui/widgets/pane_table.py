"""The panes panel: every pane of every workspace, with its agent, title, directory, size."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from wezmp_tui.tui.widgets.border import set_border
from wezmp_tui.tui.widgets.live_table import LiveTable

if TYPE_CHECKING:
    from wezmp_tui.tui.state import DaemonState

COLUMNS = ("pane", "workspace", "tab", "agent", "title", "cwd", "size")


class PaneTable(LiveTable):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")

    def on_mount(self) -> None:
        for col in COLUMNS:
            self.add_column(col, key=col)

    def show(self, state: DaemonState) -> None:
        """Rows by pane id: removed, added, changed cell by cell."""
        for key in list(self.rows):
            if key.value not in state.panes:
                self.remove_row(key)
        for pane_id in state.panes:
            self.show_pane(pane_id, state)
        self._count(state)

    def show_pane(self, pane_id: str, state: DaemonState) -> None:
        """One pane's row (a pane event changes one pane: the others are not looked at)."""
        p = state.panes.get(pane_id)
        if p is None:
            return
        agent = state.agent_in_pane(pane_id)
        cells = (
            Text(pane_id),
            Text(p.workspace),
            Text(p.tab_id),
            Text(agent.name if agent else "", style="bold"),
            Text(p.title, overflow="ellipsis"),
            Text(p.cwd, style="dim", overflow="ellipsis"),
            Text(f"{p.cols}x{p.rows}"),
        )
        if pane_id not in self.rows:
            self.add_row(*cells, key=pane_id)
            self._count(state)
            return
        self.set_cells(
            (pane_id, col, new)
            for col, old, new in zip(COLUMNS, self.get_row(pane_id), cells, strict=True)
            if old.plain != new.plain
        )

    def _count(self, state: DaemonState) -> None:
        # The count in the title, as the agent table has it ("Agents 3").
        set_border(self, title=f"Panes {len(state.panes)}" if state.panes else "Panes")
