"""The one footer of every screen and dialog: compact, the keys of what has focus, no palette
entry (`?` lists every key, `ctrl+p` among them), so 80 columns hold what matters.

One widget drawing one line, not Textual's footer (a widget per key, unmounted and mounted
anew at each change of the keys): every widget of a screen has its share of the work after
each key, and the board's thirteen keys were most of its widgets. It looks as Textual's
compact footer does (the key in the accent, its description, a key that cannot run now
dimmed) and a click on a key presses it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


class FooterItem(NamedTuple):
    key: str  # what a click presses
    display: str  # how the key is shown
    description: str
    enabled: bool
    tooltip: str
    start: int  # its first cell on the line
    end: int  # the cell after its last


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--disabled",
        "key-footer--hover",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--disabled {
            text-style: dim;
        }
        .key-footer--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: list[FooterItem] = []
        self._hover: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        """Repainted only when the keys it shows changed (Textual signals at every focus
        change and screen resume, whether a key changed or not)."""
        if not self.is_attached or screen is not self.screen:
            return
        items = self._items()
        if items != self.items:
            self.items = items
            self._hover = None
            self.refresh()

    def _items(self) -> list[FooterItem]:
        """The keys shown: each action once (its first key), in the screen's order."""
        items: list[FooterItem] = []
        seen: set[str] = set()
        x = 0
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            display = self.app.get_key_display(binding)
            end = x + cell_len(display)
            if binding.description:
                end += 1 + cell_len(binding.description)
            items.append(FooterItem(binding.key, display, binding.description, enabled,
                                    tooltip, x, end))  # fmt: skip
            x = end + 1  # a cell between keys
        return items

    def render(self) -> Text:
        key = self.get_component_rich_style("key-footer--key", partial=True)
        description = self.get_component_rich_style("key-footer--description", partial=True)
        dim = self.get_component_rich_style("key-footer--disabled", partial=True)
        hover = self.get_component_rich_style("key-footer--hover", partial=True)
        text = Text(no_wrap=True, overflow="crop", end="")
        for i, item in enumerate(self.items):
            under = (hover if i == self._hover else Style()) + (Style() if item.enabled else dim)
            text.append(item.display, under + key)
            if item.description:
                text.append(f" {item.description}", under + description)
            text.append(" ")
        return text

    def _at(self, x: int) -> int | None:
        return next((i for i, it in enumerate(self.items) if it.start <= x < it.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        i = self._at(event.x)
        if i != self._hover:
            self._hover = i
            self.tooltip = (self.items[i].tooltip or None) if i is not None else None
            self.refresh()

    def on_leave(self, _: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        i = self._at(event.x)
        if i is None:
            return
        if self.items[i].enabled:
            self.app.simulate_key(self.items[i].key)
        else:
            self.app.bell()
