"""The typed schema of `config.yaml`. `Config()` is the complete default configuration.

Every field is documented here; `wezmp config init` writes these defaults with comments.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

# An agent's definition is the model's (the supervisor keeps it in its agent record); it is
# part of config.yaml as `agents:`.
from wezmp_tui.model.agent_spec import AgentKind as AgentKind
from wezmp_tui.model.agent_spec import AgentSpec as AgentSpec
from wezmp_tui.model.agent_spec import Condition as Condition
from wezmp_tui.model.agent_spec import Readiness as Readiness
from wezmp_tui.model.agent_spec import Restart as Restart


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


class Wezterm(Base):
    executable: str | None = None  # default: `wezterm` on PATH
    class_: str | None = msgspec.field(default=None, name="class")


class Tmux(Base):
    socket_name: str = "wezmp"  # wezmp's own tmux server (-L), never the user's


class State(Base):
    idle_debounce: float = 1.5  # seconds idle must hold (from a rule or a hook) to be believed
    silence_seconds: float = 10.0  # unchanged screen with no rule matching -> quiet
    rules_dirs: list[str] = []  # extra rule directories beside the config dir's rules/


class Metrics(Base):
    interval: float = 1.0
    history: int = 300  # samples kept per series (5 minutes at 1 s)


class Urgency(Base):
    priority: dict[str, float] = msgspec.field(
        default_factory=lambda: {"H": 6.0, "M": 3.9, "L": 1.8}
    )
    due: float = 12.0
    age: float = 2.0
    blocking: float = 8.0
    blocked: float = -5.0
    tags: dict[str, float] = {}


class Board(Base):
    columns: list[str] = msgspec.field(
        default_factory=lambda: ["Backlog", "Queue", "Doing", "Review", "Done"]
    )
    urgency: Urgency = msgspec.field(default_factory=Urgency)
    timer_exclusive: bool = True  # starting a timer stops the running one


class Queue(Base):
    paused: bool = False
    per_agent_limit: int = 1
    dispatch_column: str = "Queue"
    doing_column: str = "Doing"
    review_column: str = "Review"


class NotifyChannels(Base):
    toast: bool = True  # a WezTerm toast, shown by the Lua module when it reads the status
    # A desktop notification (D-Bus), where a notification service runs. "auto": unless the
    # backend is WezTerm, whose toast already is one.
    desktop: bool | Literal["auto"] = "auto"
    bell: bool = True  # the terminal bell, rung in the agent's own pane


def _notify_events() -> dict[str, NotifyChannels | bool]:
    return {
        "agent.waiting": NotifyChannels(),
        "agent.failed": NotifyChannels(),
        "plugin.disabled": NotifyChannels(bell=False),
    }


class Notifications(Base):
    """Sent by the daemon, so they arrive while the control center is closed."""

    # Event name (as in `actions`: agent.waiting, agent.failed, task.done...) -> channels,
    # or false to silence one, true for the default channels. Merged over the defaults.
    events: dict[str, NotifyChannels | bool] = msgspec.field(default_factory=_notify_events)
    # The same event about the same agent (task, workspace) again within this many seconds
    # is not sent: a flapping agent does not spam.
    quiet_seconds: float = 60.0
    # Older spellings of events["agent.waiting"] / events["agent.failed"]; still honoured.
    on_waiting: bool | None = None
    on_failed: bool | None = None


class Action(Base):
    """An event action: on `event`, run `run` (an argv list, never a shell string) with the
    event as JSON on stdin and WEZMP_EVENT, WEZMP_AGENT, WEZMP_TASK_ID, WEZMP_WORKSPACE set."""

    event: str  # an event name: agent.failed, run.exited, task.done, timer.stopped...
    run: list[str]
    agents: list[str] = []  # only these agents' events (empty: every one)
    timeout: float = 30.0  # seconds, then it is killed
    quiet_seconds: float = 0.0  # as notifications.quiet_seconds, for this action
    cwd: str | None = None


class Plugins(Base):
    timeout: float = 5.0  # seconds a hook may run before it counts as a failure
    max_failures: int = 3  # failures in a row before the plugin is turned off (you are told)
    options: dict[str, dict[str, Any]] = {}  # plugin name -> its settings


class Snapshots(Base):
    interval_minutes: int = 0  # 0: none periodic (still one at daemon stop and on a loss)
    keep: int = 20
    restore_on_loss: bool = False  # rebuild by itself what a dying multiplexer took


class Tui(Base):
    """The control center."""

    screenshots: str | None = None  # a directory (default: `screenshots/` in the state dir)
    preview_interval: float = 1.0  # seconds between reads of the previewed pane; 0: on events only


class Worktrees(Base):
    """For agents with `worktree: true`, what a new worktree gets before its agent starts."""

    copy: list[str] = []  # untracked files copied from the main checkout (globs: .env*)
    setup: list[str] | None = None  # argv run in the new worktree, e.g. [npm, ci]
    setup_timeout: float = 600.0


def _kinds() -> dict[str, list[str]]:
    return {
        "claude": ["claude"],
        "codex": ["codex"],
        "gemini": ["gemini"],
        "aider": ["aider"],
        "shell": ["bash"],
        "generic": ["bash"],
    }


def _resume_args() -> dict[str, list[str]]:
    # Each CLI's own flag for continuing its last session in this directory (from its --help).
    return {
        "claude": ["--continue"],
        "codex": ["resume", "--last"],
        "gemini": ["--resume", "latest"],
        "aider": ["--restore-chat-history"],
    }


class Config(Base):
    backend: Literal["auto", "wezterm", "tmux", "local"] = "auto"
    refresh_interval: float = 1.0  # seconds between pane ticks
    theme: str = "wezmp-dark"
    keymap: dict[str, str] = {}  # binding id -> key(s), e.g. {"ws.create": "ctrl+n"}
    wezterm: Wezterm = msgspec.field(default_factory=Wezterm)
    tmux: Tmux = msgspec.field(default_factory=Tmux)
    agents: list[AgentSpec] = []
    agent_kinds: dict[str, list[str]] = msgspec.field(default_factory=_kinds)
    # Arguments that make a kind's command continue its last session (restart.resume),
    # put right after the program: `codex resume --last …`.
    resume_args: dict[str, list[str]] = msgspec.field(default_factory=_resume_args)
    state: State = msgspec.field(default_factory=State)
    metrics: Metrics = msgspec.field(default_factory=Metrics)
    board: Board = msgspec.field(default_factory=Board)
    queue: Queue = msgspec.field(default_factory=Queue)
    watch: bool = True  # hot reload of config, layouts, themes and rules
    notifications: Notifications = msgspec.field(default_factory=Notifications)
    actions: list[Action] = []
    plugins: Plugins = msgspec.field(default_factory=Plugins)
    snapshots: Snapshots = msgspec.field(default_factory=Snapshots)
    worktrees: Worktrees = msgspec.field(default_factory=Worktrees)
    tui: Tui = msgspec.field(default_factory=Tui)


class AgentFile(Base):
    """A file of agent definitions (`wezmp agent define FILE`)."""

    agents: list[AgentSpec]
