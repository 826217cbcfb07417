"""Snapshots of the main screen with fixed data (scripted client, frozen clock, pinned size)."""

from __future__ import annotations

from typing import Any

from tests.tui.fakes import NOW, ScriptedClient
from wezmp_tui.clock import FakeClock
from wezmp_tui.tui.app import create_app


def make_app() -> Any:
    client = ScriptedClient()

    async def factory() -> ScriptedClient:
        return client

    return create_app(factory, clock=FakeClock(NOW))  # type: ignore[arg-type]


async def settle(pilot: Any) -> None:
    """Wait until the data and the preview are on screen (slower under coverage)."""
    from textual.widgets import Static

    for _ in range(200):
        await pilot.pause()
        preview = pilot.app.screen.query_one("#preview", Static)
        if "42 passed" in str(preview.render()):
            break
    await pilot.pause()


def test_dashboard(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(140, 40), run_before=settle)


def test_dashboard_in_sync_mode(snap_compare: Any) -> None:
    async def sync(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(140, 40), run_before=sync)
