"""The one footer of every screen and dialog: compact, the keys of what has focus, no palette
entry (`?` lists every key, `ctrl+p` among them), so 80 columns hold what matters."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
