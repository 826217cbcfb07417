"""Command palette entries: workspaces, agents, modes and themes by name.

The entries are made once when the palette opens (`startup`), from the app's mirror of the
daemon: typing filters them without asking the daemon anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from wezmp_tui.tui.context import center
from wezmp_tui.tui.state import running

Command = tuple[str, Callable[[], Awaitable[Any] | Any], str]


class WezmpCommands(Provider):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: list[Command] = []

    async def startup(self) -> None:
        app: Any = self.app
        state = center(app).state
        out: list[Command] = []
        for mode in ("dashboard", "board", "reports"):
            out.append((f"Mode: {mode}", partial(app.switch_mode, mode), f"Show the {mode}"))
        out.append(("Workspace: create…", app.palette_create_workspace, "Create a workspace"))
        for ws in state.workspaces:
            out.append((f"Workspace: switch to {ws.name}",
                        partial(app.palette_call, "ws.switch", name=ws.name), ""))  # fmt: skip
        for agent in state.agents.values():
            verbs = ("stop", "restart") if running(agent) else ("start",)
            for verb in verbs:
                out.append((
                    f"Agent: {verb} {agent.name}",
                    partial(app.palette_call, f"agent.{verb}", name=agent.name),
                    f"{agent.state} in {agent.workspace or '-'}",
                ))  # fmt: skip
        for theme in sorted(app.available_themes):
            out.append(
                (f"Theme: {theme}", partial(app.choose_theme, theme), "Use and remember this theme")
            )
        self.commands = out

    async def discover(self) -> Hits:
        for text, callback, help_text in self.commands:
            if text.startswith(("Mode:", "Workspace: create", "Theme: wezmp")):
                yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self.commands:
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
