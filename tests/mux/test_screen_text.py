"""The fast screen text matches pyte's own `display` after any output, row for row."""

from __future__ import annotations

import random

import pyte
from wcwidth import wcwidth

from wezmp_tui.mux.screen_text import ScreenText, history_rows, render_row
from wezmp_tui.mux.vt import VtStream

# Pieces of output a program sends: text of every width, moves, erases, scrolls, inserts.
PIECES = [
    "hello", "world ", "\r\n", "\n", "\r", "\t", "\b", "界", "日本語", "e\u0301", "🙂", "ｱ",
    "\x1b[2J", "\x1b[H", "\x1b[5;10H", "\x1b[K", "\x1b[1K", "\x1b[2K", "\x1b[J", "\x1b[1J",
    "\x1b[3L", "\x1b[2M", "\x1b[4@", "\x1b[3P", "\x1b[5X", "\x1b[3;8r", "\x1b[r", "\x1bM",
    "\x1b[31mred\x1b[0m", "\x1b[?7l", "\x1b[?7h", "x" * 37, "\x1b[?5h", "\x1b[?5l", "\x1b#8",
]  # fmt: skip


def visible(screen: pyte.Screen) -> list[str]:
    """pyte's `display`, cell by cell, but for its crash on an empty cell that is no stub."""
    rows = []
    for y in range(screen.lines):
        cells, skip = [], False
        for x in range(screen.columns):
            data = screen.buffer[y][x].data
            if not skip:
                cells.append(data)
            skip = not skip and bool(data) and wcwidth(data[0]) == 2
        rows.append("".join(cells).rstrip())
    return rows


def test_rows_match_pyte_after_random_output() -> None:
    rng = random.Random(7)
    for trial in range(40):
        screen = pyte.HistoryScreen(23, 7, history=50)
        stream = VtStream(screen)
        text = ScreenText()
        for step in range(60):
            stream.feed("".join(rng.choices(PIECES, k=rng.randint(1, 6))).encode())
            if step % 17 == 16:
                screen.resize(rng.randint(3, 9), rng.randint(8, 30))
            assert text.visible(screen) == visible(screen), (trial, step)


def test_wide_character_stub_is_not_shown_even_when_overwritten() -> None:
    screen = pyte.Screen(6, 1)
    screen.draw("界x")
    screen.cursor.x = 1
    screen.draw("y")  # the stub cell now holds a character pyte still skips
    assert render_row(screen.buffer[0], 6) == screen.display[0] == "界x   "


def test_a_wide_character_overwritten_by_a_narrow_one_renders() -> None:
    # Its stub stays behind as an empty cell, which pyte's own `display` fails on.
    screen = pyte.Screen(6, 1)
    screen.draw("ab界")
    screen.cursor.x = 2
    screen.draw("c")
    assert ScreenText().visible(screen) == ["abc"]


def test_only_dirty_rows_are_rendered_again() -> None:
    screen = pyte.Screen(10, 3)
    text = ScreenText()
    screen.draw("one")
    assert text.visible(screen) == ["one", "", ""]
    screen.buffer[2][0] = screen.buffer[2][0]._replace(data="z")  # not marked dirty
    screen.cursor_position(2, 1)
    screen.draw("two")
    assert text.visible(screen) == ["one", "two", ""]  # row 3 kept as rendered
    screen.dirty.add(2)
    assert text.visible(screen)[2] == "z"


def test_history_rows_are_the_last_scrolled_off_oldest_first() -> None:
    screen = pyte.HistoryScreen(12, 3, history=100)
    stream = VtStream(screen)
    stream.feed("".join(f"line {i}\r\n" for i in range(10)).encode())
    assert history_rows(screen, 3) == ["line 5", "line 6", "line 7"]
    assert history_rows(screen, 100)[:2] == ["line 0", "line 1"]
    assert history_rows(screen, 0) == []
