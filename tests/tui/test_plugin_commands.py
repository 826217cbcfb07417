"""A plugin's palette entry, found and run from the control center's command palette."""

from __future__ import annotations

import textwrap
from typing import Any

from tests.helpers import async_wait_until
from tests.tui.apps import SIZE, app_for
from wezmp_tui.paths import Paths
from wezmp_tui.plugins.service import PluginService


async def test_a_plugins_palette_entry_runs_in_the_daemon(
    make_engine: Any, wezmp_env: Paths
) -> None:
    wezmp_env.plugins_dir.mkdir(parents=True)
    (wezmp_env.plugins_dir / "pal.py").write_text(textwrap.dedent('''
        from wezmp_tui.plugins.api import PaletteCommand, hookimpl
        RAN = []

        @hookimpl
        def wezmp_palette_commands():
            return [PaletteCommand("Say hello", lambda: RAN.append(1) or "hello there")]
    '''))
    engine = await make_engine("local")
    module = engine.get(PluginService).plugins["pal"].found.obj
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"say hello")
        await pilot.pause()
        await pilot.press("enter")

        async def ran() -> bool:
            await pilot.pause()
            return module.RAN == [1]

        await async_wait_until(ran)
