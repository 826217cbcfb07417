"""Dispatch end to end: scripted agents in real tmux panes, their state read from their
screens, cards moving Queue → Doing → Review with the time kept."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.helpers import async_wait_until
from wezmp_tui.config.schema import AgentSpec, Config, State
from wezmp_tui.engine.agent_state import AgentStateService
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.queue import QueueService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.ipc.server import IpcServer

# A stand-in coding agent: shows a prompt, takes a line, "works" a moment, shows the prompt.
AGENT = (
    "import sys, time\n"
    "while True:\n"
    "    line = input('> ')\n"
    "    print('working on:', line, flush=True)\n"
    "    for i in range(3):\n"
    "        print('.' * (i + 1), flush=True); time.sleep(0.2)\n"
    "    print('done:', line, flush=True)\n"
)


def bot(name: str) -> AgentSpec:
    return msgspec.convert(
        {"name": name, "kind": "shell", "workspace": "w", "command": [sys.executable, "-c", AGENT]},
        AgentSpec,
    )


@pytest.fixture
async def engine(make_engine: Any) -> AsyncIterator[Any]:
    config = Config(
        agents=[bot("bot1"), bot("bot2")], state=State(idle_debounce=0.2, silence_seconds=30)
    )
    eng = await make_engine("tmux", config=config)
    await eng.mux.spawn(workspace="keeper", argv=["sleep", "300"])
    srv = IpcServer(eng)
    await srv.start()
    yield eng
    await srv.stop()


async def settle(engine: Any, predicate: Any, timeout: float = 20.0) -> None:
    async def check() -> bool:
        await engine.get(PaneService).tick()
        await engine.get(Supervisor).tick()
        await engine.get(AgentStateService).tick()
        return bool(await predicate())

    await async_wait_until(check, timeout=timeout, interval=0.05)


async def test_tasks_go_to_idle_agents_in_order_and_come_back_for_review(engine: Any) -> None:
    sup = engine.get(Supervisor)
    await engine.invoke("agent.start", {"names": ["bot1", "bot2"]})

    async def both_idle() -> bool:
        return all(sup.agents[n].info.state == "idle" for n in ("bot1", "bot2"))

    await settle(engine, both_idle)
    first = await engine.invoke(
        "task.add", {"title": "write the parser", "priority": "H", "column": "Queue"}
    )
    second = await engine.invoke(
        "task.add", {"title": "test the parser", "column": "Queue", "depends_on": [first.id]}
    )
    third = await engine.invoke("task.add", {"title": "update the docs", "column": "Queue"})
    dry = await engine.invoke("queue.dry_run")
    assert [(d["task_id"], d["agent"]) for d in dry] == [(first.id, "bot1"), (third.id, "bot2")]
    queue = engine.get(QueueService)
    await queue.tick()

    async def prompt_arrived() -> bool:
        text = await engine.mux.get_text(sup.agents["bot1"].info.pane_id)
        return "working on: write the parser" in text

    await settle(engine, prompt_arrived)
    t1 = (await engine.invoke("task.show", {"id": first.id}))["task"]
    assert t1.column == "Doing" and t1.assigned == "bot1" and t1.timer_running

    async def reviewed() -> bool:
        tasks = {t.id: t for t in await engine.invoke("task.list")}
        return tasks[first.id].column == "Review" and tasks[third.id].column == "Review"

    await settle(engine, reviewed)
    t1 = (await engine.invoke("task.show", {"id": first.id}))["task"]
    assert not t1.timer_running and t1.tracked > 0 and t1.assigned is None
    # The dependency is not done yet (only reviewed): the second task stays queued.
    assert (await engine.invoke("task.show", {"id": second.id}))["task"].column == "Queue"
    await engine.invoke("task.done", {"id": first.id})
    await queue.tick()

    async def second_reviewed() -> bool:
        return (await engine.invoke("task.show", {"id": second.id}))["task"].column == "Review"

    await settle(engine, second_reviewed)
    report = await engine.invoke("report.time", {"by": "agent"})
    assert {r["key"] for r in report["rows"]} == {"bot1", "bot2"}


async def test_pause_limits_and_failure_requeues(engine: Any) -> None:
    sup = engine.get(Supervisor)
    queue = engine.get(QueueService)
    await engine.invoke("queue.pause")
    await engine.invoke("agent.start", {"name": "bot1"})

    async def idle() -> bool:
        return sup.agents["bot1"].info.state == "idle"

    await settle(engine, idle)
    t = await engine.invoke("task.add", {"title": "job", "column": "Queue", "agent": "bot1"})
    assert await queue.tick() == []
    assert (await engine.invoke("queue.status"))["paused"] is True
    assert [d["agent"] for d in await engine.invoke("queue.dry_run")] == ["bot1"]
    dispatched = await engine.invoke("queue.dispatch", {"task_id": t.id})
    assert dispatched == [{"task_id": t.id, "agent": "bot1"}]
    assert (await engine.invoke("queue.status"))["load"] == {"bot1": 1}
    await engine.invoke("task.add", {"title": "other", "column": "Queue", "agent": "bot1"})
    assert await engine.invoke("queue.dry_run") == []  # bot1 is at its limit
    # The agent dies: its task returns to the queue with a note.
    sup._set(sup.agents["bot1"].info, "failed", "process", "crash")
    engine.bus.publish("agent.failed", {"agent": "bot1", "reason": "crash"})

    async def requeued() -> bool:
        task = (await engine.invoke("task.show", {"id": t.id}))["task"]
        return task.column == "Queue" and "back in the queue" in task.note

    await settle(engine, requeued)
    await engine.invoke("queue.resume")
    assert (await engine.invoke("queue.status"))["paused"] is False


async def test_waiting_agent_marks_the_card(engine: Any) -> None:
    sup = engine.get(Supervisor)
    queue = engine.get(QueueService)
    info = sup.agents["bot2"].info
    info.state, info.pane_id = "quiet", "%0"
    # Idle by a hook: no screen rule needs to agree (the keeper's pane shows nothing).
    await engine.invoke("hook.event", {"event": "Stop", "agent": "bot2"})
    t = await engine.invoke("task.add", {"title": "ask me", "column": "Queue", "agent": "bot2"})
    engine.mux.send_text = _noop  # the pane is the keeper's; nothing is typed into it

    async def dispatched() -> bool:  # once the hook's idle has held idle_debounce
        return bool(await queue.tick())

    await async_wait_until(dispatched)
    sup._set(info, "waiting", "hook", "permission")

    async def waiting() -> bool:
        return (await engine.invoke("task.show", {"id": t.id}))["task"].waiting

    await async_wait_until(waiting)


async def _noop(*args: Any, **kw: Any) -> None:
    return None


async def test_a_task_done_in_a_blink_still_reaches_review(engine: Any) -> None:
    """A plain shell finishes `echo` before any tick could see it work: dispatching marks
    the agent working, so its return to the prompt still moves the card."""
    sup = engine.get(Supervisor)
    await engine.invoke(
        "agent.define",
        {"spec": {"name": "sh", "kind": "shell", "workspace": "w", "command": ["sh"],
                  "env": {"PS1": "$ "}}},
    )  # fmt: skip
    await engine.invoke("agent.start", {"name": "sh"})

    async def idle() -> bool:
        return sup.agents["sh"].info.state == "idle"

    await settle(engine, idle)
    t = await engine.invoke("task.add", {"title": "echo blink", "column": "Queue", "agent": "sh"})
    await engine.get(QueueService).tick()
    sh = sup.agents["sh"].info
    assert (sh.state, sh.state_source) == ("working", "dispatch")

    async def reviewed() -> bool:
        return (await engine.invoke("task.show", {"id": t.id}))["task"].column == "Review"

    await settle(engine, reviewed)


SCREENS = Path(__file__).parent.parent / "data" / "screens"


def screens_agent(name: str, first: str, after: str | None = None) -> dict[str, Any]:
    """A stand-in that shows a screen recorded from real Claude Code, and after a line is
    typed into it, another one."""
    script = (
        "import sys, time\n"
        f"sys.stdout.write(open({str(SCREENS / 'claude' / first)!r}).read()); sys.stdout.flush()\n"
        "line = sys.stdin.readline()\n"
        + (f"sys.stdout.write(open({str(SCREENS / 'claude' / after)!r}).read())\n" if after else "")
        + "sys.stdout.flush(); time.sleep(300)\n"
    )
    return {"name": name, "kind": "claude", "workspace": "w",
            "command": [sys.executable, "-c", script]}  # fmt: skip


async def test_no_task_goes_to_an_agent_in_a_dialog_or_quiet_and_status_says_why(
    engine: Any,
) -> None:
    sup = engine.get(Supervisor)
    queue = engine.get(QueueService)
    for spec in (
        screens_agent("trusting", "waiting_trust-folder_80x24.txt"),
        screens_agent("signed-out", "waiting_composer-not-logged-in_80x24.txt"),
        {"name": "silent", "kind": "generic", "workspace": "w",
         "command": [sys.executable, "-c", "print('booting'); import time; time.sleep(300)"]},
    ):  # fmt: skip
        await engine.invoke("agent.define", {"spec": spec})
    engine.config.state.silence_seconds = 0.3
    await engine.invoke("agent.start", {"names": ["trusting", "signed-out", "silent"]})

    async def settled() -> bool:
        return [sup.agents[n].info.state for n in ("trusting", "signed-out", "silent")] == [
            "waiting", "waiting", "quiet"
        ]

    await settle(engine, settled)
    t = await engine.invoke("task.add", {"title": "fix the test", "column": "Queue"})
    assert await queue.tick() == []
    assert await engine.invoke("queue.dispatch", {"task_id": t.id}) == []
    assert (await engine.invoke("task.show", {"id": t.id}))["task"].column == "Queue"
    why = {a["agent"]: a["why"] for a in (await engine.invoke("queue.status"))["agents"]}
    assert why["trusting"] == "waiting for you: rule dialog"
    assert why["signed-out"] == "waiting on an error: rule not-signed-in"
    assert why["silent"].startswith("quiet: not known to be idle")
    assert why["bot1"] == "stopped: not started"


async def test_an_agent_answering_with_an_error_sends_its_task_back(engine: Any) -> None:
    sup = engine.get(Supervisor)
    await engine.invoke(
        "agent.define",
        {"spec": screens_agent("cc", "idle_composer_80x24.txt", "waiting_api-error_80x24.txt")},
    )
    await engine.invoke("agent.start", {"name": "cc"})

    async def idle() -> bool:
        return sup.agents["cc"].info.state == "idle"

    await settle(engine, idle)
    t = await engine.invoke("task.add", {"title": "fix the test", "column": "Queue"})
    await engine.get(QueueService).tick()
    assert (await engine.invoke("task.show", {"id": t.id}))["task"].assigned == "cc"

    async def requeued() -> bool:
        task = (await engine.invoke("task.show", {"id": t.id}))["task"]
        return task.column == "Queue" and task.assigned is None

    await settle(engine, requeued)
    task = (await engine.invoke("task.show", {"id": t.id}))["task"]
    assert "answered with an error: rule api-error" in task.note
    assert (sup.agents["cc"].info.state, sup.agents["cc"].info.state_error) == ("waiting", True)
    # It is not given the task again while the error is on its screen.
    assert await engine.get(QueueService).tick() == []


async def test_a_dialog_opened_since_the_last_tick_stops_the_dispatch(engine: Any) -> None:
    sup = engine.get(Supervisor)
    queue = engine.get(QueueService)
    spec = screens_agent("cc", "idle_composer_80x24.txt", "waiting_custom-api-key_80x24.txt")
    await engine.invoke("agent.define", {"spec": spec})
    await engine.invoke("agent.start", {"name": "cc"})

    async def idle() -> bool:
        return sup.agents["cc"].info.state == "idle"

    await settle(engine, idle)
    pane = sup.agents["cc"].info.pane_id
    # The dialog opens; no state tick sees it before the queue's.
    await engine.mux.send_text(pane, "", paste=False, enter=True)

    async def dialog_drawn() -> bool:
        return "Detected a custom API key" in await engine.mux.get_text(pane)

    await async_wait_until(dialog_drawn)
    assert sup.agents["cc"].info.state == "idle"
    t = await engine.invoke("task.add", {"title": "fix the test", "column": "Queue"})
    assert await queue.tick() == []
    assert "fix the test" not in await engine.mux.get_text(pane)
    assert (await engine.invoke("task.show", {"id": t.id}))["task"].column == "Queue"
    why = {a["agent"]: a["why"] for a in (await engine.invoke("queue.status"))["agents"]}
    assert why["cc"] == "idle, but not on a second look: its screen now shows rule dialog"


async def test_an_enter_the_agent_dropped_is_pressed_again(engine: Any) -> None:
    """Like Claude Code still settling: the prompt lands but the first Enter is lost. With no
    hook or rule seeing it taken, the queue presses Enter once more."""
    script = (
        "import os, sys, time, tty\n"
        "tty.setraw(0)\n"
        f"sys.stdout.write(open({str(SCREENS / 'claude' / 'idle_composer_80x24.txt')!r})"
        ".read().replace('\\n', '\\r\\n')); sys.stdout.flush()\n"
        "enters = 0\n"
        "while enters < 2:\n"
        "    enters += os.read(0, 256).count(b'\\r')\n"
        f"sys.stdout.write(open({str(SCREENS / 'claude' / 'working_retrying_80x24.txt')!r})"
        ".read().replace('\\n', '\\r\\n')); sys.stdout.flush()\n"
        "time.sleep(300)\n"
    )
    sup = engine.get(Supervisor)
    await engine.invoke("agent.define", {"spec": {
        "name": "cc", "kind": "claude", "workspace": "w",
        "command": [sys.executable, "-c", script]}})  # fmt: skip
    await engine.invoke("agent.start", {"name": "cc"})

    async def idle() -> bool:
        return sup.agents["cc"].info.state == "idle"

    await settle(engine, idle)
    t = await engine.invoke("task.add", {"title": "fix the test", "column": "Queue"})

    async def taken_up() -> bool:
        await engine.get(QueueService).tick()
        info = sup.agents["cc"].info
        return (info.state, info.state_source) == ("working", "rule")

    await settle(engine, taken_up)
    history = (await engine.invoke("task.show", {"id": t.id}))["history"]
    assert [h.action for h in history].count("enter pressed again") == 1


async def test_queue_status_costs_the_same_at_any_board_size(make_engine: Any) -> None:
    """`queue.status` reads the queued count kept by the store, not 20,000 queued rows each
    checked for open dependencies: the SQL it runs (SQLite's steps, counted by a progress
    handler) is the same at 200 tasks and at 20,000, and the count is right."""
    engine = await make_engine("local")
    conn = engine.db.conn
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0

    async def status_steps() -> tuple[int, int]:
        nonlocal steps
        steps = 0
        conn.set_progress_handler(step, 100)
        try:
            status = await engine.invoke("queue.status", {})
        finally:
            conn.set_progress_handler(None, 0)
        return steps, status["queued"]

    def seed(first: int, n: int) -> int:
        """`n` queued cards, one in ten of `agent: auto` in the backlog (queued too), one in
        ten done; every twentieth waits on an open card. Returns how many wait."""
        waiting = [(i, i - 1) for i in range(first + 20, first + n, 20)]
        with engine.db.transaction() as c:
            c.executemany(
                "INSERT INTO tasks(id, board, col, title, position, created_at, agent,"
                " finished_at) VALUES (?, 'default', ?, 't', ?, 0, ?, ?)",
                [(i, "Backlog" if i % 10 == 1 else "Queue", i, "auto" if i % 10 == 1 else None,
                  1.0 if i % 10 == 2 else None) for i in range(first, first + n)],
            )  # fmt: skip
            c.executemany("INSERT INTO task_deps(task_id, depends_on) VALUES (?, ?)", waiting)
        return len(waiting)

    blocked = seed(1, 200)
    small, queued = await status_steps()
    assert queued == 200 - 20 - blocked
    blocked += seed(201, 19_800)
    large, queued = await status_steps()
    assert queued == 20_000 - 2_000 - blocked
    assert large <= small + 1, (small, large)
