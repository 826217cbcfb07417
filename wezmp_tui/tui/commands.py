"""Command palette entries: workspaces, agents, modes and themes by name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from wezmp_tui.tui.app import WezmpApp


class WezmpCommands(Provider):
    async def _commands(self) -> AsyncIterator[tuple[str, Callable[[], Awaitable[Any] | Any], str]]:
        app: WezmpApp = self.app  # type: ignore[assignment]
        for mode in ("dashboard", "board", "reports"):
            yield f"Mode: {mode}", partial(app.switch_mode, mode), f"Show the {mode}"
        yield "Workspace: create…", app.palette_create_workspace, "Create a workspace"
        try:
            workspaces = await app.call("ws.list")
        except Exception:
            workspaces = []
        for ws in workspaces:
            name = ws["name"]
            yield (
                f"Workspace: switch to {name}",
                partial(app.palette_call, "ws.switch", name=name),
                "",
            )
        try:
            agents = await app.call("agent.list")
        except Exception:
            agents = []
        for a in agents:
            name = a["name"]
            for verb in ("start", "stop", "restart"):
                yield (
                    f"Agent: {verb} {name}",
                    partial(app.palette_call, f"agent.{verb}", name=name),
                    f"{a['state']} in {a['workspace'] or '-'}",
                )
        for theme in sorted(app.available_themes):
            yield f"Theme: {theme}", partial(app.choose_theme, theme), "Use and remember this theme"

    async def discover(self) -> Hits:
        async for text, callback, help_text in self._commands():
            if text.startswith(("Mode:", "Workspace: create", "Theme: wezmp")):
                yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        async for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
