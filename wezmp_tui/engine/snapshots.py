"""Snapshots of every workspace, restore, and what happens when the multiplexer's server dies.

A snapshot is every live workspace frozen into one file of layouts (`snapshots/*.yaml` in the
data dir). They are taken every `snapshots.interval_minutes` (read from the config in force,
so a change applies on save; 0 turns only these off), when the daemon stops cleanly, and when
the multiplexer loses every pane at once; never when nothing is live (an empty snapshot would
hide the last real one) and not again when nothing changed.

When the server dies under a running daemon (`tmux kill-server`, WezTerm closed), the pane tick
sees every pane vanish at once and publishes `pane.all_gone`. Unless that was only the last
pane closing, this service then, once: freezes the lost workspaces from what the tick last
saw (the panes' processes are already gone), ends the agents' runs without restarting them
into a server that is not there, publishes `mux.lost` and says that `wezmp restore` brings
everything back, and with `snapshots.restore_on_loss` does it.

Restore rebuilds, from the newest snapshot that has workspaces, what is missing: a workspace
with no pane comes back whole; in a partly alive one, the tabs not found live are built again
and its stopped agents started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import yaml

from wezmp_tui.config.layouts import Layout, Node, Tab, parse_layout
from wezmp_tui.engine.api import api
from wezmp_tui.engine.facade import SystemService
from wezmp_tui.engine.layouts import LayoutService, build_order
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.engine.workspaces import WorkspaceService
from wezmp_tui.errors import ConfigError, InvalidInput, NotFound
from wezmp_tui.model.agents import STOPPED_STATES
from wezmp_tui.model.events import Event
from wezmp_tui.model.panes import PaneInfo
from wezmp_tui.mux.base import MuxUnavailable

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.snapshots")
CHECK_EVERY = 5.0  # seconds between looks at whether a periodic snapshot is due


class SnapshotService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.supervisor = engine.get(Supervisor)
        self.last_taken = engine.clock.monotonic()  # the first periodic one after an interval
        self.lost: dict[str, Any] | None = None  # the last loss, until panes come back
        engine.get(SystemService).mux_lost = lambda: self.lost
        self.pending_restore: str | None = None  # a loss snapshot to restore by itself
        self._tasks: set[asyncio.Task[Any]] = set()
        engine.bus.listen(["pane.all_gone", "pane.added"], self._on_event)

    @property
    def layouts(self) -> LayoutService:
        return self.engine.get(LayoutService)

    async def start(self) -> None:
        self.engine.every("snapshots", lambda: CHECK_EVERY, self.due)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        # The state as the daemon leaves it is the one a restore after it wants (the
        # terminal may go down next, with the machine).
        with contextlib.suppress(Exception):
            await self.snapshot()

    async def due(self) -> None:
        """A periodic snapshot when one is due under the config in force now; a pending
        restore after a loss, once the multiplexer answers again."""
        if self.pending_restore is not None:
            await self._restore_by_itself()
        minutes = self.engine.config.snapshots.interval_minutes
        now = self.engine.clock.monotonic()
        if minutes <= 0:
            self.last_taken = now  # turned on later: the first one an interval after
        elif now - self.last_taken >= minutes * 60:
            await self.snapshot()

    # -- files --------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        return self.engine.paths.snapshots_dir

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("*.yaml")) if self.folder.is_dir() else []

    @staticmethod
    def _docs(path: Path) -> list[dict[str, Any]]:
        try:
            return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        except (OSError, yaml.YAMLError) as exc:
            log.warning("snapshot %s: %s", path.name, exc)
            return []

    def _write(self, docs: list[dict[str, Any]], suffix: str = "") -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.engine.clock.now()))
        path = self.folder / f"{stamp}{suffix}.yaml"
        n = 1
        while path.exists():
            n += 1
            path = self.folder / f"{stamp}{suffix}-{n}.yaml"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True))
        tmp.replace(path)
        keep = max(self.engine.config.snapshots.keep, 1)
        for old in self._files()[:-keep]:
            old.unlink()
        return path

    def _freeze_all(self, panes: list[PaneInfo]) -> list[dict[str, Any]]:
        docs: list[dict[str, Any]] = []
        for name in sorted({p.workspace for p in panes}):
            layout = self.layouts.freeze_panes(name, [p for p in panes if p.workspace == name])
            docs.append(msgspec.to_builtins(layout))
        return docs

    # -- API ----------------------------------------------------------------------------

    @api("layout.snapshot")
    async def snapshot(self) -> dict[str, Any]:
        """Freeze every live workspace into one snapshot file (keeping the last
        `snapshots.keep`); nothing is written when no workspace is live or nothing changed."""
        self.last_taken = self.engine.clock.monotonic()
        panes = await self.engine.get(PaneService).tick()
        docs = self._freeze_all(panes)
        names = [d["name"] for d in docs]
        if not docs:
            return {"path": None, "workspaces": [], "unchanged": False}
        files = self._files()
        if files and self._docs(files[-1]) == docs:
            return {"path": str(files[-1]), "workspaces": names, "unchanged": True}
        return {"path": str(self._write(docs)), "workspaces": names, "unchanged": False}

    @api("layout.snapshots")
    async def snapshots(self) -> list[dict[str, Any]]:
        """Saved snapshots, newest first, with their workspaces and pane counts."""
        out = []
        for path in reversed(self._files()):
            docs = self._docs(path)
            out.append(
                {
                    "name": path.stem,
                    "workspaces": [d.get("name") for d in docs],
                    "panes": sum(_count_panes(d) for d in docs),
                }
            )
        return out

    @api("layout.restore")
    async def restore(self, snapshot: str | None = None) -> dict[str, Any]:
        """Rebuild from a snapshot (by default the newest that has workspaces) what the
        multiplexer lacks: whole workspaces, the missing tabs of partly alive ones, and their
        stopped agents."""
        live = await self.engine.get(PaneService).tick()  # notices a loss that just happened
        path = self._pick(snapshot)
        layouts = []
        for doc in self._docs(path):
            text = yaml.safe_dump(doc, sort_keys=False)
            try:
                layouts.append(parse_layout(text, f"snapshot {path.name}: {doc.get('name')}"))
            except ConfigError as exc:
                raise InvalidInput(exc.message) from None
        restored, filled, skipped, started = [], [], [], []
        for layout in _dependencies_first(layouts):
            ws = layout.name
            mine = [p for p in live if p.workspace == ws]
            if not mine:
                await self.layouts.build(layout, ws, layout.root)
                restored.append(ws)
                continue
            missing, stopped = self._missing(layout, mine)
            if missing:
                part = msgspec.structs.replace(layout, tabs=missing)
                await self.layouts.build(part, ws, layout.root)
                filled.append(f"{ws} ({len(missing)} tab(s))")
            if stopped:
                await self.supervisor.start_agents(names=stopped)
                started += stopped
            if not missing and not stopped:
                skipped.append(ws)
        if restored or filled:
            self.lost = None
            self.pending_restore = None
        return {
            "snapshot": path.stem,
            "restored": restored,
            "filled": filled,
            "started": started,
            "skipped": skipped,
        }

    def _pick(self, name: str | None) -> Path:
        files = self._files()
        if name:
            files = [f for f in files if f.stem == name]
            if not files:
                raise NotFound(f"no snapshot named {name!r} (see: wezmp restore --list)")
            return files[-1]
        for path in reversed(files):
            if self._docs(path):
                return path
        raise NotFound("no snapshot to restore (take one with: wezmp restore --save)")

    def _missing(self, layout: Layout, live: list[PaneInfo]) -> tuple[list[Tab], list[str]]:
        """The snapshot's tabs not found among the live ones, and the agents of the tabs
        that are found which are not running. A tab is found when a live tab looks the same
        (same title, or the same panes), or when one of its agents runs: a running agent is
        never started twice."""
        agents = self.supervisor.agents
        running = {n for n, a in agents.items() if a.info.state not in STOPPED_STATES}
        now = self.layouts.freeze_panes(layout.name, live)
        shapes = [_shape(t) for t in now.tabs]
        missing, stopped = [], []
        for tab in layout.tabs:
            names = [n.agent.name for n in build_order(tab.layout) if n.agent and n.agent.name]
            if _shape(tab) in shapes:
                shapes.remove(_shape(tab))
            elif not any(n in running for n in names):
                missing.append(tab)
                continue
            stopped += [n for n in names if n not in running and n in agents]
        return missing, stopped

    # -- the multiplexer's server died ---------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.topic == "pane.added":
            self.lost = None
            return
        data = event.data or {}
        self.mux_lost(str(data.get("reason", "")))

    def mux_lost(self, reason: str) -> None:
        """Every pane vanished at once (the pane tick's `pane.all_gone`, before the panes
        are dropped): snapshot them, end their agents' runs, tell the user, maybe restore."""
        panes = list(self.engine.get(PaneService).panes)
        infos = (a.info for a in self.supervisor.agents.values())
        wanted = {a.pane_id for a in infos if a.desired == "running"}
        known = {w.name for w in self.engine.get(WorkspaceService).records()}
        counted = [p for p in panes if p.workspace in known or p.pane_id in wanted]
        # One pane closing by itself takes a tmux server with it too: that is no loss,
        # unless an agent that should run was in it.
        if len(counted) < 2 and not any(p.pane_id in wanted for p in counted):
            return
        path = self._write(self._freeze_all(counted), "-lost")
        lost = self.supervisor.mux_lost({p.pane_id for p in counted}, f"the {reason}")
        spaces = sorted({p.workspace for p in counted})
        auto = self.engine.config.snapshots.restore_on_loss
        message = (
            f"the {reason}: {len(counted)} pane(s) of {', '.join(spaces)} and "
            f"{len(lost)} agent(s) lost; "
            + ("restoring them" if auto else "`wezmp restore` brings them back")
        )
        log.warning("%s (snapshot %s)", message, path.name)
        self.lost = {
            "at": self.engine.clock.now(), "message": message, "snapshot": path.stem,
            "workspaces": spaces, "agents": lost,
        }  # fmt: skip
        self.engine.bus.publish("mux.lost", self.lost)
        self.engine.bus.publish("error", {"source": self.engine.mux.name, "message": message})
        if auto:
            self.pending_restore = path.stem
            task = asyncio.get_running_loop().create_task(self._restore_by_itself())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _restore_by_itself(self) -> None:
        name, self.pending_restore = self.pending_restore, None
        if name is None:
            return
        try:
            result = await self.restore(name)
        except MuxUnavailable:
            self.pending_restore = name  # not back yet: the next look tries again
            return
        except Exception as exc:
            self.engine.bus.publish(
                "error", {"source": "restore", "message": f"restoring {name}: {exc}"}
            )
            return
        done = ", ".join(result["restored"] + result["filled"]) or "nothing"
        self.engine.bus.publish(
            "layout.restored", {"snapshot": name, "restored": result["restored"], "text": done}
        )


