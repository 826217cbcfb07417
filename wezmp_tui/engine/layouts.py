"""Layouts applied to the multiplexer, live workspaces frozen back into layouts, and
periodic snapshots to rebuild workspaces after WezTerm restarts.

Applying goes through the `Mux` contract only, in tree order: the first pane of each tab is
spawned, every split splits the pane holding its region; a failure part-way kills every pane
made so far and says which step failed.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import yaml

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
from wezmp_tui.engine.api import api
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.errors import ConfigError, InvalidInput, NotFound, WezmpError
from wezmp_tui.model.panes import PaneInfo
from wezmp_tui.model.states import STOPPED_STATES
from wezmp_tui.mux.ttypids import cmdline

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.layouts")
SHELLS = {"sh", "bash", "zsh", "fish", "dash", "ksh", "tcsh", "nu", "-bash", "-zsh", "-sh"}


@dataclass
class Build:
    workspace: str
    root: str
    layout: Layout
    created: list[str] = field(default_factory=list)
    focus: str | None = None
    step: int = 0
    agents: list[str] = field(default_factory=list)


def first_leaf(node: Node) -> Node:
    while node.panes:
        node = node.panes[0]
    return node


class LayoutService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def start(self) -> None:
        snaps = getattr(self.engine.config, "snapshots", None)
        minutes = getattr(snaps, "interval_minutes", 0) or 0
        if minutes > 0:
            self.engine.every("snapshots", lambda: minutes * 60.0, self.snapshot)

    # -- files --------------------------------------------------------------------------

    @api("layout.list")
    async def list_layouts(self) -> dict[str, Any]:
        """Shipped and user layouts (user files override by name), and broken files."""
        refs, errors = list_layouts(self.engine.paths)
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
        layout = load_layout(self.engine.paths, name)
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
    ) -> dict[str, Any]:
        """Build a layout (by name or file, or given as YAML `text` read from `source`) in a
        workspace."""
        if text is not None:
            layout = parse_layout(text, source or "layout")
        elif name is not None:
            layout = load_layout(self.engine.paths, name)
        else:
            raise InvalidInput("give a layout name, a file, or its text")
        ws = workspace or layout.name
        root = os.path.expanduser(cwd or layout.root or os.getcwd())
        if not os.path.isdir(root):
            raise InvalidInput(f"layout {layout.name}: root {root} is not a directory")
        build = Build(workspace=ws, root=root, layout=layout)
        try:
            for i, tab in enumerate(layout.tabs):
                await self._tab(build, i, tab)
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
        from wezmp_tui.engine.workspaces import WorkspaceService

        try:
            store = self.engine.get(WorkspaceService).store
        except LookupError:
            return
        if store.get(ws) is None:
            store.add(ws, root, template, self.engine.clock.now())

    async def _undo(self, build: Build) -> None:
        from wezmp_tui.engine.supervisor import Supervisor

        for pane in reversed(build.created):
            try:
                await self.engine.mux.kill_pane(pane)
            except Exception as exc:  # already gone is fine
                log.info("undo: %s", exc)
        try:
            sup = self.engine.get(Supervisor)
        except LookupError:
            return
        for name in build.agents:
            info = sup.agents.get(name)
            if info is not None:
                info.desired = "stopped"
                sup._set(info, "exited", "process", "its layout failed")

    def _cwd(self, build: Build, *parts: str | None) -> str:
        cwd = build.root
        for p in parts:
            if p:
                cwd = os.path.join(cwd, os.path.expanduser(p))
        return cwd

    async def _pane_argv(
        self, build: Build, node: Node, cwd: str, tab_index: int
    ) -> tuple[list[str] | None, dict[str, str]]:
        """The argv and env a leaf's pane starts with (an agent runs under `wezmp exec`)."""
        env = dict(build.layout.env)
        if node.agent is not None:
            return await self._agent_argv(build, node.agent, cwd, tab_index), env
        argv = node.command
        if build.layout.before and argv:
            # Trusted layout text, run by a shell as the file's author wrote it; the pane's own
            # command stays an argv passed as positional parameters, never re-parsed.
            script = "; ".join(build.layout.before) + '; exec "$@"'
            argv = ["sh", "-c", script, "sh", *argv]
        return argv, env

    async def _agent_argv(self, build: Build, inline: InlineAgent, cwd: str, tab: int) -> list[str]:
        from wezmp_tui.engine.supervisor import Supervisor

        name = inline.name or f"{build.workspace}-{inline.kind}-{len(build.agents) + 1}"
        spec = agent_spec(inline, name, build.workspace, cwd)
        await self.engine.invoke(
            "agent.define", {"spec": msgspec.to_builtins(spec), "replace": True}
        )
        build.agents.append(name)
        sup = self.engine.get(Supervisor)
        info = sup.agents[name]
        if info.state not in STOPPED_STATES:
            raise InvalidInput(f"agent {name} is already running")
        return sup.exec_argv(name, wait_deps=True)

    async def _tab(self, build: Build, index: int, tab: Tab) -> None:
        leaf = first_leaf(tab.layout)
        cwd = self._cwd(build, tab.cwd, leaf.cwd)
        argv, env = await self._pane_argv(build, leaf, cwd, index)
        build.step += 1
        pane = await self.engine.mux.spawn(
            workspace=build.workspace, cwd=cwd, argv=argv, env=self._env(env, leaf)
        )
        build.created.append(pane)
        if tab.title:
            await self.engine.mux.set_tab_title(pane, tab.title)
        await self._node(build, tab, index, tab.layout, pane)

    @staticmethod
    def _env(env: dict[str, str], leaf: Node) -> dict[str, str]:
        if leaf.agent is not None:
            name = leaf.agent.name
            if name:
                return {**env, "WEZMP_AGENT_ID": name}
        return env

    async def _node(self, build: Build, tab: Tab, index: int, node: Node, pane: str) -> None:
        if node.split is None or not node.panes:
            await self._leaf(build, tab, node, pane)
            return
        second = first_leaf(node.panes[1])
        cwd = self._cwd(build, tab.cwd, second.cwd)
        argv, env = await self._pane_argv(build, second, cwd, index)
        percent, cells = parse_size(node.size)
        build.step += 1
        new = await self.engine.mux.split(
            pane,
            direction=node.split,
            percent=percent,
            cells=cells,
            argv=argv,
            cwd=cwd,
            env=self._env(env, second),
        )
        build.created.append(new)
        await self._node(build, tab, index, node.panes[0], pane)
        await self._node(build, tab, index, node.panes[1], new)

    async def _leaf(self, build: Build, tab: Tab, node: Node, pane: str) -> None:
        from wezmp_tui.engine.supervisor import Supervisor

        if node.agent is not None:
            name = build.agents[-1] if node.agent.name is None else node.agent.name
            self.engine.get(Supervisor).placed(
                name, pane, build.workspace, self._cwd(build, tab.cwd, node.cwd)
            )
        elif build.layout.before and not node.command:
            for line in build.layout.before:
                await self.engine.mux.send_text(pane, line, paste=False, enter=True)
        if node.focus:
            build.focus = pane
        if node.group and "group.add" in self.engine.methods:
            await self.engine.invoke(
                "group.add", {"group": node.group, "panes": [pane], "workspace": build.workspace}
            )

    # -- freeze -------------------------------------------------------------------------

    @api("layout.freeze")
    async def freeze(self, workspace: str) -> dict[str, Any]:
        """The live workspace as a layout: tabs, panes with approximate sizes, cwd, and the
        agent or foreground command of each pane."""
        panes = [p for p in await self.engine.get(PaneService).tick() if p.workspace == workspace]
        if not panes:
            raise NotFound(f"workspace {workspace!r} has no panes")
        layout = self.freeze_panes(workspace, panes)
        return {"yaml": dump_layout(layout), "layout": msgspec.to_builtins(layout)}

    def freeze_panes(self, workspace: str, panes: list[PaneInfo]) -> Layout:
        from wezmp_tui.engine.supervisor import Supervisor

        try:
            agents = {
                a.pane_id: a for a in self.engine.get(Supervisor).agents.values() if a.pane_id
            }
        except LookupError:
            agents = {}
        groups: dict[str, str] = {}
        if "group.list" in self.engine.methods:
            from wezmp_tui.engine.broadcast import BroadcastService

            try:
                svc = self.engine.get(BroadcastService)
                for row in svc.engine.db.query("SELECT grp, pane_id FROM pane_groups"):
                    groups[row["pane_id"]] = row["grp"]
            except LookupError:
                pass
        root = (
            os.path.commonpath([p.cwd for p in panes if p.cwd])
            if any(p.cwd for p in panes)
            else None
        )
        tabs: dict[str, list[PaneInfo]] = {}
        for p in panes:
            tabs.setdefault(p.tab_id, []).append(p)
        out = []
        for tab_panes in tabs.values():
            leaves = [self._leaf_of(p, agents, groups, root) for p in tab_panes]
            out.append(Tab(title=tab_panes[0].tab_title or None, layout=_chain(tab_panes, leaves)))
        return Layout(
            name=workspace, description=f"frozen from workspace {workspace}", root=root, tabs=out
        )

    def _leaf_of(
        self, p: PaneInfo, agents: dict[str, Any], groups: dict[str, str], root: str | None
    ) -> Node:
        cwd = os.path.relpath(p.cwd, root) if root and p.cwd else (p.cwd or None)
        if cwd == ".":
            cwd = None
        agent = agents.get(p.pane_id)
        if agent is not None:
            from wezmp_tui.engine.supervisor import Supervisor

            spec = self.engine.get(Supervisor).specs[agent.name]
            inline = InlineAgent(
                name=agent.name, kind=spec.kind, command=spec.command, env=spec.env,
                depends_on=dict(spec.depends_on), restart=spec.restart,
                log_ready=spec.log_ready, worktree=spec.worktree,
            )  # fmt: skip
            return Node(agent=inline, cwd=cwd, focus=p.is_active, group=groups.get(p.pane_id))
        return Node(
            command=_foreground_command(p), cwd=cwd, focus=p.is_active, group=groups.get(p.pane_id)
        )

    # -- snapshots and restore ----------------------------------------------------------

    @api("layout.snapshot")
    async def snapshot(self) -> dict[str, Any]:
        """Freeze every workspace into one snapshot file in the data dir (keeping the last N)."""
        panes = await self.engine.get(PaneService).tick()
        names = sorted({p.workspace for p in panes})
        docs = [
            msgspec.to_builtins(self.freeze_panes(n, [p for p in panes if p.workspace == n]))
            for n in names
        ]
        d = self.engine.paths.snapshots_dir
        d.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.engine.clock.now()))
        path = d / f"{stamp}.yaml"
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True))
        keep = getattr(getattr(self.engine.config, "snapshots", None), "keep", 20) or 20
        for old in sorted(d.glob("*.yaml"))[:-keep]:
            old.unlink()
        return {"path": str(path), "workspaces": names}

    @api("layout.snapshots")
    async def snapshots(self) -> list[dict[str, Any]]:
        """Saved snapshots, newest first."""
        d = self.engine.paths.snapshots_dir
        out = []
        for path in sorted(d.glob("*.yaml"), reverse=True) if d.is_dir() else []:
            docs = list(yaml.safe_load_all(path.read_text()))
            out.append({"name": path.stem, "workspaces": [doc["name"] for doc in docs if doc]})
        return out

    @api("layout.restore")
    async def restore(self, snapshot: str | None = None) -> dict[str, Any]:
        """Rebuild the workspaces of a snapshot (the newest by default) that the multiplexer
        does not have now."""
        d = self.engine.paths.snapshots_dir
        files = sorted(d.glob("*.yaml")) if d.is_dir() else []
        if snapshot:
            files = [f for f in files if f.stem == snapshot]
        if not files:
            raise NotFound("no snapshot to restore" + (f" named {snapshot!r}" if snapshot else ""))
        path = files[-1]
        live = {p.workspace for p in await self.engine.get(PaneService).tick()}
        restored, skipped = [], []
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc:
                continue
            if doc["name"] in live:
                skipped.append(doc["name"])
                continue
            text = yaml.safe_dump(doc, sort_keys=False)
            try:
                await self.apply(text=text, workspace=doc["name"], cwd=doc.get("root"))
            except ConfigError as exc:
                raise InvalidInput(f"snapshot {path.name}: {exc.message}") from None
            restored.append(doc["name"])
        return {"snapshot": path.stem, "restored": restored, "skipped": skipped}


def _foreground_command(p: PaneInfo) -> list[str] | None:
    """The newest process on the pane's tty, unless it is just the shell."""
    for pid in reversed(p.pids):
        argv = cmdline(pid)
        if not argv:
            continue
        if Path(argv[0]).name in SHELLS and len(argv) == 1:
            return None
        if Path(argv[0]).name in SHELLS and argv[1:2] == ["-c"] and len(argv) >= 3:
            return argv
        return argv
    return None


def _chain(panes: list[PaneInfo], leaves: list[Node]) -> Node:
    """A split tree from a tab's panes: side by side when they share a height, stacked when
    they share a width; sizes from the panes' cells (an approximation a rebuild honours)."""
    if len(leaves) == 1:
        return leaves[0]
    side_by_side = len({p.rows for p in panes}) == 1 or len({p.cols for p in panes}) != 1
    sizes = [p.cols if side_by_side else p.rows for p in panes]
    total = sum(sizes) or 1
    rest = sum(sizes[1:])
    percent = max(1, min(99, round(100 * rest / total)))
    return Node(
        split="right" if side_by_side else "bottom",
        size=f"{percent}%",
        panes=[leaves[0], _chain(panes[1:], leaves[1:])],
    )
