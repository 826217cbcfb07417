"""The supervisor: agents defined in config or at run time, started in dependency order in
panes under `wezmp exec`, restarted by policy, and never forgotten.

Agents are not children of the daemon. Each runs in a pane under the `wezmp exec` wrapper,
which restarts it in place and reports pid and exits here. The supervisor keeps the picture
(`agents`), starts pending agents once their dependencies' conditions hold (checked on each
tick), notices panes killed from outside, and records every run in SQLite.

One live agent per name: every pane is made by the tick (one at a time per name, whatever
asked for it), an agent whose old pane is still there comes back in that pane, and a wrapper
must claim its agent before starting it (a second live wrapper is told to end).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import msgspec

from wezmp_tui import procgroup
from wezmp_tui.engine.api import api
from wezmp_tui.engine.deps import dependents, find_cycle, start_order
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.workspaces import WorkspaceService
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model.agent_record import Agent
from wezmp_tui.model.agent_spec import AgentSpec, Restart
from wezmp_tui.model.agents import STOPPED_STATES, AgentInfo, AgentState
from wezmp_tui.model.events import Event
from wezmp_tui.model.keys import parse_keys
from wezmp_tui.model.restart import RestartPolicy
from wezmp_tui.model.states import STATE_NAMES, state_def
from wezmp_tui.mux.base import PaneNotFound
from wezmp_tui.procfs import cmdline
from wezmp_tui.store.agents import AgentStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.supervisor")
STOP_GRACE = 3.0
OUTPUT_KEPT = 20


class Supervisor:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = AgentStore(engine.db)
        self.panes = engine.get(PaneService)
        self.workspaces = engine.get(WorkspaceService)
        self.workspaces.agents = self
        # Everything about each agent, in one record per name (spec, what clients see, the
        # supervisor's and the screen watch's bookkeeping): nothing else is kept by name.
        self.agents: dict[str, Agent] = {}
        self._asked = itertools.count()  # the order agents were asked to start in
        self.retired: set[int] = set()  # wrappers that held an agent and no longer do
        # Told of each new run (agent, run id, pane) before its wrapper lets it start.
        self.run_hooks: list[Callable[[str, int, str | None], Awaitable[None]]] = []
        # One tick at a time: a start asked for while a tick spawns waits for it, and never
        # sees a name the running tick has taken.
        self._tick_lock = asyncio.Lock()
        engine.bus.listen(["pane.removed"], self._on_pane_removed)
        engine.bus.listen(["workspace.created"], self._on_workspace_created)
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        config_agents = list(self.engine.config.agents)
        for spec in config_agents:
            self._define(spec, "config", publish=False)
        for row in self.store.all():
            if row["name"] in self.agents:
                self._adopt(row)
                continue
            try:
                spec = msgspec.json.decode(row["spec"], type=AgentSpec)
            except msgspec.DecodeError:
                continue
            self._define(spec, row["defined_by"], publish=False, persist=False)
            self._adopt(row)
        await self.autostart()
        self.engine.every("supervisor", lambda: 0.5, self.tick)

    def autostarted(self, workspace: str | None = None) -> list[str]:
        """Agents with `autostart: true` (of `workspace`, or all)."""
        return [
            name
            for name, agent in self.agents.items()
            if agent.spec.autostart
            and workspace in (None, agent.spec.workspace or agent.info.workspace)
        ]

    async def autostart(self, workspace: str | None = None) -> list[str]:
        """Start the stopped `autostart` agents (of `workspace`), dependencies first: when
        the daemon starts, and when their workspace is created."""
        names = [
            n for n in self.autostarted(workspace) if self.agents[n].info.state in STOPPED_STATES
        ]
        if names:
            await self.start_agents(names=names)
        return names

    def _on_workspace_created(self, event: Event) -> None:
        workspace = (event.data or {}).get("workspace")
        if workspace and self.autostarted(workspace):
            task = asyncio.get_running_loop().create_task(self.autostart(workspace))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _adopt(self, row: dict[str, Any]) -> None:
        """After a daemon restart: the agent as it was (its state, how its last run ended,
        its last lines), and one whose pane still exists running as before."""
        name = row["name"]
        agent = self.agents[name]
        info = agent.info
        now = self.engine.clock.now()
        info.restarts = row["restarts"]
        info.last_exit, info.last_exit_at = row["last_exit"], row["last_exit_at"]
        with contextlib.suppress(ValueError, TypeError):
            info.last_output = [str(line) for line in json.loads(row["last_output"] or "[]")]
        if row["wrapper_pid"]:
            agent.wrapper = (row["wrapper_pid"], row["session"])
        known = row["state"] in STATE_NAMES
        pane = row["pane_id"] if row["pane_id"] in self.panes.by_id else None
        if pane is not None and row["desired"] == "running":
            info.pane_id, info.pid, info.desired = pane, row["pid"], "running"
            # Up since its process started, not since the daemon (or its pane) did.
            up = procgroup.started_at(info.pid) if info.pid else None
            info.started_at = up or row["started_at"]
            # Its run goes on (one run, not a second one when it registers again).
            run = self.store.open_run(name)
            if run is not None:
                agent.run_id = run["id"]
            self.store.end_open_runs(name, now, "the daemon restarted", agent.run_id)
            if known:
                self._restore_state(info, row)
            else:
                # Nothing is known of it yet: the next screen read or hook says what it does.
                self._set(info, "quiet", "process", "adopted after a daemon restart")
            return
        # Nothing of it runs (a pane may still hold its last output after a crash loop).
        info.pane_id = pane
        self.store.end_open_runs(name, now, "not running when the daemon started")
        if pane is None:
            self.store.place(name, pane_id=None, pid=None)
        if row["desired"] == "running":
            info.desired = "running"
            self._set(info, "exited", "process", "its pane was gone when the daemon started")
        elif known and row["state"] in STOPPED_STATES:
            self._restore_state(info, row)

    def _restore_state(self, info: AgentInfo, row: dict[str, Any]) -> None:
        info.state = row["state"]
        info.state_source = row["state_source"] or "process"
        info.state_reason = row["state_reason"]
        info.state_since = row["state_since"] or info.state_since

    async def stop(self) -> None:
        for t in list(self._tasks):
            t.cancel()

    # -- definitions --------------------------------------------------------------------

    def _define(
        self, spec: AgentSpec, by: str, *, publish: bool = True, persist: bool = True
    ) -> AgentInfo:
        kinds = self.engine.config.agent_kinds
        command = spec.command or kinds.get(spec.kind) or ["bash"]
        agent = self.agents.get(spec.name)
        if agent is None:
            info = AgentInfo(
                name=spec.name,
                kind=spec.kind,
                workspace=spec.workspace or "",
                state=AgentState.STOPPED,
                state_source="process",
                state_reason="not started",
                state_since=self.engine.clock.now(),
            )
            agent = self.agents[spec.name] = Agent(spec, info)
        agent.spec = spec
        info = agent.info
        info.kind = spec.kind
        info.workspace = spec.workspace or info.workspace
        info.command = list(command)
        info.cwd = spec.cwd or ""
        if persist:
            self.store.save(spec.name, msgspec.json.encode(spec).decode(), by)
        if publish:
            self.engine.bus.publish(
                "agent.added", {"agent": spec.name, "workspace": info.workspace}
            )
        return info

    def graph(self) -> dict[str, list[str]]:
        return {n: list(a.spec.depends_on) for n, a in self.agents.items()}

    def record(self, name: str) -> Agent:
        agent = self.agents.get(name)
        if agent is None:
            raise NotFound(f"no agent named {name!r} (see: wezmp agent list)")
        return agent

    def get(self, name: str) -> AgentInfo:
        return self.record(name).info

    @api("agent.define")
    async def define(self, spec: dict[str, Any], replace: bool = False) -> AgentInfo:
        """Define (or with `replace`, redefine) an agent from an agent spec."""
        try:
            parsed = msgspec.convert(spec, AgentSpec, strict=True)
        except msgspec.ValidationError as exc:
            raise InvalidInput(f"agent spec: {exc}") from None
        if parsed.name in self.agents and not replace:
            raise Conflict(f"agent {parsed.name!r} is already defined")
        for dep in parsed.depends_on:
            if dep not in self.agents and dep != parsed.name:
                raise InvalidInput(f"agent {parsed.name}: depends_on: unknown agent {dep!r}")
        graph = {**self.graph(), parsed.name: list(parsed.depends_on)}
        cycle = find_cycle(graph)
        if cycle:
            raise InvalidInput("dependency cycle: " + " → ".join(cycle))
        for rx in (parsed.log_ready, parsed.readiness.log_regex if parsed.readiness else None):
            if rx:
                try:
                    re.compile(rx)
                except re.error as exc:
                    raise InvalidInput(f"agent {parsed.name}: bad regex {rx!r}: {exc}") from None
        return self._define(parsed, "api")

    @api("agent.remove")
    async def remove(self, name: str) -> None:
        """Forget a stopped agent defined at run time."""
        info = self.get(name)
        if info.state not in STOPPED_STATES:
            raise Conflict(f"agent {name} is running; stop it first")
        if any(name in a.spec.depends_on for a in self.agents.values()):
            raise Conflict(f"other agents depend on {name}")
        del self.agents[name]
        self.store.delete(name)
        self.engine.bus.publish("agent.removed", {"agent": name})

    # -- queries ------------------------------------------------------------------------

    def agents_in(self, workspace: str | None) -> list[AgentInfo]:
        """The agents of a workspace (every agent with None)."""
        every = (a.info for a in self.agents.values())
        return [a for a in every if workspace is None or a.workspace == workspace]

    @api("agent.list")
    async def list_agents(self, workspace: str | None = None) -> list[AgentInfo]:
        """Every agent with its state, pane, pid, restarts and resource use."""
        return self.agents_in(workspace)

    @api("agent.show")
    async def show(self, name: str) -> dict[str, Any]:
        """One agent with its definition and recent runs."""
        info = self.get(name)
        return {
            "agent": msgspec.to_builtins(info),
            "spec": msgspec.to_builtins(self.agents[name].spec),
            "runs": self.store.runs(name, limit=10),
        }

    @api("agent.runs")
    async def runs(self, name: str, limit: int = 50) -> list[dict[str, Any]]:
        """Every run of an agent: start, end, exit code, signal, restarts."""
        self.get(name)
        return self.store.runs(name, limit)

    # -- state --------------------------------------------------------------------------

    def _set(
        self, info: AgentInfo, state: str, source: str, reason: str, *, error: bool = False
    ) -> None:
        """The one place a state changes. `error`: a state the agent cannot work past (not
        signed in, an API error), which sends its task back to the queue."""
        previous = info.state
        was_error = info.state_error
        info.state_source = source
        info.state_reason = reason
        info.state_error = error
        if previous == state and was_error == error:
            if state in STOPPED_STATES:
                self._keep_state(info)  # a new reason for the same end (rare, worth keeping)
            return
        info.state = state_def(state).state
        if previous != state:
            info.state_since = self.engine.clock.now()
        self._keep_state(info)
        self.engine.bus.publish(
            "agent.state",
            {
                "agent": info.name,
                "state": state,
                "previous": previous,
                "source": source,
                "reason": reason,
                "error": error,
                "workspace": info.workspace,
                "pane_id": info.pane_id,
            },
        )

    def _keep_state(self, info: AgentInfo) -> None:
        """Written on each change of state (not on each new reason: the screen rules give
        one every tick), so a daemon restart finds the agent as it was."""
        self.store.place(
            info.name,
            state=info.state,
            state_source=info.state_source,
            state_reason=info.state_reason,
            state_since=info.state_since,
        )

    def set_state(
        self, name: str, state: str, source: str, reason: str = "", *, error: bool = False
    ) -> None:
        """For the agent-state service: a running agent's working/waiting/idle/quiet state."""
        agent = self.agents.get(name)
        if agent is None or agent.info.state in STOPPED_STATES or agent.info.state == "starting":
            return
        self._set(agent.info, state, source, reason, error=error)

    # -- starting -----------------------------------------------------------------------

    @api("agent.start")
    async def start_agents(
        self, name: str | None = None, names: list[str] | None = None, workspace: str | None = None
    ) -> dict[str, Any]:
        """Start agents (and what they depend on, first). Dependents wait for their
        conditions; `workspace` starts every agent of that workspace."""
        wanted = list(names or []) + ([name] if name else [])
        if workspace:
            wanted += [n for n, a in self.agents.items() if a.info.workspace == workspace]
        if not wanted:
            raise InvalidInput("name an agent (or a workspace) to start")
        order = start_order(self.graph(), wanted)
        for agent in order:
            if self.agents[agent].info.state in STOPPED_STATES:
                self._want(agent, "waiting for its dependencies")
        await self.tick()
        pending = sorted(n for n, a in self.agents.items() if a.pending is not None)
        return {"order": order, "pending": pending}

    def _want(self, name: str, reason: str, delay: float = 0.0) -> None:
        """Ask the tick to start `name` (after `delay` seconds): the one way to a new pane."""
        agent = self.agents[name]
        agent.info.desired = "running"
        self.store.place(name, desired="running")
        if agent.pending is None:
            agent.pending = next(self._asked)
        if delay > 0:
            agent.not_before = self.engine.clock.monotonic() + delay
        self._set(agent.info, "starting", "process", reason)

    async def tick(self) -> None:
        """Start every pending agent whose dependencies' conditions hold."""
        async with self._tick_lock:
            ready = await self._ready()
            # Taken out of the queue with no await in between: a name is spawned once.
            taken = [a for a in ready if a.pending is not None]
            if not taken:
                return
            by_workspace: dict[str, list[str]] = defaultdict(list)
            for agent in taken:
                agent.pending = agent.not_before = None
                by_workspace[self._workspace_of(agent.name)].append(agent.name)
            # Workspaces at once (64 agents in 8 start in an eighth of the time), the agents of
            # one workspace one after the other (its first pane makes the workspace).
            await asyncio.gather(*(self._spawn_each(group) for group in by_workspace.values()))
            # One list for the whole batch, not one per agent.
            await self.panes.refresh()

    async def _ready(self) -> list[Agent]:
        """The pending agents whose conditions hold now, in the order they were asked for;
        fails those whose never will."""
        ready = []
        now = self.engine.clock.monotonic()
        queue = sorted(
            (a for a in self.agents.values() if a.pending is not None),
            key=lambda a: a.pending or 0,
        )
        for agent in queue:
            name = agent.name
            if self.agents.get(name) is not agent:
                continue  # removed while an earlier one's condition was awaited
            if agent.not_before is not None and agent.not_before > now:
                continue
            blocked = None
            for dep, cond in agent.spec.depends_on.items():
                ok, why = await self._condition(dep, cond)
                if ok is None:
                    agent.pending = None
                    info = agent.info
                    info.desired = "stopped"
                    self.store.place(name, desired="stopped")
                    self._set(info, "failed", "process", f"dependency {dep}: {why}")
                    self.engine.bus.publish("agent.failed", {"agent": name, "reason": why})
                    blocked = "failed"
                    break
                if not ok:
                    blocked = why
                    break
            if blocked is None:
                ready.append(agent)
            elif blocked != "failed":
                agent.info.state_reason = f"waiting: {blocked}"
        return ready

    async def _spawn_each(self, names: list[str]) -> None:
        titles = []
        for name in names:
            try:
                pane = await self._spawn(name)
                if pane is not None:
                    titles.append(self._title(pane, name))
            except Exception as exc:
                info = self.agents[name].info
                info.desired = "stopped"
                self.store.place(name, desired="stopped")
                self._set(info, "failed", "process", f"could not start: {exc}")
                self.engine.bus.publish("agent.failed", {"agent": name, "reason": str(exc)})
        # Titles after the panes, all at once: the next pane is not kept waiting for them.
        await asyncio.gather(*titles)

    async def _title(self, pane: str, name: str) -> None:
        with contextlib.suppress(Exception):  # a title is a nicety, never a reason to fail
            await self.engine.mux.set_tab_title(pane, name)

    @api("agent.deps")
    async def deps(self, name: str) -> dict[str, Any]:
        """Whether an agent's dependencies hold now: `ready`, or `never` (one failed), and
        why not. `wezmp exec --wait-deps` asks this before starting an agent a layout
        placed."""
        agent = self.agents.get(name)
        if agent is None:
            raise NotFound(f"no agent named {name!r}")
        for dep, cond in agent.spec.depends_on.items():
            if dep not in self.agents:
                return {"ready": False, "never": True, "why": f"unknown agent {dep!r}"}
            ok, why = await self._condition(dep, cond)
            if ok is None:
                return {"ready": False, "never": True, "why": why}
            if not ok:
                agent.info.state_reason = f"waiting: {why}"
                return {"ready": False, "never": False, "why": why}
        return {"ready": True, "never": False, "why": ""}

    async def _condition(self, dep: str, cond: str) -> tuple[bool | None, str]:
        """(True: holds, False: not yet, None: never will) and why."""
        agent = self.agents[dep]
        info, spec = agent.info, agent.spec
        running = info.pid is not None and info.state not in STOPPED_STATES | {AgentState.STARTING}
        if cond == "started":
            return running, f"{dep} has not started"
        if cond in ("completed", "completed_successfully"):
            if info.state == "failed":
                return None, f"{dep} failed"
            if info.state == "exited" and info.last_exit is not None:
                if cond == "completed_successfully" and info.last_exit != 0:
                    return None, f"{dep} exited with {info.last_exit}"
                return True, ""
            return False, f"{dep} has not completed"
        if cond == "idle":
            return info.state == "idle", f"{dep} is not idle"
        if info.state == "failed":
            return None, f"{dep} failed"
        if not running or info.pane_id is None:
            return False, f"{dep} has not started"
        if cond == "log_ready":
            rx = spec.log_ready or (spec.readiness.log_regex if spec.readiness else None)
            if not rx:
                return True, ""
            return await self._log_matches(info.pane_id, rx), f"{dep} output has no {rx!r} yet"
        # healthy: its readiness probe passed (no probe: started is healthy)
        ready = spec.readiness
        if ready is None:
            return True, ""
        if ready.log_regex and not await self._log_matches(info.pane_id, ready.log_regex):
            return False, f"{dep} is not ready"
        if ready.exec:
            # Probed every `period` seconds (not every tick), from `initial_delay` after the
            # start; `threshold` passes in a row make it healthy.
            now = self.engine.clock.monotonic()
            since = now if agent.started_mono is None else agent.started_mono
            due = agent.probed_at is None or now - agent.probed_at >= ready.period
            if due and now - since >= ready.initial_delay:
                agent.probed_at = now
                ok = await self._probe(ready.exec, ready.timeout, spec.cwd)
                agent.probe_ok = agent.probe_ok + 1 if ok else 0
            if agent.probe_ok < ready.threshold:
                return False, f"{dep} readiness probe has not passed"
        return True, ""

    async def _log_matches(self, pane_id: str, rx: str) -> bool:
        try:
            text = await self.engine.mux.get_text(pane_id, lines=200)
        except Exception:
            return False
        return re.search(rx, text, re.M) is not None

    async def _probe(self, argv: list[str], timeout: float, cwd: str | None) -> bool:
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                cwd=cwd or None,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError:
            return False
        try:
            return await asyncio.wait_for(proc.wait(), timeout) == 0
        except TimeoutError:
            proc.kill()
            return False

    def exec_argv(self, name: str, *, wait_deps: bool = False) -> list[str]:
        """The pane command for an agent. `wait_deps`: the pane is made before its
        dependencies hold (a layout), so the wrapper waits for them before starting."""
        agent = self.agents[name]
        spec, info = agent.spec, agent.info
        r = spec.restart
        wait = ["--wait-deps"] if wait_deps and spec.depends_on else []
        resume: list[str] = []
        if r.resume:
            kinds = self.engine.config.resume_args
            resume = [f"--resume-arg={a}" for a in kinds.get(spec.kind, [])]
            if resume and agent.resume_next:
                resume.append("--resume-now")
        return [
            sys.executable, "-m", "wezmp_tui", "exec", "--agent", name,
            "--restart", r.policy, "--max-restarts", str(r.max_restarts),
            "--backoff", str(r.backoff_seconds), "--window", str(r.window_seconds),
            *wait, *resume, "--", *info.command,
        ]  # fmt: skip

    def _workspace_root(self, workspace: str) -> str | None:
        row = self.workspaces.record(workspace)
        return row.root if row else None

    def _workspace_of(self, name: str) -> str:
        agent = self.agents[name]
        return agent.spec.workspace or agent.info.workspace or "default"

    def domain_of(self, name: str) -> str | None:
        """The WezTerm domain an agent runs in: its own, else its workspace's."""
        spec = self.agents[name].spec
        if spec.domain:
            return spec.domain
        row = self.workspaces.record(self._workspace_of(name))
        return row.domain or None if row else None

    def pane_argv(self, name: str, *, wait_deps: bool = False) -> list[str]:
        """What an agent's pane runs: `wezmp exec` here; in another domain (another machine)
        the command itself, as wezmp there could not reach this daemon."""
        if self.domain_of(name):
            return list(self.agents[name].info.command)
        return self.exec_argv(name, wait_deps=wait_deps)

    async def _spawn(self, name: str) -> str | None:
        """Make the agent's pane; its id (None when it was not made after all)."""
        agent = self.agents[name]
        spec, info = agent.spec, agent.info
        if info.desired != "running":
            return None  # stopped while it waited
        if self._running(name):
            return None  # it runs (a wrapper restarted it in place meanwhile)
        workspace = self._workspace_of(name)
        domain = self.domain_of(name)
        if domain:
            # Paths here mean nothing there: its own cwd, else the remote shell's home.
            cwd = spec.cwd or ""
        else:
            cwd = spec.cwd or self._workspace_root(workspace) or os.path.expanduser("~")
        if spec.worktree and not domain:
            from wezmp_tui.engine.worktrees import ensure_worktree

            cwd = await ensure_worktree(cwd, name, self.engine.config.worktrees)
        env = {"WEZMP_AGENT_ID": name, **spec.env}
        info.pid = None  # nothing of it runs: what registers from now on is the new one
        argv = self.pane_argv(name)
        agent.resume_next = False
        pane = await self._place(name, workspace, cwd, argv, env, domain)
        if info.desired != "running":  # stopped while its pane was being made
            with contextlib.suppress(Exception):
                await self.engine.mux.kill_pane(pane)
            return None
        info.workspace, info.pane_id, info.cwd = workspace, pane, cwd
        self.store.place(name, desired="running", pane_id=pane)
        if info.pid is None:  # (its wrapper can register before the spawn command returns)
            info.started_at = self.engine.clock.now()
            self.store.place(name, pid=None, started_at=info.started_at)
        if domain:
            self._running_remote(info, domain)
        elif info.pid is None:  # (not when its wrapper registered first: it runs)
            self._set(info, "starting", "process", "started in pane " + pane)
        self.engine.bus.publish(
            "agent.started", {"agent": name, "pane_id": pane, "workspace": workspace}
        )
        return pane

    async def _place(
        self,
        name: str,
        workspace: str,
        cwd: str,
        argv: list[str],
        env: dict[str, str],
        domain: str | None = None,
    ) -> str:
        """Where an agent (re)starts: in its old pane while that is still there (holding the
        last output of a crash loop, or its wrapper between two runs), else beside a pane of
        the tab it last ran in, else in a new tab of its workspace. Returns the pane id.
        One in another domain comes back in its old pane (a split is in the domain of the
        pane split), else in a new tab there: a pane beside it may be of another machine."""
        mux = self.engine.mux
        agent = self.agents[name]
        old = agent.info.pane_id
        if old is not None:
            # Whatever runs in that pane now is replaced: its late reports are not ours.
            self._drop_wrapper(name)
            with contextlib.suppress(PaneNotFound):
                return await mux.respawn(old, argv=argv, cwd=cwd or None, env=env)
        tab = agent.home_tab
        panes = self.panes.by_id.values()
        beside = next((p for p in panes if p.tab_id == tab and p.workspace == workspace), None)
        if beside is not None and not domain:
            with contextlib.suppress(PaneNotFound):
                return await mux.split(beside.pane_id, argv=argv, cwd=cwd, env=env)
        return await mux.spawn(
            workspace=workspace, cwd=cwd or None, argv=argv, env=env, domain=domain
        )

    def _running_remote(self, info: AgentInfo, domain: str) -> None:
        """An agent in another domain has no process here to register: its pane is its
        process (its run starts now), and its screen (read like any other) tells its state
        from the next tick."""
        agent = self.agents[info.name]
        agent.started_mono = self.engine.clock.monotonic()
        if agent.run_id is None:
            agent.run_id = self.store.run_started(
                info.name, info.pane_id, info.started_at or self.engine.clock.now(), info.restarts
            )
        self._set(info, "working", "process", f"running in domain {domain}; no local process")

    def placed(self, name: str, pane_id: str, workspace: str, cwd: str) -> None:
        """A layout started this agent in a pane it built (with `pane_argv(name)`)."""
        info = self.agents[name].info
        info.workspace, info.cwd, info.desired = workspace, cwd, "running"
        self.store.place(name, desired="running", pane_id=pane_id)
        if info.pane_id != pane_id or info.pid is None:
            # Not registered from that pane yet (its wrapper may have been quicker).
            info.pane_id, info.pid = pane_id, None
            info.started_at = self.engine.clock.now()
            self.store.place(name, pid=None, started_at=info.started_at)
        domain = self.domain_of(name)
        if domain:
            self._running_remote(info, domain)
        elif info.pid is None:  # (not when its wrapper registered first: it runs)
            self._set(info, "starting", "process", "started by a layout in pane " + pane_id)
        self.engine.bus.publish(
            "agent.started", {"agent": name, "pane_id": pane_id, "workspace": workspace}
        )

    # -- reports from the wrapper -------------------------------------------------------

    def _known(self, name: str, pane_id: str | None) -> AgentInfo:
        agent = self.agents.get(name)
        if agent is not None:
            return agent.info
        # Started by hand (`wezmp exec --agent x -- cmd` in some pane): adopt it.
        pane = self.panes.by_id.get(pane_id or "")
        # Its restart policy is whatever its own `wezmp exec` flags say: none from us.
        spec = AgentSpec(
            name=name, workspace=pane.workspace if pane else None, restart=Restart(policy="no")
        )
        info = self._define(spec, "api")
        info.desired = "running"
        return info

    def _wrapper_alive(self, name: str) -> bool:
        """Whether the wrapper that holds `name` still runs: that pid lives and is a
        `wezmp exec --agent name` (not a process that took a reused pid)."""
        holder = self.agents[name].wrapper
        pid = holder[0] if holder else None
        if pid is None or not procgroup.alive(pid):
            return False
        argv = cmdline(pid)
        if not argv:
            return True  # no /proc to ask: alive is the best we know
        return "exec" in argv and "--agent" in argv and name in argv

    def _running(self, name: str) -> bool:
        """Its process runs under a live wrapper."""
        return self.agents[name].info.pid is not None and self._wrapper_alive(name)

    def _holds(self, name: str, wrapper_pid: int | None) -> bool:
        """A report from the wrapper holding `name`: not from one whose pane was given to
        another or that was stopped (one too old to say which is believed)."""
        if wrapper_pid is None:
            return True
        agent = self.agents.get(name)
        holder = agent.wrapper if agent else None
        if holder is None:
            return wrapper_pid not in self.retired
        return holder[0] == wrapper_pid

    def _drop_wrapper(self, name: str) -> tuple[int, int | None] | None:
        """`name`'s wrapper no longer holds it; what it reports from now on is ignored."""
        agent = self.agents.get(name)
        if agent is None:
            return None
        wrapper, agent.wrapper = agent.wrapper, None
        if wrapper is not None:
            self.retired.add(wrapper[0])
            self.store.place(name, wrapper_pid=None, session=None)
        return wrapper

    def _take(
        self, name: str, wrapper_pid: int | None, pane_id: str | None, session: int | None
    ) -> tuple[AgentInfo, str]:
        """The agent for a wrapper that wants to run it, and "" or why it may not: another
        live wrapper runs it. No await: two claims never interleave."""
        info = self._known(name, pane_id)
        agent = self.agents[name]
        holder = agent.wrapper
        if (
            wrapper_pid is not None
            and holder is not None
            and holder[0] != wrapper_pid
            and self._wrapper_alive(name)
        ):
            where = f" in pane {info.pane_id}" if info.pane_id else ""
            return info, f"{name} already runs{where} (wezmp exec pid {holder[0]})"
        if wrapper_pid is not None:
            agent.wrapper = (wrapper_pid, session)
            self.store.place(name, wrapper_pid=wrapper_pid, session=session)
        if pane_id:
            info.pane_id = pane_id
        return info, ""

    def policy(self, name: str) -> RestartPolicy:
        r = self.agents[name].spec.restart
        return RestartPolicy(r.policy, r.max_restarts, r.backoff_seconds, r.window_seconds)

    @api("agent.claim")
    async def claim(
        self,
        name: str,
        wrapper_pid: int,
        pane_id: str | None = None,
        session: int | None = None,
    ) -> dict[str, Any]:
        """From `wezmp exec`, before it starts the agent: `ok` (or `why` not: another live
        wrapper runs it) and the agent's restart policy."""
        _info, why = self._take(name, wrapper_pid, pane_id, session)
        if why:
            log.warning("refused a second wrapper for %s: %s", name, why)
            return {"ok": False, "why": why}
        return {"ok": True, "restart": self.policy(name)._asdict()}

    @api("agent.register")
    async def register(
        self,
        name: str,
        pid: int,
        wrapper_pid: int | None = None,
        pane_id: str | None = None,
        session: int | None = None,
        version: str | None = None,
        resumed: bool = False,
    ) -> dict[str, Any]:
        """From `wezmp exec`: the agent process `pid` runs in `pane_id` (`ok` false: another
        live wrapper runs this agent, and this one must end); `version` is its CLI's version
        where found, `resumed` whether it continues its last session."""
        info, why = self._take(name, wrapper_pid, pane_id, session)
        if why:
            log.warning("refused a second %s (pid %s): %s", name, pid, why)
            return {"ok": False, "why": why}
        now = self.engine.clock.now()
        if info.pid != pid or info.started_at is None:
            # A new process (not the same one reporting again after a daemon restart): up
            # since it started, not since its pane was made (a layout's agent may wait for
            # its dependencies first), and it proves its readiness anew.
            info.started_at = procgroup.started_at(pid) or now
            agent = self.agents[name]
            agent.started_mono = self.engine.clock.monotonic()
            agent.probe_ok, agent.probed_at = 0, None
        info.pid = pid
        info.version = version or info.version
        info.desired = "running"
        agent = self.agents[name]
        run = agent.run_id
        if run is None:
            # The run starts with the process: a backoff before it is not part of it.
            run = agent.run_id = self.store.run_started(
                name, info.pane_id, info.started_at, info.restarts
            )
            for hook in self.run_hooks:
                await hook(name, run, info.pane_id)
            self.engine.bus.publish("agent.run", {"agent": name, "run": run,
                                                  "pane_id": info.pane_id})  # fmt: skip
        self.store.run_pid(run, pid, resumed=resumed)
        self.store.place(
            name, pid=pid, pane_id=info.pane_id, desired="running", started_at=info.started_at
        )
        # A process that just started is busy starting; its screen or hooks tell more next.
        self._set(info, "working", "process", "process started")
        return {"ok": True, "restart": self.policy(name)._asdict()}

    async def _keep_output(self, info: AgentInfo) -> None:
        if info.pane_id is None:
            return
        with contextlib.suppress(Exception):
            text = await self.engine.mux.get_text(info.pane_id, lines=OUTPUT_KEPT)
            info.last_output = text.splitlines()[-OUTPUT_KEPT:]
            self.store.place(info.name, last_output=json.dumps(info.last_output))

    def _end_run(self, name: str, code: int | None, signal: int | None, reason: str) -> None:
        agent = self.agents.get(name)
        if agent is None:
            return
        run, agent.run_id = agent.run_id, None
        if run is not None:
            self.store.run_ended(run, self.engine.clock.now(), code, signal, reason)

    @staticmethod
    def _not_running(info: AgentInfo) -> None:
        info.pid = None
        info.cpu = None
        info.rss = None

    @api("agent.exited")
    async def exited(
        self,
        name: str,
        code: int,
        signal: int | None = None,
        duration: float | None = None,
        wrapper_pid: int | None = None,
    ) -> dict[str, Any]:
        """From `wezmp exec`: the agent process ended with `code` (`duration` seconds after
        it started). The answer: `stop` (stopped through wezmp), `restart` now (restarted
        through wezmp; `wait_deps` first), or neither (the wrapper's policy decides)."""
        if not self._holds(name, wrapper_pid):
            return {"stop": True}  # a wrapper whose pane was given to a new one
        info = self._known(name, None)
        now = self.engine.clock.now()
        info.last_exit = code
        info.last_exit_at = now
        self._not_running(info)
        self.store.place(name, pid=None, last_exit=code, last_exit_at=now)
        await self._keep_output(info)
        self._end_run(name, code, signal, f"signal {signal}" if signal else f"exit {code}")
        self.engine.bus.publish("agent.exited", {"agent": name, "code": code, "signal": signal})
        agent = self.agents[name]
        restart_now, agent.restart_now = agent.restart_now, False
        if restart_now and info.desired == "running":
            self._set(info, "starting", "process", f"restarting in its pane after exit {code}")
            return {"stop": False, "restart": True, "wait_deps": bool(agent.spec.depends_on)}
        if info.desired == "stopped":
            self._set(info, "stopped", "process", f"stopped (exit {code})")
        else:
            self._set(info, "exited", "process", f"exited with {code}")
        return {"stop": info.desired == "stopped"}

    @api("agent.restarting")
    async def restarting(
        self, name: str, delay: float = 0.0, wrapper_pid: int | None = None
    ) -> None:
        """From `wezmp exec`: restarting in place, after `delay` seconds of backoff."""
        if not self._holds(name, wrapper_pid):
            return
        info = self._known(name, None)
        info.restarts += 1
        self.store.place(name, restarts=info.restarts)
        last = "" if info.last_exit is None else f" after exit {info.last_exit}"
        wait = f" in {delay:.1f}s" if delay > 0 else ""
        self._set(info, "starting", "process", f"restart {info.restarts}{wait}{last}")
        self.engine.bus.publish("agent.restarting", {"agent": name, "restarts": info.restarts})

    @api("agent.failed")
    async def failed(
        self, name: str, code: int | None = None, reason: str = "", wrapper_pid: int | None = None
    ) -> None:
        """A crash loop: `max_restarts` exits within the window. Kept with its last output."""
        if not self._holds(name, wrapper_pid):
            return
        info = self._known(name, None)
        info.desired = "stopped"
        info.last_exit = code if code is not None else info.last_exit
        self._not_running(info)
        await self._keep_output(info)
        self.store.place(name, desired="stopped", last_exit=info.last_exit)
        self._set(info, "failed", "process", reason or "crash loop")
        self.engine.bus.publish(
            "agent.failed",
            {"agent": name, "code": code, "reason": reason, "workspace": info.workspace},
        )

    def _on_pane_removed(self, event: Event) -> None:
        data = event.data or {}
        pane_id = data.get("pane_id")
        for agent in self.agents.values():
            info = agent.info
            if info.pane_id == pane_id and info.pane_id is not None:
                if data.get("tab_id"):
                    agent.home_tab = str(data["tab_id"])
                task = asyncio.get_running_loop().create_task(self._pane_gone(info))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _end_session(self, wrapper: tuple[int, int | None] | None) -> None:
        """End what is left of a wrapper's session (the pane closed under it, or it was
        killed): an agent's child that ignores SIGHUP outlives its pane otherwise."""
        if wrapper is None or wrapper[1] is None:
            return
        # The wrapper ends its agent's processes itself when its pane closes: give it the
        # time to, then end what is left (all of it when the wrapper was killed).
        await self._wait_gone([wrapper[0]], procgroup.GRACE + 1.0)
        await self._end(sid=wrapper[1])

    async def _end(self, grace: float = STOP_GRACE, **which: Any) -> None:
        """`procgroup.end` on the event loop: SIGTERM, up to `grace` seconds, SIGKILL."""
        found = procgroup.terminate(**which)
        await self._wait_gone(found, grace)
        if found:
            procgroup.kill_rest(**which)

    @staticmethod
    async def _wait_gone(pids: list[int], timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while any(procgroup.alive(p) for p in pids):
            if asyncio.get_running_loop().time() >= deadline:
                return
            await asyncio.sleep(0.02)

    async def _pane_gone(self, info: AgentInfo) -> None:
        """The agent's pane closed (killed from outside, or the wrapper gave up)."""
        name = info.name
        info.pane_id = None
        self._not_running(info)
        self.store.place(name, pane_id=None, pid=None)
        await self._end_session(self._drop_wrapper(name))
        self._end_run(name, None, None, "pane closed")
        if info.state == "failed" or info.desired == "stopped":
            if info.state not in STOPPED_STATES:
                self._set(info, "exited", "process", "its pane closed")
            return
        self._set(info, "exited", "process", "its pane closed")
        self.engine.bus.publish(
            "agent.exited", {"agent": name, "code": None, "reason": "pane closed"}
        )
        mono = self.engine.clock.monotonic()
        agent = self.agents[name]
        decision = self.policy(name).decide(None, agent.restarts_recent, mono)
        agent.restarts_recent = decision.recent
        if decision.gave_up:
            await self.failed(name, None, decision.reason)
            return
        if not decision.restart:
            info.desired = "stopped"
            self.store.place(name, desired="stopped")
            return
        info.restarts += 1
        self.store.place(name, restarts=info.restarts)
        self.engine.bus.publish("agent.restarting", {"agent": name, "restarts": info.restarts})
        # The tick makes the pane once the backoff is over, in the tab it ran in.
        agent.resume_next = True
        self._want(name, f"{decision.reason} in {decision.delay:.1f}s", decision.delay)

    def mux_lost(self, pane_ids: set[str], reason: str) -> list[str]:
        """The multiplexer's server died with these panes: their agents' runs end, and
        nothing restarts them into a server that is not there (`wezmp restore` brings them
        back). Their panes are forgotten first, so the panes' removal restarts nothing."""
        now = self.engine.clock.now()
        lost = []
        for agent in self.agents.values():
            info = agent.info
            if info.pane_id is None or info.pane_id not in pane_ids:
                continue
            run, agent.run_id = agent.run_id, None
            if run is not None:
                self.store.run_ended(run, now, None, None, reason)
            info.pane_id = info.pid = None
            self.store.place(info.name, pane_id=None, pid=None)
            self._set(info, "exited", "process", f"{reason}; `wezmp restore` brings it back")
            self.engine.bus.publish("agent.exited", {"agent": info.name, "code": None,
                                                     "reason": reason})  # fmt: skip
            lost.append(info.name)
        return lost

    # -- stopping and input -------------------------------------------------------------

    @api("agent.stop")
    async def stop_agent(self, name: str) -> dict[str, Any]:
        """Stop an agent, and first every agent depending on it."""
        self.get(name)
        order = [*dependents(self.graph(), name), name]
        for agent in order:
            await self._stop_one(self.agents[agent])
        return {"stopped": order}

    async def _stop_one(self, agent: Agent) -> None:
        name, info = agent.name, agent.info
        info.desired = "stopped"
        agent.pending = agent.not_before = None
        agent.restart_now = False
        self.store.place(name, desired="stopped")
        pid, pane = info.pid, info.pane_id
        if pid is None and pane is None:
            if info.state not in STOPPED_STATES:
                self._set(info, "stopped", "process", "stopped")
            return
        if pane is not None:
            known = self.panes.by_id.get(pane)
            if known is not None:
                agent.home_tab = known.tab_id
        if pid is not None:
            # The agent's whole group first, while its wrapper lives to see it end (it is
            # told `stop`); the agent itself too in case it leads no group of its own.
            await self._end(pgid=pid, also=(pid,))
        wrapper = self._drop_wrapper(name)
        if pane is not None:
            with contextlib.suppress(Exception):
                await self.engine.mux.kill_pane(pane)
        await self._end_session(wrapper)
        info.pane_id = None
        self._not_running(info)
        self.store.place(name, pane_id=None, pid=None)
        self._end_run(name, None, None, "stopped")
        self._set(info, "stopped", "process", "stopped")

    @api("agent.restart")
    async def restart(self, name: str) -> dict[str, Any]:
        """Restart an agent in its own pane, and what depends on it after it. One that is
        not running is started (in the tab it last ran in)."""
        self.get(name)
        order = [*dependents(self.graph(), name), name]
        live = [a for a in order if self._running(a)]
        # All marked before any ends: a dependent's wrapper, restarting, waits for `name` to
        # be up again instead of finding the old process still there.
        for each in live:
            agent = self.agents[each]
            agent.info.desired = "running"
            agent.restarts_recent = ()
            agent.restart_now = True
            self._set(agent.info, "starting", "process", "restarting in its pane")
        for each in live:
            # Its wrapper sees it end, is answered `restart`, and starts it again at once.
            pid = self.agents[each].info.pid
            if pid is not None:
                await self._end(pgid=pid, also=(pid,))
        start = [a for a in order if a not in live]
        if start:
            for each in start:  # with `restart.resume`, each continues its session
                self.agents[each].resume_next = True
            await self.start_agents(names=start)
        return {"order": start_order(self.graph(), [name, *order])}

    @api("agent.send")
    async def send(
        self, text: str, name: str | None = None, workspace: str | None = None, enter: bool = True
    ) -> dict[str, Any]:
        """Type a line into an agent (or every running agent of a workspace): paste, Enter."""
        if name:
            targets = [self.get(name)]
        elif workspace:
            targets = [a.info for a in self.agents.values() if a.info.workspace == workspace]
        else:
            raise InvalidInput("name an agent or a workspace")
        targets = [a for a in targets if a.pane_id and a.state not in STOPPED_STATES]
        if not targets:
            raise NotFound(
                "no running agent to send to" + (f" in {workspace}" if workspace else "")
            )
        sent, failed = [], []
        for a in targets:
            assert a.pane_id is not None
            try:
                await self.engine.mux.send_text(a.pane_id, text, paste=True, enter=enter)
                sent.append(a.name)
            except Exception as exc:
                failed.append({"agent": a.name, "error": str(exc)})
        return {"sent": sent, "failed": failed}



    @api("agent.keys")
    async def keys(self, name: str, keys: list[str]) -> dict[str, Any]:
        """Press named keys in an agent's pane (`Down Down Enter`, `Esc`, `ctrl-c`, `y`): a
        person answering a menu or dialog without going to the pane."""
        info = self.get(name)
        pressed = parse_keys(keys)
        if info.pane_id is None or info.state in STOPPED_STATES:
            raise Conflict(f"agent {name} is {info.state}: no pane to press keys in")
        await self.engine.mux.send_keys(info.pane_id, pressed)
        return {"agent": name, "keys": pressed}
