"""`autostart: true`: agents start when the daemon starts and when their workspace is
created, dependencies first, and stop with their workspace; real agents on tmux."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from tests.helpers import async_wait_until
from wezmp_tui.config.schema import AgentSpec, Config
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.ipc.server import IpcServer


def spec(name: str, script: str, **kw: Any) -> AgentSpec:
    return msgspec.convert({"name": name, "command": ["sh", "-c", script], **kw}, AgentSpec)


@pytest.fixture
async def served(make_engine: Any) -> AsyncIterator[Any]:
    servers: list[IpcServer] = []

    async def make(config: Config) -> Engine:
        engine: Engine = await make_engine("tmux", config=config)
        srv = IpcServer(engine)
        await srv.start()
        servers.append(srv)
        return engine

    yield make
    for s in servers:
        await s.stop()


async def until(engine: Engine, predicate: Any) -> None:
    sup = engine.get(Supervisor)

    async def check() -> bool:
        await engine.get(PaneService).tick()
        await sup.tick()
        return bool(predicate(sup))

    await async_wait_until(check, timeout=20, interval=0.05)


async def test_autostart_agents_start_with_the_daemon_dependencies_first(served: Any) -> None:
    engine = await served(Config(agents=[
        spec("api", "echo up; exec sleep 60", workspace="w", autostart=True,
             depends_on={"db": "log_ready"}),
        spec("db", "sleep 0.3; echo db ready; exec sleep 60", workspace="w", autostart=True,
             log_ready="db ready"),
        spec("manual", "exec sleep 60", workspace="w"),
    ]))  # fmt: skip
    sup = engine.get(Supervisor)
    # Started as the engine started: db first, api waiting for db's line.
    assert sup.agents["db"].info.pane_id is not None and sup.agents["api"].info.pane_id is None
    assert sup.agents["api"].info.state == "starting"
    assert sup.agents["manual"].info.state_reason == "not started"
    await until(engine, lambda s: s.agents["api"].info.pid and s.agents["db"].info.pid)
    db, api = sup.agents["db"].info, sup.agents["api"].info
    assert db.started_at is not None and api.started_at is not None
    assert db.started_at <= api.started_at
    assert sup.agents["manual"].info.pane_id is None


async def test_autostart_agents_start_and_stop_with_their_workspace(
    served: Any, tmp_path: Any
) -> None:
    engine = await served(Config())
    for name, ws in (("watch", "proj"), ("other", "elsewhere")):
        s = spec(name, "exec sleep 60", workspace=ws, autostart=True)
        await engine.invoke("agent.define", {"spec": msgspec.to_builtins(s)})
    await engine.invoke("agent.start", {"name": "other"})
    sup = engine.get(Supervisor)
    assert sup.agents["watch"].info.pane_id is None  # defining one starts nothing
    await engine.invoke("ws.create", {"name": "proj", "cwd": str(tmp_path)})
    await until(engine, lambda s: s.agents["watch"].info.pid and s.agents["other"].info.pid)
    assert sup.agents["watch"].info.workspace == "proj"
    # Its own autostart agents do not hold a workspace back: they go with it.
    await engine.invoke("ws.delete", {"name": "proj"})
    assert sup.agents["watch"].info.state == "stopped" and sup.agents["watch"].info.pane_id is None
    assert sup.agents["other"].info.pid is not None
