"""The full-screen agent log, opened from the dashboard, over a real engine whose agent
prints, restarts and prints again."""

from __future__ import annotations

import os
from typing import Any, ClassVar

import pytest
from textual.widgets import Input, Log, Static

from tests.engine.test_supervisor import serve
from tests.helpers import async_wait_until
from tests.tui.apps import SIZE, app_for, dash
from tests.tui.fakes import NOW, ScriptedClient
from tests.tui.test_snapshots import SIZES, THEMES
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config, Tui
from wezmp_tui.engine.agent_output import AgentOutputService
from wezmp_tui.paths import resolve
from wezmp_tui.tui.agent_log import AgentLogScreen
from wezmp_tui.tui.app import create_app

SCRIPT = "echo one; echo the needle here; echo two; echo needle again; exec sleep 60"


def status(screen: AgentLogScreen) -> str:
    return str(screen.query_one("#log-status", Static).render())


async def test_log_across_runs_search_and_follow(make_engine: Any) -> None:
    engine = await make_engine("local")
    server = await serve(engine)
    try:
        await engine.invoke("ws.create", {"name": "alpha"})
        await engine.invoke("agent.define", {"spec": {
            "name": "bot", "workspace": "alpha", "command": ["sh", "-c", SCRIPT],
            "restart": {"policy": "no"}}})  # fmt: skip
        await engine.invoke("agent.start", {"names": ["bot"]})
        service = engine.get(AgentOutputService)

        async def printed() -> bool:
            out = await engine.invoke("agent.output", {"name": "bot"})
            return "needle again" in out["text"]

        await async_wait_until(printed, timeout=20)
        app = app_for(engine)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert dash(app).selected_agent == "bot"
            await pilot.press("l")
            screen = app.screen
            assert isinstance(screen, AgentLogScreen)
            await pilot.pause()
            log = screen.query_one(Log)
            assert screen.lines[:4] == ["one", "the needle here", "two", "needle again"]
            assert "bot · run " in status(screen) and "following" in status(screen)
            await pilot.press("slash")
            assert screen.query_one(Input).has_focus
            await pilot.press(*"NEEDLE", "enter")
            assert "/NEEDLE: 1/2" in status(screen) and not screen.follow
            await pilot.pause()
            marked = [s.text for s in log.render_line(1 - int(log.scroll_y)) if s.style
                      and s.style.reverse]  # fmt: skip
            assert marked == ["needle"]  # the match is marked where it is, as typed or not
            await pilot.press("n")
            assert "/NEEDLE: 2/2" in status(screen)
            await pilot.press("N", "N")
            assert "/NEEDLE: 2/2" in status(screen)
            await pilot.press("f")
            assert screen.follow and log.auto_scroll
            # A restart: its run follows the first in the same view.
            first = service.active["bot"][0]
            await engine.invoke("agent.restart", {"name": "bot"})
            await async_wait_until(lambda: _ready(screen, first), timeout=20)
            assert screen.lines.count("one") == 2 and f"── run {screen.run} ──" in screen.lines
            await pilot.press("g", "G")
            await pilot.press("escape")
            assert app.screen is dash(app)
    finally:
        await engine.invoke("agent.stop", {"name": "bot"})
        await server.stop()


async def _ready(screen: AgentLogScreen, first: int) -> bool:
    return screen.run is not None and screen.run > first and screen.lines.count("needle again") == 2


async def test_an_agent_that_printed_nothing(make_engine: Any) -> None:
    engine = await make_engine("local")
    await engine.invoke("ws.create", {"name": "alpha"})
    await engine.invoke("agent.define", {"spec": {
        "name": "quiet", "workspace": "alpha", "command": ["true"]}})  # fmt: skip
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, AgentLogScreen)
        await pilot.pause()
        assert "nothing printed yet" in status(screen)
        await pilot.press("slash", *"x", "escape")
        assert isinstance(app.screen, AgentLogScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, AgentLogScreen)


class LogClient(ScriptedClient):
    """The scripted daemon, with two kept runs of claude-api's output."""

    RUNS: ClassVar[dict[int, str]] = {
        7: "".join(f"step {i}: compiling module_{i}.py\n" for i in range(30))
        + "error: tests failed (2)\n",
        8: "resumed the last session\n$ pytest -q\n42 passed in 3.1s\n",
    }

    async def call(self, method: str, /, **params: Any) -> Any:
        if method != "agent.output":
            return await super().call(method, **params)
        run = params.get("run") or 8
        text = self.RUNS[run].encode()
        start = min(params.get("offset", 0), len(text))
        end = start + min(params.get("max_bytes", 1 << 20), len(text) - start)
        return {"agent": params["name"], "run": run, "runs": [7, 8], "live": run == 8,
                "start": start, "offset": end, "text": text[start:end].decode(),
                "screen": None}  # fmt: skip


def log_app(theme: str) -> Any:
    client = LogClient()

    async def factory() -> LogClient:
        return client

    config = Config(theme=theme, tui=Tui(preview_interval=0))
    return create_app(factory, clock=FakeClock(NOW), config=config,  # type: ignore[arg-type]
                      paths=resolve(os.environ))  # fmt: skip


async def open_log(pilot: Any) -> None:
    for _ in range(200):
        await pilot.pause()
        if getattr(pilot.app.screen, "selected_agent", None):
            break
    await pilot.press("l")
    for _ in range(200):
        await pilot.pause()
        if "42 passed in 3.1s" in getattr(pilot.app.screen, "lines", []):
            break
    await pilot.press("slash", *"failed", "enter")
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_log_view_snapshot(snap_compare: Any, size: str, theme: str) -> None:
    assert snap_compare(log_app(theme), terminal_size=SIZES[size], run_before=open_log)
