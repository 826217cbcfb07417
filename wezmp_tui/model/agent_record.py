"""One agent as the daemon holds it: its definition, what clients see of it, and what the
supervisor and the screen watch keep about it between ticks, in one record.

The supervisor's `agents` table maps a name to this record and nothing else is kept per
agent name, so defining an agent makes all of it and forgetting one forgets all of it (a
name defined again starts from nothing: no old backoff, hook state or home tab).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from wezmp_tui.model.agent_spec import AgentSpec
from wezmp_tui.model.agents import AgentInfo

HOOKS_KEPT = 8  # the last hook events of each agent, for `agent explain`


@dataclass(slots=True)
class ScreenWatch:
    """What the state service knows about one agent's screen and hooks between ticks."""

    digest: str = ""
    changed_at: float = 0.0
    idle_since: float | None = None  # when rules first said idle (debounce)
    hook_state: str | None = None
    hook_at: float = 0.0
    hook_reason: str = ""
    hook_error: bool = False
    hooks: deque[tuple[float, str]] = field(default_factory=lambda: deque(maxlen=HOOKS_KEPT))
    text: str = ""
    rule: str = ""
    source: str = ""
    reason: str = ""
    dispatched_on: str | None = None  # the screen's digest when a task was typed in
    screen: str | None = None  # the text last read from the pane
    writes: tuple[tuple[int, int], ...] | None = None  # its processes' write counts then
    read_at: float = 0.0
    read_wall: float = 0.0  # wall-clock time that read began (for the mux's output times)
    # The screen text last decided on, and what the rules said of it then (with which rules,
    # kind and title): a quiet pane's same screen is not hashed and matched again each tick.
    decided: str | None = None
    matched: tuple[Any, str, str, Any] = (None, "", "", None)


@dataclass(eq=False, slots=True)
class Agent:
    """Spec plus runtime. `info` is the part every client sees (`agent.list`); the rest is
    the daemon's own bookkeeping. Times named `*_mono` or said to be monotonic come from
    `clock.monotonic()`."""

    spec: AgentSpec
    info: AgentInfo
    # Its place in the queue of agents to start (the order they were asked for); None: not
    # waiting for a pane.
    pending: int | None = None
    not_before: float | None = None  # monotonic time its restart backoff ends
    run_id: int | None = None  # its open run in the store
    # Monotonic times of the restarts the supervisor made itself (its pane closed) inside the
    # crash-loop window, as the restart policy's last decision returned them.
    restarts_recent: tuple[float, ...] = ()
    probe_ok: int = 0  # readiness probes passed in a row
    probed_at: float | None = None  # monotonic time of the last probe
    started_mono: float | None = None  # monotonic time its process registered
    wrapper: tuple[int, int | None] | None = None  # the `wezmp exec` holding it: pid, session
    home_tab: str = ""  # the tab it last ran in, to come back beside
    restart_now: bool = False  # restarted through wezmp: its next exit is that restart
    resume_next: bool = False  # restarted by wezmp: its next run continues its session
    # Why the queue, looking at its screen just before typing a task in, found it not idle
    # after all ("": nothing); it looks again once its state changes.
    not_idle_after_all: str = ""
    watch: ScreenWatch = field(default_factory=ScreenWatch)

    @property
    def name(self) -> str:
        return self.spec.name
