"""The workspaces panel: workspaces → tabs → panes, each pane marked with its agent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Tree

from wezmp_tui.tui.context import center
from wezmp_tui.tui.states import state_text
from wezmp_tui.tui.widgets.border import set_border

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from wezmp_tui.model.panes import PaneInfo
    from wezmp_tui.tui.state import DaemonState

# One short line each: a tree label does not wrap.
EMPTY = ("No workspaces yet.", "n: create one", "A: from a layout")


class WorkspaceTree(Tree[dict[str, Any]]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("workspaces", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.pane_nodes: dict[str, TreeNode[dict[str, Any]]] = {}
        self.state: DaemonState | None = None
        self.drawn_width = 0

    def on_mount(self) -> None:
        self.border_title = "Workspaces"

    def on_resize(self) -> None:
        if self.state is not None and self.content_size.width != self.drawn_width:
            self.show(self.state)

    def room(self, depth: int) -> int:
        """Cells a label at `depth` (0: a workspace) has before it must end in "…"."""
        width = self.content_size.width or 40
        return max(8, width - (depth + 1) * self.guide_depth - 1)

    def show(self, state: DaemonState) -> None:
        """Rebuild from the mirror, keeping the cursor on the same workspace or pane."""
        keep = self.cursor_node.data if self.cursor_node is not None else None
        self.state = state
        self.drawn_width = self.content_size.width
        self.clear()
        self.pane_nodes = {}
        colors = center(self).state_colors()
        accent = center(self).theme_color("accent", "yellow")
        if not state.workspaces:
            for line in EMPTY:
                self.root.add_leaf(Text(line, style="dim italic"), data={})
        for ws in state.workspaces:
            label = Text("★ " if ws.is_current else "", style=f"bold {accent}")
            label.append(ws.name, style="bold")
            label.append(f"  {ws.pane_count}p {ws.agent_count}a", style="dim")
            label.truncate(self.room(0), overflow="ellipsis")
            node = self.root.add(label, data={"workspace": ws.name}, expand=True)
            tabs: dict[str, TreeNode[dict[str, Any]]] = {}
            for pane in state.panes.values():
                if pane.workspace != ws.name:
                    continue
                tab = tabs.get(pane.tab_id)
                if tab is None:
                    title = Text(pane.tab_title or f"tab {pane.tab_id}", style="dim")
                    tab = node.add(title, data={"workspace": ws.name}, expand=True)
                    tabs[pane.tab_id] = tab
                leaf = tab.add_leaf(
                    self.pane_label(pane, state, colors, self.room(2)),
                    data={"workspace": ws.name, "pane": pane.pane_id},
                )
                self.pane_nodes[pane.pane_id] = leaf
        if not keep and state.workspaces:  # a cursor from the start: keys act on what it shows
            current = next((w for w in state.workspaces if w.is_current), state.workspaces[0])
            keep = {"workspace": current.name}
        if keep:
            self.select_data(keep)
        # The count in the title, as the agent table has it ("Agents 3").
        count = f" {len(state.workspaces)}" if state.workspaces else ""
        set_border(self, title=f"Workspaces{count}")

    def select_data(self, data: dict[str, Any]) -> None:
        """Put the cursor on the pane, else the workspace, of `data`."""
        node = self.pane_nodes.get(data.get("pane") or "")
        if node is None:
            node = next(
                (n for n in self.root.children if (n.data or {}).get("workspace") == data.get(
                    "workspace")),
                None,
            )  # fmt: skip
        if node is not None:
            self.move_cursor(node)

    def relabel(self, pane_id: str, state: DaemonState) -> None:
        node = self.pane_nodes.get(pane_id)
        pane = state.panes.get(pane_id)
        if node is not None and pane is not None:
            label = self.pane_label(pane, state, center(self).state_colors(), self.room(2))
            # Most pane events change nothing the label shows (a process came or went):
            # setting a label redraws the tree.
            if label != node.label:
                node.set_label(label)

    @staticmethod
    def pane_label(
        pane: PaneInfo, state: DaemonState, colors: dict[str, str], room: int
    ) -> Text:
        text = Text(f"{pane.pane_id} ", style="dim")
        agent = state.agent_in_pane(pane.pane_id)
        if agent is not None:
            icon = state_text(agent.state, colors)
            text.append(icon.plain.split()[0] + " ", style=icon.style)
            text.append(agent.name, style="bold")
        else:
            text.append(pane.title or "", style="bold" if pane.is_active else "")
        if pane.cwd:
            text.append(f"  {pane.cwd}", style="dim")
        text.truncate(room, overflow="ellipsis")
        return text
