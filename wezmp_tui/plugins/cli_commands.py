"""Commands plugins add to the `wezmp` command line (`wezmp_cli_commands`).

Loaded only when the CLI meets a name it does not know, or lists its commands: the commands
wezmp itself has never pay for importing plugins. Only plugins that are on (as `wezmp plugin
enable|disable` left them) are asked; one that fails is skipped (`wezmp plugin doctor` says
why).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pluggy

from wezmp_tui.paths import Paths
from wezmp_tui.plugins import loader
from wezmp_tui.plugins.choices import Choices, choices_file
from wezmp_tui.plugins.spec import PROJECT, WezmpSpec

log = logging.getLogger("wezmp.plugins")


# Seconds all plugins together may take to import here: a plugin that hangs on import costs
# a command line this much, once (the daemon reports it; `wezmp plugin doctor`).
IMPORT_LIMIT = 2.0


def _load_all(found: list[loader.Found]) -> list[loader.Found]:
    """Import them side by side in daemonic threads; those not done by the limit are left
    out (and left behind: the process exits without waiting for them)."""
    threads = [threading.Thread(target=f.load, daemon=True) for f in found]
    for t in threads:
        t.start()
    deadline = time.monotonic() + IMPORT_LIMIT
    done = []
    for f, t in zip(found, threads, strict=True):
        t.join(max(0.0, deadline - time.monotonic()))
        if not t.is_alive():
            done.append(f)
    return done


def plugin_commands(paths: Paths) -> dict[str, Any]:
    import click

    choices = Choices(choices_file(paths.data_dir))
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(WezmpSpec)
    commands: dict[str, Any] = {}
    found_all = loader.discover(paths.plugins_dir)
    wanted = [f for f in found_all if choices.is_enabled(f.name, f.default_enabled)]
    for found in _load_all(wanted):
        if found.error:
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
