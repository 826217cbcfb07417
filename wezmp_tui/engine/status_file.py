"""The small JSON file WezTerm's status bar reads (no process spawned per status tick).

Rewritten atomically (temp file + rename) on agent and theme changes, at most once per
200 ms of engine time, so a burst of state changes costs one write.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import deque
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.model.events import Event
from wezmp_tui.model.states import STATE_NAMES, STATES

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

COALESCE = 0.2
NOTICES_KEPT = 8  # the Lua module toasts those newer than the last it showed
DEFAULT_COLORS = {**{s.name: s.color for s in STATES}, "fg": "#c0caf5", "bg": "#1a1b26"}


class StatusFileService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.supervisor = engine.get(Supervisor)
        self.colors = dict(DEFAULT_COLORS)
        self.writes = 0
        self._last = -1e9
        self._scheduled: asyncio.TimerHandle | None = None
        self.notices: deque[dict[str, Any]] = deque(maxlen=NOTICES_KEPT)
        self._notice_id = 0
        engine.bus.listen(["agent.", "theme.changed"], self._on_event)

    def set_colors(self, colors: dict[str, str]) -> None:
        """The theme's state colours (the theme service calls this)."""
        self.colors.update({k: v for k, v in colors.items() if k in DEFAULT_COLORS})
        self.request()

    def notice(self, title: str, body: str, pane_id: str | None = None) -> None:
        """A toast for WezTerm's Lua module to show (once: it remembers the last id)."""
        self._notice_id += 1
        self.notices.append(
            {"id": self._notice_id, "ts": self.engine.clock.now(), "title": title,
             "body": body, "pane_id": pane_id}
        )  # fmt: skip
        self.request()

    async def start(self) -> None:
        self.write()

    async def stop(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()

    def _on_event(self, event: Event) -> None:
        self.request()

    def request(self) -> None:
        """Write now, or once at the end of the current 200 ms window."""
        wait = self._last + COALESCE - self.engine.clock.monotonic()
        if wait <= 0:
            if self._scheduled is not None:
                self._scheduled.cancel()
                self._scheduled = None
            self.write()
            return
        if self._scheduled is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.write()
            return
        self._scheduled = loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._scheduled = None
        self.write()

    def snapshot(self) -> dict[str, Any]:
        agents = [a.info for a in self.supervisor.agents.values()]
        workspaces: dict[str, dict[str, int]] = {}
        totals = dict.fromkeys(STATE_NAMES, 0)
        waiting = []
        for a in agents:
            ws = workspaces.setdefault(a.workspace, dict.fromkeys(STATE_NAMES, 0))
            ws[a.state] += 1
            totals[a.state] += 1
            if a.state == "waiting":
                waiting.append(
                    {
                        "agent": a.name,
                        "workspace": a.workspace,
                        "pane_id": a.pane_id,
                        "reason": a.state_reason,
                    }
                )
        return {
            "version": 1,
            "states": {
                s.name: {"icon": s.icon, "label": s.label, "color": self.colors[s.name]}
                for s in STATES
            },
            "updated": self.engine.clock.now(),
            "workspaces": workspaces,
            "totals": totals,
            "waiting": waiting,
            "colors": self.colors,
            # Ids restart with each daemon: the epoch tells the Lua module they are new.
            "notice_epoch": self.engine.started_at,
            "notices": list(self.notices),
        }

    def write(self) -> None:
        path = self.engine.paths.status_file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.snapshot(), separators=(",", ":")))
        os.replace(tmp, path)
        self._last = self.engine.clock.monotonic()
        self.writes += 1
