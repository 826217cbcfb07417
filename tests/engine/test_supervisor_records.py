"""The supervisor's one record per agent: forgetting an agent forgets everything about it, and
a name defined again starts from nothing."""

from __future__ import annotations

from typing import Any

from tests.engine.test_notify import WAITING
from tests.helpers import async_wait_until
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor

SPEC = {"name": "a", "kind": "claude", "workspace": "w",
        "restart": {"policy": "always", "backoff_seconds": 5, "resume": True}}  # fmt: skip


def kept_by_name(engine: Engine, name: str) -> list[str]:
    """Every table of every service that still has `name` as a key or member."""
    return [
        f"{type(svc).__name__}.{attr}"
        for svc in engine.services
        for attr, value in vars(svc).items()
        if isinstance(value, dict | set | frozenset) and name in value
    ]


async def test_a_removed_agent_leaves_nothing_behind(make_engine: Any) -> None:
    engine = await make_engine("local", config=Config(), clock=FakeClock())
    sup = engine.get(Supervisor)
    await engine.invoke("agent.define", {"spec": SPEC})
    pane = await engine.mux.spawn(workspace="w", argv=["sleep", "60"])
    await engine.get(PaneService).refresh()
    info = sup.agents["a"].info
    info.pane_id, info.pid, info.state, info.desired = pane, 1, "working", "running"
    # What the daemon learns about a running agent: a hook (the state service keeps it), then
    # its pane closed from outside (the supervisor keeps its tab, the restart it counted, and
    # that the restart resumes; the restart waits out its backoff).
    await engine.invoke("hook.event", {**WAITING, "agent": "a"})
    await engine.mux.kill_pane(pane)
    await engine.get(PaneService).refresh()

    async def restart_planned() -> bool:
        return info.restarts == 1 and info.state == "starting"

    await async_wait_until(restart_planned)
    await engine.invoke("agent.stop", {"name": "a"})
    await engine.invoke("agent.remove", {"name": "a"})

    assert kept_by_name(engine, "a") == []
    # The same name defined again is a new agent: no hooks of the old one to explain its
    # state, no restarts counted against its crash-loop limit, no tab to come back to, no
    # session to resume.
    await engine.invoke("agent.define", {"spec": SPEC})
    explained = await engine.invoke("agent.explain", {"name": "a"})
    assert explained["hooks"] == []
    record = sup.agents["a"]
    assert (record.restarts_recent, record.home_tab, record.resume_next) == ((), "", False)
    assert "--resume-now" not in sup.exec_argv("a")
