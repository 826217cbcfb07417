"""Dependency order and cycles."""

from __future__ import annotations

import pytest

from wezmp_tui.engine.deps import dependents, find_cycle, start_order
from wezmp_tui.errors import InvalidInput

GRAPH = {"db": [], "cache": [], "api": ["db", "cache"], "web": ["api"], "lone": []}


def test_start_order_puts_dependencies_first() -> None:
    assert start_order(GRAPH, ["web"]) == ["cache", "db", "api", "web"]
    assert start_order(GRAPH, ["lone", "api"]) == ["lone", "cache", "db", "api"]


def test_dependents_furthest_first() -> None:
    assert dependents(GRAPH, "db") == ["web", "api"]
    assert dependents(GRAPH, "web") == []


def test_cycles_are_named() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": []}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    with pytest.raises(InvalidInput, match="dependency cycle: a → b → c → a"):
        start_order(graph, ["d"])
    assert find_cycle(GRAPH) is None


def test_unknown_names_say_who_needs_them() -> None:
    with pytest.raises(InvalidInput, match="unknown agent 'x' \\(needed by y\\)"):
        start_order({"y": ["x"]}, ["y"])
    with pytest.raises(InvalidInput, match="unknown agent 'z'"):
        start_order({}, ["z"])
