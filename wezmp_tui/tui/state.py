"""The control center's mirror of the daemon: one object that decodes every result and event
into the model's records, keeps the whole picture (workspaces, panes, agents, metrics), and
tells every screen what changed through app-wide messages (`tui/messages.py`).

Screens read from here instead of asking the daemon, so a mode shown for the first time, or
again after a while, or after a reconnect, draws what is true now. Small changes (an agent's
state from a hook, a pane's title) are applied in place; anything structural fetches the list
concerned once per burst of events.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from textual.message import Message

from wezmp_tui.errors import WezmpError
from wezmp_tui.model.agents import AgentInfo
from wezmp_tui.model.events import Event
from wezmp_tui.model.panes import PaneInfo
from wezmp_tui.model.states import state_def
from wezmp_tui.model.workspaces import WorkspaceInfo
from wezmp_tui.tui.messages import (
    AgentsChanged,
    DaemonEvent,
    LayoutChanged,
    MetricsTicked,
    PaneChanged,
    Resynced,
)

log = logging.getLogger("wezmp.tui")
T = TypeVar("T")
Call = Callable[..., Awaitable[Any]]
Post = Callable[[Callable[[], Message]], None]

# How many samples a series keeps: two minutes at the default one-second tick, more than the
# widest sparkline draws.
SERIES = 300
# Pane fields a change of which is drawn in place; anything else (a pane moving to another
# tab or workspace, a tab title) refetches the panes.
IN_PLACE_PANE_FIELDS = {"pids", "title", "cwd", "is_active", "is_zoomed", "rows", "cols", "tty"}
UNDRAWN_PANE_FIELDS = {"pane_id", "workspace", "pids", "tty"}
# Topics the mirror keeps and tells the screens about in its own messages (`PaneChanged`,
# `AgentsChanged`, `MetricsTicked`...); a screen hears every other topic as a `DaemonEvent`
# (tasks, timers, the queue). Most events are of these, a few every second per agent, and
# each message goes to every screen of every mode.
MIRRORED = ("pane.", "workspace.", "agent.", "metrics.")


def decode_list(items: Any, kind: type[T]) -> list[T]:
    """Records of one kind from a result; one that does not decode is logged and left out
    rather than losing the whole list."""
    out: list[T] = []
    for item in items or []:
        try:
            out.append(msgspec.convert(item, kind))
        except msgspec.ValidationError as exc:
            log.warning("%s from the daemon did not decode: %s", kind.__name__, exc)
    return out


def running(agent: AgentInfo) -> bool:
    return state_def(agent.state).running


class DaemonState:
    """The picture, and the one place that turns daemon events into screen messages."""

    def __init__(self, call: Call, post: Post) -> None:
        self._call = call
        self._post = post
        self.workspaces: list[WorkspaceInfo] = []
        self.panes: dict[str, PaneInfo] = {}
        self._agents: dict[str, AgentInfo] = {}
        self._by_pane: dict[str, AgentInfo] | None = None
        self.cpu: list[float] = []
        self.mem: list[float] = []
        # Bounded queues: every running agent gets a sample each tick, and copying a list
        # of 300 to add one was the tick's main cost with 256 agents.
        self.agent_cpu: dict[str, deque[float]] = {}
        # agent -> a number that moves whenever the mirror changes anything of it: a table
        # of 256 agents redraws the rows whose number moved, without looking at the others.
        self.revisions: dict[str, int] = {}
        self.revision = 0  # the latest of them
        self._pending: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- reading --------------------------------------------------------------------------

    @property
    def agents(self) -> dict[str, AgentInfo]:
        return self._agents

    @agents.setter
    def agents(self, agents: dict[str, AgentInfo]) -> None:
        # An agent changes panes only in a new list (a process started), never in place.
        self._agents = agents
        self._by_pane = None
        self.revisions = {}
        for name in agents:
            self.touched(name)

    def touched(self, name: str) -> None:
        """Something of agent `name` changed in place (its state, its figures)."""
        self.revision += 1
        self.revisions[name] = self.revision

    def agent_in_pane(self, pane_id: str) -> AgentInfo | None:
        """By an index built once per agent list: the pane table and the tree ask for
        every pane, and with 256 agents a scan each was 65,000 steps per pane event."""
        if self._by_pane is None:
            self._by_pane = {a.pane_id: a for a in self._agents.values() if a.pane_id}
        return self._by_pane.get(pane_id)

    def workspace(self, name: str | None) -> WorkspaceInfo | None:
        return next((w for w in self.workspaces if w.name == name), None)

    # -- fetching -------------------------------------------------------------------------

    async def _fetch(self, method: str) -> Any:
        """A list the daemon may not have (an older daemon, a trimmed build) is empty."""
        try:
            return await self._call(method)
        except WezmpError as exc:
            log.info("%s: %s", method, exc.message)
            return None

    async def resync(self) -> None:
        """Fetch the whole picture and tell every screen (first connect and every reconnect)."""
        workspaces, panes, agents, history = await asyncio.gather(
            self._fetch("ws.list"),
            self._fetch("pane.list"),
            self._fetch("agent.list"),
            self._fetch("metrics.history"),
        )
        self._set_layout(workspaces, panes)
        self._set_agents(agents)
        if isinstance(history, dict):
            self.cpu = [float(v) for v in history.get("cpu", [])][-SERIES:]
            self.mem = [float(v) for v in history.get("mem", [])][-SERIES:]
        self._post(Resynced)

    def _set_layout(self, workspaces: Any, panes: Any) -> None:
        self.workspaces = decode_list(workspaces, WorkspaceInfo)
        self.panes = {p.pane_id: p for p in decode_list(panes, PaneInfo)}

    def _set_agents(self, agents: Any) -> None:
        self.agents = {a.name: a for a in decode_list(agents, AgentInfo)}
        for agent in self.agents.values():
            if not running(agent):
                agent.cpu = agent.rss = None  # nothing runs: nothing to measure
        for name in list(self.agent_cpu):
            record = self.agents.get(name)
            if record is None or not running(record):
                del self.agent_cpu[name]  # nothing runs: no figures, not the last ones

    def _refetch(self, what: str) -> None:
        """Fetch `layout` or `agents` once for a burst of events: the task runs when the
        events already received have been applied."""
        if what in self._pending:
            return
        self._pending.add(what)
        task = asyncio.get_running_loop().create_task(self._refetch_now(what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refetch_now(self, what: str) -> None:
        await asyncio.sleep(0)
        self._pending.discard(what)
        if what == "layout":
            workspaces, panes = await asyncio.gather(
                self._fetch("ws.list"), self._fetch("pane.list")
            )
            self._set_layout(workspaces, panes)
            self._post(LayoutChanged)
        else:
            self._set_agents(await self._fetch("agent.list"))
            self._post(AgentsChanged)
            # An agent starting or ending changes the tree's labels too.
            self._post(LayoutChanged)

    async def settle(self) -> None:
        """Wait for the refetches under way (tests; a resync that must not be overtaken)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- events ---------------------------------------------------------------------------

    def apply(self, ev: Event) -> None:
        """Apply one event to the picture and tell the screens. Raises on data that does not
        fit; the caller reports it and goes on with the next event."""
        topic, data = ev.topic, ev.data or {}
        if topic == "pane.changed" and self._pane_changed(data):
            # Which processes run in a pane is kept, not drawn: with many agents their
            # children come and go every second, and no screen needs to hear of it.
            if not set(data) <= UNDRAWN_PANE_FIELDS:
                self._post(lambda: PaneChanged(str(data["pane_id"])))
        elif topic.startswith(("workspace.", "pane.")):
            self._refetch("layout")
        elif topic == "agent.state" and data.get("source") != "process" and self._state(data):
            self._post(lambda: AgentsChanged((str(data["agent"]),)))
        elif topic.startswith("agent."):
            self._refetch("agents")
        elif topic == "metrics.tick":
            self._tick(data)
            self._post(MetricsTicked)
        if not topic.startswith(MIRRORED):
            self._post(lambda: DaemonEvent(ev))

    def _pane_changed(self, data: dict[str, Any]) -> bool:
        """A change that moves nothing (a title, a cwd, the focus, a size), applied in place.
        False when the panes must be fetched again."""
        pane = self.panes.get(str(data.get("pane_id")))
        changed = set(data) - {"pane_id", "workspace"}
        if pane is None or not changed <= IN_PLACE_PANE_FIELDS:
            return False
        fields = {k: data[k] for k in changed}
        if "pids" in fields:
            fields["pids"] = tuple(fields["pids"])
        self.panes[pane.pane_id] = msgspec.structs.replace(pane, **fields)
        return True

    def _state(self, data: dict[str, Any]) -> bool:
        """A screen or a hook changed its mind: the event says all the table shows, no
        `agent.list` round trip. (A process starting or ending changes pid, uptime and
        more: those fetch the list.)"""
        agent = self.agents.get(str(data.get("agent")))
        if agent is None:
            return False
        decoded = msgspec.convert(
            {
                "name": agent.name,
                "state": data.get("state", agent.state),
                "state_source": data.get("source", agent.state_source),
                "state_reason": data.get("reason", agent.state_reason),
            },
            AgentInfo,
        )
        agent.state = decoded.state
        agent.state_source = decoded.state_source
        agent.state_reason = decoded.state_reason
        self.touched(agent.name)
        return True

    def _tick(self, data: dict[str, Any]) -> None:
        system = data.get("system") or {}
        if "cpu" in system:
            self.cpu = [*self.cpu[-SERIES + 1 :], float(system["cpu"])]
            self.mem = [*self.mem[-SERIES + 1 :], float(system["mem"])]
        changed: dict[str, Any] = data.get("agents") or {}
        for name, vals in changed.items():
            agent = self.agents.get(name)
            if agent is not None:
                agent.cpu = float(vals["cpu"])
                agent.rss = int(vals["rss"])
                self.touched(name)
        # A tick names only the agents whose figures changed: the others keep theirs, and a
        # series gets one sample per tick either way.
        for name, agent in self.agents.items():
            if running(agent) and agent.cpu is not None:
                series = self.agent_cpu.get(name)
                if series is None:
                    series = self.agent_cpu[name] = deque(maxlen=SERIES)
                series.append(agent.cpu)
            else:
                self.agent_cpu.pop(name, None)
