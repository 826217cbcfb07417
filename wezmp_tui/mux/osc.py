"""Escape sequences wezmp writes to a pane's tty to talk to WezTerm's Lua side."""

from __future__ import annotations

import base64

from wezmp_tui.mux.base import printable


def set_user_var(name: str, value: str, *, tmux: bool = False) -> bytes:
    """`ESC ] 1337 ; SetUserVar=NAME=BASE64(VALUE) BEL`, which fires WezTerm's
    `user-var-changed` event. Inside tmux it must be wrapped in tmux's DCS passthrough
    (`ESC P tmux; … ESC \\` with every ESC doubled) or tmux swallows it."""
    encoded = base64.b64encode(value.encode()).decode()
    seq = f"\x1b]1337;SetUserVar={name}={encoded}\x07".encode()
    if tmux:
        return b"\x1bPtmux;" + seq.replace(b"\x1b", b"\x1b\x1b") + b"\x1b\\"
    return seq


def osc_title(title: str) -> bytes:
    """`ESC ] 2 ; TITLE BEL`: set the window (pane) title. Control characters are dropped so
    a title can never end the sequence early or start another."""
    return f"\x1b]2;{printable(title)}\x07".encode()


def write_to_tty(tty: str, data: bytes) -> None:
    """Write `data` to a terminal device, as a program running on it would."""
    import os

    fd = os.open(tty, os.O_WRONLY | os.O_NOCTTY)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
