"""The help screen: every binding of the screen below it, with its key and description."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal help"):
            yield Label("Keys (remap any of them with `keymap:` in config.yaml, by id)")
            yield DataTable(id="help-table", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "action", "id")
        keymap = self.app._keymap if hasattr(self.app, "_keymap") else {}
        seen = set()
        for binding in [*self.target.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding) or binding.id in seen:
                continue
            seen.add(binding.id)
            key = keymap.get(binding.id or "", binding.key)
            table.add_row(Text(key), Text(binding.description), Text(binding.id or ""))
