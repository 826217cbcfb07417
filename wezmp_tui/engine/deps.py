"""Dependency order between agents: starts go dependencies-first, stops dependents-first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wezmp_tui.errors import InvalidInput


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A dependency cycle as a path that returns to its start (`a, b, c, a`), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if state.get(dep) is None and dep in graph:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def start_order(graph: Mapping[str, Iterable[str]], wanted: Iterable[str]) -> list[str]:
    """`wanted` and everything they depend on, dependencies first. Raises on a cycle or an
    unknown name, naming it."""
    cycle = find_cycle(graph)
    if cycle:
        raise InvalidInput("dependency cycle: " + " → ".join(cycle))
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str, via: str | None) -> None:
        if node in seen:
            return
        if node not in graph:
            where = f" (needed by {via})" if via else ""
            raise InvalidInput(f"unknown agent {node!r}{where}")
        seen.add(node)
        for dep in sorted(graph[node]):
            visit(dep, node)
        order.append(node)

    for name in wanted:
        visit(name, None)
    return order


def dependents(graph: Mapping[str, Iterable[str]], name: str) -> list[str]:
    """Every agent that depends on `name`, directly or not, the furthest first (stop order)."""
    reverse: dict[str, set[str]] = {}
    for node, deps in graph.items():
        for dep in deps:
            reverse.setdefault(dep, set()).add(node)
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> None:
        for child in sorted(reverse.get(node, ())):
            if child not in seen:
                seen.add(child)
                visit(child)
                order.append(child)

    visit(name)
    return order
