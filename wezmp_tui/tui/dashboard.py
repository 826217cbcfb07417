"""The Dashboard: workspaces → tabs → panes, agents with live state and resource use,
sparklines, and a preview of the selected pane — all pushed by daemon events, not polled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Sparkline, Static, Tree
from textual.widgets.data_table import ColumnKey

from wezmp_tui.errors import WezmpError
from wezmp_tui.model.events import Event
from wezmp_tui.model.states import STOPPED_STATES
from wezmp_tui.tui.modals import ConfirmModal, PromptModal
from wezmp_tui.tui.states import human_age, human_bytes, state_text

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from wezmp_tui.tui.app import WezmpApp

AGENT_COLUMNS = (
    "agent",
    "workspace",
    "kind",
    "state",
    "pid",
    "cpu",
    "mem",
    "restarts",
    "up",
    "exit",
    "why",
)
# A state's reason is cut to this many characters in the table (`agent explain` has it all).
WHY_CHARS = 48
PANE_COLUMNS = ("pane", "workspace", "tab", "title", "cwd", "size")
SYNC_KEYS = {"enter": "\r", "backspace": "\x7f", "tab": "\t", "ctrl+c": "\x03", "ctrl+d": "\x04"}


# Pane fields a change of which is drawn in place; anything else (a pane moving to another
# tab or workspace, a tab title) rebuilds the tree.
IN_PLACE_PANE_FIELDS = {"pids", "title", "cwd", "is_active", "is_zoomed", "rows", "cols", "tty"}


def kind_text(agent: dict[str, Any]) -> Text:
    """The kind, marked when its rules were recorded against another version of it."""
    text = Text(agent.get("kind") or "")
    if agent.get("rules_note"):
        text.append(f" ⚠ {agent.get('version') or ''}".rstrip(), style="bold yellow")
    return text


def why_text(agent: dict[str, Any]) -> Text:
    why = str(agent.get("state_reason") or "")
    if len(why) > WHY_CHARS:
        why = why[: WHY_CHARS - 1] + "…"
    return Text(why, style="bold" if agent.get("state") == "waiting" else "dim")


def validate_keys(text: str) -> str | None:
    from wezmp_tui.model.keys import parse_keys

    try:
        parse_keys(text.split())
    except WezmpError as exc:
        return exc.message
    return None


def validate_ws_name(name: str) -> str | None:
    from wezmp_tui.model.workspaces import validate_name

    try:
        validate_name(name)
    except WezmpError as exc:
        return exc.message
    return None


class DashboardScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "ws_create", "New ws", id="ws.create"),
        Binding("r", "ws_rename", "Rename ws", id="ws.rename"),
        Binding("D", "ws_delete", "Delete ws", id="ws.delete"),
        Binding("s", "ws_switch", "Switch ws", id="ws.switch"),
        Binding("f", "pane_focus", "Focus pane", id="pane.focus"),
        Binding("S", "agent_start", "Start", id="agent.start"),
        Binding("x", "agent_stop", "Stop", id="agent.stop"),
        Binding("R", "agent_restart", "Restart", id="agent.restart"),
        Binding("a", "agent_attach", "Attach", id="agent.attach"),
        Binding("i", "agent_send", "Send line", id="agent.send"),
        Binding("k", "agent_keys", "Keys", id="agent.keys"),
        Binding("w", "next_waiting", "Next waiting", id="agent.next_waiting"),
        Binding("b", "broadcast", "Broadcast", id="broadcast.send"),
        Binding("y", "sync", "Sync input", id="sync.toggle"),
        Binding("c", "copy_output", "Send output", id="send.copy", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.workspaces: list[dict[str, Any]] = []
        self.panes: list[dict[str, Any]] = []
        self.agents: dict[str, dict[str, Any]] = {}
        self.selected_ws: str | None = None
        self.selected_pane: str | None = None
        self.selected_agent: str | None = None
        self.sync_panes: list[str] = []
        self.cpu: list[float] = []
        self.mem: list[float] = []
        self.agent_cpu: dict[str, list[float]] = {}
        self._layout_pending = False
        self._pane_nodes: dict[str, TreeNode[dict[str, Any]]] = {}

    @property
    def wapp(self) -> WezmpApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="sync-indicator")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                tree: Tree[dict[str, Any]] = Tree("workspaces", id="ws-tree")
                tree.show_root = False
                yield tree
            with Vertical(id="right"):
                yield DataTable(id="agents", cursor_type="row", zebra_stripes=True)
                yield DataTable(id="panes", cursor_type="row")
                with Horizontal(id="sparks"):
                    with Vertical(classes="spark-box"):
                        yield Label("CPU", id="cpu-label")
                        yield Sparkline([], id="cpu-spark")
                    with Vertical(classes="spark-box"):
                        yield Label("MEM", id="mem-label")
                        yield Sparkline([], id="mem-spark")
                    with Vertical(classes="spark-box"):
                        yield Label("agent CPU", id="agent-label")
                        yield Sparkline([], id="agent-spark")
                yield Static("", id="preview")
        yield Footer()

    async def on_mount(self) -> None:
        agents = self.query_one("#agents", DataTable)
        for col in AGENT_COLUMNS:
            agents.add_column(col, key=col)
        panes = self.query_one("#panes", DataTable)
        for col in PANE_COLUMNS:
            panes.add_column(col, key=col)
        await self.reload()

    # -- data ---------------------------------------------------------------------------

    async def call(self, method: str, **params: Any) -> Any:
        """One API call; errors become one notification (and None)."""
        return await self.wapp.call_or_notify(method, **params)

    async def fetch(self, method: str, **params: Any) -> Any:
        """Like `call`, but a method the daemon does not have is just empty."""
        try:
            return await self.wapp.call(method, **params)
        except WezmpError:
            return None

    async def reload(self) -> None:
        self.workspaces = await self.fetch("ws.list") or []
        self.panes = await self.fetch("pane.list") or []
        agents = await self.fetch("agent.list") or []
        self.agents = {a["name"]: a for a in agents}
        self.render_tree()
        self.render_panes()
        self.render_agents()
        history = await self.fetch("metrics.history")
        if history:
            self.cpu, self.mem = list(history.get("cpu", [])), list(history.get("mem", []))
            self.render_sparks()

    def render_tree(self) -> None:
        tree: Tree[dict[str, Any]] = self.query_one("#ws-tree", Tree)
        tree.clear()
        self._pane_nodes = {}
        for ws in self.workspaces:
            mark = "★ " if ws.get("is_current") else ""
            label = Text(f"{mark}{ws['name']}", style="bold")
            label.append(f"  {ws['pane_count']}p {ws['agent_count']}a", style="dim")
            node = tree.root.add(label, data={"workspace": ws["name"]}, expand=True)
            tabs: dict[str, Any] = {}
            by_pane = {a.get("pane_id"): n for n, a in self.agents.items() if a.get("pane_id")}
            for pane in self.panes:
                if pane["workspace"] != ws["name"]:
                    continue
                tab = tabs.get(pane["tab_id"])
                if tab is None:
                    title = pane.get("tab_title") or f"tab {pane['tab_id']}"
                    tab = node.add(Text(title), data={"workspace": ws["name"]}, expand=True)
                    tabs[pane["tab_id"]] = tab
                leaf = tab.add_leaf(
                    self._pane_label(pane, by_pane.get(pane["pane_id"])),
                    data={"workspace": ws["name"], "pane": pane["pane_id"]},
                )
                self._pane_nodes[pane["pane_id"]] = leaf
        if self.selected_ws is None and self.workspaces:
            self.selected_ws = self.workspaces[0]["name"]

    @staticmethod
    def _pane_label(pane: dict[str, Any], agent: str | None) -> Text:
        text = Text(f"{pane['pane_id']} ")
        text.append(pane.get("title") or "", style="bold" if pane.get("is_active") else "")
        if agent:
            text.append(f" [{agent}]", style="italic")
        text.append(f"  {pane.get('cwd', '')}", style="dim")
        return text

    def _pane_changed(self, data: dict[str, Any]) -> bool:
        """Apply a `pane.changed` in place when it moves nothing in the tree (a title, a
        cwd, the focus, a size): no reload, no tree rebuild. False when it needs one."""
        changed = set(data) - {"pane_id", "workspace"}
        pane = next((p for p in self.panes if p["pane_id"] == data.get("pane_id")), None)
        node = self._pane_nodes.get(str(data.get("pane_id")))
        if pane is None or node is None or not changed <= IN_PLACE_PANE_FIELDS:
            return False
        pane.update({k: data[k] for k in changed})
        if changed <= {"pids"}:
            return True  # shown nowhere: the processes under a pane come and go all the time
        by_pane = {a.get("pane_id"): n for n, a in self.agents.items() if a.get("pane_id")}
        node.set_label(self._pane_label(pane, by_pane.get(pane["pane_id"])))
        self.render_panes()
        return True

    def render_panes(self) -> None:
        table = self.query_one("#panes", DataTable)
        rows = {p["pane_id"]: p for p in self.panes}
        for key in list(table.rows):
            if key.value not in rows:
                table.remove_row(key)
        for pid, p in rows.items():
            cells = (
                Text(pid),
                Text(p["workspace"]),
                Text(str(p["tab_id"])),
                Text(p.get("title") or ""),
                Text(p.get("cwd") or ""),
                Text(f"{p['cols']}x{p['rows']}"),
            )
            self._upsert(table, pid, cells, PANE_COLUMNS)

    def render_agents(self) -> None:
        """Update by row key, only the cells that changed (no flicker, no re-sort)."""
        table = self.query_one("#agents", DataTable)
        now = self.wapp.clock.now()
        colors = self.wapp.state_colors()
        for key in list(table.rows):
            if key.value not in self.agents:
                table.remove_row(key)
        for name, a in self.agents.items():
            up = "-"
            if a.get("started_at") and a["state"] not in STOPPED_STATES:
                up = human_age(now - a["started_at"])
            cells = (
                Text(name),
                Text(a.get("workspace") or ""),
                kind_text(a),
                state_text(a["state"], colors),
                Text(str(a.get("pid") or "-")),
                # Blank, not 0, when nothing runs: there is nothing to measure.
                Text("-" if a.get("cpu") is None else f"{a['cpu']:.1f}"),
                Text("-" if a.get("rss") is None else human_bytes(int(a["rss"]))),
                Text(str(a.get("restarts", 0))),
                Text(up),
                Text("" if a.get("last_exit") is None else str(a["last_exit"])),
                why_text(a),
            )
            self._upsert(table, name, cells, AGENT_COLUMNS)
        if self.selected_agent is None and self.agents:
            self.selected_agent = next(iter(self.agents))

    @staticmethod
    def _upsert(
        table: DataTable[Any], key: str, cells: tuple[Text, ...], columns: tuple[str, ...]
    ) -> None:
        if key in table.rows:  # RowKey hashes and compares as its string
            current = table.get_row(key)
            for col, old, new in zip(columns, current, cells, strict=True):
                if str(old) != str(new) or getattr(old, "style", None) != getattr(
                    new, "style", None
                ):
                    # A wider value (a pid, an age past a minute) widens its column. Only
                    # then: asked to fit a narrower one, DataTable measures every cell of the
                    # column again, for each cell changed (256 agents' CPU: 2 s a tick).
                    wider = new.cell_len > table.columns[ColumnKey(col)].content_width
                    table.update_cell(key, col, new, update_width=wider)
        else:
            table.add_row(*cells, key=key)

    def render_sparks(self) -> None:
        self.query_one("#cpu-spark", Sparkline).data = self.cpu[-120:]
        self.query_one("#mem-spark", Sparkline).data = self.mem[-120:]
        cpu = f"CPU {self.cpu[-1]:.0f}%" if self.cpu else "CPU"
        mem = f"MEM {self.mem[-1]:.0f}%" if self.mem else "MEM"
        self.query_one("#cpu-label", Label).update(cpu)
        self.query_one("#mem-label", Label).update(mem)
        series = self.agent_cpu.get(self.selected_agent or "", [])
        self.query_one("#agent-spark", Sparkline).data = series[-120:]
        self.query_one("#agent-label", Label).update(
            Text(f"{self.selected_agent} CPU" if self.selected_agent else "agent CPU")
        )

    # -- events from the daemon -----------------------------------------------------------

    async def handle_event(self, ev: Event) -> None:
        topic, data = ev.topic, ev.data or {}
        if topic.startswith(("workspace.", "pane.")):
            if topic == "pane.changed" and data.get("pane_id") == self.selected_pane:
                self.refresh_preview()
            if topic != "pane.changed" or not self._pane_changed(data):
                self.schedule_layout_reload()
        elif (
            topic == "agent.state"
            and data.get("agent") in self.agents
            and data.get("source") != "process"
        ):
            # A screen or a hook changed its mind: the event says all the table shows, no
            # `agent.list` round trip. (A process starting or ending changes pid, uptime and
            # more: those fetch the list.)
            agent = self.agents[data["agent"]]
            agent["state"] = data.get("state", agent.get("state"))
            agent["state_source"] = data.get("source", agent.get("state_source"))
            agent["state_reason"] = data.get("reason", agent.get("state_reason"))
            self.render_agents()
            if data.get("state") == "waiting":
                self.notify(f"{data.get('agent')} is waiting for input", title="waiting")
        elif topic.startswith("agent."):
            agents = await self.fetch("agent.list") or []
            self.agents = {a["name"]: a for a in agents}
            self.render_agents()
            if topic in ("agent.started", "agent.exited", "agent.added", "agent.removed"):
                self.render_tree()
            if topic == "agent.state" and data.get("state") == "waiting":
                self.notify(f"{data.get('agent')} is waiting for input", title="waiting")
            elif topic == "agent.failed":
                self.notify(
                    f"{data.get('agent')} failed: {data.get('reason', '')}",
                    severity="error",
                    title="agent failed",
                )
        elif topic == "metrics.tick":
            system = data.get("system") or {}
            if "cpu" in system:
                self.cpu = [*self.cpu[-299:], float(system["cpu"])]
                self.mem = [*self.mem[-299:], float(system["mem"])]
            for name, vals in (data.get("agents") or {}).items():
                self.agent_cpu[name] = [*self.agent_cpu.get(name, [])[-299:], float(vals["cpu"])]
                if name in self.agents:
                    self.agents[name]["cpu"] = vals["cpu"]
                    self.agents[name]["rss"] = vals["rss"]
            self.render_agents()
            self.render_sparks()
        elif topic == "error":
            self.notify(
                str(data.get("message", "")),
                severity="error",
                title=str(data.get("source", "error")),
            )

    def schedule_layout_reload(self) -> None:
        """Many pane events arrive at once; reload the tree once for the burst."""
        if self._layout_pending:
            return
        self._layout_pending = True
        self.call_after_refresh(self._reload_layout)

    async def _reload_layout(self) -> None:
        self._layout_pending = False
        self.workspaces = await self.fetch("ws.list") or []
        self.panes = await self.fetch("pane.list") or []
        self.render_tree()
        self.render_panes()

    # -- selection and preview ----------------------------------------------------------

    @on(Tree.NodeHighlighted, "#ws-tree")
    def tree_highlighted(self, event: Tree.NodeHighlighted[dict[str, Any]]) -> None:
        data = event.node.data or {}
        self.selected_ws = data.get("workspace", self.selected_ws)
        if data.get("pane"):
            self.selected_pane = data["pane"]
            self.refresh_preview()

    @on(DataTable.RowHighlighted, "#agents")
    def agent_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.selected_agent = event.row_key.value
        agent = self.agents.get(self.selected_agent or "")
        if agent and agent.get("pane_id"):
            self.selected_pane = agent["pane_id"]
            self.selected_ws = agent.get("workspace") or self.selected_ws
            self.refresh_preview()
        self.render_sparks()
        self.maybe_refresh_bindings()

    @on(DataTable.RowHighlighted, "#panes")
    def pane_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.selected_pane = event.row_key.value
        pane = next((p for p in self.panes if p["pane_id"] == self.selected_pane), None)
        if pane:
            self.selected_ws = pane["workspace"]
        self.refresh_preview()

    @work(exclusive=True, group="preview")
    async def refresh_preview(self) -> None:
        if not self.selected_pane:
            return
        text = await self.fetch("pane.get_text", pane_id=self.selected_pane, lines=11)
        self.query_one("#preview", Static).update(Text(text or "", no_wrap=True, overflow="crop"))

    def maybe_refresh_bindings(self) -> None:
        """Redraw the footer only when what is enabled changed (it is costly to rebuild)."""
        agent = self.agents.get(self.selected_agent or "")
        signature = (
            agent is not None,
            agent is not None and agent["state"] not in STOPPED_STATES,
            self.selected_pane is not None,
            self.selected_ws is not None,
        )
        if signature != getattr(self, "_bindings_signature", None):
            self._bindings_signature = signature
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("ws_rename", "ws_delete", "ws_switch"):
            return self.selected_ws is not None
        if action in (
            "agent_start", "agent_stop", "agent_restart", "agent_send", "agent_attach",
            "agent_keys",
        ):  # fmt: skip
            agent = self.agents.get(self.selected_agent or "")
            if agent is None:
                return False
            running = agent["state"] not in STOPPED_STATES
            if action == "agent_start":
                return not running
            return running
        if action in ("pane_focus", "copy_output"):
            return self.selected_pane is not None
        return True

    # -- workspace actions --------------------------------------------------------------

    def action_ws_create(self) -> None:
        async def done(name: str | None) -> None:
            if not name:
                return
            result = await self.call("ws.create", name=name)
            if result:
                self.selected_ws = name
                self.notify(f"created {name}")
                await self._reload_layout()

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
                await self._reload_layout()

        self.app.push_screen(
            PromptModal(f"Rename workspace {old}", value=old, validate=validate_ws_name), done
        )

    def action_ws_delete(self) -> None:
        name = self.selected_ws
        if name is None:
            return

        async def done(yes: bool | None) -> None:
            if yes and await self.call("ws.delete", name=name) is not None:
                self.selected_ws = None
                self.notify(f"deleted {name}")
                await self._reload_layout()

        self.app.push_screen(ConfirmModal(f"Delete workspace {name} and close its panes?"), done)

    async def action_ws_switch(self) -> None:
        if self.selected_ws and await self.call("ws.switch", name=self.selected_ws):
            self.notify(f"switched to {self.selected_ws}")
            await self._reload_layout()

    async def action_pane_focus(self) -> None:
        if self.selected_pane:
            await self.call("pane.activate", pane_id=self.selected_pane)

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
        agent = self.agents.get(self.selected_agent or "")
        if agent and agent.get("pane_id"):
            await self.call("pane.activate", pane_id=agent["pane_id"])
            if agent.get("workspace"):
                await self.call("ws.switch", name=agent["workspace"])

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
                self.notify(f"pressed {' '.join(r['keys'])} in {name}")

        agent = self.agents.get(name) or {}
        why = f" — {agent['state_reason']}" if agent.get("state") == "waiting" else ""
        self.app.push_screen(
            PromptModal(
                f"Keys to press in {name}{why}",
                placeholder="Down Down Enter · Esc · Tab · y · ctrl-c",
                validate=validate_keys,
            ),
            done,
        )

    async def action_next_waiting(self) -> None:
        waiting = [n for n, a in self.agents.items() if a["state"] == "waiting"]
        if not waiting:
            self.notify("no agent is waiting for input")
            return
        after = [n for n in waiting if self.selected_agent is None or n > self.selected_agent]
        name = (after or waiting)[0]
        table = self.query_one("#agents", DataTable)
        table.move_cursor(row=table.get_row_index(name))
        self.selected_agent = name
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
                    self.notify(f"pasted {result['lines']} line(s) into pane {result['target']}")

        self.app.push_screen(
            PromptModal(f"Send the last output of pane {source} to (pane id or agent)"), done
        )

    # -- sync input ---------------------------------------------------------------------

    def action_sync(self) -> None:
        if self.sync_panes:
            self.stop_sync()
            return
        ws = self.selected_ws
        self.sync_panes = [p["pane_id"] for p in self.panes if ws is None or p["workspace"] == ws]
        if not self.sync_panes:
            self.notify("no panes to type into", severity="warning")
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
