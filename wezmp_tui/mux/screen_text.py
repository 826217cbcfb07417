"""A pyte screen's rows as text, as `Screen.display` shows them, at a fraction of its cost.

pyte renders every cell of every row on each call (a `wcwidth` lookup and an assert per
cell: 5 ms for a 40 x 120 screen), and the built-in backend read each agent's screen after
every line it printed; with 16 agents that was most of the daemon's CPU. Here only the cells
a row holds are visited (a row is a dict of the cells written to it), only non-ASCII ones
are measured, and only the rows pyte marked dirty are rendered again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from wcwidth import wcwidth


class _Cell(Protocol):
    data: str


def render_row(row: Mapping[int, _Cell], columns: int, blank: str = " ") -> str:
    """One row, trailing blanks kept, as pyte's `display` renders it: the cell after a
    double-width character is its stub and not shown."""
    cells = [blank] * columns
    wide: list[int] = []
    for x, cell in row.items():
        if x < columns:
            data = cell.data
            cells[x] = data
            if not data.isascii():
                wide.append(x)
    skipped = -1
    for x in sorted(wide):
        if x == skipped:
            cells[x] = ""
        elif wcwidth(cells[x][0]) == 2 and x + 1 < columns:
            cells[x + 1] = ""
            skipped = x + 1
    return "".join(cells)


class ScreenText:
    """The visible rows of one screen, right-stripped, kept between reads: after output
    only the rows pyte marked dirty are rendered again (writes, scrolls and resizes all
    mark the rows they touch)."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[str] = []

    def visible(self, screen: Any) -> list[str]:
        lines, columns = screen.lines, screen.columns
        dirty: set[int] = screen.dirty
        blank = screen.default_char.data
        buffer = screen.buffer
        todo: Iterable[int]
        if len(self.rows) != lines:
            self.rows = [""] * lines
            todo = range(lines)
        elif dirty:
            todo = [y for y in dirty if y < lines]
        else:
            return self.rows
        dirty.clear()
        for y in todo:
            # `buffer` makes a row on lookup: ask only for rows written to.
            self.rows[y] = render_row(buffer[y], columns, blank).rstrip() if y in buffer else ""
        return self.rows

    def clear(self) -> None:
        self.rows = []


def history_rows(screen: Any, count: int) -> list[str]:
    """The last `count` rows scrolled off the top, oldest first, right-stripped."""
    top = screen.history.top
    columns, blank = screen.columns, screen.default_char.data
    picked: list[str] = []
    for row in reversed(top):
        if len(picked) == count:
            break
        picked.append(render_row(row, columns, blank).rstrip())
    picked.reverse()
    return picked
