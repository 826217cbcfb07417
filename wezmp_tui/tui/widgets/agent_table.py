"""The agents panel: one row per agent with its state and resource use, updated by row key
(only the cells that changed), sortable and searchable."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static
from textual.widgets.data_table import CellDoesNotExist

from wezmp_tui.tui.context import center
from wezmp_tui.tui.states import human_age, human_bytes, state_text
from wezmp_tui.tui.widgets.border import set_border
from wezmp_tui.tui.widgets.live_table import CellChange, LiveTable

if TYPE_CHECKING:
    from wezmp_tui.model.agents import AgentInfo
    from wezmp_tui.tui.state import DaemonState

FULL = ("agent", "workspace", "kind", "state", "pid", "cpu", "mem", "restarts", "up", "exit",
        "why")  # fmt: skip
COMPACT = ("agent", "state", "cpu", "mem", "why")
# Below this many columns the compact set is shown: every column of the full one would not fit.
COMPACT_BELOW = 110
# The longest a name or a reason is drawn before it ends in "…" (`agent explain` has it all).
NAME_CHARS = {"full": 28, "compact": 14}
WHY_CHARS = 48
SORTS = ("name", "state", "cpu", "mem", "workspace")
EMPTY = (
    "No agents. Define them under agents: in config.yaml, or press A to apply a layout "
    "that starts some."
)


def ellipsize(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind_text(agent: AgentInfo) -> Text:
    """The kind, marked when its rules were recorded against another version of it."""
    text = Text(agent.kind)
    if agent.rules_note:
        text.append(f" ⚠ {agent.version or ''}".rstrip(), style="bold yellow")
    return text


def cpu_text(cpu: float | None) -> str:
    return "-" if cpu is None else f"{cpu:.1f}%"


def mem_text(rss: int | None) -> str:
    return "-" if rss is None else human_bytes(rss)


def why_text(agent: AgentInfo, limit: int) -> Text:
    if limit < 4:
        return Text("")
    return Text(
        ellipsize(agent.state_reason, limit), style="bold" if agent.state == "waiting" else "dim"
    )


def sort_value(agent: AgentInfo, by: str) -> tuple[object, ...]:
    if by == "state":
        return (agent.state.attention, agent.name)
    if by == "cpu":
        return (-(agent.cpu or 0.0), agent.name)
    if by == "mem":
        return (-(agent.rss or 0), agent.name)
    if by == "workspace":
        return (agent.workspace, agent.name)
    return (agent.name,)


class AgentTable(LiveTable):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.columns_shown: tuple[str, ...] = ()

    def set_columns(self, columns: tuple[str, ...]) -> bool:
        if columns == self.columns_shown:
            return False
        self.clear(columns=True)
        for col in columns:
            self.add_column(col, key=col)
        self.columns_shown = columns
        return True


def _up_since(a: AgentInfo) -> float | None:
    """When the agent's process started, while it runs (it has an age to show)."""
    return a.started_at if a.started_at and a.pid is not None and a.state.running else None


# Orders that nothing changed in place moves (a state or a figure does move the others).
STABLE_SORTS = frozenset({"name", "workspace"})


class Drawn:
    """What one agent's row was drawn from: the mirror's `revision` of the agent and when its
    age as shown changes (`until`), cheap to check each tick; the row's `inputs`, and the
    `cells` drawn from them."""

    __slots__ = ("cells", "inputs", "revision", "until")

    def __init__(
        self, revision: int | None, until: float, inputs: tuple[object, ...], cells: list[Text]
    ) -> None:
        self.revision, self.until, self.inputs, self.cells = revision, until, inputs, cells


