"""The `Host` a plugin is given: the daemon's API, called from the plugin's own thread."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.api import to_builtins

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

# Longer than any one API method takes; a plugin blocked on a daemon that stopped is freed.
CALL_TIMEOUT = 30.0


class DaemonHost:
    def __init__(self, engine: Engine, name: str, loop: asyncio.AbstractEventLoop) -> None:
        self.engine = engine
        self.name = name
        self.log = logging.getLogger(f"wezmp.plugin.{name}")
        self._loop = loop

    @property
    def data_dir(self) -> Path:
        d = self.engine.paths.data_dir / "plugins" / self.name
        d.mkdir(parents=True, exist_ok=True)
        return d

    def call(self, method: str, **params: Any) -> Any:
        if _on_loop(self._loop):
            raise RuntimeError("host.call from the event loop would wait for itself")
        future = asyncio.run_coroutine_threadsafe(self.engine.invoke(method, params), self._loop)
        return to_builtins(future.result(CALL_TIMEOUT))

    def options(self) -> dict[str, Any]:
        return dict(self.engine.config.plugins.options.get(self.name, {}))

    def now(self) -> float:
        return self.engine.clock.now()


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
