"""The control center: one factory (`create_app`) for the CLI, the tests and the benches.

The app is a thin client of the daemon: everything goes through `self.client` (the
`AsyncApi` protocol), so tests run it against an in-process engine or a scripted client.
What the daemon says is kept in one mirror (`self.state`), which tells every screen.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from wezmp_tui.clock import Clock, SystemClock
from wezmp_tui.errors import DaemonUnavailable, WezmpError
from wezmp_tui.ipc.base import AsyncApi
from wezmp_tui.model.events import Event
from wezmp_tui.model.states import STATES
from wezmp_tui.tui.commands import WezmpCommands
from wezmp_tui.tui.messages import ConnectionChanged, ThemeChanged
from wezmp_tui.tui.plugin_commands import PluginCommands
from wezmp_tui.tui.state import DaemonState, running
from wezmp_tui.tui.widgets.key_footer import KeyFooter
from wezmp_tui.tui.words import failure_title, source_title

log = logging.getLogger("wezmp.tui")
ClientFactory = Callable[[], Awaitable[AsyncApi]]
TOPICS = [
    "workspace.", "pane.", "agent.", "metrics.", "error", "theme.", "config.",
    "task.", "timer.", "queue.", "board.", "layout.",
]  # fmt: skip


def rich_color(value: str) -> str:
    """A theme colour (`#7aa2f7`, `ansi_blue`) as Rich spells it in a style."""
    try:
        return Color.parse(value).rich_color.name
    except ColorParseError:
        return value


class UnavailableScreen(Screen[None]):
    """Shown for a mode whose module is not installed, saying so instead of failing."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(
            Text(f"The {self.what} is not available in this build."), classes="unavailable"
        )
        yield KeyFooter()


def _lazy_screen(module: str, cls: str, what: str) -> Callable[[], Screen[Any]]:
    def make() -> Screen[Any]:
        import importlib
        import importlib.util

        try:
            found = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return UnavailableScreen(what)
        screen: Screen[Any] = getattr(importlib.import_module(module), cls)()
        return screen

    return make


