"""The Dashboard: workspaces → tabs → panes, agents with live state and resource use,
sparklines, and a live preview of the selected agent, drawn from the app's mirror of the
daemon (`tui/state.py`) as its messages arrive.

Every key means one thing on this screen, whichever panel has focus, and acts on the
selection; a panel shows in the footer the keys that apply to it and to what is selected.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static, Tree

from wezmp_tui.errors import WezmpError
from wezmp_tui.model.keys import parse_keys
from wezmp_tui.model.workspaces import validate_name
from wezmp_tui.tui.agent_log import AgentLogKeys
from wezmp_tui.tui.context import center
from wezmp_tui.tui.messages import (
    AgentsChanged,
    LayoutChanged,
    MetricsTicked,
    PaneChanged,
    Resynced,
)
from wezmp_tui.tui.modals import ChoiceModal, ConfirmModal, PromptModal, TextModal
from wezmp_tui.tui.state import DaemonState, running
from wezmp_tui.tui.widgets.agent_table import AgentPanel, AgentTable
from wezmp_tui.tui.widgets.metrics import MetricsPanel
from wezmp_tui.tui.widgets.pane_table import PaneTable
from wezmp_tui.tui.widgets.preview import Preview
from wezmp_tui.tui.widgets.workspace_tree import WorkspaceTree

SYNC_KEYS = {"enter": "\r", "backspace": "\x7f", "tab": "\t", "ctrl+c": "\x03", "ctrl+d": "\x04"}

# Every key of the screen: (id, key, action, description, panel). A panel's keys are also
# shown in the footer while it has focus ("" : always shown; "help": only in help).
KEYS: tuple[tuple[str, str, str, str, str], ...] = (
    ("agent.start", "S", "agent_start", "Start", "agents"),
    ("agent.stop", "x", "agent_stop", "Stop", "agents"),
    ("agent.restart", "R", "agent_restart", "Restart", "agents"),
    ("agent.attach", "a", "agent_attach", "Go to pane", "agents"),
    ("agent.explain", "e", "agent_explain", "Explain", "agents"),
    ("agent.logs", "l", "agent_log", "Logs", "agents"),
    ("agent.send", "i", "agent_send", "Send line", "help"),
    ("agent.keys", "k", "agent_keys", "Press keys", "help"),
    ("agents.sort", "o", "agents_sort", "Sort", "help"),
    ("agents.search", "slash", "agents_search", "Search", "agents"),
    ("ws.create", "n", "ws_create", "New", "tree"),
    ("ws.rename", "r", "ws_rename", "Rename", "tree"),
    ("ws.delete", "D", "ws_delete", "Delete", "tree"),
    ("ws.switch", "s", "ws_switch", "Switch to", "tree"),
    ("layout.apply", "A", "layout_apply", "Apply layout", "tree"),
    ("pane.focus", "f", "pane_focus", "Go to pane", "panes"),
    ("send.copy", "c", "copy_output", "Send output", "panes"),
    ("agent.next_waiting", "w", "next_waiting", "Waiting", ""),
    ("broadcast.send", "b", "broadcast", "Broadcast", "help"),
    ("sync.toggle", "y", "sync", "Sync input", "help"),
)
PANEL_TITLES = {"tree": "Workspaces panel", "agents": "Agents panel", "panes": "Panes panel"}
# Below these sizes panels collapse: the pane table first (the tree lists the panes too).
NARROW = 110
SHORT = 32
TALL = 56


def panel_bindings(panel: str) -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """The screen's keys of one panel, shown in the footer while it has focus."""
    return [
        Binding(key, f"screen.{action}", text, id=bid, key_display="/" if key == "slash" else None)
        for bid, key, action, text, where in KEYS
        if where == panel
    ]


def validate_keys(text: str) -> str | None:
    try:
        parse_keys(text.split())
    except WezmpError as exc:
        return exc.message
    return None


