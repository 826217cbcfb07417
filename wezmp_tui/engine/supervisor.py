"""The supervisor: agents defined in config or at run time, started in dependency order in
panes under `wezmp exec`, restarted by policy, and never forgotten.

Agents are not children of the daemon. Each runs in a pane under the `wezmp exec` wrapper,
which restarts it in place and reports pid and exits here. The supervisor keeps the picture
(`agents`), starts pending agents once their dependencies' conditions hold (checked on each
tick), notices panes killed from outside, and records every run in SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import sys
from typing import TYPE_CHECKING, Any, cast

import msgspec

from wezmp_tui.config.schema import AgentSpec, Restart
from wezmp_tui.engine.api import api
from wezmp_tui.engine.deps import dependents, find_cycle, start_order
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model.agents import STOPPED_STATES, AgentInfo
from wezmp_tui.model.events import Event
from wezmp_tui.model.keys import parse_keys
from wezmp_tui.model.states import AgentState, state_def
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
        self.specs: dict[str, AgentSpec] = {}
        self.agents: dict[str, AgentInfo] = {}
        self.pending: dict[str, float] = {}  # name -> when it was asked to start
        self.run_ids: dict[str, int] = {}
        self.failures: dict[str, list[float]] = {}  # restarts by the supervisor itself
        self.probe_ok: dict[str, int] = {}  # readiness probes passed in a row
        self.probed_at: dict[str, float] = {}  # monotonic time of the last probe
        self.started_mono: dict[str, float] = {}  # monotonic time each agent registered
        self.resume_next: set[str] = set()  # restarted by us: its next run resumes
        engine.bus.listen(["pane.removed"], self._on_pane_removed)
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- life cycle ---------------------------------------------------------------------

    async def start(self) -> None:
        config_agents = list(getattr(self.engine.config, "agents", []) or [])
        for spec in config_agents:
            self._define(spec, "config", publish=False)
        for row in self.store.all():
            if row["name"] in self.specs:
                self._adopt(row)
                continue
            try:
                spec = msgspec.json.decode(row["spec"], type=AgentSpec)
            except msgspec.DecodeError:
                continue
            self._define(spec, row["defined_by"], publish=False, persist=False)
            self._adopt(row)
        self.engine.every("supervisor", lambda: 0.5, self.tick)

    def _adopt(self, row: dict[str, Any]) -> None:
        """After a daemon restart: an agent whose pane still exists is running as before."""
        info = self.agents[row["name"]]
        panes = self.engine.get(PaneService).by_id
        info.restarts = row["restarts"]
        if row["pane_id"] and row["pane_id"] in panes and row["desired"] == "running":
            info.pane_id = row["pane_id"]
            info.pid = row["pid"]
            info.started_at = row["started_at"]
            info.desired = "running"
            # Nothing is known of it yet: the next screen read or hook says what it does.
            self._set(info, "quiet", "process", "adopted after a daemon restart")
        elif row["desired"] == "running":
            info.desired = "running"
            self._set(info, "exited", "process", "its pane was gone when the daemon started")

    async def stop(self) -> None:
        for t in list(self._tasks):
            t.cancel()

    # -- definitions --------------------------------------------------------------------

    def _define(
        self, spec: AgentSpec, by: str, *, publish: bool = True, persist: bool = True
    ) -> AgentInfo:
        kinds = getattr(self.engine.config, "agent_kinds", {}) or {}
        command = spec.command or kinds.get(spec.kind) or ["bash"]
        self.specs[spec.name] = spec
        info = self.agents.get(spec.name)
        if info is None:
            info = AgentInfo(
                name=spec.name,
                kind=spec.kind,
                workspace=spec.workspace or "",
                state="stopped",
                state_source="process",
                state_reason="not started",
                state_since=self.engine.clock.now(),
            )
            self.agents[spec.name] = info
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
        return {n: list(s.depends_on) for n, s in self.specs.items()}

    def get(self, name: str) -> AgentInfo:
        info = self.agents.get(name)
        if info is None:
            raise NotFound(f"no agent named {name!r} (see: wezmp agent list)")
        return info

    @api("agent.define")
    async def define(self, spec: dict[str, Any], replace: bool = False) -> AgentInfo:
        """Define (or with `replace`, redefine) an agent from an agent spec."""
        try:
            parsed = msgspec.convert(spec, AgentSpec, strict=True)
        except msgspec.ValidationError as exc:
            raise InvalidInput(f"agent spec: {exc}") from None
        if parsed.name in self.specs and not replace:
            raise Conflict(f"agent {parsed.name!r} is already defined")
        for dep in parsed.depends_on:
            if dep not in self.specs and dep != parsed.name:
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
        if any(name in s.depends_on for s in self.specs.values()):
            raise Conflict(f"other agents depend on {name}")
        self.specs.pop(name)
        self.agents.pop(name)
        self.store.delete(name)
        self.engine.bus.publish("agent.removed", {"agent": name})

    # -- queries ------------------------------------------------------------------------

    @api("agent.list")
    async def list_agents(self, workspace: str | None = None) -> list[AgentInfo]:
        """Every agent with its state, pane, pid, restarts and resource use."""
        return [a for a in self.agents.values() if workspace is None or a.workspace == workspace]

    @api("agent.show")
    async def show(self, name: str) -> dict[str, Any]:
        """One agent with its definition and recent runs."""
        info = self.get(name)
        return {
            "agent": msgspec.to_builtins(info),
            "spec": msgspec.to_builtins(self.specs[name]),
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
            return
        info.state = cast(AgentState, state_def(state).name)
        if previous != state:
            info.state_since = self.engine.clock.now()
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

    def set_state(
        self, name: str, state: str, source: str, reason: str = "", *, error: bool = False
    ) -> None:
        """For the agent-state service: a running agent's working/waiting/idle/quiet state."""
        info = self.agents.get(name)
        if info is None or info.state in STOPPED_STATES or info.state == "starting":
            return
        self._set(info, state, source, reason, error=error)

    # -- starting -----------------------------------------------------------------------

    @api("agent.start")
    async def start_agents(
        self, name: str | None = None, names: list[str] | None = None, workspace: str | None = None
    ) -> dict[str, Any]:
        """Start agents (and what they depend on, first). Dependents wait for their
        conditions; `workspace` starts every agent of that workspace."""
        wanted = list(names or []) + ([name] if name else [])
        if workspace:
            wanted += [n for n, a in self.agents.items() if a.workspace == workspace]
        if not wanted:
            raise InvalidInput("name an agent (or a workspace) to start")
        order = start_order(self.graph(), wanted)
        now = self.engine.clock.monotonic()
        for agent in order:
            info = self.agents[agent]
            if info.state in STOPPED_STATES:
                info.desired = "running"
                self.failures.pop(agent, None)
                self.pending.setdefault(agent, now)
                self._set(info, "starting", "process", "waiting for its dependencies")
        await self.tick()
        return {"order": order, "pending": sorted(self.pending)}

    async def tick(self) -> None:
        """Start every pending agent whose dependencies' conditions hold."""
        spawned = 0
        for name in list(self.pending):
            spec = self.specs.get(name)
            if spec is None:
                self.pending.pop(name, None)
                continue
            blocked = None
            for dep, cond in spec.depends_on.items():
                ok, why = await self._condition(dep, cond)
                if ok is None:
                    self.pending.pop(name, None)
                    info = self.agents[name]
                    info.desired = "stopped"
                    self._set(info, "failed", "process", f"dependency {dep}: {why}")
                    self.engine.bus.publish("agent.failed", {"agent": name, "reason": why})
                    blocked = "failed"
                    break
                if not ok:
                    blocked = why
                    break
            if blocked is None:
                self.pending.pop(name, None)
                try:
                    await self._spawn(name)
                    spawned += 1
                except Exception as exc:
                    info = self.agents[name]
                    info.desired = "stopped"
                    self._set(info, "failed", "process", f"could not start: {exc}")
                    self.engine.bus.publish("agent.failed", {"agent": name, "reason": str(exc)})
            elif blocked != "failed":
                self.agents[name].state_reason = f"waiting: {blocked}"
        if spawned:
            # One list for the whole batch, not one per agent: 64 agents start in one go.
            with contextlib.suppress(LookupError):
                await self.engine.get(PaneService).refresh()

    @api("agent.deps")
    async def deps(self, name: str) -> dict[str, Any]:
        """Whether an agent's dependencies hold now: `ready`, or `never` (one failed), and
        why not. `wezmp exec --wait-deps` asks this before starting an agent a layout
        placed."""
        spec = self.specs.get(name)
        if spec is None:
            raise NotFound(f"no agent named {name!r}")
        for dep, cond in spec.depends_on.items():
            if dep not in self.agents:
                return {"ready": False, "never": True, "why": f"unknown agent {dep!r}"}
            ok, why = await self._condition(dep, cond)
            if ok is None:
                return {"ready": False, "never": True, "why": why}
            if not ok:
                self.agents[name].state_reason = f"waiting: {why}"
                return {"ready": False, "never": False, "why": why}
        return {"ready": True, "never": False, "why": ""}

    async def _condition(self, dep: str, cond: str) -> tuple[bool | None, str]:
        """(True: holds, False: not yet, None: never will) and why."""
        info = self.agents[dep]
        spec = self.specs[dep]
        running = info.pid is not None and info.state not in STOPPED_STATES | {"starting"}
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
            since = self.started_mono.get(dep, now)
            due = now - self.probed_at.get(dep, -1e18) >= ready.period
            if due and now - since >= ready.initial_delay:
                self.probed_at[dep] = now
                ok = await self._probe(ready.exec, ready.timeout, spec.cwd)
                self.probe_ok[dep] = self.probe_ok.get(dep, 0) + 1 if ok else 0
            if self.probe_ok.get(dep, 0) < ready.threshold:
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
        spec = self.specs[name]
        info = self.agents[name]
        r = spec.restart
        wait = ["--wait-deps"] if wait_deps and spec.depends_on else []
        resume: list[str] = []
        if r.resume:
            kinds = getattr(self.engine.config, "resume_args", {}) or {}
            resume = [f"--resume-arg={a}" for a in kinds.get(spec.kind, [])]
            if resume and name in self.resume_next:
                resume.append("--resume-now")
        return [
            sys.executable, "-m", "wezmp_tui", "exec", "--agent", name,
            "--restart", r.policy, "--max-restarts", str(r.max_restarts),
            "--backoff", str(r.backoff_seconds), "--window", str(r.window_seconds),
            *wait, *resume, "--", *info.command,
        ]  # fmt: skip

    def _workspace_root(self, workspace: str) -> str | None:
        try:
            from wezmp_tui.engine.workspaces import WorkspaceService

            row = self.engine.get(WorkspaceService).store.get(workspace)
        except LookupError:
            return None
        return str(row["root"]) if row else None

    async def _spawn(self, name: str) -> None:
        spec = self.specs[name]
        info = self.agents[name]
        workspace = spec.workspace or info.workspace or "default"
        cwd = spec.cwd or self._workspace_root(workspace) or os.path.expanduser("~")
        if spec.worktree:
            from wezmp_tui.engine.worktrees import ensure_worktree

            cwd = await ensure_worktree(cwd, name)
        env = {"WEZMP_AGENT_ID": name, **spec.env}
        argv = self.exec_argv(name)
        self.resume_next.discard(name)
        pane = await self.engine.mux.spawn(workspace=workspace, cwd=cwd, argv=argv, env=env)
        with contextlib.suppress(Exception):  # a title is a nicety, never a reason to fail
            await self.engine.mux.set_tab_title(pane, name)
        now = self.engine.clock.now()
        info.workspace = workspace
        info.pane_id = pane
        info.pid = None
        info.cwd = cwd
        info.started_at = now
        info.desired = "running"
        self.run_ids[name] = self.store.run_started(name, pane, now, info.restarts)
        self.store.place(name, desired="running", pane_id=pane, pid=None, started_at=now)
        self._set(info, "starting", "process", "started in pane " + pane)
        self.engine.bus.publish(
            "agent.started", {"agent": name, "pane_id": pane, "workspace": workspace}
        )

    def placed(self, name: str, pane_id: str, workspace: str, cwd: str) -> None:
        """A layout started this agent in a pane it built (with `exec_argv(name)`)."""
        info = self.agents[name]
        now = self.engine.clock.now()
        info.workspace, info.pane_id, info.pid, info.cwd = workspace, pane_id, None, cwd
        info.started_at = now
        info.desired = "running"
        self.run_ids[name] = self.store.run_started(name, pane_id, now, info.restarts)
        self.store.place(name, desired="running", pane_id=pane_id, pid=None, started_at=now)
        self._set(info, "starting", "process", "started by a layout in pane " + pane_id)
        self.engine.bus.publish(
            "agent.started", {"agent": name, "pane_id": pane_id, "workspace": workspace}
        )

    # -- reports from the wrapper -------------------------------------------------------

    def _known(self, name: str, pane_id: str | None) -> AgentInfo:
        info = self.agents.get(name)
        if info is not None:
            return info
        # Started by hand (`wezmp exec --agent x -- cmd` in some pane): adopt it.
        pane = self.engine.get(PaneService).by_id.get(pane_id or "")
        # Its restart policy is whatever its own `wezmp exec` flags say: none from us.
        spec = AgentSpec(
            name=name, workspace=pane.workspace if pane else None, restart=Restart(policy="no")
        )
        info = self._define(spec, "api")
        info.desired = "running"
        return info

    @api("agent.register")
    async def register(
        self,
        name: str,
        pid: int,
        wrapper_pid: int | None = None,
        pane_id: str | None = None,
        version: str | None = None,
        resumed: bool = False,
    ) -> dict[str, Any]:
        """From `wezmp exec`: the agent process `pid` runs in `pane_id`; `version` is its
        CLI's version where found, `resumed` whether it continues its last session."""
        info = self._known(name, pane_id)
        info.version = version or info.version
        if info.pid != pid or info.started_at is None:
            # A new process (not the same one reporting again after a daemon restart): up
            # since now, not since its pane was made (a layout's agent may wait for its
            # dependencies first), and it proves its readiness anew.
            info.started_at = self.engine.clock.now()
            self.started_mono[name] = self.engine.clock.monotonic()
            self.probe_ok.pop(name, None)
            self.probed_at.pop(name, None)
        info.pid = pid
        if pane_id:
            info.pane_id = pane_id
        info.desired = "running"
        run = self.run_ids.get(name)
        if run is None:
            run = self.run_ids[name] = self.store.run_started(
                name, info.pane_id, self.engine.clock.now(), info.restarts
            )
        self.store.run_pid(run, pid, resumed=resumed)
        self.store.place(name, pid=pid, pane_id=info.pane_id, desired="running")
        # A process that just started is busy starting; its screen or hooks tell more next.
        self._set(info, "working", "process", "process started")
        r = self.specs[name].restart
        return {
            "restart": {
                "restart": r.policy,
                "max_restarts": r.max_restarts,
                "backoff": r.backoff_seconds,
                "window": r.window_seconds,
            }
        }

    async def _keep_output(self, info: AgentInfo) -> None:
        if info.pane_id is None:
            return
        with contextlib.suppress(Exception):
            text = await self.engine.mux.get_text(info.pane_id, lines=OUTPUT_KEPT)
            info.last_output = text.splitlines()[-OUTPUT_KEPT:]

    @api("agent.exited")
    async def exited(
        self,
        name: str,
        code: int,
        signal: int | None = None,
        duration: float | None = None,
        restarts: int | None = None,
    ) -> dict[str, Any]:
        """From `wezmp exec`: the agent process ended with `code`."""
        info = self._known(name, None)
        now = self.engine.clock.now()
        info.last_exit = code
        info.last_exit_at = now
        info.pid = None
        await self._keep_output(info)
        run = self.run_ids.pop(name, None)
        if run is not None:
            reason = f"signal {signal}" if signal else f"exit {code}"
            self.store.run_ended(run, now, code, signal, reason)
        if info.desired == "stopped":
            self._set(info, "stopped", "process", f"stopped (exit {code})")
        else:
            self._set(info, "exited", "process", f"exited with {code}")
        self.engine.bus.publish("agent.exited", {"agent": name, "code": code, "signal": signal})
        return {"stop": info.desired == "stopped"}

    @api("agent.restarting")
    async def restarting(self, name: str, restarts: int, delay: float = 0.0) -> None:
        """From `wezmp exec`: restarting in place, after `delay` seconds of backoff."""
        info = self._known(name, None)
        info.restarts = restarts
        self.store.place(name, restarts=restarts)
        self.run_ids[name] = self.store.run_started(
            name, info.pane_id, self.engine.clock.now(), restarts
        )
        last = "" if info.last_exit is None else f" after exit {info.last_exit}"
        wait = f" in {delay:.1f}s" if delay > 0 else ""
        self._set(info, "starting", "process", f"restart {restarts}{wait}{last}")
        self.engine.bus.publish("agent.restarting", {"agent": name, "restarts": restarts})

    @api("agent.failed")
    async def failed(self, name: str, code: int | None = None, reason: str = "") -> None:
        """A crash loop: `max_restarts` exits within the window. Kept with its last output."""
        info = self._known(name, None)
        info.desired = "stopped"
        info.last_exit = code if code is not None else info.last_exit
        await self._keep_output(info)
        self.store.place(name, desired="stopped")
        self._set(info, "failed", "process", reason or "crash loop")
        self.engine.bus.publish(
            "agent.failed",
            {"agent": name, "code": code, "reason": reason, "workspace": info.workspace},
        )

    def _on_pane_removed(self, event: Event) -> None:
        pane_id = (event.data or {}).get("pane_id")
        for info in self.agents.values():
            if info.pane_id == pane_id and info.pane_id is not None:
                task = asyncio.get_running_loop().create_task(self._pane_gone(info))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _pane_gone(self, info: AgentInfo) -> None:
        """The agent's pane closed (killed from outside, or the wrapper gave up)."""
        name = info.name
        info.pane_id = None
        info.pid = None
        run = self.run_ids.pop(name, None)
        now = self.engine.clock.now()
        if run is not None:
            self.store.run_ended(run, now, None, None, "pane closed")
        if info.state == "failed" or info.desired == "stopped":
            if info.state not in STOPPED_STATES:
                self._set(info, "exited", "process", "its pane closed")
            return
        self._set(info, "exited", "process", "its pane closed")
        self.engine.bus.publish(
            "agent.exited", {"agent": name, "code": None, "reason": "pane closed"}
        )
        r = self.specs[name].restart
        if r.policy == "no":
            info.desired = "stopped"
            self.store.place(name, desired="stopped")
            return
        mono = self.engine.clock.monotonic()
        recent = [t for t in self.failures.get(name, []) if mono - t < r.window_seconds]
        recent.append(mono)
        self.failures[name] = recent
        if len(recent) > r.max_restarts:
            await self.failed(
                name, None, f"its pane closed {len(recent)} times within {r.window_seconds:.0f}s"
            )
            return
        info.restarts += 1
        self.store.place(name, restarts=info.restarts)
        self.engine.bus.publish("agent.restarting", {"agent": name, "restarts": info.restarts})
        self.resume_next.add(name)
        try:
            await self._spawn(name)
        except Exception as exc:
            await self.failed(name, None, f"could not restart: {exc}")
            return
        with contextlib.suppress(LookupError):
            await self.engine.get(PaneService).refresh()

    # -- stopping and input -------------------------------------------------------------

    @api("agent.stop")
    async def stop_agent(self, name: str) -> dict[str, Any]:
        """Stop an agent, and first every agent depending on it."""
        self.get(name)
        order = [*dependents(self.graph(), name), name]
        for agent in order:
            await self._stop_one(self.agents[agent])
        return {"stopped": order}

    async def _stop_one(self, info: AgentInfo) -> None:
        info.desired = "stopped"
        self.pending.pop(info.name, None)
        self.store.place(info.name, desired="stopped")
        if info.state in STOPPED_STATES:
            return
        pid, pane = info.pid, info.pane_id
        if pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
            deadline = self.engine.clock.monotonic() + STOP_GRACE
            while info.pid == pid and _alive(pid) and self.engine.clock.monotonic() < deadline:
                await asyncio.sleep(0.02)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        if pane:
            with contextlib.suppress(Exception):
                await self.engine.mux.kill_pane(pane)
        info.pid = None
        info.pane_id = None
        self._set(info, "stopped", "process", "stopped")

    @api("agent.restart")
    async def restart(self, name: str) -> dict[str, Any]:
        """Stop and start an agent again (its dependents too); with `restart.resume` each
        continues its last session."""
        stopped = (await self.stop_agent(name))["stopped"]
        self.resume_next.update(stopped)
        return await self.start_agents(names=stopped)

    @api("agent.send")
    async def send(
        self, text: str, name: str | None = None, workspace: str | None = None, enter: bool = True
    ) -> dict[str, Any]:
        """Type a line into an agent (or every running agent of a workspace): paste, Enter."""
        if name:
            targets = [self.get(name)]
        elif workspace:
            targets = [a for a in self.agents.values() if a.workspace == workspace]
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().split(b") ")[-1][:1] != b"Z"
    except OSError:
        return False
