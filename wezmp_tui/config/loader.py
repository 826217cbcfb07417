"""Loading `config.yaml`: all or nothing, with the last good config kept on error."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import get_args

from wezmp_tui.config.keymap import BINDING_IDS
from wezmp_tui.config.schema import AgentKind, AgentSpec, Config
from wezmp_tui.config.yamlpos import PathKey, convert, format_path, parse_yaml
from wezmp_tui.errors import ConfigError


def load_config(path: Path) -> Config:
    """The config in `path` (defaults when the file does not exist). Raises ConfigError."""
    if not path.exists():
        return Config()
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot read: {exc}") from None
    data, lines = parse_yaml(text, name)
    if data is None:
        return Config()
    config = convert(data, Config, name=name, lines=lines)
    check_agents(config.agents, name=name, lines=lines, base=("agents",))
    check_keys(config, name=name, lines=lines)
    return config


def check_keys(config: Config, *, name: str, lines: dict[PathKey, int]) -> None:
    """Keys of the mappings whose keys are names wezmp must know (a binding id, an agent
    kind, a priority): a typo there would otherwise be ignored without a word."""
    known_priorities = ("H", "M", "L")
    for base, keys, known, what in (
        (("keymap",), config.keymap, BINDING_IDS, "binding id"),
        (("agent_kinds",), config.agent_kinds, get_args(AgentKind), "agent kind"),
        (("board", "urgency", "priority"), config.board.urgency.priority, known_priorities,
         "priority"),
    ):  # fmt: skip
        for key in keys:
            if key not in known:
                path = (*base, key)
                line = lines.get(path) or lines.get(base) or 1
                raise ConfigError(
                    f"{name}:{line}: {format_path(path)}: unknown {what}{_hint(key, known)}"
                )


def _hint(key: str, known: Iterable[str]) -> str:
    import difflib  # only for a mistake: not in the daemon's memory all day

    near = difflib.get_close_matches(key, list(known), n=1)
    if near:
        return f" (did you mean {near[0]!r}?)"
    if len(list(known)) > 8:
        return " (press ? in the control center for every id)"
    return f" (known: {', '.join(sorted(known))})"
def where_set(path: Path, key: str) -> str:
    """`path:line` of a top-level `key` in a config file (`path` alone when it cannot say):
    for a person who wants to know which line decided something."""
    try:
        _, lines = parse_yaml(path.read_text(encoding="utf-8"), path.name)
    except (OSError, UnicodeDecodeError, ConfigError):
        return str(path)
    line = lines.get((key,))
    return f"{path}:{line}" if line else str(path)


def check_agents(
    agents: list[AgentSpec], *, name: str, lines: dict[PathKey, int], base: PathKey
) -> None:
    """What types cannot say: unique names, known dependencies, regexes that compile."""

    def fail(path: PathKey, message: str) -> ConfigError:
        line = lines.get(path) or lines.get(path[:-1]) or 1
        return ConfigError(f"{name}:{line}: {format_path(path)}: {message}")

    names = [a.name for a in agents]
    for i, agent in enumerate(agents):
        where = (*base, i)
        if not agent.name.strip():
            raise fail((*where, "name"), "must not be empty")
        if names.index(agent.name) != i:
            raise fail((*where, "name"), f"duplicate agent name {agent.name!r}")
        for dep in agent.depends_on:
            if dep not in names:
                raise fail((*where, "depends_on", dep), f"unknown agent {dep!r}")
            if dep == agent.name:
                raise fail((*where, "depends_on", dep), "an agent cannot depend on itself")
        for field, rx in (("log_ready", agent.log_ready),):
            if rx is not None:
                _compile(rx, fail((*where, field), "bad regex"))
        if agent.readiness and agent.readiness.log_regex:
            _compile(
                agent.readiness.log_regex, fail((*where, "readiness", "log_regex"), "bad regex")
            )
        if agent.restart.max_restarts < 0:
            raise fail((*where, "restart", "max_restarts"), "must be >= 0")


def _compile(rx: str, error: ConfigError) -> None:
    try:
        re.compile(rx)
    except re.error as exc:
        raise ConfigError(f"{error.message}: {exc}") from None


class ConfigHolder:
    """The config in force. `reload()` swaps it only when the file loads cleanly."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.error: str | None = None
        try:
            self.config = load_config(path)
        except ConfigError as exc:
            self.config = Config()
            self.error = exc.message

    def reload(self) -> Config | ConfigError:
        try:
            new = load_config(self.path)
        except ConfigError as exc:
            self.error = exc.message
            return exc
        self.config = new
        self.error = None
        return new
