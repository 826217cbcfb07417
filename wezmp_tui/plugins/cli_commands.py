"""Commands plugins add to the `wezmp` command line (`wezmp_cli_commands`).

Loaded only when the CLI meets a name it does not know, or lists its commands: the commands
wezmp itself has never pay for importing plugins. Only plugins that are on (as `wezmp plugin
enable|disable` left them) are asked; one that fails is skipped (`wezmp plugin doctor` says
why).
"""

from __future__ import annotations

import logging
from typing import Any

import pluggy

from wezmp_tui.paths import Paths
from wezmp_tui.plugins import loader
from wezmp_tui.plugins.choices import Choices, choices_file
from wezmp_tui.plugins.spec import PROJECT, WezmpSpec

log = logging.getLogger("wezmp.plugins")


def plugin_commands(paths: Paths) -> dict[str, Any]:
    import click

    choices = Choices(choices_file(paths.data_dir))
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(WezmpSpec)
    commands: dict[str, Any] = {}
    for found in loader.discover(paths.plugins_dir):
        if not choices.is_enabled(found.name, default=True):
            continue
        found.load()
        if found.error or not choices.is_enabled(found.name, found.default_enabled):
            continue
        try:
            pm.register(found.obj, name=found.name)
            results = pm.hook.wezmp_cli_commands()
        except Exception as exc:
            log.debug("plugin %s: no commands: %s", found.name, exc)
            continue
        finally:
            if pm.is_registered(found.obj):
                pm.unregister(found.obj)
        for group in results:
            for cmd in group or []:
                if isinstance(cmd, click.Command) and cmd.name:
                    commands.setdefault(cmd.name, cmd)
    return commands
