"""The daemon's hot reload: config, layouts, themes and rule files apply on save.

A file that fails to load changes nothing: the error is published once (the TUI shows it,
the log keeps it) and the last good version stays in force until the file is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wezmp_tui.config import watch as watching
from wezmp_tui.engine.agent_state import AgentStateService
from wezmp_tui.engine.api import api
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import ConfigError

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.watch")


class WatchService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.task: asyncio.Task[None] | None = None
        self.stop_event = asyncio.Event()
        self.ready = asyncio.Event()

    async def start(self, force: bool = False) -> None:
        if not (force or watching.enabled(self.engine.config)):
            return
        self.task = asyncio.create_task(
            watching.watch(self.engine.paths, self.changed, stop=self.stop_event, ready=self.ready)
        )

    async def stop(self) -> None:
        self.stop_event.set()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    async def changed(self, kinds: dict[watching.Kind, list[Path]]) -> None:
        if "config" in kinds:
            await self.reload_config()
        if "layout" in kinds:
            self.engine.bus.publish("layout.changed", {"files": [p.name for p in kinds["layout"]]})
        if "theme" in kinds:
            self.engine.bus.publish("theme.changed", {"files": [p.name for p in kinds["theme"]]})
        if "rules" in kinds:
            result = await self.engine.get(AgentStateService).reload_rules()
            if result["error"]:
                log.error("rules: %s", result["error"])

    @api("config.reload")
    async def reload_config(self) -> dict[str, Any]:
        """Re-read config.yaml: the new config takes effect, or nothing changes and the error
        is reported. Running agents are never dropped."""
        from wezmp_tui.config.loader import load_config

        try:
            config = load_config(self.engine.paths.config_file)
        except ConfigError as exc:
            self.engine.config_error = exc.message
            log.error("config: %s (the last good config stays in force)", exc.message)
            self.engine.bus.publish("error", {"source": "config", "message": exc.message})
            return {"ok": False, "error": exc.message}
        self.engine.config = config
        self.engine.config_error = None
        self._apply_agents(config)
        self.engine.bus.publish("config.reloaded", {"agents": [a.name for a in config.agents]})
        return {"ok": True, "error": None}

    def _apply_agents(self, config: Any) -> None:
        sup = self.engine.get(Supervisor)
        for spec in config.agents:
            # New and changed definitions; a running agent keeps running and uses the new
            # definition at its next (re)start.
            sup._define(spec, "config", publish=spec.name not in sup.agents)
