"""Layout files: a workspace's tabs, their split trees, and what runs in each pane.

    name: review
    description: the agent on the left, a diff and tests on the right
    root: ~/src/app           # pane cwds are relative to it
    env: {PAGER: cat}
    before: ["source .venv/bin/activate"]   # typed into each shell before its command
    tabs:
      - title: review
        layout:
          split: right          # where the second pane goes
          size: 40%             # of the second pane: "40%" or a number of cells
          panes:
            - agent: {name: reviewer, kind: claude}
            - split: bottom
              panes:
                - command: [git, diff, --stat]
                - {command: [make, test], group: tests, focus: true}

A node is a pane (`command` argv or an inline `agent`, optional `cwd`, `title`, `focus`,
`group`) or a split (`split`, `size`, and exactly two `panes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import msgspec
import yaml

from wezmp_tui.config.schema import AgentSpec, Base, Readiness, Restart
from wezmp_tui.config.yamlpos import PathKey, convert, format_path, parse_yaml
from wezmp_tui.errors import ConfigError, NotFound
from wezmp_tui.paths import Paths, builtin_dir


class InlineAgent(Base):
    """An agent spec inside a layout; `name` may be left out (derived from the pane), its
    workspace is the layout's and its cwd the pane's. A name alone names an agent defined
    elsewhere, whose definition is then used as it is."""

    name: str | None = None
    kind: Literal["claude", "codex", "gemini", "aider", "shell", "generic"] = "generic"
    command: list[str] | None = None
    env: dict[str, str] = {}
    depends_on: dict[str, str] = {}
    restart: Restart = msgspec.field(default_factory=Restart)
    log_ready: str | None = None
    readiness: Readiness | None = None
    autostart: bool = False
    worktree: bool = False
    group: str | None = None


class Node(Base):
    # A split ...
    split: Literal["right", "left", "top", "bottom"] | None = None
    size: str | int | None = None
    panes: list[Node] | None = None
    # ... or a pane.
    command: list[str] | None = None
    agent: InlineAgent | None = None
    cwd: str | None = None
    title: str | None = None
    focus: bool = False
    group: str | None = None


class Tab(Base):
    title: str | None = None
    cwd: str | None = None
    domain: str | None = None  # a WezTerm domain for this tab (else the layout's)
    layout: Node = msgspec.field(default_factory=Node)


class Layout(Base):
    name: str
    description: str = ""
    root: str | None = None
    domain: str | None = None  # a WezTerm domain (an SSH host, say) every tab runs in
    env: dict[str, str] = {}
    before: list[str] = []
    tabs: list[Tab] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class LayoutRef:
    name: str
    description: str
    path: str
    source: str  # "shipped" | "user"


def _check_node(node: Node, path: PathKey, name: str, lines: dict[PathKey, int]) -> None:
    def fail(p: PathKey, msg: str) -> ConfigError:
        q = p
        while q and q not in lines:
            q = q[:-1]
        return ConfigError(f"{name}:{lines.get(q, 1)}: {format_path(p)}: {msg}")

    if node.split is not None or node.panes is not None:
        if node.split is None:
            raise fail((*path, "panes"), "a node with panes needs `split: right|left|top|bottom`")
        if not node.panes or len(node.panes) != 2:
            raise fail((*path, "panes"), "a split has exactly two panes")
        if node.command or node.agent:
            raise fail(path, "a split cannot also run a command or an agent")
        parse_size(node.size, lambda m: fail((*path, "size"), m))
        for i, child in enumerate(node.panes):
            _check_node(child, (*path, "panes", i), name, lines)
        return
    if node.size is not None:
        raise fail((*path, "size"), "only a split has a size")
    if node.command is not None and node.agent is not None:
        raise fail(path, "a pane runs a command or an agent, not both")
    if node.command is not None and not node.command:
        raise fail((*path, "command"), "must not be empty (leave it out for a shell)")


def parse_size(size: str | int | None, fail: object = None) -> tuple[float | None, int | None]:
    """(percent, cells) from "30%", "37.5%" or 12."""
    if size is None:
        return None, None
    if isinstance(size, int) and not isinstance(size, bool):
        if size <= 0:
            raise fail("cells must be > 0") if callable(fail) else ValueError(size)  # type: ignore[misc]
        return None, size
    text = str(size).strip()
    if text.endswith("%"):
        try:
            value = float(text[:-1])
        except ValueError:
            value = -1.0
        if 0 < value < 100:
            return value, None
    message = f"expected a percentage like 30% or a number of cells, got {size!r}"
    if callable(fail):
        raise fail(message)  # type: ignore[misc]
    raise ValueError(message)


def parse_layout(text: str, name: str) -> Layout:
    data, lines = parse_yaml(text, name)
    if data is None:
        raise ConfigError(f"{name}:1: empty layout file")
    layout = convert(data, Layout, name=name, lines=lines)
    if not layout.tabs:
        raise ConfigError(f"{name}:{lines.get(('tabs',), 1)}: tabs: at least one tab")
    for i, tab in enumerate(layout.tabs):
        _check_node(tab.layout, ("tabs", i, "layout"), name, lines)
    return layout


def layout_dirs(paths: Paths) -> list[tuple[Path, str]]:
    return [(builtin_dir("layouts"), "shipped"), (paths.layouts_dir, "user")]


def read_layout(path: Path, last_good: dict[str, Layout] | None = None) -> Layout:
    """A layout file. With `last_good` (file path -> layout), a file that no longer loads
    gives its last good version, and one that loads becomes the last good version; the error
    is raised only when there is none."""
    try:
        layout = parse_layout(path.read_text(encoding="utf-8"), path.name)
    except ConfigError:
        if last_good is not None and str(path) in last_good:
            return last_good[str(path)]
        raise
    if last_good is not None:
        last_good[str(path)] = layout
    return layout


def list_layouts(
    paths: Paths, last_good: dict[str, Layout] | None = None
) -> tuple[list[LayoutRef], list[str]]:
    """Every layout by name (a user file overrides a shipped one), and the errors of the
    files that do not load (a file with a last good version keeps it in force)."""
    found: dict[str, LayoutRef] = {}
    errors: list[str] = []
    for directory, source in layout_dirs(paths):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.y*ml")):
            try:
                parse_layout(path.read_text(encoding="utf-8"), path.name)
            except ConfigError as exc:
                kept = (last_good or {}).get(str(path))
                errors.append(
                    exc.message + (f" (layout {kept.name}: the last good version stays in force)"
                                   if kept else "")
                )  # fmt: skip
                if kept is None:
                    continue
            layout = read_layout(path, last_good)
            found[layout.name] = LayoutRef(layout.name, layout.description, str(path), source)
    return sorted(found.values(), key=lambda r: r.name), errors


def load_layout(
    paths: Paths, name_or_file: str, last_good: dict[str, Layout] | None = None
) -> Layout:
    """A layout by name (user's first, then shipped) or from a file path."""
    candidate = Path(name_or_file).expanduser()
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return parse_layout(candidate.read_text(encoding="utf-8"), str(candidate))
    for ref in list_layouts(paths, last_good)[0]:
        if ref.name == name_or_file:
            return read_layout(Path(ref.path), last_good)
    raise NotFound(f"no layout named {name_or_file!r} (see: wezmp layout list)")


def dump_layout(layout: Layout) -> str:
    """YAML a person can read and edit (defaults left out)."""
    data = _prune(msgspec.to_builtins(layout))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)


def _prune(value: object) -> object:
    """Drop empty mappings (defaults msgspec keeps for nested structs)."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v != {}}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def agent_spec(inline: InlineAgent, name: str, workspace: str, cwd: str | None) -> AgentSpec:
    return AgentSpec(
        name=name,
        kind=inline.kind,
        command=inline.command,
        env=inline.env,
        workspace=workspace,
        cwd=cwd,
        depends_on=inline.depends_on,  # type: ignore[arg-type]
        restart=inline.restart,
        log_ready=inline.log_ready,
        readiness=inline.readiness,
        autostart=inline.autostart,
        worktree=inline.worktree,
        group=inline.group,
    )
