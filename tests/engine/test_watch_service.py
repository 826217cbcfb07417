"""Hot reload in the daemon: config, layouts, themes and rules apply on save; a broken file
changes nothing and is reported once."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.helpers import async_wait_until
from wezmp_tui.config.schema import Config
from wezmp_tui.engine.agent_state import AgentStateService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.engine.watch_service import WatchService


async def test_saves_apply_and_broken_saves_are_reported(make_engine: Any) -> None:
    engine = await make_engine("local", config=Config(refresh_interval=1.0))
    paths = engine.paths
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    svc = engine.get(WatchService)
    await svc.start(force=True)
    await asyncio.wait_for(svc.ready.wait(), 10)
    events = engine.bus.subscribe(["config.", "error", "layout.", "theme."])
    paths.config_file.write_text("refresh_interval: 0.5\nagents:\n  - name: fresh\n")

    async def applied() -> bool:
        return engine.config.refresh_interval == 0.5

    await async_wait_until(applied)
    assert "fresh" in engine.get(Supervisor).agents
    ev = await asyncio.wait_for(events.get(), 5)
    assert ev.topic == "config.reloaded"
    # A broken save: the last good config stays, one error event names file, line and key.
    paths.config_file.write_text("refresh_interval: [\n")
    ev = await asyncio.wait_for(events.get(), 10)
    assert ev.topic == "error" and ev.data["message"].startswith("config.yaml:2: YAML syntax")
    assert engine.config.refresh_interval == 0.5
    assert engine.config_error is not None
    # Fixing it applies it.
    paths.config_file.write_text("refresh_interval: 2\n")
    ev = await asyncio.wait_for(events.get(), 10)
    assert ev.topic == "config.reloaded" and engine.config.refresh_interval == 2
    assert "fresh" in engine.get(Supervisor).agents  # never forgotten
    (paths.layouts_dir / "l.yaml").write_text("name: l\ntabs: [{layout: {}}]\n")
    ev = await asyncio.wait_for(events.get(), 10)
    assert ev.topic == "layout.changed" and ev.data["files"] == ["l.yaml"]
    (paths.themes_dir / "t.yaml").write_text("name: t\nprimary: red\n")
    ev = await asyncio.wait_for(events.get(), 10)
    assert ev.topic == "theme.changed"
    (paths.rules_dir / "claude.yaml").write_text(
        "rules:\n  - {name: x, state: idle, match: {contains: zzz}}\n"
    )
    state = engine.get(AgentStateService)

    async def rules_loaded() -> bool:
        return any(r.name == "x" for r in state.rules.rules.get("claude", []))

    await async_wait_until(rules_loaded)
    await svc.stop()


async def test_off_unless_forced(make_engine: Any) -> None:
    engine = await make_engine("local")
    svc = engine.get(WatchService)
    await svc.start()
    assert svc.task is None  # WEZMP_WATCH=0 in tests
