"""The title line of the board: Textual's header (its icon, the title and sub-title centred
between the icon and the clock's place) drawn by one widget instead of four. Every widget of
a screen has its share of the work after each key, and the board is the screen where keys
come fastest. A click on the icon opens the command palette, as on Textual's header."""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_CELLS = 8  # Textual's header icon: its width, the icon one cell in from the left
CLOCK_CELLS = 10  # the place of the clock, kept empty (the header is shown without one)


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._retitle, init=False)
            self.watch(node, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def render(self) -> Content:
        screen, app = self.screen, self.app
        title = app.format_title(
            app.title if screen.title is None else screen.title,
            app.sub_title if screen.sub_title is None else screen.sub_title,
        )
        middle = max(self.outer_size.width - ICON_CELLS - CLOCK_CELLS, 0)
        title = title.truncate(middle, ellipsis=True)
        left = (middle - title.cell_length) // 2
        icon = Content(f" {ICON}").pad_right(ICON_CELLS - 2)
        return Content.assemble(
            icon, title.pad(left, middle - title.cell_length - left), " " * CLOCK_CELLS
        )

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_CELLS and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")

