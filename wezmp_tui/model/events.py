"""Events that flow out of the engine to subscribers (TUI, CLI `--follow`, Lua status file).

Topics are dotted: `workspace.created`, `pane.changed`, `agent.state`, `task.moved`,
`timer.started`, `metrics.tick`, `config.reloaded`, `error`. A subscriber asks for prefixes
(`workspace.`, `agent.`) or everything (`""`).
"""

from __future__ import annotations

from typing import Any

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    ts: float
    topic: str
    data: Any = None
