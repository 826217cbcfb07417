"""The board's title line: what Textual's header shows, where it shows it, in one widget."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.widgets import Header

from wezmp_tui.tui.widgets.title_bar import TitleBar


class Titled(App[None]):
    TITLE = "wezmp"

    def __init__(self, header: type[Header] | type[TitleBar]) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        yield self.header()


def line(app: App[None]) -> str:
    return "".join(s.text for s in app.screen._compositor.render_strips()[0])


async def test_it_reads_as_textuals_header_and_follows_the_sub_title() -> None:
    shown: dict[int, list[str]] = {}
    for width in (80, 33):  # room for the title, and a title cut short
        for header in (Header, TitleBar):
            app = Titled(header)
            async with app.run_test(size=(width, 5)) as pilot:
                app.sub_title = "local · daemon connected"
                await pilot.pause()
                shown.setdefault(width, []).append(line(app))
    assert shown[80][0] == shown[80][1] and "wezmp — local · daemon connected" in shown[80][1]
    assert shown[33][0] == shown[33][1] and "…" in shown[33][1]


async def test_a_click_on_the_icon_opens_the_command_palette() -> None:
    app = Titled(TitleBar)
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.click(TitleBar, offset=(40, 0))  # the title: nothing
        assert not isinstance(app.screen, CommandPalette)
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
