"""Agent state from hooks, then rules, then activity — with debounce and explanations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import async_wait_until
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config
from wezmp_tui.engine.agent_state import AgentStateService
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.model.agents import AgentInfo

SCREENS = Path(__file__).parent.parent / "data" / "screens"


async def setup(make_engine: Any, kind: str = "claude") -> tuple[Engine, FakeClock, AgentInfo]:
    clock = FakeClock()
    engine = await make_engine("local", config=Config(), clock=clock)
    await engine.invoke("agent.define", {"spec": {"name": "a", "kind": kind, "workspace": "w"}})
    # A running agent in a real pane whose screen the test controls through `cat`.
    pane = await engine.mux.spawn(workspace="w", argv=["sleep", "60"])
    info = engine.get(Supervisor).agents["a"].info
    info.pane_id, info.pid, info.state = pane, 1, "working"
    return engine, clock, info


async def show(engine: Engine, info: AgentInfo, text: str) -> None:
    """Put `text` on the agent's screen, as if the agent had drawn it."""
    pane = engine.mux.panes[info.pane_id]  # type: ignore[attr-defined]
    pane.feed(("\x1b[2J\x1b[H" + text.replace("\n", "\r\n")).encode())


def recorded(kind: str, name: str) -> str:
    """A screen recorded from the real agent (80x24, the built-in backend's pane size)."""
    return (SCREENS / kind / f"{name}_80x24.txt").read_text(encoding="utf-8").rstrip("\n")


async def test_rules_decide_and_idle_is_debounced(make_engine: Any) -> None:
    engine, clock, info = await setup(make_engine)
    svc = engine.get(AgentStateService)
    await show(engine, info, recorded("claude", "waiting_trust-folder"))
    await svc.tick()
    assert (info.state, info.state_source, info.state_error) == ("waiting", "rule", False)
    await show(engine, info, recorded("claude", "idle_composer"))
    await svc.tick()
    assert info.state == "waiting"  # idle not believed yet
    clock.advance(2.0)
    await svc.tick()
    assert (info.state, info.state_reason) == ("idle", "rule empty-composer")
    explained = await engine.invoke("agent.explain", {"name": "a"})
    assert explained["source"] == "rule"
    assert "empty-composer (claude.yaml:" in explained["text"]
    assert "idle means: ready for work" in explained["text"]
    assert "? for shortcuts" in explained["text"]


async def test_an_error_on_screen_is_waiting_with_the_error_flag(make_engine: Any) -> None:
    engine, _, info = await setup(make_engine)
    states = engine.bus.subscribe(["agent.state"])
    await show(engine, info, recorded("claude", "waiting_composer-not-logged-in"))
    await engine.get(AgentStateService).tick()
    assert (info.state, info.state_error, info.state_reason) == (
        "waiting", True, "rule not-signed-in"
    )
    ev = states.get_nowait()
    assert ev is not None and ev.data["error"] is True
    explained = await engine.invoke("agent.explain", {"name": "a"})
    assert "goes back to the queue" in explained["text"]


async def test_activity_says_working_then_quiet_never_idle(make_engine: Any) -> None:
    engine, clock, info = await setup(make_engine, kind="generic")
    svc = engine.get(AgentStateService)
    await show(engine, info, "compiling 1/3")
    await svc.tick()
    assert (info.state, info.state_source) == ("working", "activity")
    clock.advance(11)
    await svc.tick()
    assert (info.state, info.state_source) == ("quiet", "activity")
    assert "no rule recognises the screen" in info.state_reason
    explained = await engine.invoke("agent.explain", {"name": "a"})
    assert "wezmp rules test --kind generic" in explained["text"]
    await show(engine, info, "compiling 2/3")
    await svc.tick()
    assert info.state == "working"


