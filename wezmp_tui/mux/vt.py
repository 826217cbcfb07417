"""A program's output to a pyte screen: any byte stream accepted, no text after a bad sequence
lost.

pyte (the built-in backend's terminal emulator) knows the VT100/xterm core but not what
today's programs send besides: it raised a `TypeError` on `CSI ? 4 m` and dropped the rest of
that output, drew `CSI < u` (kitty keyboard) as a literal "u", and drew the body of every DCS
or APC string (terminal queries, kitty graphics) as text. Here the output is cut into text
and whole control sequences first; pyte gets the text and the sequences it handles, one at a
time, and the others are ignored, as a terminal ignores what it does not support.
"""

from __future__ import annotations

import codecs
import re

import pyte

# An escape sequence, whole: CSI (params, intermediates, final), a string (OSC, DCS, SOS,
# PM, APC) up to its terminator, or ESC with intermediates and a final. A string also ends
# at CAN, SUB or another ESC (which starts the next sequence), as in DEC's parser.
_SEQUENCE = re.compile(
    r"\x1b(?:"
    r"\[(?P<params>[\x30-\x3f]*)(?P<inter>[\x20-\x2f]*)(?P<final>[\x40-\x7e])"
    r"|(?P<kind>[\]PX^_])(?P<body>[^\x07\x18\x1a\x1b]*)(?:\x07|\x1b\\|[\x18\x1a]|(?=\x1b[^\\]))"
    r"|(?![\[\]PX^_])(?P<esc_inter>[\x20-\x2f]*)(?P<esc_final>[\x30-\x7e])"
    r")"
)
# The start of a sequence cut off at the end of the output read so far.
_UNFINISHED = re.compile(
    r"\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*|[\]PX^_][^\x07\x18\x1a\x1b]*(?:\x1b)?|[\x20-\x2f]*)\Z"
)
_CSI_START = re.compile(r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*")
# Controls a terminal ignores but pyte would draw as characters (C0 but for BEL, BS, HT, LF,
# VT, FF, CR, SO, SI), and C1 controls (pyte would take U+009B for a CSI and swallow the text
# after it).
_IGNORED_CONTROLS: dict[int, None] = dict.fromkeys(
    [*range(0x01, 0x07), *range(0x10, 0x1B), *range(0x1C, 0x20), *range(0x80, 0xA0)]
)
_PYTE_CSI = frozenset(pyte.Stream.csi)
# Private (`?`) forms pyte's handlers take: modes, and the selective erases it treats as plain.
_PRIVATE_OK = frozenset("hlJK")
_PLAIN_PARAMS = re.compile(r"\??[0-9;]*")
MAX_SEQUENCE = 256  # an unfinished CSI or escape longer than this is not one
MAX_STRING = 1 << 20  # an unfinished string's body kept at most (its end is awaited)


class VtStream:
    """Feeds `screen` the output of a program, chunk by chunk, as `pyte.ByteStream` would."""

    def __init__(self, screen: pyte.Screen) -> None:
        self.stream = pyte.Stream(screen)
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        self._pending = ""  # an unfinished sequence at the end of the last chunk
        self.ignored = 0  # sequences not given to pyte: unsupported, malformed, or refused

    def feed(self, data: bytes) -> None:
        text = self._pending + self._decode(data)
        self._pending = ""
        end = len(text)
        pos = 0
        while pos < end:
            esc = text.find("\x1b", pos)
            if esc < 0:
                self._text(text[pos:])
                return
            if esc > pos:
                self._text(text[pos:esc])
            pos = esc
            match = _SEQUENCE.match(text, pos)
            if match is not None:
                self._sequence(match)
                pos = match.end()
                continue
            if _UNFINISHED.match(text, pos):
                self._keep(text[pos:])
                return
            # Malformed (a CSI with a byte no CSI may hold): drop what was read of it and go
            # on with the byte that broke it, so no text is lost.
            csi = _CSI_START.match(text, pos)
            pos = csi.end() if csi is not None else pos + 1
            self.ignored += 1

    def _keep(self, tail: str) -> None:
        if tail[1:2] in ("]", "P", "X", "^", "_"):
            # A string still open: its body is dropped once too long, its end still awaited.
            self._pending = tail if len(tail) <= MAX_STRING else tail[:2]
        elif len(tail) <= MAX_SEQUENCE:
            self._pending = tail
        else:
            self.ignored += 1

    def _text(self, text: str) -> None:
        self.stream.feed(text.translate(_IGNORED_CONTROLS))

    def _sequence(self, m: re.Match[str]) -> None:
        final = m.group("final")
        if final is not None:
            params = m.group("params")
            ok = (
                final in _PYTE_CSI
                and not m.group("inter")
                and _PLAIN_PARAMS.fullmatch(params) is not None
                and (not params.startswith("?") or final in _PRIVATE_OK)
            )
        elif m.group("kind") is not None:
            # Strings: only the window and icon titles (OSC 0, 1, 2) mean something here.
            body = m.group("body")
            ok = m.group("kind") == "]" and body[:2] in ("0;", "1;", "2;")
            if ok:
                self._send(f"\x1b]{body}\x07")
                return
        else:
            inter = m.group("esc_inter")
            ok = inter == "" or (len(inter) == 1 and inter in "#%()")
        if ok:
            self._send(m.group(0))
        else:
            self.ignored += 1

    def _send(self, sequence: str) -> None:
        # One sequence at a time: a handler that fails on odd parameters (pyte passes them
        # all, however many) costs that sequence only; pyte resets its parser after it.
        try:
            self.stream.feed(sequence)
        except Exception:
            self.ignored += 1