class AgentPanel(Vertical):
    """The table, a search line (`/`) above it, and what to do when there is no agent."""

    class Changed(Message):
        """The search or the order changed: the rows must be drawn again."""

    def __init__(self, table: type[AgentTable] = AgentTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.table_class = table
        self.sort_by = "name"
        self.search = ""
        self.order: list[str] = []
        self.mode = "full"
        self.why_chars = WHY_CHARS
        # agent -> what its row was drawn from and the cells drawn (compared here: DataTable's
        # `get_row` puts a row together anew from its columns on each call)
        self.drawn: dict[str, Drawn] = {}
        self.context: tuple[object, ...] = ()
        # What the last `show` drew from: the agents, the width, the sort, the search, and
        # the mirror's revision then; and the first time an age shown changes.
        self.shown: tuple[dict[str, AgentInfo] | None, int, str, str, int] = (None, 0, "", "", 0)
        self.next_change = math.inf

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search agents: name, workspace, kind or state", id="agent-search")
        yield self.table_class(id="agents")
        yield Static(Text(EMPTY, style="dim"), id="agents-empty")

    def on_mount(self) -> None:
        self.query_one("#agent-search").display = False
        self.update_title()

    @property
    def table(self) -> AgentTable:
        return self.query_one(AgentTable)

    def update_title(self, shown: int | None = None, total: int | None = None) -> None:
        title = "Agents"
        if total:
            title += f" {shown}/{total}" if shown != total else f" {total}"
        set_border(self, title=title)
        notes = [] if self.sort_by == "name" else [f"by {self.sort_by}"]
        if self.search:
            notes.append(f"“{self.search}”")
        set_border(self, subtitle=" · ".join(notes))

    def matches(self, agent: AgentInfo) -> bool:
        if not self.search:
            return True
        needle = self.search.lower()
        return any(needle in v.lower() for v in (agent.name, agent.workspace, agent.kind,
                                                 agent.state))  # fmt: skip

    def show(self, state: DaemonState, width: int) -> None:
        """Draw the mirror's agents: rows added, removed and changed cell by cell, in the
        order chosen; a new order (or column set) re-adds the rows once. A tick that only
        changed some agents in place draws just their rows (`patch`)."""
        now = center(self).clock.now()
        if self.patch(state, width, now):
            return
        table = self.table
        self.mode = "compact" if width < COMPACT_BELOW else "full"
        columns = self.columns
        rebuilt = table.set_columns(columns)
        agents = [a for a in state.agents.values() if self.matches(a)]
        agents.sort(key=lambda a: sort_value(a, self.sort_by))
        order = [a.name for a in agents]
        selected = self.selected_name()
        if rebuilt or order != self.order:
            table.clear()
            self.order = order
            self.drawn.clear()
        keep = set(order)
        for key in list(table.rows):
            if key.value not in keep:
                table.remove_row(key)
                self.drawn.pop(str(key.value), None)
        colors = self.set_context(columns)
        changes: list[CellChange] = []
        self.next_change = math.inf
        for agent in agents:
            self.draw_row(table, agent, state, now, colors, changes)
        # A wider value (a pid, an age past a minute) widens its column; only then: asked to
        # fit a narrower one, DataTable measures every cell of the column again.
        table.set_cells(changes)
        if selected is not None and selected in table.rows:
            row = table.get_row_index(selected)
            if row != table.cursor_row:
                table.move_cursor(row=row, animate=False)
        self.query_one("#agents-empty").display = not state.agents
        table.display = bool(state.agents)
        self.update_title(len(agents), len(state.agents))
        self.shown = (state.agents, width, self.sort_by, self.search, state.revision)

    def patch(self, state: DaemonState, width: int, now: float) -> bool:
        """Draw only the rows of agents changed in place since the last `show` (a metrics
        tick changes some of 256): False when more than that may have moved, and `show`
        goes through every agent. Rows keep their order unless the list, the width, the
        sort or the search changed, or a sort or search reads what changes in place."""
        agents, shown_width, sort_by, search, revision = self.shown
        if (
            agents is not state.agents
            or width != shown_width
            or (sort_by, search) != (self.sort_by, self.search)
            or self.sort_by not in STABLE_SORTS
            or self.search
            or now >= self.next_change
        ):
            return False
        before = self.context
        colors = self.set_context(self.columns)
        if self.context != before:
            return False
        table = self.table
        changed = [
            state.agents.get(name) for name, rev in state.revisions.items() if rev > revision
        ]
        if not all(a is not None and a.name in table.rows for a in changed):
            return False  # not drawn yet: a new row goes in its place in the order
        changes: list[CellChange] = []
        for agent in changed:
            assert agent is not None
            self.draw_row(table, agent, state, now, colors, changes)
        table.set_cells(changes)
        self.shown = (state.agents, width, sort_by, search, state.revision)
        return True

    @property
    def columns(self) -> tuple[str, ...]:
        return COMPACT if self.mode == "compact" else FULL

    def set_context(self, columns: tuple[str, ...]) -> dict[str, str]:
        """Note what every row depends on besides its agent; when it changed, every row is
        drawn again. The state colours, which are part of it."""
        colors = center(self).state_colors()
        self.why_chars = self.room_for_why(columns)
        context = (columns, self.mode, self.why_chars, tuple(colors.items()))
        if context != self.context:
            self.context = context
            self.drawn.clear()
        return colors

    def draw_row(
        self,
        table: AgentTable,
        agent: AgentInfo,
        state: DaemonState,
        now: float,
        colors: dict[str, str],
        changes: list[CellChange],
    ) -> None:
        """Add the agent's row, or note the cells of it that changed in `changes`."""
        name = agent.name
        # The mirror's revision of the agent (a new list gives every agent a new one), and
        # the time its age as shown changes: before either, nothing of the row can have
        # (most agents, most ticks).
        revision = state.revisions.get(name)
        drawn = self.drawn.get(name)
        same = drawn is not None and drawn.revision == revision and now < drawn.until
        if not same or name not in table.rows:
            inputs = self.row_inputs(agent, now)
            until = self.up_changes(agent, now)
            if drawn is not None and drawn.inputs == inputs and name in table.rows:
                # New figures, the same text (CPU 0.01 % to 0.02 %), or the same age.
                drawn.revision, drawn.until = revision, until
            else:
                cells = self.cells(agent, self.columns, now, colors)
                if name in table.rows:  # a RowKey hashes and compares as its string
                    old_cells = drawn.cells if drawn is not None else table.get_row(name)
                    for col, old, new in zip(self.columns, old_cells, cells, strict=True):
                        if old.plain != new.plain or old.style != new.style:
                            changes.append((name, col, new))
                else:
                    table.add_row(*cells, key=name)
                drawn = self.drawn[name] = Drawn(revision, until, inputs, cells)
        assert drawn is not None
        self.next_change = min(self.next_change, drawn.until)

    @staticmethod
    def up_text(a: AgentInfo, now: float) -> str:
        since = _up_since(a)
        return "-" if since is None else human_age(now - since)

    @staticmethod
    def up_changes(a: AgentInfo, now: float) -> float:
        """When the age `up_text` shows for `a` changes next: each second in its first
        minute, then each minute, and each hour past a day (as `human_age` rounds it)."""
        since = _up_since(a)
        if since is None:
            return math.inf
        up = int(max(now - since, 0))
        step = 1 if up < 60 else 60 if up < 86400 else 3600
        return since + (up // step + 1) * step

    def row_inputs(self, a: AgentInfo, now: float) -> tuple[object, ...]:
        """Everything of `a` its row shows: the same inputs draw the same row. CPU and
        memory as drawn (a tenth of a percent, whole MiB): their exact figures move a little
        on most ticks, the text seldom."""
        return (a.name, a.workspace, a.kind, a.rules_note, a.version, a.state, a.pid,
                cpu_text(a.cpu), mem_text(a.rss), a.restarts, self.up_text(a, now), a.last_exit,
                a.state_reason)  # fmt: skip

    def cells(
        self, a: AgentInfo, columns: tuple[str, ...], now: float, colors: dict[str, str]
    ) -> list[Text]:
        up = self.up_text(a, now)
        values = {
            "agent": lambda: Text(ellipsize(a.name, NAME_CHARS[self.mode])),
            "workspace": lambda: Text(ellipsize(a.workspace, 16)),
            "kind": lambda: kind_text(a),
            "state": lambda: state_text(a.state, colors),
            "pid": lambda: Text(str(a.pid or "-")),
            # Blank, not 0, when nothing runs: there is nothing to measure.
            "cpu": lambda: Text(cpu_text(a.cpu)),
            "mem": lambda: Text(mem_text(a.rss)),
            "restarts": lambda: Text(str(a.restarts)),
            "up": lambda: Text(up),
            "exit": lambda: Text("" if a.last_exit is None else str(a.last_exit)),
            "why": lambda: why_text(a, self.why_chars),
        }
        return [values[c]() for c in columns]

    def room_for_why(self, columns: tuple[str, ...]) -> int:
        """The reason gets what the other columns leave (no horizontal scrolling), at most
        WHY_CHARS; before the first layout, the most."""
        table = self.table
        if not table.size.width:
            return WHY_CHARS
        used = sum(
            column.get_render_width(table)
            for key, column in table.columns.items()
            if key.value != "why"
        )
        room = table.size.width - used - 2 * table.cell_padding - 1  # the scrollbar's column
        return max(0, min(WHY_CHARS, room))

    def selected_name(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None

    def action_sort(self) -> None:
        self.sort_by = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self.notify(f"agents sorted by {self.sort_by}", title="Agents")
        self.post_message(self.Changed())

    def action_search(self) -> None:
        search = self.query_one("#agent-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#agent-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self.post_message(self.Changed())

    @on(Input.Submitted, "#agent-search")
    def search_done(self) -> None:
        self.table.focus()
        if not self.search:
            self.query_one("#agent-search").display = False

    def key_escape(self) -> None:
        search = self.query_one("#agent-search", Input)
        if search.display:
            search.value = ""
            search.display = False
            self.search = ""
            self.table.focus()
            self.post_message(self.Changed())
