"""What a plugin imports: the hook marker, the event records, the host it is given and the
palette entry type. Everything else in wezmp may change without notice.

    from wezmp_tui.plugins.api import hookimpl, AgentStateChanged

    @hookimpl
    def wezmp_agent_state(event: AgentStateChanged) -> None:
        ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from wezmp_tui.model.plugin_events import (
    AgentStateChanged,
    ConfigReloaded,
    LayoutApplied,
    PluginEvent,
    RunExited,
    RunStarted,
    TaskCreated,
    TaskDone,
    TaskMoved,
    TimerStarted,
    TimerStopped,
    WorkspaceCreated,
    WorkspaceDeleted,
)
from wezmp_tui.plugins.spec import SPEC_VERSION, hookimpl

__all__ = [
    "SPEC_VERSION",
    "AgentStateChanged",
    "ConfigReloaded",
    "Host",
    "LayoutApplied",
    "PaletteCommand",
    "PluginEvent",
    "RunExited",
    "RunStarted",
    "TaskCreated",
    "TaskDone",
    "TaskMoved",
    "TimerStarted",
    "TimerStopped",
    "WorkspaceCreated",
    "WorkspaceDeleted",
    "call_daemon",
    "hookimpl",
]


class Host(Protocol):
    """The daemon, as a plugin sees it (given to `wezmp_plugin_start`)."""

    name: str  # the plugin's own name
    log: logging.Logger  # lines go to the daemon's log, tagged with the plugin's name
    data_dir: Path  # a directory of the plugin's own, created on first use

    def call(self, method: str, **params: Any) -> Any:
        """Call a daemon API method (`task.add`, `agent.show`... see `wezmp` docs) and wait
        for its result, as plain JSON-like data. Raises the same errors as the CLI's."""
        ...

    def options(self) -> dict[str, Any]:
        """This plugin's settings: `plugins.options.<name>` in config.yaml."""
        ...

    def now(self) -> float:
        """The daemon's clock (wall seconds), so a plugin's times agree with wezmp's."""
        ...


@dataclass(frozen=True)
class PaletteCommand:
    """A command palette entry. `run` returns a short message shown to the user, or None."""

    title: str
    run: Callable[[], str | None]
    help: str = ""


def call_daemon(method: str, **params: Any) -> Any:
    """From a CLI command a plugin adds (`wezmp_cli_commands`): call the daemon's API (it is
    started on demand), as `Host.call` does inside the daemon."""
    import os

    from wezmp_tui.ipc.client import connect
    from wezmp_tui.paths import resolve

    with connect(resolve(os.environ)) as client:
        return client.call(method, **params)
