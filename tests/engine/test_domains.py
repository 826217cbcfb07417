"""Agents, workspaces and layouts in a WezTerm domain (another machine, through WezTerm's own
SSH domains): here against the `wezterm` double with a declared domain; against a real
WezTerm and a real sshd in tests/wezterm_real/test_ssh_domain.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.helpers import async_wait_until
from wezmp_tui.config.schema import AgentSpec, Config
from wezmp_tui.engine.agent_state import AgentStateService
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import InvalidInput
from wezmp_tui.mux.base import NoDomains
from wezmp_tui.mux.local import LocalMux
from wezmp_tui.mux.wezterm import WeztermMux
from wezmp_tui.paths import Paths
from wezmp_tui.store.db import Database


@pytest.fixture
async def engine(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, wezmp_env: Paths
) -> AsyncIterator[Engine]:
    # The double's config declares one SSH domain, as a wezterm.lua would.
    monkeypatch.setenv("WEZTERM_FAKE_DOMAINS", "remote")
    request.getfixturevalue("fake_wezterm")
    wezmp_env.data_dir.mkdir(parents=True, exist_ok=True)
    eng = Engine(
        paths=wezmp_env,
        mux=WeztermMux(),
        db=Database(wezmp_env.db_file),
        config=Config(agents=[msgspec.convert(ASKER, AgentSpec)]),
    )
    eng.add_standard_services()
    await eng.start()
    try:
        yield eng
    finally:
        await eng.stop()
        eng.db.close()


ASKER: dict[str, Any] = {
    "name": "asker",
    "kind": "shell",
    "command": ["sh", "-c", "printf 'Deploy? [y/N] '; read a; exec sleep 60"],
    "workspace": "far",
    "domain": "remote",
    "restart": {"policy": "always", "backoff_seconds": 0},
}


async def tick(engine: Engine) -> None:
    await engine.get(PaneService).tick()
    await engine.get(Supervisor).tick()
    await engine.get(AgentStateService).tick()


async def test_an_agent_in_a_domain_runs_its_command_there(engine: Engine) -> None:
    sup = engine.get(Supervisor)
    await sup.start_agents(name="asker")
    info = sup.agents["asker"].info
    assert info.pane_id is not None
    # No `wezmp exec` over there: its pane runs the command itself, and no local pid is known.
    assert info.state == "working" and "domain remote" in info.state_reason
    pane = next(p for p in await engine.mux.list_panes() if p.pane_id == info.pane_id)
    assert pane.tty is None and pane.pids == ()

    async def waiting() -> bool:
        await tick(engine)
        return info.state == "waiting"

    assert await async_wait_until(waiting)  # read from its screen like any other
    assert info.pid is None and info.cpu is None  # nothing of it runs here

    # Its pane closing is its exit: restarted by policy, in the domain again.
    first = info.pane_id
    await engine.mux.kill_pane(first)

    async def restarted() -> bool:
        await tick(engine)
        return info.pane_id not in (None, first) and info.restarts == 1

    assert await async_wait_until(restarted)
    await sup.stop_agent("asker")
    assert info.state == "stopped" and info.pane_id is None
    runs = await sup.runs("asker")
    assert len(runs) == 2 and all(r["ended_at"] for r in runs)


async def test_a_workspace_in_a_domain_puts_its_panes_and_agents_there(engine: Engine) -> None:
    info = await engine.invoke("ws.create", {"name": "box", "domain": "remote"})
    assert info.domain == "remote" and info.root == ""
    pane = (await engine.mux.list_panes())[0]
    assert pane.workspace == "box" and pane.tty is None
    await engine.invoke(
        "agent.define", {"spec": {"name": "w1", "command": ["sh"], "workspace": "box"}}
    )
    sup = engine.get(Supervisor)
    assert sup.domain_of("w1") == "remote"
    assert sup.pane_argv("w1") == ["sh"]
    assert sup.pane_argv("asker") == ASKER["command"]


async def test_a_layout_in_a_domain(engine: Engine, tmp_path: Path) -> None:
    text = (
        "name: far\ndomain: remote\ntabs:\n  - layout:\n      split: right\n      panes:\n"
        "        - {agent: {name: helper, kind: shell, command: [sh]}}\n"
        "        - {command: [sleep, '60']}\n"
    )
    built = await engine.invoke("layout.apply", {"text": text, "cwd": "/nonexistent"})
    assert built["agents"] == ["helper"]
    panes = {p.pane_id: p for p in await engine.mux.list_panes()}
    assert all(panes[p].tty is None for p in built["panes"])  # both, the split too
    helper = engine.get(Supervisor).agents["helper"].info
    assert helper.state == "working" and helper.pane_id in built["panes"]


async def test_backends_without_domains_say_so(tmp_path: Path) -> None:
    mux = LocalMux()
    try:
        with pytest.raises(NoDomains, match="the local backend has none"):
            await mux.spawn(workspace="w", domain="remote")
    finally:
        await mux.close()


async def test_an_unknown_domain_is_wezterms_own_error(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match='domain name "nowhere" is invalid'):
        await engine.invoke(
            "layout.apply",
            {"text": "name: x\ntabs:\n  - layout: {command: [sh]}\n", "domain": "nowhere"},
        )
