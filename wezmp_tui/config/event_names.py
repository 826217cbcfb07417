"""Checks of the config's event names (`notifications.events`, `actions[].event`): a typo
there would otherwise silence a notification or an action without a word."""

from __future__ import annotations

import difflib

from wezmp_tui.config.schema import Config
from wezmp_tui.config.yamlpos import PathKey, format_path
from wezmp_tui.errors import ConfigError
from wezmp_tui.model.plugin_events import EVENT_NAMES
from wezmp_tui.model.states import STATE_NAMES

KNOWN = sorted({*EVENT_NAMES.values(), *(f"agent.{s}" for s in STATE_NAMES)})


def check_events(config: Config, *, name: str, lines: dict[PathKey, int]) -> None:
    def fail(path: PathKey, message: str) -> ConfigError:
        line = lines.get(path) or lines.get(path[:-1]) or 1
        return ConfigError(f"{name}:{line}: {format_path(path)}: {message}")

    for key in config.notifications.events:
        if key not in KNOWN:
            raise fail(("notifications", "events", key), _unknown(key))
    if config.notifications.quiet_seconds < 0:
        raise fail(("notifications", "quiet_seconds"), "must be >= 0")
    for i, action in enumerate(config.actions):
        if action.event not in KNOWN:
            raise fail(("actions", i, "event"), _unknown(action.event))
        if not action.run or not action.run[0]:
            raise fail(("actions", i, "run"), "needs a program (an argv list: [prog, arg...])")
        if action.timeout <= 0:
            raise fail(("actions", i, "timeout"), "must be > 0")
    if config.plugins.timeout <= 0:
        raise fail(("plugins", "timeout"), "must be > 0")
    if config.plugins.max_failures < 1:
        raise fail(("plugins", "max_failures"), "must be >= 1")


def _unknown(key: str) -> str:
    near = difflib.get_close_matches(key, KNOWN, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(KNOWN)})"
    return f"unknown event {key!r}{hint}"