class WezmpApp(App[None]):
    CSS_PATH = "styles/app.tcss"
    TITLE = "wezmp"
    COMMANDS = App.COMMANDS | {WezmpCommands, PluginCommands}
    # Each mode's module is imported when the mode is first shown: `wezmp tui --board` paints
    # without loading the dashboard's tables, trees and logs (and the reverse).
    MODES = {
        "dashboard": _lazy_screen("wezmp_tui.tui.dashboard", "DashboardScreen", "dashboard"),
        "board": _lazy_screen("wezmp_tui.tui.board.screen", "BoardScreen", "board"),
        "reports": _lazy_screen("wezmp_tui.tui.reports.screen", "ReportsScreen", "reports view"),
    }
    # One quit key everywhere, never a key that means something else in some panel.
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("1", "switch_mode('dashboard')", "Dashboard", id="mode.dashboard", show=False),
        Binding("2", "switch_mode('board')", "Board", id="mode.board", show=False),
        Binding("3", "switch_mode('reports')", "Reports", id="mode.reports", show=False),
        Binding("question_mark", "help", "more", id="app.help", key_display="?"),
    ]

    def __init__(
        self,
        client_factory: ClientFactory,
        *,
        clock: Clock | None = None,
        config: Any = None,
        watch: bool = False,
        demo: bool = False,
        settings_file: Any = None,
        paths: Any = None,
        mode: str = "dashboard",
    ) -> None:
        super().__init__()
        self.start_mode = mode
        self.paths = paths
        self.theme_errors: list[str] = []
        self.client_factory = client_factory
        self.client: AsyncApi | None = None
        self.clock = clock or SystemClock()
        self.config = config
        self.watch_files = watch
        self.demo = demo
        self.settings_file = settings_file
        self.backend = "?"
        self.connected = False
        self.state = DaemonState(self.call, self.broadcast)
        keymap = dict(getattr(config, "keymap", {}) or {})
        if keymap:
            self.set_keymap(keymap)
        self._keymap = keymap

    # -- connection ---------------------------------------------------------------------

    async def on_mount(self) -> None:
        self.load_theme_files()
        self._apply_saved_theme()
        await self.connect()
        await self.switch_mode(self.start_mode)
        self.pump_events()
        if self.watch_files and self.paths is not None:
            self.watch_themes()

    async def connect(self) -> None:
        """Connect, subscribe, then fetch the whole picture: nothing said in between is
        missed."""
        self.client = await self.client_factory()
        status = await self.client.call("system.status")
        self.backend = status.get("backend", "?")
        await self.client.subscribe(TOPICS)
        if self.demo and self.backend == "local":
            await self._first_run_demo()
        await self.state.resync()
        self.connected = True
        self.update_title()
        self.broadcast(lambda: ConnectionChanged(True))

    async def _first_run_demo(self) -> None:
        """A first screen that is not blank: with no workspace yet, the demo's live panes on
        the built-in backend (elsewhere the empty panels say what to press)."""
        try:
            await self.call("ws.demo")
        except WezmpError as exc:
            log.info("demo: %s", exc.message)

    def update_title(self) -> None:
        state = "connected" if self.connected else "reconnecting…"
        self.sub_title = f"{self.backend} · daemon {state}"

    async def call(self, method: str, /, **params: Any) -> Any:
        if self.client is None:
            raise DaemonUnavailable("not connected to the daemon")
        return await self.client.call(method, **params)

    async def call_or_notify(self, method: str, /, **params: Any) -> Any:
        """One API call for a screen; an error becomes one notification (and None)."""
        try:
            return await self.call(method, **params)
        except WezmpError as exc:
            self.notify(exc.message, severity="error", title=failure_title(method))
            return None

    def broadcast(self, make: Callable[[], Message]) -> None:
        """Tell every screen of every mode, shown or not, so each is current when shown.
        (A message is delivered once: each screen gets its own.)"""
        for stack in self._screen_stacks.values():
            for screen in stack:
                screen.post_message(make())

    @work(exclusive=True, group="events", exit_on_error=False)
    async def pump_events(self) -> None:
        """Follow daemon events into the mirror; when the connection drops, reconnect with
        backoff, say so, and resync every mode."""
        delay = 0.1
        while True:
            try:
                assert self.client is not None
                async for ev in self.client.events():
                    self.apply_event(ev)
                    delay = 0.1
            except (DaemonUnavailable, OSError, AssertionError):
                pass
            self.connected = False
            self.update_title()
            self.broadcast(lambda: ConnectionChanged(False))
            self.notify("Lost the daemon; reconnecting…", title="Daemon", severity="warning")
            while True:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                try:
                    await self.connect()
                    break
                except (DaemonUnavailable, OSError):
                    continue
            self.notify("Reconnected; every view is current again.", title="Daemon")

    def apply_event(self, ev: Event) -> None:
        """One event into the mirror and a toast where a person should know. Data that does
        not fit is reported and skipped; it never ends the app."""
        try:
            self.state.apply(ev)
            self.toast(ev)
        except Exception as exc:
            self.report_error(exc, f"applying the event {ev.topic}")

    def toast(self, ev: Event) -> None:
        data = ev.data or {}
        if ev.topic == "agent.state" and data.get("state") == "waiting":
            self.notify(f"{data.get('agent')} is waiting for input", title="Agent needs you")
        elif ev.topic == "agent.failed":
            self.notify(
                f"{data.get('agent')} failed: {data.get('reason', '')}",
                severity="error",
                title="Agent failed",
            )
        elif ev.topic == "error":
            self.notify(
                str(data.get("message", "")),
                severity="error",
                title=source_title(str(data.get("source", ""))),
                timeout=10,
            )

    def report_error(self, exc: BaseException, doing: str) -> None:
        """The one place an unexpected error of the TUI ends up: logged with its traceback,
        said once, and the app goes on."""
        log.error("error while %s", doing, exc_info=exc)
        self.notify(f"{type(exc).__name__}: {exc}", severity="error", title=f"Error {doing}")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.error is not None:
            self.report_error(worker.error, f"in {worker.name or 'a background task'}")
            if worker.group == "events":
                self.pump_events()  # the event stream must go on

    # -- themes -------------------------------------------------------------------------

    def load_theme_files(self) -> list[str]:
        """Register every theme file; a broken one keeps its previous version (if any) and is
        reported once. Returns the names (re)registered."""
        if self.paths is None:
            return []
        from wezmp_tui.config.themes import load_themes
        from wezmp_tui.tui.theming import to_textual_theme

        specs, errors = load_themes(self.paths)
        for spec in specs.values():
            self.register_theme(to_textual_theme(spec))
        new_errors = [e for e in errors if e not in self.theme_errors]
        self.theme_errors = errors
        for error in new_errors:
            self.notify(error, severity="error", title="Theme file", timeout=10)
        return list(specs)

    @work(exclusive=True, group="theme-watch")
    async def watch_themes(self) -> None:
        """Restyle the running app when a theme file is saved (one worker, off in tests that
        do not test it)."""
        from wezmp_tui.config.watch import watch

        async def changed(_kinds: dict[Any, Any]) -> None:
            names = self.load_theme_files()
            if self.theme in names:
                self.refresh_css()
                for screen in self.screen_stack:
                    screen.refresh(layout=True)
                self.notify(f"theme {self.theme} reloaded", title="Theme")

        assert self.paths is not None
        await watch(self.paths, changed, kinds=("theme",), ready=self.watch_ready)

    @property
    def watch_ready(self) -> asyncio.Event:
        if not hasattr(self, "_watch_ready"):
            self._watch_ready = asyncio.Event()
        return self._watch_ready

    def _apply_saved_theme(self) -> None:
        name = getattr(self.config, "theme", None)
        if self.settings_file is not None:
            from wezmp_tui.config.settings import load_settings

            name = load_settings(self.settings_file).get("theme", name)
        if name and name in self.available_themes:
            self.theme = name

    def watch_theme(self) -> None:
        # CSS follows a theme by itself; what a screen drew with colours in it does not.
        self.broadcast(ThemeChanged)

    def choose_theme(self, name: str) -> None:
        self.theme = name
        if self.settings_file is not None:
            from wezmp_tui.config.settings import save_setting

            save_setting(self.settings_file, "theme", name)
        self.notify(f"theme: {name}", title="Theme")

    def state_colors(self) -> dict[str, str]:
        variables = self.theme_variables
        return {
            s.name: rich_color(variables[s.theme_var]) for s in STATES if s.theme_var in variables
        }

    def theme_color(self, variable: str, fallback: str) -> str:
        """A theme variable (`wezmp-spark-cpu`) as a Rich colour, or a base colour of the same
        theme (`accent`) so a theme without wezmp's own colours still looks like itself."""
        variables = self.theme_variables
        return rich_color(variables.get(variable) or variables.get(fallback) or fallback)

    # -- actions ------------------------------------------------------------------------

    def action_help(self) -> None:
        from wezmp_tui.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Quit; when agents run, ask first (they go on under the daemon)."""
        busy = sorted(n for n, a in self.state.agents.items() if running(a))
        if not busy:
            self.exit()
            return
        from wezmp_tui.tui.modals import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        names = ", ".join(busy[:4]) + (f" and {len(busy) - 4} more" if len(busy) > 4 else "")
        self.push_screen(
            ConfirmModal(
                f"{len(busy)} agent(s) run ({names}). They go on under the daemon. "
                "Quit the control center?"
            ),
            answered,
        )

    def screenshot_dir(self) -> Path:
        """Where the user's config says, else `screenshots/` in the state directory."""
        configured = getattr(getattr(self.config, "tui", None), "screenshots", None)
        if configured:
            return Path(os.path.expanduser(configured))
        if self.paths is not None:
            return Path(self.paths.state_dir) / "screenshots"
        from wezmp_tui.paths import resolve

        return resolve(os.environ).state_dir / "screenshots"

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        target = Path(path) if path else self.screenshot_dir()
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.notify(f"{target}: {exc.strerror}", severity="error", title="Screenshot")
            return None
        return super().deliver_screenshot(filename, str(target), time_format)

    async def palette_call(self, method: str, **params: Any) -> None:
        await self.call_or_notify(method, **params)

    def palette_create_workspace(self) -> None:
        from wezmp_tui.tui.dashboard import DashboardScreen

        screen = self.screen
        if isinstance(screen, DashboardScreen):
            screen.action_ws_create()

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        for cmd in super().get_system_commands(screen):
            if cmd.title != "Quit":
                yield cmd
        yield SystemCommand(
            "Quit", "Quit the control center (the daemon and agents go on)", self.action_quit
        )


def create_app(
    client_factory: ClientFactory,
    *,
    clock: Clock | None = None,
    config: Any = None,
    watch: bool = False,
    demo: bool = False,
    settings_file: Any = None,
    paths: Any = None,
    mode: str = "dashboard",
) -> WezmpApp:
    return WezmpApp(
        client_factory,
        clock=clock,
        config=config,
        watch=watch,
        demo=demo,
        settings_file=settings_file,
        paths=paths,
        mode=mode,
    )
