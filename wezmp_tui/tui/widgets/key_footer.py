"""The one footer of every screen and dialog: compact, the keys of what has focus, no palette
entry (`?` lists every key, `ctrl+p` among them), so 80 columns hold what matters.

It is rebuilt only when the keys it would show changed. Textual asks its footer to rebuild
on every focus change, screen resume and bindings refresh (seven times before the board's
first paint), and each rebuild unmounts every key and mounts it anew, styling each: with the
board's thirteen keys that was most of the styling work of its first paint, and a column
change rebuilt it whether or not a key changed."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._built_for: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What the footer's keys are made of: every active binding, its state and how its
        key is shown."""
        if not self._bindings_ready:
            return ()
        app = self.app
        return (self.show_command_palette, app.ENABLE_COMMAND_PALETTE, self.combine_groups,
                *((b.key, app.get_key_display(b), b.description, b.action, b.show, b.group,
                   enabled, tooltip)
                  for _, b, enabled, tooltip in self.screen.active_bindings.values()))  # fmt: skip

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._built_for:
            return
        self._built_for = keys
        await super().recompose()
