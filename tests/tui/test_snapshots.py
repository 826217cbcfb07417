"""Snapshots of every dashboard-side mode with fixed data (scripted client, frozen clock,
pinned size), at 80x24 and 160x50, in the dark and the light theme. Each was looked at as
a picture when it was written or changed."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.tui.fakes import ScriptedClient, scripted_app
from wezmp_tui.config.schema import Config, Tui
from wezmp_tui.paths import resolve
from wezmp_tui.tui.widgets.preview import Preview

SIZES = {"small": (80, 24), "large": (160, 50)}
THEMES = ("wezmp-dark", "wezmp-light")
Steps = Callable[[Any], Awaitable[None]]


def make_app(theme: str, **client: Any) -> Any:
    # No timer: the preview is read when the selection changes, not every second.
    config = Config(theme=theme, tui=Tui(preview_interval=0))
    return scripted_app(ScriptedClient(**client), config=config, paths=resolve(os.environ))


async def settle(pilot: Any) -> None:
    """Until the data and the preview are on screen (slower under coverage)."""
    for _ in range(200):
        await pilot.pause()
        previews = pilot.app.screen.query(Preview)
        if not previews or "42 passed" in previews.first().text:
            break
    await pilot.pause()


def steps(*keys: str) -> Steps:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


MODES: dict[str, tuple[dict[str, Any], Steps]] = {
    "dashboard": ({}, steps()),
    "tree_focused": ({}, steps("shift+tab")),
    "search": ({}, steps("slash", *"api", "enter")),
    "sync_input": ({}, steps("y")),
    "help": ({}, steps("question_mark")),
    "explain": ({}, steps("down", "e")),
    "apply_layout": ({}, steps("A")),
    "quit_asks": ({}, steps("ctrl+q")),
    "attach": ({"backend": "local"}, steps("a")),
    "first_start": ({"empty": True, "backend": "tmux"}, steps()),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mode", MODES)
def test_mode(snap_compare: Any, mode: str, size: str, theme: str) -> None:
    client, run_before = MODES[mode]
    assert snap_compare(make_app(theme, **client), terminal_size=SIZES[size],
                        run_before=run_before)  # fmt: skip