async def test_hooks_decide_but_a_dialog_on_screen_wins(make_engine: Any) -> None:
    engine, _, info = await setup(make_engine)
    svc = engine.get(AgentStateService)
    await show(engine, info, recorded("claude", "working_retrying"))
    r = await engine.invoke(
        "hook.event",
        {
            "event": "Notification",
            "payload": {"notification_type": "permission_prompt", "message": "Bash?"},
            "agent": "a",
        },
    )
    assert r == {"agent": "a", "state": "waiting"}
    await svc.tick()
    assert (info.state, info.state_source) == ("waiting", "hook")
    explained = await engine.invoke("agent.explain", {"name": "a"})
    assert "hooks decide until the next hook" in explained["text"]
    await engine.invoke("hook.event", {"event": "Stop", "pane_id": info.pane_id})
    assert info.state == "idle"
    await engine.invoke("hook.event", {"event": "SubagentStop", "agent": "a"})
    assert info.state == "idle"
    # A dialog no hook reports (here: signed out) wins while it is on screen...
    await show(engine, info, recorded("claude", "waiting_login-method"))
    await svc.tick()
    assert (info.state, info.state_source) == ("waiting", "rule")
    assert info.state_reason == "rule dialog (over hook Stop)"
    # ...and the hook's state is back once it is gone.
    await show(engine, info, recorded("claude", "idle_composer"))
    await svc.tick()
    assert (info.state, info.state_source) == ("idle", "hook")
    await engine.invoke(
        "hook.event",
        {"event": "StopFailure", "payload": {"error": "authentication_failed"}, "agent": "a"},
    )
    assert (info.state, info.state_error) == ("waiting", True)
    await svc.tick()
    assert (info.state, info.state_error) == ("waiting", True)
    # The process restarts: hooks no longer describe it, rules take over.
    engine.get(Supervisor)._set(info, "starting", "process", "restart")
    engine.get(Supervisor)._set(info, "working", "process", "started")
    await show(engine, info, recorded("claude", "working_retrying"))
    await svc.tick()
    assert (info.state, info.state_source, info.state_error) == ("working", "rule", False)


async def test_idle_is_confirmed_on_the_screen_just_before_a_task_is_typed(
    make_engine: Any,
) -> None:
    engine, clock, info = await setup(make_engine)
    svc = engine.get(AgentStateService)
    await show(engine, info, recorded("claude", "idle_composer"))
    await svc.tick()
    clock.advance(2.0)
    await svc.tick()
    assert info.state == "idle"
    assert await svc.confirm_idle("a") is None
    # A dialog opened since the last tick.
    await show(engine, info, recorded("claude", "waiting_custom-api-key"))
    assert await svc.confirm_idle("a") == "its screen now shows rule dialog"
    await show(engine, info, recorded("claude", "quiet_draft"))
    assert await svc.confirm_idle("a") == "its idle prompt is no longer on screen"
    await engine.invoke("hook.event", {"event": "Stop", "agent": "a"})
    # A hook's idle, nothing waiting on screen, once it has held a moment.
    assert await svc.confirm_idle("a") == "idle for 0.0s only (< 1.5s)"
    clock.advance(1.5)
    assert await svc.confirm_idle("a") is None
    info.state = "quiet"
    assert await svc.confirm_idle("a") == "a is quiet"


async def test_unknown_hook_targets_are_ignored(make_engine: Any) -> None:
    engine, _, info = await setup(make_engine)
    assert await engine.invoke("hook.event", {"event": "Stop", "agent": "ghost"}) == {
        "agent": None,
        "state": None,
    }
    info.cwd = "/proj"
    r = await engine.invoke("hook.event", {"event": "UserPromptSubmit", "cwd": "/proj"})
    assert r == {"agent": "a", "state": "working"}


async def test_broken_user_rules_keep_the_shipped_ones(make_engine: Any) -> None:
    engine, _, info = await setup(make_engine)
    svc = engine.get(AgentStateService)
    engine.paths.rules_dir.mkdir(parents=True)
    (engine.paths.rules_dir / "claude.yaml").write_text("rules: [\n")
    errors = engine.bus.subscribe(["error"])
    result = await engine.invoke("rules.reload")
    assert result["error"].startswith("claude.yaml:")
    ev = errors.get_nowait()
    assert ev is not None and ev.data["source"] == "rules"
    await show(engine, info, recorded("claude", "waiting_trust-folder"))
    await svc.tick()
    assert info.state == "waiting"


@pytest.mark.parametrize("state", ["exited", "failed", "starting", "stopped"])
async def test_stopped_agents_are_not_evaluated(make_engine: Any, state: str) -> None:
    engine, _, info = await setup(make_engine)
    info.state = state
    await engine.get(AgentStateService).tick()
    assert info.state == state


