"""The built-in backend's terminal: real programs' recorded output, and random bytes, never
raise and never lose the text that follows a sequence it does not support."""

from __future__ import annotations

import random
from pathlib import Path

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wezmp_tui.mux.vt import MAX_SEQUENCE, VtStream

STREAMS = Path(__file__).parents[1] / "data" / "streams"
# Text each recording puts on the screen at some point (README.md there says how each was made).
SHOWN = {
    "vim.bin": "201 hello from vim",
    "less.bin": "line number 200",
    "top.bin": "%Cpu(s):",
    "claude.bin": "Unable to connect to Anthropic services",
    "codex.bin": "2. Sign in with Device Code",
    "gemini.bin": "Agent powering down. Goodbye!",
}


def _terminal(cols: int = 120, rows: int = 40) -> tuple[pyte.HistoryScreen, VtStream]:
    screen = pyte.HistoryScreen(cols, rows, history=1000, ratio=0.5)
    return screen, VtStream(screen)


def _rows(screen: pyte.Screen) -> list[str]:
    return [line.rstrip() for line in screen.display]


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_recorded_output_of_real_programs(name: str) -> None:
    data = (STREAMS / name).read_bytes()
    whole, stream = _terminal()
    stream.feed(data)
    # Cut anywhere (a read from a PTY returns whatever is there): the same screen, and the
    # text shows up along the way.
    cut, pieces = _terminal()
    rng = random.Random(name)
    seen = False
    at = 0
    while at < len(data):
        step = rng.randint(1, 700)
        pieces.feed(data[at : at + step])
        at += step
        seen = seen or any(SHOWN[name] in row for row in _rows(cut))
    assert seen
    assert _rows(cut) == _rows(whole)


def test_claude_codes_keyboard_protocol_is_not_drawn() -> None:
    """`CSI < u`, `CSI > 1 u` and `CSI > 4 ; 2 m` came out as a literal "u" before the
    welcome line."""
    screen, stream = _terminal()
    stream.feed((STREAMS / "claude.bin").read_bytes())
    assert _rows(screen)[0] == "Welcome to Claude Code v2.1.197"


def test_gemini_private_sgr_no_longer_drops_the_rest() -> None:
    data = (STREAMS / "gemini.bin").read_bytes()
    assert b"\x1b[>4;?m" in data  # its modifyOtherKeys query: to pyte, a private SGR
    plain = pyte.HistoryScreen(120, 40, history=1000, ratio=0.5)
    with pytest.raises(TypeError, match="private"):
        pyte.ByteStream(plain).feed(data)  # what the built-in backend did before
    screen, stream = _terminal()
    stream.feed(data)
    assert any("Agent powering down. Goodbye!" in row for row in _rows(screen))
    assert stream.ignored > 0


@pytest.mark.parametrize(
    ("chunks", "shown"),
    [
        ([b"a\x1b[?4mb"], "ab"),  # a private SGR
        ([b"a\x1b[<u\x1b[>1u\x1b[=5u\x1b[?ub"], "ab"),  # kitty keyboard protocol
        ([b"a\x1b[4:3m\x1b[58:2::255:0:0mb"], "ab"),  # colon sub-parameters
        ([b"a\x1b[6 q\x1b[!p\x1b[?2026$pb"], "ab"),  # intermediates
        ([b"a\x1bPzz\x1b\\\x1b_Gf=100;QUFB\x1b\\\x1b^pm\x07\x1bXsos\x1b\\b"], "ab"),  # strings
        ([b"a\x1b]10;?\x1b\\\x1b]8;;https://x\x07b"], "ab"),  # queries, hyperlinks
        ([b"a\x1b[1;2;3A\x1b[5;5K\x1b[9;9;9nb"], "ab"),  # parameters pyte's handlers refuse
        ([b"a\x01\x05\x18\x1a\x1f\xc2\x9bb"], "ab"),  # controls a terminal ignores, C1 CSI
        ([b"a\x1b", b"[3", b"1mb\x1b[0", b"m"], "ab"),  # cut anywhere
        ([b"a\x1bP", b"long" * 10, b" body\x1b", b"\\b"], "ab"),
        ([b"a\x1b[1;\xc3\xa9b"], "a\u00e9b"),  # a byte no CSI may hold: the rest is text
        ([b"a\x1b(Bb\x1b#8"], "E" * 120),  # DEC screen alignment test: handled by pyte
    ],
)
def test_sequences_it_does_not_support_are_ignored(chunks: list[bytes], shown: str) -> None:
    screen, stream = _terminal()
    for chunk in chunks:
        stream.feed(chunk)
    assert _rows(screen)[0] == shown


def test_titles_and_unfinished_sequences() -> None:
    screen, stream = _terminal()
    stream.feed(b"\x1b]2;my title\x1b\\x\x1b]0;other\x07y")
    assert screen.title == "other" and _rows(screen)[0] == "xy"
    stream.feed(b"\x1b[" + b"1;" * MAX_SEQUENCE)  # no CSI is that long: dropped, not kept
    stream.feed(b"z")
    assert _rows(screen)[0] == "xyz"
    stream.feed(b"\x1b_" + b"A" * 5000)  # an image being sent: kept out until its end
    stream.feed(b"B" * 5000 + b"\x1b\\!")
    assert _rows(screen)[0] == "xyz!"


_PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
_UNSUPPORTED = st.one_of(
    # CSI with a private marker pyte does not know, colon sub-parameters, or intermediates
    # (`?` only where no handler takes it: `CSI ? J` is a real erase).
    st.tuples(
        st.sampled_from(["<", "=", ">", "1:2", "38:2::1:2:3"]),
        st.from_regex(r"[0-9;]{0,12}", fullmatch=True),
        st.from_regex(r"[ -/]{0,2}", fullmatch=True),
        st.sampled_from(list("mupqhlcnJKr")),
    ).map("\x1b[{0[0]}{0[1]}{0[2]}{0[3]}".format),
    st.tuples(
        st.from_regex(r"[0-9;]{0,12}", fullmatch=True), st.sampled_from(list("mupqcnr"))
    ).map("\x1b[?{0[0]}{0[1]}".format),
    st.tuples(
        st.from_regex(r"[0-9;]{0,8}", fullmatch=True), st.sampled_from(list(" !\"#$%&'"))
    ).map("\x1b[{0[0]}{0[1]}p".format),
    # Strings: DCS, SOS, PM, APC with any printable body; OSC other than the titles.
    st.tuples(
        st.sampled_from(list("PX^_")), _PRINTABLE, st.sampled_from(["\x1b\\", "\x07"])
    ).map("\x1b{0[0]}{0[1]}{0[2]}".format),
    st.tuples(st.integers(3, 2000), _PRINTABLE).map("\x1b]{0[0]};{0[1]}\x07".format),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_UNSUPPORTED, max_size=6), st.integers(1, 64))
def test_text_around_unsupported_sequences_is_kept(bad: list[str], step: int) -> None:
    data = ("before " + "".join(bad) + "after").encode()
    screen, stream = _terminal()
    for at in range(0, len(data), step):
        stream.feed(data[at : at + step])
    assert _rows(screen)[0] == "before after"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(1, 64))
def test_random_bytes_never_raise_and_what_follows_shows(junk: bytes, step: int) -> None:
    data = junk + b"\x1bcMARKER"  # RIS: whatever the junk set up is reset
    screen, stream = _terminal(cols=40, rows=10)
    for at in range(0, len(data), step):
        stream.feed(data[at : at + step])
    assert _rows(screen)[0] == "MARKER"
