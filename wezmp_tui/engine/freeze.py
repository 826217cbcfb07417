"""Live panes back into a layout's tree: the splits found from where each pane sits, sizes
exact to the cell, and what of a pane is its own (its command, a title it was given).

Pure functions over `PaneInfo`; the layout service supplies what needs the engine (agents,
groups, the commands panes were started with).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

from wezmp_tui.config.layouts import Node
from wezmp_tui.model.panes import PaneInfo

SHELLS = {"sh", "bash", "zsh", "fish", "dash", "ksh", "tcsh", "nu", "-bash", "-zsh", "-sh"}


def own_command(argv: list[str] | None) -> list[str] | None:
    """The command to freeze for a pane started with `argv`: None for an interactive shell
    (the layout's default), the argv otherwise (`sh -c SCRIPT` included)."""
    if not argv:
        return None
    if Path(argv[0]).name in SHELLS and "-c" not in argv[1:]:
        return None
    return argv


def own_title(pane: PaneInfo, names: Iterable[str]) -> str | None:
    """The pane's title if it was given one: not the multiplexer's default (tmux: the host
    name; WezTerm and the built-in backend: the running program's name, among `names`)."""
    title = pane.title.strip()
    host = socket.gethostname()
    if not title or title in {host, host.split(".")[0]}:
        return None
    if title in {Path(n).name for n in names if n}:
        return None
    return title


def percent(second: int, total: int) -> str:
    """The second region's share of the whole, precise enough that applying it to the same
    size gives back the same number of cells (`round(total * p / 100) == second`)."""
    text = f"{100 * second / total:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def split_tree(panes: list[PaneInfo], leaf: Callable[[PaneInfo], Node]) -> Node:
    """The split tree of one tab from its panes' places: a cut through the whole region
    that no pane straddles is a split; its halves are split the same way. A tab whose
    places do not tile (a zoomed tab on some backends) falls back to a chain of splits
    sized from the panes' cells."""
    if len(panes) == 1:
        return leaf(panes[0])
    cut = _cut(panes)
    if cut is None:
        return _chain(panes, leaf)
    direction, first, second, size = cut
    return Node(
        split=direction, size=size, panes=[split_tree(first, leaf), split_tree(second, leaf)]
    )


Cut = tuple[Literal["right", "bottom"], list[PaneInfo], list[PaneInfo], str]


def _cut(panes: list[PaneInfo]) -> Cut | None:
    directions: tuple[Literal["right", "bottom"], ...] = ("right", "bottom")
    for direction in directions:
        horizontal = direction == "right"

        def start(p: PaneInfo, h: bool = horizontal) -> int:
            return p.left if h else p.top

        def end(p: PaneInfo, h: bool = horizontal) -> int:
            return p.left + p.cols if h else p.top + p.rows

        lo, hi = min(start(p) for p in panes), max(end(p) for p in panes)
        for at in sorted({start(p) for p in panes} - {lo}):
            # The divider is the one cell before `at`: every pane ends before it or starts
            # at or after it.
            first = [p for p in panes if end(p) < at]
            second = [p for p in panes if start(p) >= at]
            if first and second and len(first) + len(second) == len(panes):
                return direction, first, second, percent(hi - at, hi - lo)
    return None


def _chain(panes: list[PaneInfo], leaf: Callable[[PaneInfo], Node]) -> Node:
    if len(panes) == 1:
        return leaf(panes[0])
    side_by_side = len({p.rows for p in panes}) == 1 or len({p.cols for p in panes}) != 1
    sizes = [p.cols if side_by_side else p.rows for p in panes]
    total = sum(sizes) + len(sizes) - 1
    return Node(
        split="right" if side_by_side else "bottom",
        size=percent(total - sizes[0] - 1, total),
        panes=[leaf(panes[0]), _chain(panes[1:], leaf)],
    )


def relative(path: str, root: str | None) -> str | None:
    """`path` relative to the layout's root (None when it is the root itself)."""
    if not path:
        return None
    rel = os.path.relpath(path, root) if root else path
    return None if rel == "." else rel


def common_root(paths: Iterable[str]) -> str | None:
    found = [p for p in paths if p]
    return os.path.commonpath(found) if found else None
