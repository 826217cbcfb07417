"""Loading `config.yaml`: all or nothing, with the last good config kept on error."""

from __future__ import annotations

import re
from pathlib import Path

from wezmp_tui.config.schema import AgentSpec, Config
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
    return config


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
