"""The live table: a changed cell draws its row again, not the whole table."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult

from wezmp_tui.tui.widgets.live_table import LiveTable

COLUMNS = [f"c{c}" for c in range(8)]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LiveTable(cursor_type="row", zebra_stripes=True)


async def test_a_changed_cell_draws_only_its_row_again() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(LiveTable)
        for col in COLUMNS:
            table.add_column(col, key=col)
        for r in range(100):
            table.add_row(*[Text(f"r{r}c{c}") for c in range(8)], key=f"r{r}")
        for _ in range(5):  # drawn once, then again when the columns found their widths
            await pilot.pause()
        computed: list[int] = []
        real = table._compute_row_renderables

        def counting(index: int) -> Any:
            computed.append(index)
            return real(index)

        table._compute_row_renderables = counting  # type: ignore[method-assign]
        table.set_cells([("r3", "c5", Text("new-3"))])
        await pilot.pause()
        assert computed == [3]  # update_cell would have drawn every visible row again
        # A row below the screen changes without drawing anything.
        computed.clear()
        table.set_cells([("r90", "c2", Text("x-90"))])
        await pilot.pause()
        assert computed == []
        assert table.get_row("r90")[2].plain == "x-90"
        assert "new-3" in app.export_screenshot()
        # A value wider than its column widens it: the whole table is laid out again.
        computed.clear()
        table.set_cells([("r4", "c1", Text("a-much-wider-value"))])
        await pilot.pause()
        assert "a-much-wider-value" in app.export_screenshot()
        assert len(computed) > 10
