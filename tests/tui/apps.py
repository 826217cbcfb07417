"""The control center over an in-process engine, at the size most tests use."""

from __future__ import annotations

from typing import Any

from wezmp_tui.clock import Clock, FakeClock
from wezmp_tui.engine.facade import Engine
from wezmp_tui.ipc.base import InProcessClient
from wezmp_tui.tui.app import WezmpApp, create_app
from wezmp_tui.tui.dashboard import DashboardScreen

SIZE = (140, 45)


def app_for(engine: Engine, clock: Clock | None = None, **kw: Any) -> WezmpApp:
    """The app over `engine` in process, on `clock` (a fake one of its own by default)."""

    async def factory() -> InProcessClient:
        return InProcessClient(engine)

    return create_app(factory, clock=clock or FakeClock(), **kw)


def dash(app: WezmpApp) -> DashboardScreen:
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen
