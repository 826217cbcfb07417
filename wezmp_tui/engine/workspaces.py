"""Workspaces: named groups of panes (a WezTerm workspace, a tmux session), kept in SQLite
and reconciled with the multiplexer when the daemon starts."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import msgspec

from wezmp_tui.engine.api import api
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model.agents import STOPPED_STATES
from wezmp_tui.model.events import Event
from wezmp_tui.model.workspaces import WorkspaceInfo, validate_name
from wezmp_tui.store.workspaces import WorkspaceStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.workspaces")


class WorkspaceService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = WorkspaceStore(engine.db)
        self.current: str | None = None
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
        known = {w["name"] for w in self.store.all()}
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

    async def _agents(self) -> list[dict[str, Any]]:
        if "agent.list" not in self.engine.methods:
            return []
        agents: list[dict[str, Any]] = msgspec.to_builtins(await self.engine.invoke("agent.list"))
        return agents

    async def _info(self, row: dict[str, Any], with_panes: bool) -> WorkspaceInfo:
        panes = [p for p in self.panes.panes if p.workspace == row["name"]]
        agents = [a for a in await self._agents() if a.get("workspace") == row["name"]]
        return WorkspaceInfo(
            name=row["name"],
            root=row["root"],
            template=row["template"],
            domain=row.get("domain"),
            created_at=row["created_at"],
            pane_count=len(panes),
            agent_count=len(agents),
            is_current=row["name"] == self._current(),
            panes=panes if with_panes else [],
        )

    def _current(self) -> str | None:
        mux_current = getattr(self.engine.mux, "current_workspace", None)
        return self.current or mux_current

    def _require(self, name: str) -> dict[str, Any]:
        row = self.store.get(name)
        if row is None:
            raise NotFound(f"no workspace named {name!r} (see: wezmp ws list)")
        return row

    def _autostarted(self, workspace: str) -> list[str]:
        from wezmp_tui.engine.supervisor import Supervisor

        try:
            return self.engine.get(Supervisor).autostarted(workspace)
        except LookupError:
            return []

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
                if "layout.apply" not in self.engine.methods:
                    raise InvalidInput("templates need the layout service")
                params = {"name": template, "workspace": name, "cwd": root or None}
                await self.engine.invoke("layout.apply", {**params, "domain": domain})
            else:
                await self.engine.mux.spawn(workspace=name, cwd=root or None, domain=domain)
        except Exception:
            self.store.delete(name)
            raise
        await self.panes.refresh()
        self.engine.bus.publish("workspace.created", {"workspace": name, "root": root})
        return await self._info(self._require(name), with_panes=True)

    @api("ws.list")
    async def list_workspaces(self) -> list[WorkspaceInfo]:
        """Every workspace with its pane and agent counts."""
        return [await self._info(row, with_panes=False) for row in self.store.all()]

    @api("ws.show")
    async def show(self, name: str) -> WorkspaceInfo:
        """One workspace with its live panes."""
        return await self._info(self._require(name), with_panes=True)

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
        return await self._info(self._require(new), with_panes=False)

    @api("ws.delete")
    async def delete(self, name: str, force: bool = False) -> dict[str, Any]:
        """Delete a workspace and kill its panes; refuses while agents run unless `force`
        (its `autostart` agents stop with it)."""
        self._require(name)
        running = [
            a["name"]
            for a in await self._agents()
            if a.get("workspace") == name and a.get("state") not in STOPPED_STATES
        ]
        own = set(self._autostarted(name))
        blocking = [a for a in running if a not in own]
        if blocking and not force:
            raise Conflict(
                f"workspace {name!r} has running agents ({', '.join(blocking)}); "
                "stop them or use --force"
            )
        if running and "agent.stop" in self.engine.methods:
            for agent in running:
                await self.engine.invoke("agent.stop", {"name": agent})
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
        return await self._info(self._require(name), with_panes=False)

    @api("ws.current")
    async def current_workspace(self) -> str | None:
        """The workspace last switched to (None when unknown)."""
        return self._current()

    @api("ws.reconcile")
    async def reconcile_api(self) -> dict[str, list[str]]:
        """Re-read the multiplexer and adopt or retire panes and workspaces."""
        return await self.reconcile()

    @api("ws.demo")
    async def demo(self) -> dict[str, Any]:
        """On the built-in backend with no workspace yet, a `demo` workspace with live panes."""
        from wezmp_tui.engine.demo import ensure_demo

        return await ensure_demo(self)
