"""The help screen: every key of the screen below it, grouped — the keys of each of its
panels, the screen's own, and those that work everywhere — with the key as it is typed
(`?`, not `question_mark`) and the id `keymap:` in config.yaml remaps it by."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Label

from wezmp_tui.tui.widgets.key_footer import KeyFooter

Group = tuple[str, list[Binding]]


def panel_title(widget: Widget) -> str:
    """The border title of the panel a widget is in (its own or its container's)."""
    node: DOMNode | None = widget
    while isinstance(node, Widget):
        if node.border_title:
            return str(node.border_title).split(" ")[0]
        node = node.parent
    return widget.id or type(widget).__name__


def groups(target: Screen[object], app_bindings: list[Binding]) -> list[Group]:
    """(title, bindings) for each panel of `target` that has keys, then the screen, then the
    app. A key listed under a panel is not repeated under the screen."""
    out: list[Group] = []
    listed: set[str] = set()
    for widget in target.query("*"):
        own = [b for b in type(widget).BINDINGS if isinstance(b, Binding) and b.id]
        own = [b for b in own if b.id not in listed]
        if own:
            out.append((f"{panel_title(widget)} panel", own))
            listed.update(b.id for b in own if b.id)
    mode = getattr(target.app, "current_mode", "") or type(target).__name__
    screen = [b for b in target.BINDINGS if isinstance(b, Binding) and b.id not in listed]
    if screen:
        out.append((mode.capitalize(), screen))
    out.append(("Everywhere", [b for b in app_bindings if isinstance(b, Binding)]))
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal help"):
            yield Label(
                "Keys · remap any with keymap: in config.yaml, by its id · Esc closes",
                classes="modal-title",
            )
            yield DataTable(id="help-table", show_cursor=False, zebra_stripes=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "does", "id")
        keymap: dict[str, str] = getattr(self.app, "_keymap", {})
        app_bindings = [b for b in type(self.app).BINDINGS if isinstance(b, Binding)]
        app_bindings.append(Binding("ctrl+p", "command_palette", "Command palette", id=""))
        for title, bindings in groups(self.target, app_bindings):
            table.add_row(Text(title, style="bold"), Text(""), Text(""))
            seen: set[str] = set()
            for binding in bindings:
                if binding.id in seen:
                    continue
                seen.add(binding.id or binding.key)
                key = keymap.get(binding.id or "", binding.key)
                shown = ", ".join(
                    self.app.get_key_display(Binding(k.strip(), "", key_display=None))
                    for k in key.split(",")
                )
                if binding.key_display and key == binding.key:
                    shown = binding.key_display
                does = "Every key (this list)" if binding.id == "app.help" else binding.description
                table.add_row(Text(f"  {shown}"), Text(does),
                              Text(binding.id or "", style="dim"))  # fmt: skip
