"""The daemon's plugin service: loads plugins, hands them events, keeps them from hurting it.

Every call into a plugin (import, start, hooks, palette commands) goes through the plugin's
own worker thread with a time limit (`plugins.timeout`). A call that raises or runs too long
is logged with the plugin and hook; after `plugins.max_failures` in a row the plugin is
turned off, kept off across restarts, and the user is told (`plugin.disabled` event, which
notifications send by default, and an `error` event the control center shows).
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from wezmp_tui.engine.api import api
from wezmp_tui.engine.event_feed import EventFeed
from wezmp_tui.errors import InvalidInput, NotFound
from wezmp_tui.model import plugin_events as pe
from wezmp_tui.plugins import loader, runner
from wezmp_tui.plugins.choices import Choices, choices_file
from wezmp_tui.plugins.host import DaemonHost
from wezmp_tui.plugins.runner import HookTimeout, Worker
from wezmp_tui.plugins.spec import HOOK_OF, PROJECT, SPEC_VERSION, WezmpSpec

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine
    from wezmp_tui.plugins.api import PaletteCommand

log = logging.getLogger("wezmp.plugins")

HOOK_NAMES = sorted(n for n in dir(WezmpSpec) if n.startswith("wezmp_"))
SCAN_INTERVAL = 1.0  # seconds between looks at the plugins directory for changed files
FAILED = "turned off after"  # how a reason given by wezmp (not by the user) begins


@dataclass
class Plugin:
    found: loader.Found
    worker: Worker
    failures: int = 0
    last_error: str = ""
    registered: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.found.name


class PluginService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(WezmpSpec)
        self.choices = Choices(choices_file(engine.paths.data_dir))
        self.plugins: dict[str, Plugin] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._palette: dict[tuple[str, int], PaletteCommand] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        engine.get(EventFeed).add(self._on_record)

    # -- settings ------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        return self.engine.config.plugins.timeout

    @property
    def max_failures(self) -> int:
        return self.engine.config.plugins.max_failures

    # -- life ----------------------------------------------------------------------------

    async def start(self) -> None:
        from wezmp_tui.config import watch as watching

        self._loop = asyncio.get_running_loop()
        for found in loader.discover(self.engine.paths.plugins_dir):
            await self._add(found)
        if watching.enabled(self.engine.config):
            self.engine.every("plugins", lambda: SCAN_INTERVAL, self.scan)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for plugin in self.plugins.values():
            self._unregister(plugin)
            plugin.worker.close()

    async def _add(self, found: loader.Found) -> Plugin:
        plugin = Plugin(found=found, worker=Worker(found.name))
        self.plugins[found.name] = plugin
        # A plugin that is off is not even imported: none of its code runs.
        if found.error or self.choices.is_enabled(found.name, found.default_enabled):
            await self._load(plugin)
        return plugin

    async def _load(self, plugin: Plugin) -> None:
        found = plugin.found
        if found.obj is None and not found.error:
            try:
                await plugin.worker.run(found.load, timeout=self.timeout)
            except HookTimeout as exc:
                found.error = f"importing it did not finish: {exc}"
        if found.error:
            log.error("plugin %s (%s) cannot load:\n%s", found.name, found.origin, found.error)
            self.engine.bus.publish(
                "error", {"source": f"plugin {found.name}", "message": _summary(found.error)}
            )
            return
        await self._register(plugin)

    async def _register(self, plugin: Plugin) -> None:
        obj = plugin.found.obj
        try:
            self.pm.register(obj, name=plugin.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            plugin.found.error = f"not a valid wezmp plugin: {exc}"
            log.error("plugin %s: %s", plugin.name, plugin.found.error)
            return
        plugin.registered = True
        plugin.warnings = _unknown_hooks(obj)
        for warning in plugin.warnings:
            log.warning("plugin %s: %s", plugin.name, warning)
        log.info("plugin %s loaded from %s", plugin.name, plugin.found.origin)
        assert self._loop is not None
        host = DaemonHost(self.engine, plugin.name, self._loop)
        await self._call_impls(plugin, "wezmp_plugin_start", {"host": host})

    def _unregister(self, plugin: Plugin) -> None:
        if plugin.registered:
            self.pm.unregister(name=plugin.name)
            plugin.registered = False
        self._palette = {k: v for k, v in self._palette.items() if k[0] != plugin.name}

    async def scan(self) -> None:
        """Load new plugin files, reload changed ones, drop deleted ones."""
        files = {f.name: f for f in loader.from_dir(self.engine.paths.plugins_dir)}
        for name, plugin in list(self.plugins.items()):
            if plugin.found.source != "file":
                continue
            now = files.pop(name, None)
            if now is not None and now.mtime == plugin.found.mtime:
                continue
            self._unregister(plugin)
            plugin.worker.close()
            del self.plugins[name]
            if now is None:
                log.info("plugin %s: its file was removed", name)
                continue
            # A changed file gets a fresh chance, whatever its old version did.
            if self.choices.disabled.get(name, "").startswith(FAILED):
                self.choices.enable(name)
            log.info("plugin %s: its file changed; loading it again", name)
            await self._add(now)
        for found in files.values():
            if found.name not in self.plugins:
                await self._add(found)

    # -- calling plugins -----------------------------------------------------------------

    def _on_record(self, record: pe.PluginEvent) -> None:
        hook = HOOK_OF.get(type(record))
        if hook is None:
            return
        for plugin in self.plugins.values():
            if plugin.registered:
                self._spawn(self._call_impls(plugin, hook, {"event": record}))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _call_impls(self, plugin: Plugin, hook: str, kwargs: dict[str, Any]) -> list[Any]:
        results = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name != plugin.name:
                continue
            args = [kwargs[a] for a in impl.argnames]
            ok, value = await self._guarded(plugin, hook, impl.function, *args)
            if ok:
                results.append(value)
        return results

    async def _guarded(self, plugin: Plugin, what: str, fn: Any, *args: Any) -> tuple[bool, Any]:
        """(True, result), or (False, None) after logging and counting the failure."""
        try:
            value = await plugin.worker.run(fn, *args, timeout=self.timeout)
        except HookTimeout as exc:
            self._failed(plugin, what, f"timed out: {exc}", "")
            return False, None
        except Exception as exc:
            self._failed(plugin, what, f"raised {type(exc).__name__}: {exc}", _plugin_trace(exc))
            return False, None
        plugin.failures = 0
        return True, value

    def _failed(self, plugin: Plugin, what: str, message: str, trace: str) -> None:
        plugin.failures += 1
        plugin.last_error = f"{what} {message}"
        log.error("plugin %s: hook %s %s%s", plugin.name, what, message,
                  "\n" + trace.rstrip() if trace else "")  # fmt: skip
        if plugin.failures < self.max_failures or not plugin.registered:
            return
        reason = f"{FAILED} {plugin.failures} failures in a row; last: {plugin.last_error}"
        self._unregister(plugin)
        self.choices.disable(plugin.name, reason)
        log.error("plugin %s %s (`wezmp plugin enable %s` to try again)", plugin.name, reason,
                  plugin.name)  # fmt: skip
        self.engine.bus.publish("plugin.disabled", {"plugin": plugin.name, "reason": reason})
        self.engine.bus.publish(
            "error", {"source": f"plugin {plugin.name}", "message": f"turned off: {reason}"}
        )

    # -- API -----------------------------------------------------------------------------

    def _get(self, name: str) -> Plugin:
        plugin = self.plugins.get(name)
        if plugin is None:
            known = ", ".join(sorted(self.plugins)) or "none installed"
            raise NotFound(f"no plugin {name!r} (plugins: {known})")
        return plugin

    def _describe(self, plugin: Plugin, full: bool) -> dict[str, Any]:
        f = plugin.found
        if f.error:
            state = "error"
        elif plugin.registered:
            state = "on"
        else:
            state = "off"
        hooks = []
        if plugin.registered:
            callers = self.pm.get_hookcallers(f.obj) or []
            hooks = [h.name for h in callers if h.name in HOOK_NAMES]
        out: dict[str, Any] = {
            "name": plugin.name,
            "source": f.source,
            "origin": f.origin,
            "state": state,
            "why_off": self.choices.disabled.get(plugin.name)
            or ("" if state != "off" else "off until you enable it"),
            "error": f.error if full else _summary(f.error),
            "failures": plugin.failures,
            "stuck_threads": plugin.worker.abandoned,  # calls still running past their limit
            "last_error": plugin.last_error,
            "hooks": sorted(hooks),
            "warnings": plugin.warnings,
            **f.meta,
        }
        return out

    @api("plugin.list")
    async def list_plugins(self) -> list[dict[str, Any]]:
        """Every plugin found: where from, on or off (and why), its hooks, its last error."""
        return [self._describe(p, False) for _, p in sorted(self.plugins.items())]

    @api("plugin.doctor")
    async def doctor(self) -> dict[str, Any]:
        """The plugin API's version and hooks, and each plugin with its full traceback."""
        return {
            "spec_version": SPEC_VERSION,
            "hooks": HOOK_NAMES,
            "plugins_dir": str(self.engine.paths.plugins_dir),
            "timeout": self.timeout,
            "max_failures": self.max_failures,
            "plugins": [self._describe(p, True) for _, p in sorted(self.plugins.items())],
        }

    @api("plugin.enable")
    async def enable(self, name: str) -> dict[str, Any]:
        """Turn a plugin on (again), also one wezmp turned off after failures."""
        plugin = self._get(name)
        self.choices.enable(name)
        plugin.failures = 0
        if not plugin.registered:
            await self._load(plugin)
        if plugin.found.error:
            raise InvalidInput(f"plugin {name} cannot load: {_summary(plugin.found.error)}")
        return self._describe(plugin, False)

    @api("plugin.disable")
    async def disable(self, name: str) -> dict[str, Any]:
        """Turn a plugin off (kept off across restarts)."""
        plugin = self._get(name)
        self.choices.disable(name, "turned off by you")
        self._unregister(plugin)
        return self._describe(plugin, False)

    @api("plugin.commands")
    async def commands(self) -> list[dict[str, Any]]:
        """The command palette entries plugins add."""
        self._palette = {}
        out = []
        for plugin in list(self.plugins.values()):
            if not plugin.registered:
                continue
            for entries in await self._call_impls(plugin, "wezmp_palette_commands", {}):
                for entry in entries or []:
                    index = len([k for k in self._palette if k[0] == plugin.name])
                    self._palette[(plugin.name, index)] = entry
                    out.append({"plugin": plugin.name, "index": index,
                                "title": str(entry.title), "help": str(entry.help)})  # fmt: skip
        return out

    @api("plugin.run_command")
    async def run_command(self, plugin: str, index: int) -> dict[str, Any]:
        """Run a palette entry of `plugin.commands` (in the plugin's thread, time-limited)."""
        entry = self._palette.get((plugin, index))
        if entry is None:
            raise NotFound(f"plugin {plugin} has no command {index} (list them again)")
        ok, message = await self._guarded(self._get(plugin), f"command {entry.title!r}", entry.run)
        if not ok:
            return {"ok": False, "message": self._get(plugin).last_error}
        return {"ok": True, "message": None if message is None else str(message)}


def _plugin_trace(exc: BaseException) -> str:
    """The traceback from the plugin's own code on (not the thread and loop plumbing that
    carried the call there)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [i for i, f in enumerate(frames) if f.filename == runner.__file__]
    theirs = frames[ours[-1] + 1 :] if ours else frames
    lines = ["Traceback (most recent call last):\n", *traceback.StackSummary.from_list(
        theirs or frames).format()]  # fmt: skip
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(lines)


def _summary(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _unknown_hooks(obj: Any) -> list[str]:
    """Functions named like hooks that are not wezmp's (a typo would go unnoticed)."""
    out = []
    for attr in dir(obj):
        if attr.startswith("wezmp_") and attr not in HOOK_NAMES and callable(getattr(obj, attr)):
            near = difflib.get_close_matches(attr, HOOK_NAMES, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            out.append(f"{attr} is not a wezmp hook{hint}; it is never called")
    return out
