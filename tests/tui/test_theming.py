"""Theme files as Textual themes, live reload of a running app, broken saves."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App

from tests.helpers import async_wait_until
from tests.tui.fakes import ScriptedClient
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.themes import load_themes, parse_theme
from wezmp_tui.paths import Paths
from wezmp_tui.tui.app import create_app
from wezmp_tui.tui.theming import to_textual_theme


async def test_every_shipped_theme_registers_and_renders(wezmp_env: Paths) -> None:
    themes, _ = load_themes(wezmp_env)
    app: App[None] = App()
    async with app.run_test():
        for spec in themes.values():
            app.register_theme(to_textual_theme(spec))
            app.theme = spec.name
            variables = app.get_css_variables()
            assert variables["wezmp-state-waiting"]
            assert variables["primary"]


def test_variables_and_ansi() -> None:
    spec = parse_theme("name: a\nprimary: ansi_blue\nansi: true\nstates: {idle: ansi_green}\n", "a")
    theme = to_textual_theme(spec)
    assert theme.ansi and theme.variables["wezmp-state-idle"] == "ansi_green"
    assert theme.variables["block-cursor-background"] == "ansi_white"


def app_with(paths: Paths, **kw: Any) -> Any:
    client = ScriptedClient()

    async def factory() -> ScriptedClient:
        return client

    return create_app(factory, clock=FakeClock(), paths=paths, **kw)  # type: ignore[arg-type]


async def test_saving_a_theme_restyles_the_running_app(wezmp_env: Paths) -> None:
    wezmp_env.themes_dir.mkdir(parents=True)
    theme_file = wezmp_env.themes_dir / "mine.yaml"
    theme_file.write_text("name: mine\nprimary: '#112233'\n")
    app = app_with(wezmp_env, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "mine"
        await asyncio.wait_for(app.watch_ready.wait(), 10)
        assert app.get_css_variables()["primary"].lower() == "#112233"
        # Save as editors do: a new file renamed over the old one.
        tmp = wezmp_env.themes_dir / ".mine.yaml.swp"
        tmp.write_text("name: mine\nprimary: '#aa5500'\n")
        tmp.rename(theme_file)

        async def restyled() -> bool:
            await pilot.pause()
            variables = app.get_css_variables()
            return app.current_theme.primary == "#aa5500" and variables["primary"] != "#112233"

        await async_wait_until(restyled, timeout=10)
        # A broken save keeps the old theme and says so once, naming file, line and key.
        theme_file.write_text("name: mine\nprimary: notacolour\n")

        async def reported() -> bool:
            await pilot.pause()
            return bool(app.theme_errors)

        await async_wait_until(reported, timeout=10)
        assert app.theme_errors == ["mine.yaml:2: primary: 'notacolour' is not a colour"]
        assert app.current_theme.primary == "#aa5500"
        assert app.theme == "mine"


async def test_broken_theme_file_at_start_is_one_notification(wezmp_env: Paths) -> None:
    wezmp_env.themes_dir.mkdir(parents=True)
    (wezmp_env.themes_dir / "bad.yaml").write_text("name: b\nprimary: [\n")
    app = app_with(wezmp_env)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert len(app.theme_errors) == 1 and app.theme_errors[0].startswith("bad.yaml:")
        assert any("bad.yaml" in str(n.message) for n in app._notifications)


def test_config_theme_is_applied(wezmp_env: Paths) -> None:
    from wezmp_tui.config.schema import Config

    async def run() -> str:
        app = app_with(wezmp_env, config=Config(theme="wezmp-light"))
        async with app.run_test(size=(120, 40)):
            return str(app.theme)

    assert asyncio.run(run()) == "wezmp-light"
