"""Workspaces: named groups of panes (a WezTerm workspace, a tmux session), kept in SQLite
and reconciled with the multiplexer when the daemon starts."""

from __future__ import annotations

import logging
import os
from collections import Counter
from typing import TYPE_CHECKING, Any, Protocol

from wezmp_tui.engine.api import api
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model.agents import STOPPED_STATES, AgentInfo
from wezmp_tui.model.events import Event
from wezmp_tui.model.workspaces import WorkspaceInfo, validate_name
from wezmp_tui.store.workspaces import WorkspaceStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.workspaces")


class WorkspaceAgents(Protocol):
    """What this service asks about agents. The supervisor, a service above this one, puts
    itself here when it is made (a call upward would be an import cycle)."""

    def agents_in(self, workspace: str | None) -> list[AgentInfo]: ...

    def autostarted(self, workspace: str | None = None) -> list[str]: ...

    async def stop_agent(self, name: str) -> dict[str, Any]: ...


class WorkspaceLayouts(Protocol):
    """How a template becomes panes; the layout service puts itself here."""

    async def apply(
        self, name: str | None = None, text: str | None = None, workspace: str | None = None,
        cwd: str | None = None, source: str | None = None, domain: str | None = None,
    ) -> dict[str, Any]: ...  # fmt: skip


