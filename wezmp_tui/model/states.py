"""The one list of agent states: every state any client may see, how each is shown, and what
it claims.

Nothing outside this list ever reaches a client: the supervisor refuses to set any other
state, and the CLI, the control center, the status file (WezTerm's status bar) and
`agent explain` all take their labels, icons and colours from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AgentState(StrEnum):
    """A state an agent is in. A member equals its name as a string (the wire carries the
    string), and knows how it is shown: `icon`, `label`, `theme_var`, `color`."""

    STOPPED = "stopped"
    STARTING = "starting"
    WORKING = "working"
    WAITING = "waiting"
    IDLE = "idle"
    QUIET = "quiet"
    EXITED = "exited"
    FAILED = "failed"

    @property
    def definition(self) -> StateDef:
        return BY_NAME[self.value]

    @property
    def icon(self) -> str:
        return self.definition.icon

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def theme_var(self) -> str:
        return self.definition.theme_var

    @property
    def running(self) -> bool:
        return self.definition.running

    @property
    def attention(self) -> int:
        return self.definition.attention


@dataclass(frozen=True)
class StateDef:
    name: str
    icon: str
    label: str  # a few words for tables and the status bar
    meaning: str  # what the state claims, and on what evidence (docs, explain)
    color: str  # fallback colour when the theme leaves `states.<name>` unset
    running: bool  # an agent process runs in this state
    # Where tables sorted by state put it: who needs the person first, then who works, then
    # the rest (0 first).
    attention: int
    by_screen: bool = False  # a screen rule may decide it (rules/<kind>.yaml `state:`)

    @property
    def state(self) -> AgentState:
        return AgentState(self.name)

    @property
    def theme_var(self) -> str:
        """The Textual theme variable a theme file's `states.<name>` sets."""
        return f"wezmp-state-{self.name}"


STATES: tuple[StateDef, ...] = (
    StateDef(
        "stopped", "□", "stopped", "defined but not started, or stopped on purpose",
        "#737aa2", running=False, attention=7,
    ),
    StateDef(
        "starting", "◌", "starting",
        "its pane is made and its process not yet running (or a restart waits its backoff)",
        "#7dcfff", running=True, attention=2,
    ),
    StateDef(
        "working", "●", "working",
        "busy: a hook or a rule said so, a task was just sent, or its screen keeps changing",
        "#7aa2f7", running=True, attention=1, by_screen=True,
    ),
    StateDef(
        "waiting", "◆", "needs you",
        "needs the person: a permission prompt, a dialog or menu, sign-in, an API key, "
        "trust, or an error it cannot work past",
        "#e0af68", running=True, attention=0, by_screen=True,
    ),
    StateDef(
        "idle", "○", "idle",
        "ready for work, known from a hook (Stop, idle notification) or a rule matching "
        "its idle prompt",
        "#9ece6a", running=True, attention=3, by_screen=True,
    ),
    StateDef(
        "quiet", "◇", "quiet",
        "running, its screen unchanged and no rule recognising it: not known to be idle, "
        "so no task is sent to it",
        "#a9b1d6", running=True, attention=4,
    ),
    StateDef(
        "exited", "■", "exited", "its process ended by itself (the exit code is kept)",
        "#565f89", running=False, attention=6,
    ),
    StateDef(
        "failed", "✖", "failed",
        "it could not start, a dependency failed, or it crashed too often in a row",
        "#f7768e", running=False, attention=5,
    ),
)  # fmt: skip

BY_NAME: dict[str, StateDef] = {s.name: s for s in STATES}
STATE_NAMES: tuple[str, ...] = tuple(BY_NAME)
# States in which no agent process runs.
STOPPED_STATES: frozenset[AgentState] = frozenset(s.state for s in STATES if not s.running)
# States a screen rule may decide.
SCREEN_STATES: tuple[AgentState, ...] = tuple(s.state for s in STATES if s.by_screen)
STATE_ICONS: dict[str, str] = {s.name: s.icon for s in STATES}


def state_def(name: str) -> StateDef:
    """The definition of `name`; a name outside the list is a bug, never shown."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"{name!r} is not an agent state ({', '.join(STATE_NAMES)})") from None
