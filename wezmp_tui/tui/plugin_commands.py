"""Command palette entries that plugins add (`wezmp_palette_commands`), run in the daemon."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import Hit, Hits, Provider

from wezmp_tui.errors import WezmpError
from wezmp_tui.tui.context import center


class PluginCommands(Provider):
    entries: list[dict[str, Any]] = []

    async def startup(self) -> None:
        """Asked once when the palette opens, not at every key typed into it."""
        try:
            self.entries = list(await center(self.screen).call("plugin.commands"))
        except WezmpError:
            self.entries = []

    async def _run(self, plugin: str, index: int) -> None:
        app = center(self.screen)
        result = await app.call_or_notify("plugin.run_command", plugin=plugin, index=index)
        if result and result.get("message"):
            self.app.notify(str(result["message"]), severity="information" if result["ok"] else
                       "error", title=f"plugin {plugin}")  # fmt: skip

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries:
            text = f"Plugin: {entry['title']}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text),
                    partial(self._run, entry["plugin"], entry["index"]),
                    help=entry["help"] or f"from plugin {entry['plugin']}",
                )  # fmt: skip
