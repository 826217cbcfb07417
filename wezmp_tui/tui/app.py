"""The control center: one factory (`create_app`) for the CLI, the tests and the benches.

The app is a thin client of the daemon: everything goes through `self.client` (the
`AsyncApi` protocol), so tests run it against an in-process engine or a scripted client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from wezmp_tui.clock import Clock, SystemClock
from wezmp_tui.errors import DaemonUnavailable, WezmpError
from wezmp_tui.ipc.base import AsyncApi
from wezmp_tui.model.states import STATES
from wezmp_tui.tui.commands import WezmpCommands
from wezmp_tui.tui.dashboard import DashboardScreen
from wezmp_tui.tui.help import HelpScreen

ClientFactory = Callable[[], Awaitable[AsyncApi]]
TOPICS = [
    "workspace.", "pane.", "agent.", "metrics.", "error", "theme.", "config.",
    "task.", "timer.", "queue.", "board.",
]  # fmt: skip


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
        yield Footer()


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
    COMMANDS = App.COMMANDS | {WezmpCommands}
    MODES = {
        "dashboard": DashboardScreen,
        "board": _lazy_screen("wezmp_tui.tui.board.screen", "BoardScreen", "board"),
        "reports": _lazy_screen("wezmp_tui.tui.reports.screen", "ReportsScreen", "reports view"),
    }
    BINDINGS = [
        Binding("1", "switch_mode('dashboard')", "Dashboard", id="mode.dashboard"),
        Binding("2", "switch_mode('board')", "Board", id="mode.board"),
        Binding("3", "switch_mode('reports')", "Reports", id="mode.reports"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
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
        self.client = await self.client_factory()
        status = await self.client.call("system.status")
        self.backend = status.get("backend", "?")
        self.connected = True
        self.update_title()
        if self.demo and self.backend == "local":
            try:
                await self.client.call("ws.demo")
            except WezmpError:
                pass

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
            self.notify(exc.message, severity="error", title=method)
            return None

    @work(exclusive=True, group="events")
    async def pump_events(self) -> None:
        """Follow daemon events; when the connection drops, reconnect with backoff, say so,
        resubscribe and reload."""
        delay = 0.1
        while True:
            try:
                assert self.client is not None
                await self.client.subscribe(TOPICS)
                async for ev in self.client.events():
                    handler = getattr(self.screen, "handle_event", None)
                    if handler is not None:
                        await handler(ev)
                    delay = 0.1
            except (DaemonUnavailable, OSError, AssertionError):
                pass
            self.connected = False
            self.update_title()
            self.notify("lost the daemon; reconnecting…", severity="warning")
            while True:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                try:
                    await self.connect()
                    break
                except (DaemonUnavailable, OSError):
                    continue
            self.notify("reconnected to the daemon")
            for screen in self.screen_stack:
                if isinstance(screen, DashboardScreen):
                    await screen.reload()

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
            self.notify(error, severity="error", title="theme file", timeout=10)
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
                self.notify(f"theme {self.theme} reloaded")

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

    def choose_theme(self, name: str) -> None:
        self.theme = name
        if self.settings_file is not None:
            from wezmp_tui.config.settings import save_setting

            save_setting(self.settings_file, "theme", name)
        self.notify(f"theme: {name}")

    def state_colors(self) -> dict[str, str]:
        variables = self.theme_variables
        return {s.name: variables[s.theme_var] for s in STATES if s.theme_var in variables}

    # -- actions ------------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.screen))

    async def palette_call(self, method: str, **params: Any) -> None:
        try:
            await self.call(method, **params)
        except WezmpError as exc:
            self.notify(exc.message, severity="error")

    def palette_create_workspace(self) -> None:
        screen = self.screen
        if isinstance(screen, DashboardScreen):
            screen.action_ws_create()

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        for cmd in super().get_system_commands(screen):
            if cmd.title != "Quit":
                yield cmd
        yield SystemCommand(
            "Quit", "Quit the control center (the daemon and agents go on)", self.exit
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
