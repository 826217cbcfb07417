"""Which agent is working, waiting for the person, idle, or quiet — and on what evidence.

Three sources, in this order of trust:
1. Claude Code hooks (`hook.event`): they decide working and idle until a newer hook or the
   process exits. Hooks never report what comes before a session or beside it (the trust
   dialog, sign-in, "Not logged in"), so the screen is still read and a `waiting` rule wins
   over the hook's state while it matches.
2. Rule files matched against the pane's last lines and title (`config/rules.py`), in one
   batched pass per tick; `idle` must hold for `state.idle_debounce` seconds.
3. Activity, which never claims idleness: screen changing → working; unchanged for
   `state.silence_seconds` with no rule matching → quiet (not known to be idle).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import TYPE_CHECKING, Any

from wezmp_tui.config.rules import RuleBook, rule_dirs
from wezmp_tui.engine.api import api
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.proctable import ProcessTable
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import ConfigError, NotFound
from wezmp_tui.model.agent_record import Agent, ScreenWatch
from wezmp_tui.model.claude_hooks import hook_state
from wezmp_tui.model.events import Event
from wezmp_tui.model.states import STOPPED_STATES, AgentState, state_def

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.state")

TICK = 1.0  # seconds between looks at the agents' screens
NOT_EVALUATED = {AgentState.STARTING, *STOPPED_STATES}
# Even a pane whose processes wrote nothing is read this often: a person's typing echoed by
# the terminal itself (not by a process) changes the screen too.
REREAD_SECONDS = 10.0


class AgentStateService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # What it keeps of each agent between ticks is in the agent's record (`watch`).
        self.supervisor = engine.get(Supervisor)
        self.panes = engine.get(PaneService)
        self.processes = engine.get(ProcessTable)
        self.reads = 0  # screens read from the mux
        self.skipped = 0  # screens known unchanged without reading them
        self.rules_error: str | None = None
        self.rules = self._load_rules()
        engine.bus.listen(["agent.state"], self._on_state)

    def _load_rules(self) -> RuleBook:
        try:
            book = RuleBook.load(rule_dirs(self.engine.paths, self.engine.config))
            self.rules_error = None
            return book
        except ConfigError as exc:
            # A broken user rule file leaves the last good rules (or the shipped ones).
            self.rules_error = exc.message
            self.engine.bus.publish("error", {"source": "rules", "message": exc.message})
            previous: RuleBook | None = getattr(self, "rules", None)
            return previous if previous is not None else RuleBook.load([])

    @api("rules.reload")
    async def reload_rules(self) -> dict[str, Any]:
        """Re-read rule files (the watcher calls this on save)."""
        self.rules = self._load_rules()
        for agent in self.supervisor.agents.values():
            info = agent.info
            info.rules_note = self.rules.version_note(info.kind, info.version) or ""
        return {"error": self.rules_error, "kinds": sorted(self.rules.rules)}

    async def start(self) -> None:
        self.engine.every("agent-state", lambda: TICK, self.tick)

    def _watch(self, name: str) -> ScreenWatch | None:
        agent = self.supervisor.agents.get(name)
        return agent.watch if agent is not None else None

    def _on_state(self, event: Event) -> None:
        data = event.data or {}
        s = self._watch(str(data.get("agent", "")))
        if s is None:
            return
        if data.get("source") == "dispatch":
            # A task was just typed in: its idle prompt must hold anew, on a screen that has
            # changed since (a prompt that never showed was not taken).
            s.idle_since = None
            s.dispatched_on = s.digest
        if data.get("state") in NOT_EVALUATED:
            # A new process (or none): what hooks said about the old one no longer holds.
            s.hook_state = None
            s.idle_since = None

    # -- hooks --------------------------------------------------------------------------

    def _agent_for(self, agent: str | None, pane_id: str | None, cwd: str | None) -> str | None:
        agents = self.supervisor.agents
        if agent and agent in agents:
            return agent
        if pane_id:
            for a in agents.values():
                if a.info.pane_id == pane_id:
                    return a.name
        if cwd:
            infos = (a.info for a in agents.values())
            running = [a for a in infos if a.cwd == cwd and a.state not in NOT_EVALUATED]
            if len(running) == 1:
                return running[0].name
        return None

    @api("hook.event")
    async def hook_event(
        self,
        event: str,
        payload: dict[str, Any] | None = None,
        agent: str | None = None,
        pane_id: str | None = None,
        cwd: str | None = None,
    ) -> dict[str, Any]:
        """A Claude Code hook fired in an agent's pane (from `wezmp hook EVENT`)."""
        name = self._agent_for(agent, pane_id, cwd)
        if name is None:
            return {"agent": None, "state": None}
        state, reason, error = hook_state(event, payload or {})
        s = self.supervisor.agents[name].watch
        s.hooks.append((self.engine.clock.now(), reason))
        if state is None:
            return {"agent": name, "state": None}
        s.hook_state, s.hook_reason, s.hook_error = state, reason, error
        s.hook_at = self.engine.clock.now()
        s.source, s.reason, s.rule, s.text = "hook", reason, "", ""
        s.idle_since = None
        self.supervisor.set_state(name, state, "hook", reason, error=error)
        return {"agent": name, "state": state}

    # -- rules and activity -------------------------------------------------------------

    async def tick(self) -> None:
        """One batched pass: read the screens of running agents (hook-driven ones too: hooks
        miss dialogs), decide."""
        sup = self.supervisor
        todo = [
            r for r in sup.agents.values() if r.info.state not in NOT_EVALUATED and r.info.pane_id
        ]
        for r in todo:
            r.info.rules_note = self.rules.version_note(r.info.kind, r.info.version) or ""
        if not todo:
            self.processes.sweep()
            return
        now = self.engine.clock.monotonic()
        # Compared with the multiplexer's own stamps of output: the real wall clock, never
        # the engine's (a test's fake clock).
        wall = time.time()
        output_at = await self.engine.mux.output_times()
        by_id = self.panes.by_id
        read: list[tuple[Agent, tuple[tuple[int, int], ...] | None]] = []
        for r in todo:
            a, s = r.info, r.watch
            pane = by_id.get(a.pane_id or "")
            at = output_at.get(a.pane_id or "")
            writes = None
            if at is not None:
                # No output since the last read began: the screen is as it was read.
                quiet = at < s.read_wall
            else:
                writes = self.processes.write_counts(pane.pids) if pane and pane.pids else None
                quiet = writes is not None and s.writes == writes
            if quiet and s.screen is not None and now - s.read_at < REREAD_SECONDS:
                # Quiet pane: same screen as last time; the rules and timers still run on it.
                self.decide(a.name, a.kind, s.screen, pane.title if pane else "", now)
                self.skipped += 1
                continue
            read.append((r, writes))
        self.processes.sweep()
        if not read:
            return
        texts = await self.engine.mux.get_texts([r.info.pane_id or "" for r, _ in read], lines=60)
        for r, writes in read:
            a, s = r.info, r.watch
            text = texts.get(a.pane_id or "")
            if not isinstance(text, str):
                continue
            pane = by_id.get(a.pane_id or "")
            self.decide(a.name, a.kind, text, pane.title if pane else "", now)
            s.screen, s.writes, s.read_at, s.read_wall = text, writes, now, wall
            self.reads += 1

    def decide(self, name: str, kind: str, text: str, title: str, now: float) -> str | None:
        s = self.supervisor.agents[name].watch
        same = text is s.decided  # the very text of the last call: a quiet pane
        if not same:
            digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
            if digest != s.digest:
                s.digest = digest
                s.changed_at = now
                s.dispatched_on = None  # the task typed in has shown
            s.decided = text
        s.text = text
        rules, was_kind, was_title, was_match = s.matched
        if same and rules is self.rules and (was_kind, was_title) == (kind, title):
            match = was_match  # reloaded rules are a new object: matched again
        else:
            match = self.rules.evaluate(kind, text, title)
            s.matched = (self.rules, kind, title, match)
        if s.hook_state is not None:
            return self._beside_hooks(name, s, match)
        state: str | None
        error = False
        if match is not None:
            s.rule = f"{match.rule.name} ({match.rule.source})"
            s.text = match.text
            if match.rule.state == "idle":
                if s.dispatched_on is not None:
                    return None  # the task typed in has not even shown yet
                if s.idle_since is None:
                    s.idle_since = now
                if now - s.idle_since < self.engine.config.state.idle_debounce:
                    return None  # not yet: a prompt flashes by between tool calls
            else:
                s.idle_since = None
            state, source, error = match.rule.state, "rule", match.rule.error
            reason = f"rule {match.rule.name}"
        else:
            s.rule = ""
            s.idle_since = None
            silent = now - s.changed_at
            if silent >= self.engine.config.state.silence_seconds:
                state, source = "quiet", "activity"
                reason = f"no output for {silent:.0f}s and no rule recognises the screen"
            else:
                state, source = "working", "activity"
                reason = "output changed recently and no rule matched"
        s.source, s.reason = source, reason
        self.supervisor.set_state(name, state, source, reason, error=error)
        return state

    def _beside_hooks(self, name: str, s: ScreenWatch, match: Any) -> str:
        """Hooks decide, except while the screen shows what needs the person."""
        if match is not None and match.rule.state == "waiting":
            s.rule, s.text = f"{match.rule.name} ({match.rule.source})", match.text
            s.source, s.reason = "rule", f"rule {match.rule.name} (over {s.hook_reason})"
            self.supervisor.set_state(name, "waiting", "rule", s.reason, error=match.rule.error)
            return "waiting"
        assert s.hook_state is not None
        s.rule, s.source, s.reason = "", "hook", s.hook_reason
        self.supervisor.set_state(name, s.hook_state, "hook", s.hook_reason, error=s.hook_error)
        return s.hook_state

    async def confirm_idle(self, name: str) -> str | None:
        """Just before typing a task into an agent: None when it is still positively idle,
        else why not. A hook's idle stands until the next hook; a rule's idle is checked
        against the screen as it is now (a dialog may have opened since the last tick)."""
        agent = self.supervisor.agents.get(name)
        info = agent.info if agent is not None else None
        if agent is None or info is None or info.state != "idle" or not info.pane_id:
            return f"{name} is {info.state if info else 'gone'}"
        s = agent.watch
        try:
            text = await self.engine.mux.get_text(info.pane_id, lines=60)
        except Exception as exc:
            return f"its screen cannot be read: {exc}"
        match = self.rules.evaluate(info.kind, text, "")
        if match is not None and match.rule.state == "waiting":
            return f"its screen now shows rule {match.rule.name}"
        if info.state_source == "hook" and s.hook_state == "idle":
            # Idle must hold a moment whoever said it: Claude Code reports SessionStart before
            # its composer takes an Enter (a prompt typed then sits there unsent).
            held = self.engine.clock.now() - s.hook_at
            debounce = self.engine.config.state.idle_debounce
            return None if held >= debounce else f"idle for {held:.1f}s only (< {debounce}s)"
        if match is None or match.rule.state != "idle":
            return "its idle prompt is no longer on screen"
        return None

    @api("agent.explain")
    async def explain(self, name: str) -> dict[str, Any]:
        """Which source and which rule decided the agent's state, what the state claims, and
        the text looked at."""
        agent = self.supervisor.agents.get(name)
        if agent is None:
            raise NotFound(f"no agent named {name!r}")
        info, s = agent.info, agent.watch
        held = max(0, int(self.engine.clock.now() - info.state_since))
        d = state_def(info.state)
        lines = [
            f"{name}: {d.icon} {info.state} for {held}s, decided by {info.state_source}: "
            f"{info.state_reason}",
            f"{info.state} means: {d.meaning}",
        ]
        if info.state_error:
            lines.append("an error it cannot work past: a task sent to it goes back to the queue")
        if s.rule:
            lines.append(f"rule: {s.rule}")
        now = self.engine.clock.now()
        hooks = [{"ago": round(now - at, 1), "hook": reason} for at, reason in s.hooks]
        if hooks:
            lines.append("recent hooks: " + "; ".join(f"{h['hook']} ({h['ago']:.0f}s ago)"
                                                      for h in hooks[-4:]))  # fmt: skip
        if info.state_source == "hook":
            lines.append("hooks decide until the next hook or the process exits; a waiting "
                         "rule on screen (a dialog no hook reports) wins meanwhile")  # fmt: skip
        elif info.state == "quiet":
            lines.append(f"no rule of {info.kind} recognises this screen; save it and try "
                         f"`wezmp rules test --kind {info.kind} FILE` to write one")  # fmt: skip
        elif info.state in NOT_EVALUATED:
            lines.append("the process state comes from the supervisor (wezmp exec)")
        if info.version:
            lines.append(f"version: {info.kind} {info.version}")
        if info.rules_note:
            lines.append(f"note: {info.rules_note}")
        if s.text:
            lines.append("text looked at:")
            lines += ["  | " + line for line in s.text.splitlines()[-15:]]
        if self.rules_error:
            lines.append(f"note: a rule file is broken, earlier rules in force: {self.rules_error}")
        return {
            "agent": name,
            "state": info.state,
            "meaning": d.meaning,
            "source": info.state_source,
            "reason": info.state_reason,
            "error": info.state_error,
            "rule": s.rule or None,
            "version": info.version,
            "rules_note": info.rules_note or None,
            "hooks": hooks,
            "text": "\n".join(lines),
            "screen": s.text,
            "since": info.state_since,
        }
