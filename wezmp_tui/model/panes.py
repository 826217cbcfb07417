"""What a multiplexer tells us about a pane, identical for every backend."""

from __future__ import annotations

from typing import Literal

import msgspec

SplitDirection = Literal["left", "right", "top", "bottom"]
ZoomMode = Literal["zoom", "unzoom", "toggle"]


class PaneInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One pane. Ids are strings because backends spell them differently (WezTerm `3`, tmux
    `%3`); compare them as opaque values."""

    pane_id: str
    window_id: str
    tab_id: str
    workspace: str
    title: str = ""
    cwd: str = ""  # a plain filesystem path ("" when unknown), never a file:// URL
    tty: str | None = None
    rows: int = 0
    cols: int = 0
    # Where the pane sits in its tab, in cells from the tab's top left corner: how a frozen
    # layout finds the splits that made the tab.
    left: int = 0
    top: int = 0
    is_active: bool = False
    is_zoomed: bool = False
    tab_title: str = ""  # only a title given to the tab, not one taken from its program
    # Processes whose controlling terminal is the pane's tty, oldest first.
    pids: tuple[int, ...] = ()