def validate_ws_name(name: str) -> str | None:
    try:
        validate_name(name)
    except WezmpError as exc:
        return exc.message
    return None


class DashboardTree(WorkspaceTree):
    BINDINGS = panel_bindings("tree")


class DashboardAgents(AgentTable):
    BINDINGS = panel_bindings("agents")


class DashboardPanes(PaneTable):
    BINDINGS = panel_bindings("panes")


class DashboardScreen(AgentLogKeys):
    AUTO_FOCUS = "#agents"
    BINDINGS = [
        Binding(key, action, text, id=bid, show=where == "",
                key_display="/" if key == "slash" else None)
        for bid, key, action, text, where in KEYS
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.selected_ws: str | None = None
        self.selected_pane: str | None = None
        self.selected_agent: str | None = None
        self.sync_panes: list[str] = []
        self._stale = False  # something changed while another mode was in front
        self._bindings_signature: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="sync-indicator")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield DashboardTree(id="ws-tree")
                yield MetricsPanel(id="metrics")
            with Vertical(id="right"):
                yield AgentPanel(DashboardAgents, id="agent-panel")
                yield DashboardPanes(id="panes")
                yield Preview(id="preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.fit(self.app.size.width, self.app.size.height)
        self.draw_all()

    @property
    def state(self) -> DaemonState:
        return center(self).state

    @property
    def agent_panel(self) -> AgentPanel:
        return self.query_one(AgentPanel)

    # -- layout ---------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width, event.size.height)

    def fit(self, width: int, height: int) -> None:
        """Classes the stylesheet sizes the panels by: nothing is cut at 80x24, and at
        250x70 the room goes to rows and columns, not padding."""
        self.set_class(width < NARROW, "-narrow")
        self.set_class(height < SHORT, "-short")
        self.set_class(height >= TALL, "-tall")
        if self.is_mounted and self.query("#agents"):
            self.agent_panel.show(self.state, width)

    # -- drawing from the mirror ----------------------------------------------------------

    def draw_all(self) -> None:
        state = self.state
        self.query_one(WorkspaceTree).show(state)
        self.query_one(PaneTable).show(state)
        self.agent_panel.show(state, self.size.width or self.app.size.width)
        self.default_selection()
        self.query_one(MetricsPanel).show(self.selected_agent)
        self.follow_selection()
        self._stale = False

    def default_selection(self) -> None:
        state = self.state
        if self.selected_ws is None or state.workspace(self.selected_ws) is None:
            self.selected_ws = state.workspaces[0].name if state.workspaces else None
        if self.selected_agent not in state.agents:
            self.selected_agent = self.agent_panel.selected_name()
        if self.selected_pane is not None and self.selected_pane not in state.panes:
            self.selected_pane = None
        self.maybe_refresh_bindings()

    def hidden(self) -> bool:
        """Another mode is in front: draw once when shown again, not on every event."""
        if not self.is_current and not self.app.screen.is_modal:
            self._stale = True
            return True
        return False

    def on_screen_resume(self) -> None:
        if self._stale:
            self.draw_all()

    def on_resynced(self, _: Resynced) -> None:
        if not self.hidden():
            self.draw_all()

    def on_layout_changed(self, _: LayoutChanged) -> None:
        if self.hidden():
            return
        self.query_one(WorkspaceTree).show(self.state)
        self.query_one(PaneTable).show(self.state)
        self.default_selection()
        self.follow_selection()

    def on_pane_changed(self, message: PaneChanged) -> None:
        if self.hidden():
            return
        self.query_one(WorkspaceTree).relabel(message.pane_id, self.state)
        self.query_one(PaneTable).show_pane(message.pane_id, self.state)

    def on_agents_changed(self, message: AgentsChanged) -> None:
        if self.hidden():
            return
        self.agent_panel.show(self.state, self.size.width)
        tree = self.query_one(WorkspaceTree)
        for name in message.names:
            agent = self.state.agents.get(name)
            if agent is not None and agent.pane_id:
                tree.relabel(agent.pane_id, self.state)
        self.default_selection()
        self.follow_selection()

    def on_metrics_ticked(self, _: MetricsTicked) -> None:
        if self.hidden():
            return
        self.agent_panel.show(self.state, self.size.width)
        self.query_one(MetricsPanel).show(self.selected_agent)

    @on(AgentPanel.Changed)
    def agents_reordered(self) -> None:
        self.agent_panel.show(self.state, self.size.width)

    # -- selection ------------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#ws-tree")
    def tree_highlighted(self, event: Tree.NodeHighlighted[dict[str, Any]]) -> None:
        data = event.node.data or {}
        self.selected_ws = data.get("workspace", self.selected_ws)
        if data.get("pane"):
            self.selected_pane = data["pane"]
            agent = self.state.agent_in_pane(self.selected_pane)
            if agent is not None:
                self.select_agent(agent.name)
        self.follow_selection()

    @on(DataTable.RowHighlighted, "#agents")
    def agent_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.agent_selected(event.row_key.value)

    def agent_selected(self, name: str) -> None:
        self.selected_agent = name
        agent = self.state.agents.get(name)
        if agent is not None:
            self.selected_ws = agent.workspace or self.selected_ws
            self.selected_pane = agent.pane_id
        self.query_one(MetricsPanel).show(name)
        self.follow_selection()

    @on(DataTable.RowHighlighted, "#panes")
    def pane_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.selected_pane = event.row_key.value
        pane = self.state.panes.get(self.selected_pane or "")
        if pane is not None:
            self.selected_ws = pane.workspace
        self.follow_selection()

    def select_agent(self, name: str) -> None:
        """Select an agent, its row under the agent table's cursor."""
        table = self.query_one(AgentTable)
        if name in table.rows:
            table.move_cursor(row=table.get_row_index(name), animate=False)
        self.agent_selected(name)

    def follow_selection(self) -> None:
        """The preview follows the agent of the selection (its pane wherever it is now), else
        the pane selected in the tree or the pane table."""
        agent = self.state.agents.get(self.selected_agent or "")
        pane_agent = self.state.agent_in_pane(self.selected_pane) if self.selected_pane else None
        preview = self.query_one(Preview)
        if self.selected_pane and pane_agent is None:
            preview.follow(pane=self.selected_pane)
        elif agent is not None:
            preview.follow(agent=agent.name)
        else:
            preview.follow()
        self.maybe_refresh_bindings()

    def maybe_refresh_bindings(self) -> None:
        """Redraw the footer only when what is allowed changed (it is costly to rebuild)."""
        agent = self.state.agents.get(self.selected_agent or "")
        signature = (
            bool(self.state.agents),
            any(a.state == "waiting" for a in self.state.agents.values()),
            agent is not None,
            agent is not None and running(agent),
            agent is not None and agent.pane_id is not None,
            self.selected_pane is not None,
            self.selected_ws is not None,
        )
        if signature != self._bindings_signature:
            self._bindings_signature = signature
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """What the selection allows; anything else is hidden and does nothing."""
        if action in ("ws_rename", "ws_delete", "ws_switch"):
            return self.selected_ws is not None
        if action.startswith("agent_"):
            agent = self.state.agents.get(self.selected_agent or "")
            if agent is None:
                return False
            if action == "agent_start":
                return not running(agent)
            if action in ("agent_stop", "agent_restart", "agent_send", "agent_keys"):
                return running(agent)
            if action == "agent_attach":
                return agent.pane_id is not None
            return True
        if action in ("pane_focus", "copy_output"):
            return self.selected_pane is not None
        if action in ("agents_sort", "agents_search"):
            return bool(self.state.agents)
        if action == "next_waiting":
            return any(a.state == "waiting" for a in self.state.agents.values())
        return True

    # -- workspace actions --------------------------------------------------------------

    async def call(self, method: str, **params: Any) -> Any:
        return await center(self).call_or_notify(method, **params)

    def action_ws_create(self) -> None:
        async def done(name: str | None) -> None:
            if name and await self.call("ws.create", name=name):
                self.selected_ws = name
                self.notify(f"created {name}", title="Workspace")

        self.app.push_screen(
            PromptModal("New workspace name", placeholder="api", validate=validate_ws_name), done
        )

    def action_ws_rename(self) -> None:
        old = self.selected_ws
        if old is None:
            return

        async def done(new: str | None) -> None:
            if new and new != old and await self.call("ws.rename", old=old, new=new):
                self.selected_ws = new

        self.app.push_screen(
            PromptModal(f"Rename workspace {old}", value=old, validate=validate_ws_name), done
        )

    def action_ws_delete(self) -> None:
        """Delete, asking once; with agents running in it, the question says so and a yes
        stops them first."""
        name = self.selected_ws
        if name is None:
            return
        busy = sorted(
            a.name for a in self.state.agents.values() if a.workspace == name and running(a)
        )

        async def done(yes: bool | None) -> None:
            if yes and await self.call("ws.delete", name=name, force=bool(busy)) is not None:
                self.selected_ws = None
                self.notify(f"deleted {name}", title="Workspace")

        question = f"Delete workspace {name} and close its panes?"
        if busy:
            question = (
                f"Workspace {name} has running agents ({', '.join(busy)}). "
                "Stop them, close its panes and delete it?"
            )
        self.app.push_screen(ConfirmModal(question), done)

    async def action_ws_switch(self) -> None:
        if self.selected_ws and await self.call("ws.switch", name=self.selected_ws):
            self.notify(f"switched to {self.selected_ws}", title="Workspace")

    async def action_layout_apply(self) -> None:
        listing = await self.call("layout.list")
        if listing is None:
            return
        choices = [(lay["name"], lay.get("description") or "") for lay in listing["layouts"]]
        if not choices:
            self.notify("no layout files (wezmp layout list)", title="Layouts")
            return

        async def done(name: str | None) -> None:
            if name and (result := await self.call("layout.apply", name=name)):
                self.notify(f"built {result.get('workspace', name)}", title="Layout applied")

        self.app.push_screen(
            ChoiceModal("Apply a layout (it builds its own workspace)", choices,
                        notes=listing.get("errors") or []),
            done,
        )  # fmt: skip

    async def action_pane_focus(self) -> None:
        pane = self.state.panes.get(self.selected_pane or "")
        if pane is not None:
            await self.go_to_pane(pane.pane_id, pane.workspace)

    async def go_to_pane(self, pane_id: str, workspace: str) -> None:
        """The pane in front in WezTerm or tmux; on the built-in backend, where there is no
        window to bring forward, attach to it here."""
        if center(self).backend == "local":
            from wezmp_tui.tui.attach import AttachScreen

            self.app.push_screen(AttachScreen(pane_id))
            return
        try:
            await center(self).call("pane.activate", pane_id=pane_id)
            if workspace:
                await center(self).call("ws.switch", name=workspace)
        except WezmpError as exc:
            self.notify(exc.message, severity="error", title="Could not go to the pane")

    # -- agent actions ------------------------------------------------------------------

    async def action_agent_start(self) -> None:
        if self.selected_agent:
            await self.call("agent.start", name=self.selected_agent)

    async def action_agent_stop(self) -> None:
        if self.selected_agent:
            await self.call("agent.stop", name=self.selected_agent)

    async def action_agent_restart(self) -> None:
        if self.selected_agent:
            await self.call("agent.restart", name=self.selected_agent)

    async def action_agent_attach(self) -> None:
        agent = self.state.agents.get(self.selected_agent or "")
        if agent is not None and agent.pane_id:
            await self.go_to_pane(agent.pane_id, agent.workspace)

    async def action_agent_explain(self) -> None:
        name = self.selected_agent
        if name and (result := await self.call("agent.explain", name=name)):
            self.app.push_screen(TextModal(f"Why {name} is {result['state']}", result["text"]))

    def action_agents_sort(self) -> None:
        self.agent_panel.action_sort()

    def action_agents_search(self) -> None:
        self.agent_panel.action_search()

    def action_agent_send(self) -> None:
        name = self.selected_agent
        if not name:
            return

        async def done(line: str | None) -> None:
            if line:
                await self.call("agent.send", name=name, text=line)

        self.app.push_screen(PromptModal(f"Send a line to {name}"), done)

    def action_agent_keys(self) -> None:
        """Answer a menu or dialog in the agent's pane without leaving the control center."""
        name = self.selected_agent
        if not name:
            return

        async def done(keys: str | None) -> None:
            if keys and (r := await self.call("agent.keys", name=name, keys=keys.split())):
                self.notify(f"pressed {' '.join(r['keys'])} in {name}", title="Keys sent")

        agent = self.state.agents.get(name)
        why = f" — {agent.state_reason}" if agent and agent.state == "waiting" else ""
        self.app.push_screen(
            PromptModal(
                f"Keys to press in {name}{why}",
                placeholder="Down Down Enter · Esc · Tab · y · ctrl-c",
                validate=validate_keys,
            ),
            done,
        )

    async def action_next_waiting(self) -> None:
        waiting = sorted(n for n, a in self.state.agents.items() if a.state == "waiting")
        if not waiting:
            return
        after = [n for n in waiting if self.selected_agent is None or n > self.selected_agent]
        name = (after or waiting)[0]
        self.select_agent(name)
        await self.action_agent_attach()

    def action_broadcast(self) -> None:
        ws = self.selected_ws

        async def done(line: str | None) -> None:
            if not line:
                return
            result = await self.call("broadcast.send", text=line, workspace=ws, agents_only=True)
            if result:
                failed = ", ".join(f["pane_id"] for f in result["failed"])
                self.notify(
                    f"sent to {len(result['sent'])} pane(s)"
                    + (f"; failed: {failed}" if failed else ""),
                    severity="warning" if failed else "information",
                    title="Broadcast",
                )

        self.app.push_screen(
            PromptModal(f"Broadcast a line to the agents of {ws or 'all workspaces'}"), done
        )

    def action_copy_output(self) -> None:
        source = self.selected_pane
        if not source:
            return

        async def done(target: str | None) -> None:
            if target:
                result = await self.call(
                    "send.copy", source=source, target=target, last_output=True
                )
                if result:
                    self.notify(
                        f"pasted {result['lines']} line(s) into pane {result['target']}",
                        title="Output sent",
                    )

        self.app.push_screen(
            PromptModal(f"Send the last output of pane {source} to (pane id or agent)"), done
        )

    # -- sync input ---------------------------------------------------------------------

    def action_sync(self) -> None:
        if self.sync_panes:
            self.stop_sync()
            return
        ws = self.selected_ws
        self.sync_panes = [
            p.pane_id for p in self.state.panes.values() if ws is None or p.workspace == ws
        ]
        if not self.sync_panes:
            self.notify("no panes to type into", severity="warning", title="Sync input")
            return
        bar = self.query_one("#sync-indicator", Static)
        bar.update(
            Text(
                f"SYNC INPUT → {len(self.sync_panes)} pane(s) of {ws}: "
                "typing goes to all of them. Esc leaves."
            )
        )
        bar.add_class("active")

    def stop_sync(self) -> None:
        self.sync_panes = []
        self.query_one("#sync-indicator", Static).remove_class("active")

    async def on_key(self, event: events.Key) -> None:
        if not self.sync_panes:
            return
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            self.stop_sync()
            return
        text = SYNC_KEYS.get(event.key) or event.character
        if text:
            await self.call("broadcast.keys", panes=self.sync_panes, text=text)
