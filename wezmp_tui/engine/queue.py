"""The dispatch queue: queued tasks go, most urgent first, to idle agents that may take them.

A task is dispatchable when it is in the queue column (or marked `agent: auto`), unfinished,
and its dependencies are done. An agent may take it when it is positively idle (a hook or a
rule matching its idle prompt said so: never quiet, never in a dialog), below its task limit,
and is the task's named agent, or works in the task's workspace, or (with neither given)
has the kind named by a `kind:<name>` tag, or any agent at all. Just before typing, its
idleness is checked once more on its screen. Dispatching sends the prompt to the agent's
pane, moves the card to Doing and starts its timer; the agent then working and going idle
moves the card to Review and stops the timer; waiting marks the card. An agent that fails,
or answers with an error it cannot work past (not signed in, an API error, `StopFailure`),
returns the task to the queue with the reason in its note.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from wezmp_tui.config.schema import Queue
from wezmp_tui.engine.agent_state import AgentStateService
from wezmp_tui.engine.api import api
from wezmp_tui.engine.board import BoardService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.engine.timetrack import TimeService
from wezmp_tui.model.agents import AgentInfo
from wezmp_tui.model.board import TaskInfo, TaskQuery
from wezmp_tui.model.events import Event
from wezmp_tui.model.states import STOPPED_STATES

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.queue")
# A prompt typed while an agent UI is still settling can stay in its composer unsent (Claude
# Code 2.1.197 drops an Enter in its first second). With no hook or rule seen after this
# many checks a quarter second apart, Enter is pressed once more.
SUBMIT_CHECKS = 12
SUBMIT_CHECK_EVERY = 0.25


class QueueService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.board = engine.get(BoardService)
        self.time = engine.get(TimeService)
        self.supervisor = engine.get(Supervisor)
        self.agent_state = engine.get(AgentStateService)
        self.paused = engine.config.queue.paused
        self.worked: set[int] = set()  # dispatched tasks whose agent has been seen working
        self.taken: set[int] = set()  # dispatched tasks a hook or rule has seen taken up
        self._busy = False
        self._tasks: set[asyncio.Task[None]] = set()
        engine.bus.listen(
            ["agent.state", "agent.failed", "task.moved", "task.added"], self._on_event
        )

    @property
    def _cfg(self) -> Queue:
        return self.engine.config.queue

    async def start(self) -> None:
        self.engine.every("queue", lambda: 1.0, self.tick)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    # -- decisions ----------------------------------------------------------------------

    def _agents(self) -> list[AgentInfo]:
        return [a.info for a in self.supervisor.agents.values()]

    def _queued(self) -> TaskQuery:
        return TaskQuery(queued_in=self._cfg.dispatch_column)

    def candidates(self) -> list[TaskInfo]:
        """Queued tasks, most urgent first (only those: not every open task on every tick)."""
        tasks = self.board.select(self._queued())
        tasks.sort(key=lambda t: (-t.urgency, t.id))
        return tasks

    def queued(self) -> int:
        return self.board.queued(self._cfg.dispatch_column)

    def load(self) -> dict[str, int]:
        return self.board.load()

    def may_take(self, agent: Any, task: TaskInfo) -> bool:
        if task.agent not in (None, "auto"):
            return bool(agent.name == task.agent)
        if task.workspace:
            return bool(agent.workspace == task.workspace)
        kinds = [t.split(":", 1)[1] for t in task.tags if t.startswith("kind:")]
        return not kinds or agent.kind in kinds

    def plan(self, tasks: list[TaskInfo] | None = None) -> list[tuple[TaskInfo, str]]:
        """Which task would go to which agent now (of `tasks`, most urgent first; default:
        the queued ones)."""
        limit = self._cfg.per_agent_limit
        load = self.load()
        idle = [
            a
            for a in self._agents()
            if a.state == "idle" and a.pane_id and load.get(a.name, 0) < limit
        ]
        out: list[tuple[TaskInfo, str]] = []
        if not idle:
            return out  # the usual tick: every agent busy, no queued task need be read
        for task in self.candidates() if tasks is None else tasks:
            for agent in idle:
                if load.get(agent.name, 0) < limit and self.may_take(agent, task):
                    out.append((task, agent.name))
                    load[agent.name] = load.get(agent.name, 0) + 1
                    break
            if all(load.get(a.name, 0) >= limit for a in idle):
                break
        return out

    def why_not(self) -> list[dict[str, Any]]:
        """For each agent, whether the queue would give it a task now, and if not, why."""
        limit = self._cfg.per_agent_limit
        load = self.load()
        queued = self.queued()
        planned = {agent: task.id for task, agent in self.plan()}
        out = []
        for record in self.supervisor.agents.values():
            a = record.info
            if a.state == "idle" and record.not_idle_after_all:
                why = f"idle, but not on a second look: {record.not_idle_after_all}"
            elif a.name in planned:
                why = f"takes #{planned[a.name]} next"
            elif a.state != "idle":
                why = {
                    "quiet": "quiet: not known to be idle (no hook or idle-prompt rule says so)",
                    "waiting": "waiting" + (" on an error" if a.state_error else " for you"),
                }.get(a.state, a.state)
                if a.state != "quiet" and a.state_reason:
                    why += f": {a.state_reason}"
            elif load.get(a.name, 0) >= limit:
                why = f"at its limit of {limit} task(s)"
            elif not queued:
                why = "idle; nothing queued"
            else:
                why = "idle; no queued task it may take (named agent, workspace or kind tag)"
            out.append({"agent": a.name, "state": a.state, "takes": planned.get(a.name),
                        "why": why})  # fmt: skip
        return out

    # -- actions ------------------------------------------------------------------------

    async def tick(self) -> list[dict[str, Any]]:
        if self.paused or self._busy:
            return []
        self._busy = True
        try:
            return await self.confirmed(self.plan())
        finally:
            self._busy = False

    async def confirmed(self, plan: list[tuple[TaskInfo, str]]) -> list[dict[str, Any]]:
        """Dispatch what the plan says, each agent's idleness checked on its screen first."""
        out = []
        for task, agent in plan:
            why = await self.agent_state.confirm_idle(agent)
            if why is not None:
                self._not_idle_after_all(agent, why)
                log.info("task #%s not sent to %s: %s", task.id, agent, why)
                continue
            out.append(await self.dispatch(task, agent))
        return out

    def _not_idle_after_all(self, agent: str, why: str) -> None:
        known = self.supervisor.agents.get(agent)
        if known is not None:
            known.not_idle_after_all = why

    async def dispatch(self, task: TaskInfo, agent: str) -> dict[str, Any]:
        self._not_idle_after_all(agent, "")
        prompt = task.title + (f"\n\n{task.description}" if task.description.strip() else "")
        await self.supervisor.send(prompt, name=agent)
        self.board.assign(task.id, agent)
        await self.board.move(task.id, column=self._cfg.doing_column, force=True)
        await self.time.start_timer(task.id, note=f"agent {agent}", exclusive=False)
        self._set_agent_task(agent, task.id)
        # The agent has work now, whether or not its screen shows it by the next tick: a
        # task done in a blink still goes working -> idle, and so to Review.
        self._mark_working(agent, task.id)
        self._spawn(self._ensure_submitted(agent, task.id))
        self.board.history(task.id, "dispatched", agent=agent)
        self.engine.bus.publish("queue.dispatched", {"task_id": task.id, "agent": agent})
        log.info("task #%s -> %s", task.id, agent)
        return {"task_id": task.id, "agent": agent}

    async def _ensure_submitted(self, agent: str, task_id: int) -> None:
        for _ in range(SUBMIT_CHECKS):
            await asyncio.sleep(SUBMIT_CHECK_EVERY)
            if task_id in self.taken or self._task_of(agent) != task_id:
                return
        known = self.supervisor.agents.get(agent)
        info = known.info if known is not None else None
        if info is None or info.pane_id is None:
            return
        log.info("task #%s: no sign %s took it; Enter pressed again", task_id, agent)
        self.board.history(task_id, "enter pressed again", agent=agent)
        await self.engine.mux.send_keys(info.pane_id, ["Enter"])

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _mark_working(self, agent: str, task_id: int) -> None:
        self.supervisor.set_state(agent, "working", "dispatch", f"task #{task_id}")

    def _set_agent_task(self, agent: str, task_id: int | None) -> None:
        known = self.supervisor.agents.get(agent)
        if known is not None:
            known.info.task_id = task_id

    def _task_of(self, agent: str) -> int | None:
        return self.board.current_of(agent, self._cfg.doing_column)

    def _on_event(self, ev: Event) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self.react(ev))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


    async def react(self, ev: Event) -> None:
        data = ev.data or {}
        if ev.topic.startswith("task."):
            if not self.paused and not self._busy:
                await self.tick()
            return
        agent = str(data.get("agent", ""))
        if ev.topic == "agent.state":
            self._not_idle_after_all(agent, "")  # a new state: look again
        task_id = self._task_of(agent)
        if task_id is not None:
            state = data.get("state")
            if data.get("source") in ("hook", "rule"):
                self.taken.add(task_id)
            if ev.topic == "agent.failed" or state in STOPPED_STATES:
                await self._requeue(task_id, agent, data.get("reason") or state or "failed")
            elif state == "waiting" and data.get("error"):
                # Not signed in, an API error, StopFailure: it cannot do the task.
                await self._requeue(task_id, agent, f"answered with an error: {data.get('reason')}")
            elif state == "working":
                self.worked.add(task_id)
                self.board.set_waiting(task_id, False)
            elif state == "waiting":
                self.worked.add(task_id)
                self.board.set_waiting(task_id, True)
            elif state == "idle" and task_id in self.worked:
                self.worked.discard(task_id)
                await self.board.move(
                    task_id, column=self._cfg.review_column, force=True
                )
                self.time.stop_task(task_id)
                self.board.assign(task_id, None)
                self._set_agent_task(agent, None)
                self.board.history(task_id, "agent finished", agent=agent)
        if ev.topic == "agent.state" and data.get("state") == "idle" and not self.paused:
            await self.tick()

    async def _requeue(self, task_id: int, agent: str, reason: str) -> None:
        note = f"agent {agent} {reason}; back in the queue"
        self.board.assign(task_id, None, note=note)
        self.worked.discard(task_id)
        self.time.stop_task(task_id)
        await self.board.move(task_id, column=self._cfg.dispatch_column, force=True)
        self._set_agent_task(agent, None)
        self.board.history(task_id, "requeued", agent=agent, reason=reason)

    @api("queue.pause")
    async def pause(self) -> dict[str, Any]:
        """Stop dispatching (tasks stay queued)."""
        self.paused = True
        self.engine.bus.publish("queue.paused", {})
        return await self.status()

    @api("queue.resume")
    async def resume(self) -> dict[str, Any]:
        """Dispatch again (and right now)."""
        self.paused = False
        self.engine.bus.publish("queue.resumed", {})
        await self.tick()
        return await self.status()

    @api("queue.status")
    async def status(self) -> dict[str, Any]:
        """Paused or not, queued and in-progress counts, per-agent load, and for each agent
        whether it takes a task next or why not."""
        return {
            "paused": self.paused,
            "queued": self.queued(),
            "load": self.load(),
            "per_agent_limit": self._cfg.per_agent_limit,
            "agents": self.why_not(),
        }

    @api("queue.dry_run")
    async def dry_run(self) -> list[dict[str, Any]]:
        """What would be dispatched next, to whom (nothing is sent)."""
        return [
            {"task_id": t.id, "title": t.title, "urgency": t.urgency, "agent": a}
            for t, a in self.plan()
        ]

    @api("queue.preview")
    async def preview(self, task_id: int) -> dict[str, Any]:
        """Where a task would go if it were queued now, so a person can be asked before a
        card moves into the queue (nothing moves, nothing is sent)."""
        task = self.board.task(task_id)
        tasks = [t for t in self.candidates() if t.id != task_id]
        ahead = sum(1 for t in tasks if (-t.urgency, t.id) < (-task.urgency, task.id))
        if not task.blocked:
            tasks.append(task)
            tasks.sort(key=lambda t: (-t.urgency, t.id))
        plan = self.plan(tasks)
        agent = next((a for t, a in plan if t.id == task_id), None)
        limit = self._cfg.per_agent_limit
        load = self.load()
        taken = {a: t.id for t, a in plan}
        others = []
        for a in self._agents():
            if a.name == agent:
                continue
            why: str
            if a.state != "idle":
                why = a.state
            elif load.get(a.name, 0) >= limit:
                why = f"at its limit of {limit} task(s)"
            elif not self.may_take(a, task):
                why = "may not take it (named agent, workspace or kind tag)"
            else:
                why = f"takes #{taken[a.name]} first" if a.name in taken else "idle"
            others.append({"agent": a.name, "state": a.state, "why": why})
        return {
            "task_id": task_id,
            "agent": agent,
            "paused": self.paused,
            "blocked": task.blocked,
            "ahead": ahead,
            "agents": others,
        }

    @api("queue.dispatch")
    async def dispatch_now(self, task_id: int | None = None) -> list[dict[str, Any]]:
        """Dispatch now (even while paused): one task, or everything that can go. Nothing sent
        means no agent may take it now: `queue.status` says why, per agent."""
        plan = self.plan()
        if task_id is not None:
            plan = [(t, a) for t, a in plan if t.id == task_id][:1]
        return await self.confirmed(plan)
