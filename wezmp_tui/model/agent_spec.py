"""How an agent is defined: in config.yaml's `agents:`, a layout, or `agent.define`.

The definition half of the supervisor's agent record (`model/agent_record.py`); the config
schema takes it from here.
"""

from __future__ import annotations

from typing import Literal

import msgspec

AgentKind = Literal["claude", "codex", "gemini", "aider", "shell", "generic"]
Condition = Literal[
    "started", "healthy", "completed", "completed_successfully", "log_ready", "idle"
]


class SpecBase(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """As the config schema's: unknown keys are errors, defaults are left out."""


class Restart(SpecBase):
    policy: Literal["no", "on_failure", "always"] = "on_failure"
    backoff_seconds: float = 1.0  # doubles after each quick failure, capped at 30 s
    max_restarts: int = 5  # within window_seconds; one more and the agent is `failed`
    window_seconds: float = 60.0
    # A restart continues the last conversation, for kinds with `resume_args` (a resume that
    # fails at once, e.g. with no conversation yet, falls back to a fresh start).
    resume: bool = False


class Readiness(SpecBase):
    log_regex: str | None = None  # healthy once the pane shows a line matching this
    exec: list[str] | None = None  # or once this command exits 0
    period: float = 2.0
    timeout: float = 5.0
    threshold: int = 1
    initial_delay: float = 0.0


class AgentSpec(SpecBase):
    name: str
    kind: AgentKind = "generic"
    command: list[str] | None = None  # argv; default from agent_kinds[kind]
    cwd: str | None = None
    env: dict[str, str] = {}
    workspace: str | None = None
    depends_on: dict[str, Condition] = {}
    restart: Restart = msgspec.field(default_factory=Restart)
    readiness: Readiness | None = None
    log_ready: str | None = None  # regex for dependents waiting on `log_ready`
    autostart: bool = False  # start with its workspace
    worktree: bool = False  # run in a git worktree of its own
    group: str | None = None  # pane group for broadcasts
    # A WezTerm domain to run in (an SSH host of `ssh_domains` in wezterm.lua, say): the
    # command runs there as it is, without `wezmp exec`, and its pane is its process.
    domain: str | None = None
