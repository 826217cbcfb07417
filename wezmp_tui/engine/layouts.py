"""Layouts applied to the multiplexer, and live workspaces frozen back into layouts.

Applying goes through the `Mux` contract only, in tree order: the first pane of each tab is
spawned, every split splits the pane holding its region; a failure part-way kills every pane
made so far and says which step failed. Sizes become cells from the size of the tab being
built, so a frozen layout comes back to the cell in a tab of the same size and in proportion
in another.

Freezing reads the panes' places in their tabs (the splits), the command each pane was
started with (not whatever runs in it at the moment), titles that were given, and agents with
their whole definition.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from wezmp_tui.config.layouts import (
    InlineAgent,
    Layout,
    Node,
    Tab,
    agent_spec,
    dump_layout,
    list_layouts,
    load_layout,
    parse_layout,
    parse_size,
)
from wezmp_tui.engine import freeze
from wezmp_tui.engine.api import api
from wezmp_tui.engine.deps import find_cycle
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.engine.workspaces import WorkspaceService
from wezmp_tui.errors import InvalidInput, NotFound, WezmpError
from wezmp_tui.model.agents import STOPPED_STATES
from wezmp_tui.model.events import Event
from wezmp_tui.model.panes import PaneInfo
from wezmp_tui.mux.base import MuxError
from wezmp_tui.procfs import cmdline
from wezmp_tui.store.groups import PaneGroupStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.layouts")
Region = tuple[int, int]  # rows, cols of the pane a node is built in (0, 0: unknown)


@dataclass
class Build:
    workspace: str
    root: str
    layout: Layout
    created: list[str] = field(default_factory=list)
    focus: str | None = None
    step: int = 0
    agents: list[str] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # id(leaf node) -> agent name
    domain: str | None = None  # a WezTerm domain for every tab (the call's or the workspace's)

    def domain_of(self, tab: Tab) -> str | None:
        """The WezTerm domain a tab is built in (an SSH host, say), if any."""
        return self.domain or tab.domain or self.layout.domain


def first_leaf(node: Node) -> Node:
    while node.panes:
        node = node.panes[0]
    return node


def build_order(node: Node) -> list[Node]:
    """The leaves in the order their panes are made: the first leaf (spawned), then for
    each split the first leaf of its second half (split off), depth first."""

    def splits(n: Node) -> list[Node]:
        if n.split is None or not n.panes:
            return []
        return [first_leaf(n.panes[1]), *splits(n.panes[0]), *splits(n.panes[1])]

    return [first_leaf(node), *splits(node)]


class LayoutService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.groups = PaneGroupStore(engine.db)
        self.workspaces = engine.get(WorkspaceService)
        self.workspaces.layouts = self
        self.supervisor = engine.get(Supervisor)
        # The last version of each layout file that loaded: a file saved broken keeps it in
        # force (and says why) until it is fixed.
        self.last_good: dict[str, Layout] = {}
        engine.bus.listen(["layout.changed"], self._on_changed)

    async def start(self) -> None:
        list_layouts(self.engine.paths, self.last_good)

    def _on_changed(self, event: Event) -> None:
        """A saved layout file that does not load is said once, naming file, line and key."""
        changed = set((event.data or {}).get("files") or [])
        _, errors = list_layouts(self.engine.paths, self.last_good)
        for error in errors:
            if error.split(":", 1)[0] in changed:
                log.error("layouts: %s", error)
                self.engine.bus.publish("error", {"source": "layout", "message": error})

    # -- files --------------------------------------------------------------------------

    @api("layout.list")
    async def list_layouts(self) -> dict[str, Any]:
        """Shipped and user layouts (user files override by name), and broken files."""
        refs, errors = list_layouts(self.engine.paths, self.last_good)
        return {
            "layouts": [
                {"name": r.name, "description": r.description, "path": r.path, "source": r.source}
                for r in refs
            ],
            "errors": errors,
        }

    @api("layout.show")
    async def show(self, name: str) -> dict[str, Any]:
        """A layout as YAML text and structure."""
        layout = load_layout(self.engine.paths, name, self.last_good)
        return {"yaml": dump_layout(layout), "layout": msgspec.to_builtins(layout)}

    # -- apply --------------------------------------------------------------------------

    @api("layout.apply")
    async def apply(
        self,
        name: str | None = None,
        text: str | None = None,
        workspace: str | None = None,
        cwd: str | None = None,
        source: str | None = None,
        domain: str | None = None,
    ) -> dict[str, Any]:
        """Build a layout (by name or file, or given as YAML `text` read from `source`) in a
        workspace; `domain` runs its tabs in a WezTerm domain (over the layout's own)."""
        if text is not None:
            layout = parse_layout(text, source or "layout")
        elif name is not None:
            layout = load_layout(self.engine.paths, name, self.last_good)
        else:
            raise InvalidInput("give a layout name, a file, or its text")
        return await self.build(layout, workspace or layout.name, cwd, domain)

    async def build(
        self, layout: Layout, ws: str, cwd: str | None = None, domain: str | None = None
    ) -> dict[str, Any]:
        # A workspace made in a domain builds its layouts there too.
        domain = domain or self._workspace_domain(ws)
        root = os.path.expanduser(cwd or layout.root or os.getcwd())
        remote = domain or layout.domain or any(t.domain for t in layout.tabs)
        if not remote and not os.path.isdir(root):
            raise InvalidInput(f"layout {layout.name}: root {root} is not a directory")
        build = Build(workspace=ws, root=root, layout=layout, domain=domain)
        await self._define_agents(build)
        try:
            for tab in layout.tabs:
                await self._tab(build, tab)
            if build.focus:
                await self.engine.mux.activate_pane(build.focus)
        except Exception as exc:
            await self._undo(build)
            reason = exc.message if isinstance(exc, WezmpError) else f"{type(exc).__name__}: {exc}"
            raise InvalidInput(
                f"layout {layout.name}: step {build.step} failed ({reason}); "
                f"removed the {len(build.created)} pane(s) it had made"
            ) from None
        await self.engine.get(PaneService).refresh()
        self._register_workspace(ws, root, layout.name)
        self.engine.bus.publish(
            "layout.applied", {"workspace": ws, "layout": layout.name, "panes": build.created}
        )
        return {"workspace": ws, "panes": build.created, "agents": build.agents}

    def _register_workspace(self, ws: str, root: str, template: str) -> None:
        self.workspaces.adopt(ws, root, template)

    async def _define_agents(self, build: Build) -> None:
        """Name and define every agent of the layout before any pane is made, dependencies
        first, so a dependent may come before its dependency in the tree. Refused, with
        nothing changed, when one of them is running."""
        sup = self.supervisor
        inline: dict[str, tuple[InlineAgent, str]] = {}
        remote: dict[str, str] = {}  # agents of tabs in a domain, and the domain
        for tab in build.layout.tabs:
            for leaf in build_order(tab.layout):
                if leaf.agent is None:
                    continue
                name = leaf.agent.name or f"{build.workspace}-{leaf.agent.kind}-{len(inline) + 1}"
                if name in inline:
                    raise InvalidInput(f"layout {build.layout.name}: agent {name} is in two panes")
                build.names[id(leaf)] = name
                inline[name] = (leaf.agent, self._cwd(build, tab.cwd, leaf.cwd))
                if build.domain_of(tab):
                    remote[name] = build.domain_of(tab) or ""
        if not inline:
            return
        for name in inline:
            known = sup.agents.get(name)
            if known is not None and known.info.state not in STOPPED_STATES:
                raise InvalidInput(f"agent {name} is already running")
        graph = {**sup.graph(), **{n: list(a.depends_on) for n, (a, _) in inline.items()}}
        cycle = find_cycle(graph)
        if cycle:
            raise InvalidInput("dependency cycle: " + " → ".join(cycle))
        done: set[str] = set()

        async def define(name: str) -> None:
            if name in done or name not in inline:
                return
            done.add(name)
            agent, cwd = inline[name]
            for dep in agent.depends_on:
                await define(dep)
            if agent == InlineAgent(name=agent.name) and name in sup.agents:
                return  # a name alone: the agent as it is defined
            spec = agent_spec(agent, name, build.workspace, cwd)
            if name in remote:
                # Paths here mean nothing over there: the remote shell's own directory.
                spec = msgspec.structs.replace(spec, domain=remote[name], cwd=None)
            await sup.define(msgspec.to_builtins(spec), replace=True)

        for name in inline:
            await define(name)

    async def _undo(self, build: Build) -> None:
        for pane in reversed(build.created):
            try:
                await self.engine.mux.kill_pane(pane)
            except Exception as exc:  # already gone is fine
                log.info("undo: %s", exc)
        sup = self.supervisor
        for name in build.agents:
            known = sup.agents.get(name)
            if known is not None:
                known.info.desired = "stopped"
                sup._set(known.info, "exited", "process", "its layout failed")

    def _workspace_domain(self, workspace: str) -> str | None:
        row = self.workspaces.record(workspace)
        return row.domain or None if row else None

    def _cwd(self, build: Build, *parts: str | None) -> str:
        cwd = build.root
        for p in parts:
            if p:
                cwd = os.path.join(cwd, os.path.expanduser(p))
        return cwd

    async def _pane_argv(
        self, build: Build, node: Node, cwd: str
    ) -> tuple[list[str] | None, dict[str, str], str]:
        """The argv, env and cwd a leaf's pane starts with (an agent runs under `wezmp exec`,
        in its worktree when it has one)."""
        env = dict(build.layout.env)
        if node.agent is not None:
            name = build.names[id(node)]
            build.agents.append(name)
            sup = self.supervisor
            spec = sup.agents[name].spec
            if spec.worktree and not spec.domain:
                from wezmp_tui.engine.worktrees import ensure_worktree

                settings = self.engine.config.worktrees
                cwd = await ensure_worktree(cwd, name, settings)
            return sup.pane_argv(name, wait_deps=True), {**env, "WEZMP_AGENT_ID": name}, cwd
        argv = node.command
        if build.layout.before and argv:
            # Trusted layout text, run by a shell as the file's author wrote it; the pane's own
            # command stays an argv passed as positional parameters, never re-parsed.
            script = "; ".join(build.layout.before) + '; exec "$@"'
            argv = ["sh", "-c", script, "sh", *argv]
        return argv, env, cwd

    async def _tab(self, build: Build, tab: Tab) -> None:
        leaf = first_leaf(tab.layout)
        argv, env, cwd = await self._pane_argv(build, leaf, self._cwd(build, tab.cwd, leaf.cwd))
        build.step += 1
        domain = build.domain_of(tab)
        pane = await self.engine.mux.spawn(
            workspace=build.workspace,
            # A directory here means nothing on another machine: the remote shell's own.
            cwd=None if domain else cwd,
            argv=argv,
            env=env,
            domain=domain,
        )
        build.created.append(pane)
        if tab.title:
            await self.engine.mux.set_tab_title(pane, tab.title)
        region: Region = (0, 0)
        if tab.layout.split is not None:
            found = [p for p in await self.engine.mux.list_panes() if p.pane_id == pane]
            region = (found[0].rows, found[0].cols) if found else (0, 0)
        await self._node(build, tab, tab.layout, pane, region, cwd)

    async def _node(
        self, build: Build, tab: Tab, node: Node, pane: str, region: Region, cwd: str
    ) -> None:
        """Build `node` in `pane`, whose size is `region` and which was started in `cwd`."""
        if node.split is None or not node.panes:
            await self._leaf(build, node, pane, cwd)
            return
        second = first_leaf(node.panes[1])
        argv, env, new_cwd = await self._pane_argv(
            build, second, self._cwd(build, tab.cwd, second.cwd)
        )
        percent, cells = parse_size(node.size)
        rows, cols = region
        horizontal = node.split in ("left", "right")
        extent = cols if horizontal else rows
        if extent > 2:
            # Cells from the region's size, the same way on every backend.
            want = cells if cells is not None else round(extent * (percent or 50.0) / 100)
            cells, percent = max(1, min(want, extent - 2)), None
        build.step += 1
        new = await self.engine.mux.split(
            pane,
            direction=node.split,
            percent=None if percent is None else max(1, min(99, round(percent))),
            cells=cells,
            argv=argv,
            cwd=None if build.domain_of(tab) else new_cwd,
            env=env,
        )
        build.created.append(new)
        first_region: Region = (0, 0)
        second_region: Region = (0, 0)
        if extent > 2 and cells is not None:
            rest = extent - cells - 1
            first_region = (rows, rest) if horizontal else (rest, cols)
            second_region = (rows, cells) if horizontal else (cells, cols)
        await self._node(build, tab, node.panes[0], pane, first_region, cwd)
        await self._node(build, tab, node.panes[1], new, second_region, new_cwd)

    async def _leaf(self, build: Build, node: Node, pane: str, cwd: str) -> None:
        if node.agent is not None:
            self.supervisor.placed(build.names[id(node)], pane, build.workspace, cwd)
        elif build.layout.before and not node.command:
            for line in build.layout.before:
                await self.engine.mux.send_text(pane, line, paste=False, enter=True)
        if node.title:
            # A title is a nicety: a program may replace it anyway.
            with contextlib.suppress(MuxError):
                await self.engine.mux.set_pane_title(pane, node.title)
        if node.focus:
            build.focus = pane
        if node.group:
            self.groups.add(node.group, [pane], build.workspace)

    # -- freeze -------------------------------------------------------------------------

    @api("layout.freeze")
    async def freeze(self, workspace: str) -> dict[str, Any]:
        """The live workspace as a layout: tabs and their splits with sizes to the cell, each
        pane's cwd, title and the command it was started with, and agents with their whole
        definition."""
        panes = [p for p in await self.engine.get(PaneService).tick() if p.workspace == workspace]
        if not panes:
            raise NotFound(f"workspace {workspace!r} has no panes")
        layout = self.freeze_panes(workspace, panes)
        return {"yaml": dump_layout(layout), "layout": msgspec.to_builtins(layout)}

    def freeze_panes(self, workspace: str, panes: list[PaneInfo]) -> Layout:
        """A layout of `panes` (one workspace's). Works from what the pane tick remembers
        when the panes' processes are gone (a multiplexer that died)."""
        every = self.supervisor.agents.values()
        agents = {a.info.pane_id: a.name for a in every if a.info.pane_id}
        groups = self.groups.group_of()
        root = freeze.common_root(p.cwd for p in panes)
        tabs: dict[str, list[PaneInfo]] = {}
        for p in panes:
            tabs.setdefault(p.tab_id, []).append(p)

        def leaf(p: PaneInfo) -> Node:
            return self._leaf_of(p, agents.get(p.pane_id), groups.get(p.pane_id), root)

        out = [
            Tab(title=tab[0].tab_title or None, layout=freeze.split_tree(tab, leaf))
            for tab in tabs.values()
        ]
        return Layout(
            name=workspace, description=f"frozen from workspace {workspace}", root=root, tabs=out
        )

    def _leaf_of(self, p: PaneInfo, agent: str | None, group: str | None, root: str | None) -> Node:
        launched = self.engine.get(PaneService).command_of(p)
        names = [a[0] for a in (cmdline(pid) for pid in p.pids) if a]
        title = freeze.own_title(p, [*names, *(launched or [])[:1]])
        known = self.supervisor.agents.get(agent or "")
        if agent is not None and known is not None:
            spec = known.spec
            inline = InlineAgent(
                name=agent, kind=spec.kind, command=spec.command, env=spec.env,
                depends_on=dict(spec.depends_on), restart=spec.restart, log_ready=spec.log_ready,
                readiness=spec.readiness, autostart=spec.autostart, worktree=spec.worktree,
                group=spec.group,
            )  # fmt: skip
            cwd = freeze.relative(spec.cwd or p.cwd, root)
            return Node(agent=inline, cwd=cwd, title=title, focus=p.is_active, group=group)
        return Node(
            command=freeze.own_command(launched),
            cwd=freeze.relative(p.cwd, root),
            title=title,
            focus=p.is_active,
            group=group,
        )
