"""Command palette entries that plugins add (`wezmp_palette_commands`), run in the daemon."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import Hit, Hits, Provider

from wezmp_tui.errors import WezmpError

if TYPE_CHECKING:
    from wezmp_tui.tui.app import WezmpApp


class PluginCommands(Provider):
    async def _entries(self) -> AsyncIterator[dict[str, Any]]:
        app: WezmpApp = self.app  # type: ignore[assignment]
        try:
            entries = await app.call("plugin.commands")
        except WezmpError:
            return
        for entry in entries:
            yield entry

    async def _run(self, plugin: str, index: int) -> None:
        app: WezmpApp = self.app  # type: ignore[assignment]
        result = await app.call_or_notify("plugin.run_command", plugin=plugin, index=index)
        if result and result.get("message"):
            app.notify(str(result["message"]), severity="information" if result["ok"] else
                       "error", title=f"plugin {plugin}")  # fmt: skip

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        async for entry in self._entries():
            text = f"Plugin: {entry['title']}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text),
                    partial(self._run, entry["plugin"], entry["index"]),
                    help=entry["help"] or f"from plugin {entry['plugin']}",
                )  # fmt: skip