def _shape(tab: Tab) -> Any:
    """What tells one tab from another: its title, else its panes' commands and agents."""
    if tab.title:
        return ("title", tab.title)

    def leaf(n: Node) -> Any:
        if n.agent is not None:
            return ("agent", n.agent.name)
        return ("pane", tuple(n.command or ()), n.cwd)

    return ("panes", tuple(sorted(map(repr, map(leaf, build_order(tab.layout))))))


def _count_panes(doc: dict[str, Any]) -> int:
    def count(node: dict[str, Any]) -> int:
        return sum(count(n) for n in node.get("panes") or []) or 1

    return sum(count(t.get("layout") or {}) for t in doc.get("tabs") or [])


def _dependencies_first(layouts: list[Layout]) -> list[Layout]:
    """Workspaces whose agents others depend on come first (a cycle keeps file order)."""
    owner = {}
    for layout in layouts:
        for tab in layout.tabs:
            for leaf in build_order(tab.layout):
                if leaf.agent and leaf.agent.name:
                    owner[leaf.agent.name] = layout.name
    needs: dict[str, set[str]] = {layout.name: set() for layout in layouts}
    for layout in layouts:
        for tab in layout.tabs:
            for leaf in build_order(tab.layout):
                for dep in leaf.agent.depends_on if leaf.agent else {}:
                    if owner.get(dep) not in (None, layout.name):
                        needs[layout.name].add(owner[dep])
    ordered: list[Layout] = []
    left = list(layouts)
    while left:
        ready = [x for x in left if needs[x.name] <= {o.name for o in ordered}] or left[:1]
        ordered.append(ready[0])
        left.remove(ready[0])
    return ordered
