"""Snapshots, restore, and a multiplexer server dying under the daemon, on real tmux with
real agents under `wezmp exec` reporting over a real socket."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.helpers import async_wait_until
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.loader import load_config
from wezmp_tui.config.schema import Config, Snapshots
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.snapshots import SnapshotService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import NotFound
from wezmp_tui.ipc.server import IpcServer
from wezmp_tui.paths import Paths

TWO_TABS = """\
name: one
tabs:
  - title: main
    layout:
      split: right
      size: 30%
      panes:
        - {command: [sleep, "300"], title: editor}
        - {command: [sleep, "301"]}
  - title: side
    layout: {command: [sleep, "302"]}
"""

AGENTS = """\
name: rd
tabs:
  - title: work
    layout:
      split: bottom
      size: 12
      panes:
        - split: right
          size: 45%
          panes:
            - agent:
                name: srv
                command: [sh, -c, 'echo READY; exec sleep 300']
                restart: {policy: always, backoff_seconds: 0.1}
                readiness: {log_regex: READY, period: 0.5}
            - agent:
                name: wrk
                command: [sleep, "301"]
                depends_on: {srv: healthy}
                restart: {policy: on_failure, max_restarts: 3}
        - {command: [sleep, "302"], title: logs}
"""


async def places(engine: Engine, ws: str) -> list[tuple[Any, ...]]:
    panes = await engine.invoke("pane.list", {"workspace": ws, "fresh": True})
    return sorted((p.tab_title, p.left, p.top, p.cols, p.rows, p.title) for p in panes)


@pytest.fixture
async def served(make_engine: Any) -> AsyncIterator[Any]:
    servers: list[IpcServer] = []

    async def make(config: Config | None = None, clock: Any = None) -> Engine:
        engine: Engine = await make_engine("tmux", config=config, clock=clock)
        srv = IpcServer(engine)
        await srv.start()
        servers.append(srv)
        return engine

    yield make
    for s in servers:
        await s.stop()


async def test_no_empty_snapshot_and_restore_takes_the_last_real_one(
    make_engine: Any, tmp_path: Path
) -> None:
    engine = await make_engine("tmux")
    await engine.invoke("layout.apply", {"text": TWO_TABS, "cwd": str(tmp_path)})
    saved = await engine.invoke("layout.snapshot")
    assert saved["workspaces"] == ["one"] and not saved["unchanged"]
    assert (await engine.invoke("layout.snapshot"))["unchanged"]
    for p in await engine.invoke("pane.list", {"fresh": True}):
        await engine.mux.kill_pane(p.pane_id)
    # Nothing live: nothing written that would hide the real snapshot.
    assert (await engine.invoke("layout.snapshot"))["path"] is None
    listed = await engine.invoke("layout.snapshots")
    assert listed[0]["workspaces"] == ["one"] and listed[0]["panes"] == 3
    restored = await engine.invoke("layout.restore")
    assert restored["restored"] == ["one"] and restored["snapshot"] == listed[0]["name"]
    assert len(await engine.invoke("pane.list", {"fresh": True})) == 3
    with pytest.raises(NotFound, match="no snapshot named 'nope'"):
        await engine.invoke("layout.restore", {"snapshot": "nope"})


async def test_the_snapshot_interval_follows_the_config_in_force(
    make_engine: Any, wezmp_env: Paths, tmp_path: Path
) -> None:
    clock = FakeClock(1_900_000_000.0)
    engine = await make_engine("tmux", clock=clock)
    await engine.invoke("layout.apply", {"text": TWO_TABS, "cwd": str(tmp_path)})
    svc = engine.get(SnapshotService)
    clock.advance(3600)
    await svc.due()
    assert await engine.invoke("layout.snapshots") == []  # off by default
    wezmp_env.config_dir.mkdir(parents=True)
    wezmp_env.config_file.write_text("snapshots: {interval_minutes: 1}\n")
    assert (await engine.invoke("config.reload"))["ok"]
    clock.advance(30)
    await svc.due()
    assert await engine.invoke("layout.snapshots") == []  # the last look was 30 s ago
    clock.advance(31)
    await svc.due()
    assert len(await engine.invoke("layout.snapshots")) == 1


async def test_restore_fills_in_a_partly_alive_workspace(make_engine: Any, tmp_path: Path) -> None:
    engine = await make_engine("tmux")
    await engine.invoke("layout.apply", {"text": TWO_TABS, "cwd": str(tmp_path)})
    before = await places(engine, "one")
    await engine.invoke("layout.snapshot")
    side = [p for p in await engine.invoke("pane.list", {"fresh": True}) if p.tab_title == "side"]
    await engine.mux.kill_pane(side[0].pane_id)
    result = await engine.invoke("layout.restore")
    assert (result["filled"], result["restored"]) == (["one (1 tab(s))"], [])
    assert await places(engine, "one") == before
    again = await engine.invoke("layout.restore")
    assert again["skipped"] == ["one"] and not again["filled"]


async def test_a_dying_server_ends_runs_once_then_restore_brings_it_all_back(
    served: Any, tmp_path: Path
) -> None:
    engine = await served()
    await engine.invoke("layout.apply", {"text": AGENTS, "cwd": str(tmp_path)})
    sup = engine.get(Supervisor)
    panes = engine.get(PaneService)

    async def both_run() -> bool:
        await panes.tick()
        await sup.tick()
        return all(sup.agents[n].info.pid for n in ("srv", "wrk"))

    assert await async_wait_until(both_run, timeout=20)
    before = await places(engine, "rd")
    specs = {n: sup.agents[n].spec for n in ("srv", "wrk")}
    events = engine.bus.subscribe(["error", "mux.lost", "agent.restarting"])
    await engine.mux.kill_server()
    await panes.tick()
    await panes.tick()
    for _ in range(5):  # nothing restarts into the dead server
        await sup.tick()
        assert await engine.mux.list_panes() == []
    seen = {}
    while (ev := events.get_nowait()) is not None:
        seen[ev.topic] = [*seen.get(ev.topic, []), (ev.data or {}).get("message")]
    assert sorted(seen) == ["error", "mux.lost"] and len(seen["error"]) == 1  # once
    assert seen["error"][0] == (
        "the tmux server went away: 3 pane(s) of rd and 2 agent(s) lost; "
        "`wezmp restore` brings them back"
    )
    for name in ("srv", "wrk"):
        info = sup.agents[name].info
        assert (info.state, info.pane_id, info.pid) == ("exited", None, None)
        # The wrapper's own report of the hangup may come in after the loss was noticed.
        assert info.state_reason.endswith("`wezmp restore` brings it back") or (
            info.state_reason == "exited with 129"
        )
        runs = await engine.invoke("agent.runs", {"name": name})
        assert all(r["ended_at"] is not None for r in runs)
    status = await engine.invoke("system.status")
    assert status["mux_lost"]["workspaces"] == ["rd"]
    assert status["mux_lost"]["snapshot"].endswith("-lost")
    result = await engine.invoke("layout.restore")
    assert result["restored"] == ["rd"]
    assert await places(engine, "rd") == before
    assert {n: sup.agents[n].spec for n in specs} == specs
    assert await async_wait_until(both_run, timeout=20)
    assert (await engine.invoke("system.status"))["mux_lost"] is None


async def test_restore_on_loss_rebuilds_by_itself(served: Any, tmp_path: Path) -> None:
    engine = await served(config=Config(snapshots=Snapshots(restore_on_loss=True)))
    await engine.invoke("layout.apply", {"text": TWO_TABS, "cwd": str(tmp_path)})
    before = await places(engine, "one")
    restored = engine.bus.subscribe(["layout.restored"])
    await engine.mux.kill_server()
    await engine.get(PaneService).tick()
    svc = engine.get(SnapshotService)
    await svc.due()  # a second try while the first runs is a no-op

    async def back() -> bool:
        return await places(engine, "one") == before

    assert await async_wait_until(back)
    ev = await restored.get()
    assert ev.data["restored"] == ["one"] and svc.pending_restore is None
    assert restored.get_nowait() is None


def test_config_snapshots_section() -> None:
    assert msgspec.convert({"restore_on_loss": True}, Snapshots).restore_on_loss
    assert load_config(Path("/nonexistent/config.yaml")).snapshots == Snapshots()


async def test_wezterm_going_away_is_a_loss_too(
    make_engine: Any, fake_wezterm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wezmp_tui.mux.base import MuxUnavailable

    engine = await make_engine("wezterm")
    await engine.invoke("layout.apply", {"text": TWO_TABS, "cwd": str(tmp_path)})
    before = await places(engine, "one")
    gui = os.environ["WEZTERM_UNIX_SOCKET"]
    monkeypatch.setenv("WEZTERM_UNIX_SOCKET", str(tmp_path / "closed.sock"))  # WezTerm closed
    events = engine.bus.subscribe(["error"])
    for _ in range(2):
        with pytest.raises(MuxUnavailable):
            await engine.get(PaneService).tick()
    ev = events.get_nowait()
    assert ev is not None and ev.data["message"].startswith("the wezterm server went away: 3 pane")
    assert events.get_nowait() is None  # noticed once
    with pytest.raises(MuxUnavailable):
        await engine.invoke("layout.restore")
    # WezTerm is back, without the panes (a new GUI): restore rebuilds them.
    monkeypatch.setenv("WEZTERM_UNIX_SOCKET", gui)
    for p in await engine.mux.list_panes():
        await engine.mux.kill_pane(p.pane_id)
    result = await engine.invoke("layout.restore")
    assert result["restored"] == ["one"] and result["snapshot"].endswith("-lost")
    assert await places(engine, "one") == before


async def test_the_last_pane_closing_or_a_deleted_workspace_is_no_loss(
    make_engine: Any, tmp_path: Path
) -> None:
    engine = await make_engine("tmux")
    lost = engine.bus.subscribe(["mux.lost"])
    await engine.invoke("ws.create", {"name": "solo", "cwd": str(tmp_path)})
    (pane,) = await engine.invoke("pane.list", {"fresh": True})
    await engine.mux.kill_pane(pane.pane_id)  # its tmux server exits with it
    await engine.get(PaneService).tick()
    await engine.invoke("layout.apply", {"text": TWO_TABS, "cwd": str(tmp_path)})
    await engine.invoke("ws.delete", {"name": "one"})
    assert lost.get_nowait() is None
    assert await engine.invoke("layout.snapshots") == []
