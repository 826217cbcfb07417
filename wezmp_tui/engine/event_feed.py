"""Bus events turned into the typed records of `model.plugin_events`, in publish order, for
the three things that react to them outside the engine's own services: plugins,
notifications and event actions.

Conversion may ask the board or the supervisor for a detail the bus event does not carry (a
task's title, a board's done column), so it runs in a task of its own, never inside `publish`.
The board's own events carry both, so a board operation costs no second read of its task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.board import BoardService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import NotFound
from wezmp_tui.model import plugin_events as pe
from wezmp_tui.model.events import Event

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.events")

TOPICS = (
    "agent.state",
    "agent.started",
    "agent.exited",
    "task.added",
    "task.moved",
    "timer.",
    "workspace.created",
    "workspace.deleted",
    "layout.applied",
    "config.reloaded",
    "plugin.disabled",
)

Consumer = Callable[[pe.PluginEvent], None]


class EventFeed:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.board = engine.get(BoardService)
        self.supervisor = engine.get(Supervisor)
        self.consumers: list[Consumer] = []
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        engine.bus.listen(list(TOPICS), self._queue.put_nowait)

    def add(self, consumer: Consumer) -> None:
        """Call `consumer(record)` for every record, in order. It must not block."""
        self.consumers.append(consumer)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                record = await self.record(event)
            except Exception:  # one odd event must not end the feed
                log.exception("event %s: cannot make a record of it", event.topic)
                continue
            if record is None:
                continue
            for consumer in list(self.consumers):
                try:
                    consumer(record)
                except Exception:
                    log.exception("event %s: a consumer failed", event.topic)

    async def record(self, event: Event) -> pe.PluginEvent | None:
        """The record for `event`, or None when it is not one plugins see (a state event
        that changed only the reason, say)."""
        d: dict[str, Any] = event.data or {}
        ts = event.ts
        topic = event.topic
        if topic == "agent.state":
            if d.get("state") == d.get("previous"):
                return None
            return pe.AgentStateChanged(
                ts=ts, agent=d["agent"], state=d["state"], previous=d.get("previous") or "",
                reason=d.get("reason") or "", source=d.get("source") or "",
                workspace=await self._workspace_of(d["agent"]),
            )  # fmt: skip
        if topic == "agent.started":
            return pe.RunStarted(
                ts=ts, agent=d["agent"], pane_id=str(d.get("pane_id") or ""),
                workspace=d.get("workspace") or "",
            )  # fmt: skip
        if topic == "agent.exited":
            return pe.RunExited(
                ts=ts, agent=d["agent"], code=d.get("code"), signal=d.get("signal"),
                reason=d.get("reason") or "",
            )  # fmt: skip
        if topic == "task.added":
            return pe.TaskCreated(
                ts=ts, task_id=d["task_id"], board=d["board"], column=d["column"],
                title=await self._title(d),
            )  # fmt: skip
        if topic == "task.moved":
            return await self._moved(ts, d)
        if topic in ("timer.started", "timer.stopped"):
            cls = pe.TimerStarted if topic == "timer.started" else pe.TimerStopped
            return cls(ts=ts, task_id=d["task_id"])
        if topic == "workspace.created":
            return pe.WorkspaceCreated(ts=ts, workspace=d["workspace"], root=d.get("root") or "")
        if topic == "workspace.deleted":
            return pe.WorkspaceDeleted(ts=ts, workspace=d["workspace"])
        if topic == "layout.applied":
            return pe.LayoutApplied(
                ts=ts, workspace=d["workspace"], layout=d["layout"],
                panes=[str(p) for p in d.get("panes") or []],
            )  # fmt: skip
        if topic == "config.reloaded":
            return pe.ConfigReloaded(ts=ts, agents=list(d.get("agents") or []))
        if topic == "plugin.disabled":
            return pe.PluginDisabled(ts=ts, plugin=d["plugin"], reason=d.get("reason") or "")
        return None

    async def _moved(self, ts: float, d: dict[str, Any]) -> pe.PluginEvent | None:
        if d.get("from") == d.get("column"):
            return None  # reordered within its column
        title = await self._title(d)
        done = d["done"] if "done" in d else d["column"] == await self._done_column(d["board"])
        if done:
            return pe.TaskDone(ts=ts, task_id=d["task_id"], board=d["board"], title=title)
        return pe.TaskMoved(
            ts=ts, task_id=d["task_id"], board=d["board"], from_column=d.get("from") or "",
            column=d["column"], title=title,
        )  # fmt: skip

    async def _workspace_of(self, agent: str) -> str:
        known = self.supervisor.agents.get(agent)
        return known.info.workspace if known is not None else ""  # gone since: no workspace

    async def _title(self, d: dict[str, Any]) -> str:
        if "title" in d:
            return str(d["title"])
        try:
            return self.board.task(d["task_id"]).title
        except NotFound:  # deleted since
            return ""

    async def _done_column(self, board: str) -> str:
        for b in await self.board.list_boards():
            if b.name == board and b.columns:
                return b.columns[-1]
        return ""
