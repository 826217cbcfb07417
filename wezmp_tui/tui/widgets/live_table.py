"""A DataTable whose cells change often and few at a time (the agent and pane tables).

Textual's `update_cell` counts an update that every render cache of the table keys on, so
one changed figure renders every visible cell again: at 160×50 that is ~100 ms of CPU, each
tick, for a table where one agent's CPU went from 0.1 % to 0.2 %. `set_cells` puts the new
values in and forgets only the cached renders of the rows they are in: the rest of the
table is drawn from its cache, as after a cursor move (~7 ms).

It reaches into DataTable's caches (pinned with Textual in constraints.txt). Where they are
not as expected it falls back to `update_cell`, and the widget's tests fail, so an upgrade
that changes them is seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

CellChange = tuple[str, str, Text]  # row key, column key, new value


class LiveTable(DataTable[Text]):
    def set_cells(self, changes: Iterable[CellChange]) -> None:
        """Change these cells; a value wider than its column widens it."""
        rows: set[RowKey] = set()
        widen = False
        known = self._caches_known()
        for row, col, value in changes:
            key = ColumnKey(col)
            wider = value.cell_len > self.columns[key].content_width
            if wider or not known:
                # A wider column moves every cell after it: the whole table is drawn anew.
                self.update_cell(row, col, value, update_width=wider)
                widen = True
                continue
            self._data[RowKey(row)][key] = value
            rows.add(RowKey(row))
        if rows and not widen:
            self._forget_rows(rows)

    def _caches_known(self) -> bool:
        return all(
            hasattr(self, name)
            for name in ("_data", "_row_render_cache", "_cell_render_cache",
                         "_row_renderable_cache", "_line_cache", "_row_locations")
        )  # fmt: skip

    def _forget_rows(self, rows: set[RowKey]) -> None:
        """Drop the cached renders of `rows` (cells, rows, their renderables) and every cached
        line, which is put together again from the rows' caches."""
        indexes = {self._row_locations.get(r) for r in rows}
        _drop(self._cell_render_cache, lambda key: key[0] in rows)
        _drop(self._row_render_cache, lambda key: key[0] in rows)
        _drop(self._row_renderable_cache, lambda key: key[1] in indexes)
        self._line_cache.clear()
        # Only rows that can be on screen: finding a row's place sums the heights of the
        # rows above it, and row n is at least n lines down.
        bottom = self.scroll_offset.y + self.size.height
        for index in indexes:
            if index is not None and index < bottom:
                self.refresh_row(index)


def _drop(cache: Any, doomed: Callable[[Any], bool]) -> None:
    """Discard the entries of a Textual LRU cache whose keys are `doomed` (it has `keys()`
    and `discard()`, but is not iterable)."""
    for key in [k for k in list(cache.keys()) if doomed(k)]:
        cache.discard(key)