class WorkspaceService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = WorkspaceStore(engine.db)
        self.current: str | None = None
        self.agents: WorkspaceAgents | None = None  # None: an engine without a supervisor
        self.layouts: WorkspaceLayouts | None = None
        engine.bus.listen(["pane.added", "pane.removed"], self._on_pane)

    @property
    def panes(self) -> PaneService:
        return self.engine.get(PaneService)

    async def start(self) -> None:
        await self.reconcile()

    async def reconcile(self) -> dict[str, list[str]]:
        """Bring the store in line with the mux: vanished panes are marked gone, new panes of
        known workspaces adopted, and workspaces found only in the mux adopted too."""
        # What the store believed before looking (the tick's events update it as well).
        known = {w.name for w in self.store.all()}
        believed = [p["pane_id"] for w in known for p in self.store.panes(w) if not p["gone"]]
        live = await self.panes.tick()
        now = self.engine.clock.now()
        adopted_ws = []
        for pane in live:
            if pane.workspace not in known:
                self.store.add(pane.workspace, pane.cwd, None, now)
                known.add(pane.workspace)
                adopted_ws.append(pane.workspace)
        live_ids = {p.pane_id for p in live}
        gone = [p for p in believed if p not in live_ids]
        self.store.mark_gone(gone)
        self.store.see_panes([(p.pane_id, p.workspace) for p in live], now)
        if adopted_ws or gone:
            log.info("reconciled: adopted workspaces %s, panes gone %s", adopted_ws, gone)
        return {"adopted": adopted_ws, "gone": gone}

    def _on_pane(self, event: Event) -> None:
        data = event.data or {}
        pid, ws = data.get("pane_id"), data.get("workspace")
        if not pid or not ws:
            return
        if event.topic == "pane.removed":
            self.store.mark_gone([pid])
        elif self.store.get(ws) is not None:
            self.store.see_panes([(pid, ws)], self.engine.clock.now())

    # -- what services above ask ---------------------------------------------------------

    def record(self, name: str) -> WorkspaceInfo | None:
        """A workspace as stored (root, template, domain), or None."""
        return self.store.get(name)

    def records(self) -> list[WorkspaceInfo]:
        return self.store.all()

    def adopt(self, name: str, root: str, template: str | None) -> None:
        """Record a workspace made outside `ws.create` (a layout applied to a new name)."""
        if self.store.get(name) is None:
            self.store.add(name, root, template, self.engine.clock.now())
            self.engine.bus.publish("workspace.created", {"workspace": name, "root": root})

    def _infos(self, rows: list[WorkspaceInfo], with_panes: bool) -> list[WorkspaceInfo]:
        """Stored workspaces with their live counts (one look at the agents for all)."""
        agents = Counter(a.workspace for a in self.agents.agents_in(None)) if self.agents else {}
        panes = Counter(p.workspace for p in self.panes.panes)
        current = self._current()
        for row in rows:
            row.pane_count = panes.get(row.name, 0)
            row.agent_count = agents.get(row.name, 0)
            row.is_current = row.name == current
            if with_panes:
                row.panes = [p for p in self.panes.panes if p.workspace == row.name]
        return rows

    def _info(self, row: WorkspaceInfo, with_panes: bool) -> WorkspaceInfo:
        return self._infos([row], with_panes)[0]

    def _current(self) -> str | None:
        mux_current = getattr(self.engine.mux, "current_workspace", None)
        return self.current or mux_current

    def _require(self, name: str) -> WorkspaceInfo:
        row = self.store.get(name)
        if row is None:
            raise NotFound(f"no workspace named {name!r} (see: wezmp ws list)")
        return row


    @api("ws.create")
    async def create(
        self,
        name: str,
        cwd: str | None = None,
        template: str | None = None,
        domain: str | None = None,
    ) -> WorkspaceInfo:
        """Create a workspace: its first pane at `cwd`, or the panes of a layout template.
        With `domain` (a WezTerm domain: an SSH host, say) its panes and agents run there, and
        `cwd` is a directory on that side."""
        validate_name(name)
        if domain:
            root = cwd or ""
        else:
            root = os.path.abspath(os.path.expanduser(cwd)) if cwd else os.path.expanduser("~")
            if not os.path.isdir(root):
                raise InvalidInput(f"--cwd {cwd}: not a directory")
        if self.store.get(name) is not None or any(p.workspace == name for p in self.panes.panes):
            raise Conflict(f"workspace {name!r} already exists")
        self.store.add(name, root, template, self.engine.clock.now(), domain)
        try:
            if template:
                if self.layouts is None:
                    raise InvalidInput("templates need the layout service")
                await self.layouts.apply(
                    name=template, workspace=name, cwd=root or None, domain=domain
                )
            else:
                await self.engine.mux.spawn(workspace=name, cwd=root or None, domain=domain)
        except Exception:
            self.store.delete(name)
            raise
        await self.panes.refresh()
        self.engine.bus.publish("workspace.created", {"workspace": name, "root": root})
        return self._info(self._require(name), with_panes=True)

    @api("ws.list")
    async def list_workspaces(self) -> list[WorkspaceInfo]:
        """Every workspace with its pane and agent counts."""
        return self._infos(self.store.all(), with_panes=False)

    @api("ws.show")
    async def show(self, name: str) -> WorkspaceInfo:
        """One workspace with its live panes."""
        return self._info(self._require(name), with_panes=True)

    @api("ws.rename")
    async def rename(self, old: str, new: str) -> WorkspaceInfo:
        """Rename a workspace, in the multiplexer too."""
        self._require(old)
        validate_name(new)
        if self.store.get(new) is not None:
            raise Conflict(f"workspace {new!r} already exists")
        if any(p.workspace == old for p in self.panes.panes):
            await self.engine.mux.rename_workspace(old, new)
        self.store.rename(old, new)
        if self.current == old:
            self.current = new
        await self.panes.refresh()
        self.engine.bus.publish("workspace.renamed", {"workspace": new, "old": old})
        return self._info(self._require(new), with_panes=False)

    @api("ws.delete")
    async def delete(self, name: str, force: bool = False) -> dict[str, Any]:
        """Delete a workspace and kill its panes; refuses while agents run unless `force`
        (its `autostart` agents stop with it)."""
        self._require(name)
        in_it = self.agents.agents_in(name) if self.agents else []
        running = [a.name for a in in_it if a.state not in STOPPED_STATES]
        own = set(self.agents.autostarted(name)) if self.agents else set()
        blocking = [a for a in running if a not in own]
        if blocking and not force:
            raise Conflict(
                f"workspace {name!r} has running agents ({', '.join(blocking)}); "
                "stop them or use --force"
            )
        if self.agents is not None:
            for agent in running:
                await self.agents.stop_agent(agent)
        killed = []
        for pane in [p for p in await self.panes.tick() if p.workspace == name]:
            try:
                await self.engine.mux.kill_pane(pane.pane_id)
                killed.append(pane.pane_id)
            except Exception as exc:  # a pane closing by itself meanwhile is fine
                log.info("kill %s: %s", pane.pane_id, exc)
        self.store.delete(name)
        if self.current == name:
            self.current = None
        await self.panes.refresh()
        self.engine.bus.publish("workspace.deleted", {"workspace": name})
        return {"workspace": name, "killed": killed}

    @api("ws.switch")
    async def switch(self, name: str) -> WorkspaceInfo:
        """Bring a workspace to the front (WezTerm via the Lua module, tmux switch-client)."""
        self._require(name)
        await self.engine.mux.switch_workspace(name)
        self.current = name
        self.engine.bus.publish("workspace.switched", {"workspace": name})
        return self._info(self._require(name), with_panes=False)

    @api("ws.current")
    async def current_workspace(self) -> str | None:
        """The workspace last switched to (None when unknown)."""
        return self._current()

    @api("ws.reconcile")
    async def reconcile_api(self) -> dict[str, list[str]]:
        """Re-read the multiplexer and adopt or retire panes and workspaces."""
        return await self.reconcile()
