"""Border titles: set when they change, and only then (setting one repaints the widget and
all it holds)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from wezmp_tui.tui.widgets.border import set_border


async def test_a_title_given_again_repaints_nothing() -> None:
    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("body", id="box")

    app = One()
    async with app.run_test() as pilot:
        box = app.query_one("#box", Static)
        repaints: list[object] = []
        real = box.refresh
        box.refresh = lambda *a, **k: repaints.append(a) or real(*a, **k)  # type: ignore[method-assign]
        set_border(box, title="Agents 3", subtitle="by cpu")
        await pilot.pause()
        assert (box.border_title, box.border_subtitle) == ("Agents 3", "by cpu")
        assert len(repaints) == 2
        set_border(box, title="Agents 3", subtitle="by cpu")
        set_border(box, title="Agents 3")
        assert len(repaints) == 2
        set_border(box, subtitle="")
        assert box.border_subtitle == "" and len(repaints) == 3
