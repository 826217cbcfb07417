"""Panes back into a split tree: cuts from places, sizes exact to the cell, own commands
and titles."""

from __future__ import annotations

import socket

from hypothesis import given
from hypothesis import strategies as st

from wezmp_tui.config.layouts import Node, parse_size
from wezmp_tui.engine import freeze
from wezmp_tui.model.panes import PaneInfo


def pane(pid: str, left: int, top: int, cols: int, rows: int, **kw: object) -> PaneInfo:
    return PaneInfo(pane_id=pid, window_id="w", tab_id="t", workspace="ws", left=left, top=top,
                    cols=cols, rows=rows, **kw)  # type: ignore[arg-type]  # fmt: skip


def leaf(p: PaneInfo) -> Node:
    return Node(command=[p.pane_id])


@given(total=st.integers(3, 2000), data=st.data())
def test_a_frozen_percent_gives_back_the_same_cells(total: int, data: st.DataObject) -> None:
    second = data.draw(st.integers(1, total - 2))
    pct, cells = parse_size(freeze.percent(second, total))
    assert cells is None and pct is not None and round(total * pct / 100) == second


def test_the_tree_comes_from_where_panes_sit() -> None:
    # 200x50: a left column (119 wide) split top/bottom, a right column of 80 with three rows.
    panes = [
        pane("a", 0, 0, 119, 30), pane("b", 0, 31, 119, 19),
        pane("c", 120, 0, 80, 10), pane("d", 120, 11, 80, 20), pane("e", 120, 32, 80, 18),
    ]  # fmt: skip
    tree = freeze.split_tree(panes, leaf)
    assert (tree.split, tree.size) == ("right", "40%")
    assert tree.panes is not None
    left, right = tree.panes
    assert (left.split, left.size) == ("bottom", "38%")
    assert right.split == "bottom" and right.size == "78%"
    assert right.panes is not None and right.panes[1].size == "46.15%"
    assert [n.command for n in (left.panes or [])] == [["a"], ["b"]]


def test_places_that_do_not_tile_fall_back_to_a_chain() -> None:
    zoomed = [pane("a", 0, 0, 200, 50), pane("b", 0, 0, 100, 50)]
    tree = freeze.split_tree(zoomed, leaf)
    assert tree.split == "right" and tree.panes is not None
    assert [n.command for n in tree.panes] == [["a"], ["b"]]


def test_own_command_and_title() -> None:
    assert freeze.own_command(["bash"]) is None
    assert freeze.own_command(["-zsh"]) is None
    assert freeze.own_command(["bash", "--login"]) is None
    loop = ["sh", "-c", "while :; do sleep 3; done"]
    assert freeze.own_command(loop) == loop
    assert freeze.own_command(["htop"]) == ["htop"]
    assert freeze.own_command(None) is None
    host = socket.gethostname()
    assert freeze.own_title(pane("a", 0, 0, 1, 1, title=host), []) is None
    assert freeze.own_title(pane("a", 0, 0, 1, 1, title="sleep"), ["/bin/sleep"]) is None
    assert freeze.own_title(pane("a", 0, 0, 1, 1, title=" logs "), ["sleep"]) == "logs"
    assert freeze.relative("/r/x", "/r") == "x" and freeze.relative("/r", "/r") is None
