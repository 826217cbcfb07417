"""The board drawn with Textual's line API: only the cards on screen are rendered, so 10,000
tasks cost what the visible 40 cost (one widget per card does not scale; see kanban-tui).

It holds a window of each column, not the board: the count of each column and the cards
around what is on screen. Scrolling near the edge of what it holds asks its screen for the
window there (`WindowWanted`); a card not loaded yet draws as a placeholder meanwhile."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Self

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from wezmp_tui.model.dates import due_label
from wezmp_tui.model.history import duration
from wezmp_tui.tui.board.palette import BoardPalette

CARD_HEIGHT = 3  # title, details, gap
MIN_COLUMN = 26  # cells: narrower columns would cut every title
HEADER = 2


@dataclass
class Column:
    name: str
    cards: list[dict[str, Any]] = field(default_factory=list)  # the loaded window
    scroll: int = 0  # index of the first visible card
    count: int = 0  # cards in the column (on the daemon)
    offset: int = 0  # index of cards[0]

    def card(self, i: int) -> dict[str, Any] | None:
        j = i - self.offset
        return self.cards[j] if 0 <= j < len(self.cards) else None


def _clip(text: str, width: int) -> str:
    """Exactly `width` terminal cells (emoji such as 🔒 take two)."""
    from rich.cells import cell_len, set_cell_size

    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def _fit(
    parts: list[tuple[str, Style]], tail: list[tuple[str, Style]], width: int, fill: Style
) -> list[Segment]:
    """`parts` then `tail` in exactly `width` cells: the parts are cut (with …) so the tail
    always shows, and the rest is padded in the card's colour."""
    tail_len = sum(cell_len(t) for t, _ in tail)
    room = max(width - tail_len, 0)
    out: list[Segment] = []
    used = 0
    for text, style in parts:
        n = cell_len(text)
        if used + n > room:
            out.append(Segment(_clip(text, room - used), style))
            used = room
            break
        out.append(Segment(text, style))
        used += n
    if used < room:
        out.append(Segment(" " * (room - used), fill))
    if tail_len <= width:
        out.extend(Segment(t, s) for t, s in tail)
    return out


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}" if s >= 3600 else f"{s // 60}m{s % 60:02d}"


class BoardView(Widget, can_focus=True):
    """Columns side by side; a cursor (column, card) that keys and the mouse move."""

    # Its CSS lives in the app's stylesheet (styles/app.tcss).

    # A key repaints the lines it changed (move_cursor), not the whole board.
    column_index: reactive[int] = reactive(0, repaint=False)
    card_index: reactive[int] = reactive(0, repaint=False)

    class Selected(Message):
        def __init__(self, card: dict[str, Any] | None) -> None:
            super().__init__()
            self.card = card

    class WindowWanted(Message):
        """The view scrolled near the edge of the cards it holds."""

    def __init__(self, *, id: str | None = None) -> None:
        # Each column's lines as last drawn, by card (index, line) and title line (-1, y): a
        # line Textual asks for again draws only what changed since (after a key, the card the
        # cursor left and the one it reached; after a scroll, the card that came in); the
        # rest is taken from here. Only cards on screen are kept, for one width, set of
        # shown columns and palette.
        self._lines: dict[int, dict[tuple[int, int], list[Segment]]] = {}
        self._lines_for: tuple[int, range] | None = None
        self._lines_palette: BoardPalette | None = None
        super().__init__(id=id)
        self.columns: list[Column] = []
        self.agent_states: dict[str, str] = {}
        self.now = time.time
        # When the cards were fetched: a running timer shows its tracked time plus the time
        # since, so it ticks between reloads.
        self.fetched_at = 0.0
        self.first_column = 0  # the leftmost column shown when not all fit

    # -- data ---------------------------------------------------------------------------

    def set_window(self, window: dict[str, Any]) -> None:
        """Take a `board.window` answer: counts, each column's window, and its focus."""
        self.fetched_at = self.now()
        selected = self.selected
        before = self._shown()
        old = {c.name: c.scroll for c in self.columns}
        loaded = {w["column"]: w for w in window["windows"]}
        self.columns = []
        for name in window["columns"]:
            w = loaded.get(name, {"offset": 0, "tasks": []})
            count = window["counts"].get(name, 0)
            self.columns.append(Column(name, w["tasks"], old.get(name, 0), count, w["offset"]))
        self.column_index = min(self.column_index, max(len(self.columns) - 1, 0))
        focus = window.get("focus")
        if focus is not None and focus["column"] in window["columns"]:
            self.column_index = window["columns"].index(focus["column"])
            self.card_index = focus["index"]
        elif selected is not None:
            self.select_task(selected["id"])
        self._clamp()
        self._repaint_changed(before)

    def window_request(self) -> tuple[dict[str, int], int]:
        """Offsets and size of the window to ask for: a screenful either side of what shows.
        When the daemon sent fewer cards (a screenful's would not fit its frame), what shows
        goes in the middle of as many as it sent: the cursor then goes as far either way
        before more are needed (a screenful before it left what shows near the window's end,
        and the board asked again every few keys)."""
        rows = max(self.visible_cards(), 16)  # not laid out yet: a tall terminal's worth

        def before(col: Column) -> int:
            held = len(col.cards)
            return (held - rows) // 2 if rows < held < 3 * rows else rows

        return {c.name: max(0, c.scroll - before(c)) for c in self.columns}, rows * 3

    def _covered(self, col: Column) -> bool:
        """The cards on screen and a few either side are held."""
        rows = self.visible_cards()
        lo = max(0, col.scroll - rows // 4)
        hi = min(col.count, col.scroll + rows + rows // 4)
        return col.offset <= lo and hi <= col.offset + len(col.cards)

    def select_task(self, task_id: int) -> bool:
        for ci, col in enumerate(self.columns):
            for i, card in enumerate(col.cards):
                if card["id"] == task_id:
                    self.column_index, self.card_index = ci, col.offset + i
                    self._clamp()
                    return True
        return False

    @property
    def column(self) -> Column | None:
        return self.columns[self.column_index] if self.columns else None

    @property
    def selected(self) -> dict[str, Any] | None:
        col = self.column
        if col is None or not col.count:
            return None
        return col.card(min(self.card_index, col.count - 1))

    @property
    def area(self) -> Size:
        """The view's size as Textual keeps it (the view has no border or padding, so it is
        `size`): `size` looks the view up in the screen's map each time, and drawing a line
        asked for it a dozen times."""
        return self.outer_size

    def visible_cards(self) -> int:
        return max(1, (self.area.height - HEADER) // CARD_HEIGHT)

    def _slots(self) -> int:
        """Cards drawn, the last one cut by the bottom edge included."""
        return max(1, -(-(self.area.height - HEADER) // CARD_HEIGHT))

    def _clamp(self) -> None:
        col = self.column
        if col is None:
            return
        self.card_index = max(0, min(self.card_index, col.count - 1))
        rows = self.visible_cards()
        if self.card_index < col.scroll:
            col.scroll = self.card_index
        elif self.card_index >= col.scroll + rows:
            col.scroll = self.card_index - rows + 1
        col.scroll = max(0, min(col.scroll, max(col.count - rows, 0)))

    def _want_window(self) -> None:
        """After the person moved: ask for cards when what shows nears the window's edge."""
        if any(not self._covered(col) for col in self.columns):
            self.post_message(self.WindowWanted())

    def move_cursor(self, dcol: int = 0, dcard: int = 0) -> None:
        if not self.columns:
            return
        before = self._shown()
        if dcol:
            # No wrap: from the first column `h` stays put instead of landing on the last.
            self.column_index = max(0, min(self.column_index + dcol, len(self.columns) - 1))
            self.card_index = (
                min(self.card_index, max(self.column.count - 1, 0)) if self.column else 0
            )
        if dcard:
            self.card_index += dcard
        self._clamp()
        self._want_window()
        self._repaint_changed(before)
        self.post_message(self.Selected(self.selected))

    def running_timer_visible(self) -> bool:
        rows = self.visible_cards()
        return any(
            (card := col.card(i)) is not None and card["timer_running"]
            for col in self.columns
            for i in range(col.scroll, min(col.scroll + rows, col.count))
        )

    def _shown(self) -> tuple[Any, ...]:
        """What the screen shows, to tell later what changed: the columns on screen, the
        width, each column and its scroll, the cursor, the agents' states."""
        return (self.shown_columns(), self.area.width, list(self.columns),
                [c.scroll for c in self.columns], (self.column_index, self.card_index),
                dict(self.agent_states))  # fmt: skip

    def _repaint_changed(self, before: tuple[Any, ...]) -> None:
        """Repaint what changed since `before` (a `_shown()`): a column that scrolled or whose
        title, count or cards on screen changed; the card the cursor left and the one it
        reached (and the titles and rules when it changed column). Everything when the
        columns on screen, the width or an agent's state changed."""
        shown, width, columns, scrolls, (column, card), states = before
        if (shown, width, len(columns), states) != (
            self.shown_columns(), self.area.width, len(self.columns), self.agent_states
        ):
            self.refresh()
            return
        rows = self._slots()
        spans = self._column_spans()
        for ci, (old, new) in enumerate(zip(columns, self.columns, strict=True)):
            lines = self._lines.setdefault(ci, {})
            changed = scrolls[ci] != new.scroll
            if old is new and not changed:
                continue  # the same cards, where they were
            if (old.name, old.count) != (new.name, new.count):
                changed = True
                lines.pop((-1, 0), None)
            for i, line in list(lines):
                if i < 0:
                    continue
                off = not new.scroll <= i < new.scroll + rows
                if off or (old is not new and (old.card(i), i < old.count) != (
                        new.card(i), i < new.count)):  # fmt: skip
                    del lines[i, line]  # off screen now, or another card
                    changed = True
            if changed and ci in spans:
                x, w = spans[ci]
                self._repaint(Region(x, 0, w, self.area.height))
        if (column, card) == (self.column_index, self.card_index):
            return
        for ci, i in ((column, card), (self.column_index, self.card_index)):
            for line in range(CARD_HEIGHT):
                self._lines.get(ci, {}).pop((i, line), None)
            scroll = self.columns[ci].scroll
            if ci in spans and scroll <= i < scroll + rows:
                x, w = spans[ci]
                self._repaint(Region(x, HEADER + (i - scroll) * CARD_HEIGHT, w, CARD_HEIGHT - 1))
        if column != self.column_index:
            for ci in (column, self.column_index):
                for y in range(HEADER):
                    self._lines.get(ci, {}).pop((-1, y), None)
            self._repaint(Region(0, 0, self.area.width, HEADER))

    def _column_spans(self) -> dict[int, tuple[int, int]]:
        """x and width of each column on screen."""
        spans = {}
        x = 0
        shown = self.shown_columns()
        for ci, w in zip(shown, self._widths(shown), strict=False):
            spans[ci] = (x, w)
            x += w
        return spans

    def _repaint(self, region: Region) -> None:
        """Repaint `region` with the lines kept for it (the caller dropped what changed)."""
        super().refresh(region)

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False,
        recompose: bool = False,
    ) -> Self:  # fmt: skip
        """Textual's refresh, drawing everything anew (a timer that ticked, a resize)."""
        self._lines.clear()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def on_resize(self, event: events.Resize) -> None:
        self._clamp()
        self._want_window()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    # -- drawing ------------------------------------------------------------------------

    def shown_columns(self) -> range:
        """The columns on screen: all that fit at MIN_COLUMN cells, the focused one always
        among them (a narrow terminal shows fewer, wider columns, not five cut ones)."""
        n = len(self.columns)
        fit = max(1, min(n, self.area.width // MIN_COLUMN)) if self.area.width else n
        first = min(max(self.first_column, self.column_index - fit + 1), self.column_index)
        self.first_column = max(0, min(first, n - fit))
        return range(self.first_column, self.first_column + fit)

    def _widths(self, shown: range) -> list[int]:
        n = max(len(shown), 1)
        w = self.area.width
        base = w // n
        return [base + (1 if i < w - base * n else 0) for i in range(n)]

    def render_line(self, y: int) -> Strip:
        pal = self.palette()
        shown = self.shown_columns()
        width = self.area.width
        widths = self._widths(shown)
        valid_for = (width, shown)
        if valid_for != self._lines_for or pal is not self._lines_palette:
            self._lines.clear()
            self._lines_for, self._lines_palette = valid_for, pal
        segments: list[Segment] = []
        offset, line = divmod(y - HEADER, CARD_HEIGHT)
        for ci, width in zip(shown, widths, strict=False):
            lines = self._lines.setdefault(ci, {})
            key = (-1, y) if y < HEADER else (self.columns[ci].scroll + offset, line)
            part = lines.get(key)
            if part is None:
                part = lines[key] = self._column_line(pal, shown, ci, y, width)
            segments.extend(part)
        return Strip(segments, width)

    def _column_line(
        self, pal: BoardPalette, shown: range, ci: int, y: int, width: int
    ) -> list[Segment]:
        """Line `y` of column `ci`, `width` cells with the gap after it."""
        segments: list[Segment] = []
        col = self.columns[ci]
        inner = width - 1  # one cell of gap between columns
        focused_col = ci == self.column_index
        if y == 0:
            more = ("‹ " if ci == shown.start and ci > 0 else "") + (
                " ›" if ci == shown.stop - 1 and ci < len(self.columns) - 1 else ""
            )
            name = _clip(f" {col.name}", max(inner - len(f" {col.count:,} {more}"), 1))
            name = name.rstrip()
            count = f" {col.count:,}" + (f"  {more.strip()}" if more else "")
            segments.append(Segment(name, pal.header_focused if focused_col else pal.header))
            segments.append(Segment(_clip(count, inner - cell_len(name)), pal.count))
        elif y == 1:
            rule = ("━", pal.rule_focused) if focused_col else ("─", pal.rule)
            segments.append(Segment(rule[0] * inner, rule[1]))
        else:
            offset, line = divmod(y - HEADER, CARD_HEIGHT)
            i = col.scroll + offset
            card = col.card(i) if i < col.count and line < 2 else None
            if card is not None:
                selected = focused_col and i == self.card_index
                segments.extend(self._card_line(pal, card, line, inner, selected))
            elif i < col.count and line == 0:
                segments.append(Segment(_clip("  …", inner), pal.placeholder))  # on its way
            else:
                segments.append(Segment(" " * inner, pal.base))
        segments.append(Segment(" ", pal.base))
        return segments

    def palette(self) -> BoardPalette:
        """The theme's colours, converted once per theme (not once per line)."""
        theme = self.app.theme
        cached: tuple[str, BoardPalette] | None = getattr(self, "_palette", None)
        if cached is not None and cached[0] == theme:
            return cached[1]
        pal = BoardPalette.from_variables(self.app.theme_variables)
        self._palette = (theme, pal)
        return pal

    def _card_line(
        self, pal: BoardPalette, card: dict[str, Any], line: int, width: int, selected: bool
    ) -> list[Segment]:
        bar = pal.priority.get(card["priority"], pal.priority[""])
        fill = pal.selected if selected else pal.card
        if selected:
            bar = bar + Style(bgcolor=pal.selected.bgcolor)
        if line == 0:
            mark = {"H": "▲", "M": "■", "L": "▼"}.get(card["priority"], " ")
            flags = ("⊘" if card["blocked"] else "") + ("⚑" if card["blocking"] else "")
            parts = [("▌", bar), (f"{mark} ", bar), (f"#{card['id']} ", fill + Style(bold=False)),
                     (card["title"], fill)]  # fmt: skip
            tail = [(f" {flags} ", pal.flag + Style(bgcolor=fill.bgcolor))] if flags else []
            return _fit(parts, tail, width, fill)
        detail = pal.selected_detail if selected else pal.card_detail
        parts = [("▌", bar), ("   ", detail)]
        bits = []
        if card["tags"]:
            bits.append(" ".join(f"+{t}" for t in card["tags"]))
        if card["due"]:
            label = due_label(card["due"], self.now())
            bits.append(label if label.endswith("overdue") else f"due {label}")
        who = card.get("assigned") or card.get("agent")
        if who:
            state = self.agent_states.get(who)
            bits.append(f"@{who}" + (f" {state}" if state else ""))
        if card["timer_running"]:
            running = card["tracked"] + max(0.0, self.now() - self.fetched_at)
            bits.append(f"⏱ {_duration(running)}")
        elif card["tracked"]:
            bits.append(duration(card["tracked"]))
        parts.append(("  ".join(bits), detail))
        tail = []
        if card.get("waiting"):
            tail = [(" ◆ needs you ", pal.flag + Style(bgcolor=fill.bgcolor))]
        return _fit(parts, tail, width, detail)

    # -- mouse --------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        x = 0
        shown = self.shown_columns()
        for ci, width in zip(shown, self._widths(shown), strict=False):
            if x <= event.x < x + width:
                col = self.columns[ci]
                idx = col.scroll + (event.y - HEADER) // CARD_HEIGHT
                self.column_index = ci
                if event.y >= HEADER and idx < col.count:
                    self.card_index = idx
                self._clamp()
                self._want_window()
                self.refresh()
                self.post_message(self.Selected(self.selected))
                return
            x += width

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.move_cursor(dcard=1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.move_cursor(dcard=-1)
