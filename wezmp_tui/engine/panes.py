"""The pane tick: the ONE place that lists the multiplexer's panes.

Every `refresh_interval` it calls `mux.list_panes()` once, keeps the result for the other
services (agent state and metrics read `PaneService.panes`, never the mux), and publishes what
changed: `pane.added`, `pane.removed`, and `pane.changed` with only the changed fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from wezmp_tui.engine.api import api
from wezmp_tui.model.panes import PaneInfo, SplitDirection, ZoomMode
from wezmp_tui.mux.base import MuxUnavailable
from wezmp_tui.procfs import cmdline, root_pid

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

_FIELDS = [f for f in PaneInfo.__struct_fields__ if f != "pane_id"]
QUIET_FIELDS = {"pids"}  # changes of these alone publish no `pane.changed`


class PaneService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.panes: list[PaneInfo] = []
        self.by_id: dict[str, PaneInfo] = {}
        self.ticks = 0
        # What each pane was started with (its root process's argv), read once the pane has
        # been seen by an earlier tick (its program has exec'd by then) and kept after the
        # process is gone: a pane's own command, for freezing it even once it has died.
        self.launched: dict[str, tuple[int, list[str]]] = {}
        self._seen_at: dict[str, int] = {}

    async def start(self) -> None:
        await self.tick()
        self.engine.every("pane-tick", self._interval, self.tick)

    def _interval(self) -> float:
        return self.engine.config.refresh_interval or 1.0

    async def tick(self) -> list[PaneInfo]:
        """List once, diff with the last list, publish the differences. When every pane
        vanishes at once, `pane.all_gone` goes first, while `panes` still holds them (the
        snapshot service tells a dead multiplexer server from panes closed one by one)."""
        mux = self.engine.mux
        try:
            panes = await mux.list_panes()
        except MuxUnavailable:
            if self.by_id:
                self._lost(f"{mux.name} server went away")
                self.apply([])
            raise
        # Only tmux answers "no panes" when its server is gone (it exits with its last
        # session): WezTerm that went away cannot be reached at all (above), and the built-in
        # backend's panes live in the daemon.
        if not panes and self.by_id and mux.name == "tmux":
            self._lost(f"{mux.name} server went away")
        self.apply(panes)
        return panes

    def _lost(self, reason: str) -> None:
        spaces = sorted({p.workspace for p in self.panes})
        self.engine.bus.publish(
            "pane.all_gone", {"reason": reason, "workspaces": spaces, "panes": len(self.panes)}
        )

    def apply(self, panes: list[PaneInfo]) -> None:
        new = {p.pane_id: p for p in panes}
        old = self.by_id
        bus = self.engine.bus
        for pid, pane in new.items():
            before = old.get(pid)
            if before is None:
                bus.publish("pane.added", msgspec.to_builtins(pane))
            elif before != pane:
                changed = {
                    f: msgspec.to_builtins(getattr(pane, f))
                    for f in _FIELDS
                    if getattr(pane, f) != getattr(before, f)
                }
                # Processes coming and going on a pane are not an event: an agent's tools
                # start some every second or so, and clients that want them list the panes.
                if changed.keys() - QUIET_FIELDS:
                    bus.publish(
                        "pane.changed", {"pane_id": pid, "workspace": pane.workspace, **changed}
                    )
        for pid, pane in old.items():
            if pid not in new:
                bus.publish(
                    "pane.removed",
                    {"pane_id": pid, "workspace": pane.workspace, "tab_id": pane.tab_id},
                )
        self.panes = panes
        self.by_id = new
        self.ticks += 1
        for pid in old.keys() - new.keys():
            self._seen_at.pop(pid, None)
            self.launched.pop(pid, None)
        for pane in panes:
            if self._seen_at.setdefault(pane.pane_id, self.ticks) < self.ticks:
                self.command_of(pane)

    def command_of(self, pane: PaneInfo) -> list[str] | None:
        """The argv the pane was started with (None when unknown): read from its root
        process while it lives, remembered after."""
        root = root_pid(pane.pids, self.engine.mux.processes.cached())
        known = self.launched.get(pane.pane_id)
        if root is not None and (known is None or known[0] != root):
            argv = cmdline(root)
            if argv:
                self.launched[pane.pane_id] = known = (root, argv)
        return known[1] if known else None

    async def refresh(self) -> None:
        """An immediate tick after an operation that changes panes, so clients see it now."""
        await self.tick()

    # -- raw pane operations ------------------------------------------------------------

    @api("pane.list")
    async def list_panes(self, workspace: str | None = None, fresh: bool = False) -> list[PaneInfo]:
        """Panes as of the last tick (or listed now with `fresh`), optionally of one workspace."""
        panes = await self.tick() if fresh or not self.ticks else self.panes
        return [p for p in panes if workspace is None or p.workspace == workspace]

    @api("pane.send")
    async def send(self, pane_id: str, text: str, paste: bool = True, enter: bool = False) -> None:
        """Type text into a pane (paste, or raw keys), optionally pressing Enter."""
        await self.engine.mux.send_text(pane_id, text, paste=paste, enter=enter)

    @api("pane.get_text")
    async def get_text(self, pane_id: str, lines: int | None = None) -> str:
        """The pane's screen text (its last `lines` lines)."""
        return await self.engine.mux.get_text(pane_id, lines=lines)

    @api("pane.activate")
    async def activate(self, pane_id: str) -> None:
        """Focus a pane in the multiplexer."""
        await self.engine.mux.activate_pane(pane_id)
        await self.refresh()

    @api("pane.kill")
    async def kill(self, pane_id: str) -> None:
        """Close a pane and its program."""
        await self.engine.mux.kill_pane(pane_id)
        await self.refresh()

    @api("pane.zoom")
    async def zoom(self, pane_id: str, mode: ZoomMode = "toggle") -> None:
        """Zoom, unzoom or toggle a pane."""
        await self.engine.mux.zoom_pane(pane_id, mode)
        await self.refresh()

    @api("pane.set_title")
    async def set_title(self, pane_id: str, title: str) -> None:
        """Set the title of the pane's tab."""
        await self.engine.mux.set_tab_title(pane_id, title)
        await self.refresh()

    @api("pane.split")
    async def split(
        self,
        pane_id: str,
        direction: SplitDirection = "right",
        percent: int | None = None,
        cells: int | None = None,
        argv: list[str] | None = None,
        cwd: str | None = None,
    ) -> dict[str, Any]:
        """Split a pane; returns the new pane id."""
        new = await self.engine.mux.split(
            pane_id, direction=direction, percent=percent, cells=cells, argv=argv, cwd=cwd
        )
        await self.refresh()
        return {"pane_id": new}