async def cat_agent(
    make_engine: Any, backend: str, clock: FakeClock
) -> tuple[Engine, str, AgentInfo]:
    """A running agent `a` whose pane runs `cat` (it echoes what is typed)."""
    engine = await make_engine(backend, config=Config(), clock=clock)
    await engine.invoke("agent.define", {"spec": {"name": "a", "kind": "generic"}})
    pane = await engine.mux.spawn(workspace="w", argv=["cat"])
    info = engine.get(Supervisor).agents["a"].info
    info.pane_id, info.pid, info.state = pane, 1, "working"
    return engine, pane, info


async def test_quiet_panes_are_not_read_again(make_engine: Any) -> None:
    """A pane whose processes wrote nothing since the last read keeps its screen: the tick
    reuses it (rules and timers still run) instead of asking the mux, until REREAD_SECONDS."""

    from wezmp_tui.engine.agent_state import REREAD_SECONDS
    from wezmp_tui.engine.panes import PaneService
    from wezmp_tui.procfs import write_counts

    clock = FakeClock()
    engine, pane, info = await cat_agent(make_engine, "local", clock)
    panes = engine.get(PaneService)
    svc = engine.get(AgentStateService)

    async def cat_on_its_tty() -> bool:
        await panes.tick()
        return bool(panes.by_id[pane].pids)

    assert await async_wait_until(cat_on_its_tty)
    await svc.tick()
    assert (svc.reads, svc.skipped) == (1, 0)
    await svc.tick()
    assert (svc.reads, svc.skipped) == (1, 1)
    assert info.state == "working"

    before = write_counts(panes.by_id[pane].pids)
    await engine.mux.send_text(pane, "hello", paste=False, enter=True)

    async def cat_wrote() -> bool:  # cat echoes the line back, and the pane has read it
        wrote = write_counts(panes.by_id[pane].pids) != before
        return wrote and "hello" in await engine.mux.get_text(pane)

    assert await async_wait_until(cat_wrote)

    async def drawn() -> bool:  # the write reached the built-in backend's screen too
        return "hello" in await engine.mux.get_text(pane)

    assert await async_wait_until(drawn)
    await svc.tick()
    assert svc.reads == 2
    assert "hello" in svc.supervisor.agents["a"].watch.screen  # type: ignore[operator]

    clock.advance(REREAD_SECONDS)
    await svc.tick()
    assert svc.reads == 3  # read again however quiet, now and then
    # Unchanged for silence_seconds and no rule recognising it: quiet, not idle.
    assert (info.state, info.state_source) == ("quiet", "activity")
    skipped = svc.skipped
    clock.advance(REREAD_SECONDS / 2)
    await svc.tick()
    assert (svc.reads, svc.skipped) == (3, skipped + 1)
    assert info.state == "quiet"


def test_write_counts_of_gone_or_no_processes() -> None:
    import os

    from wezmp_tui.procfs import write_counts

    assert write_counts([]) is None
    assert write_counts([2**22 + 12345]) is None
    mine = write_counts([os.getpid()])
    assert mine is not None and mine[0][0] == os.getpid()


async def test_quiet_tmux_panes_are_known_by_their_output_time(make_engine: Any) -> None:
    """On tmux (through its control client) a pane alone in its window is read again only
    after tmux saw output in it: no write counts of its processes are read."""
    from wezmp_tui.engine.panes import PaneService
    from wezmp_tui.engine.proctable import ProcessTable

    engine, pane, _ = await cat_agent(make_engine, "tmux", FakeClock())
    panes = engine.get(PaneService)
    svc = engine.get(AgentStateService)
    await panes.tick()
    await panes.tick()  # the control client is attached from the second list on
    assert engine.mux.control.up  # type: ignore[attr-defined]

    async def skipped() -> bool:  # once a read began in a later second than the output
        await svc.tick()
        return svc.skipped > 0

    await async_wait_until(skipped)
    reads = svc.reads
    assert engine.get(ProcessTable).reader.io_files == 0  # no write counts read
    await engine.mux.send_text(pane, "hello", paste=False, enter=True)

    async def read_again() -> bool:
        await svc.tick()
        return "hello" in (svc.supervisor.agents["a"].watch.screen or "")

    await async_wait_until(read_again)
    assert svc.reads > reads
