"""The Board mode: a kanban board whose cards are timed and dispatched to agents."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from wezmp_tui.errors import WezmpError
from wezmp_tui.model.reports import counted
from wezmp_tui.tui.board.view import BoardView
from wezmp_tui.tui.messages import AgentsChanged, DaemonEvent, LayoutChanged, Resynced
from wezmp_tui.tui.widgets.key_footer import KeyFooter
from wezmp_tui.tui.widgets.title_bar import TitleBar

# The form, the details, the queue's question and the modals are imported when first opened:
# the board's first paint needs none of them (the form alone brings Textual's text area).

if TYPE_CHECKING:
    from wezmp_tui.tui.context import ControlCenter


class BoardScreen(Screen[None]):
    """Every key means one thing whatever is under the cursor: a key that needs a card is
    greyed out without one, and `q` is never "quit" here (the app's quit key is)."""

    BINDINGS = [
        Binding("h,left", "cursor(-1, 0)", "Column ←", id="board.left", show=False),
        Binding("l,right", "cursor(1, 0)", "Column →", id="board.right", show=False),
        Binding("j,down", "cursor(0, 1)", "Card ↓", id="board.down", show=False),
        Binding("k,up", "cursor(0, -1)", "Card ↑", id="board.up", show=False),
        Binding("H", "move(-1)", "Move", id="board.move_left", key_display="H/L"),
        Binding("L", "move(1)", "Move →", id="board.move_right", show=False),
        Binding("J", "reorder(1)", "Down", id="board.reorder_down", show=False),
        Binding("K", "reorder(-1)", "Up", id="board.reorder_up", show=False),
        # Priority: the form opens the moment the key is read, so what is typed right after
        # it lands in the form, not on the board.
        Binding("n", "new", "New", id="board.new", priority=True),
        Binding("e", "edit", "Edit", id="board.edit", priority=True),
        Binding("E", "edit_description", "Description", id="board.edit_description", show=False),
        Binding("d", "delete", "Delete", id="board.delete", show=False),
        Binding("space", "timer", "Timer", id="board.timer"),
        Binding("p", "priority", "Priority", id="board.priority", show=False),
        Binding("t", "tags", "Tags", id="board.tags", show=False),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="board.clear_filter", show=False),
        Binding("enter", "details", "Details", id="board.details"),
        Binding("Q", "queue", "To queue", id="board.queue"),
        Binding("D", "dispatch", "Dispatch", id="board.dispatch"),
        Binding("q", "quit_hint", "How to quit", id="board.quit_hint", show=False),
    ]
    CARD_ACTIONS = frozenset({
        "move", "reorder", "edit", "edit_description", "delete", "timer", "priority", "tags",
        "details", "queue", "dispatch",
    })  # fmt: skip

    def __init__(self, board: str = "default") -> None:
        super().__init__()
        self.board = board
        self.columns: list[str] = []
        self.filter_text = ""
        # What the keys were last refreshed for (card selected, card in the queue): a
        # refresh of the screen's keys goes through every widget, so only when that changes.
        self._footer_for: tuple[bool, bool] | None = None

    @property
    def wapp(self) -> ControlCenter:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="board-status")
        yield BoardView(id="board")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.query_one(BoardView).focus()
        self.set_interval(1.0, self.tick_timers)
        await self.reload()

    def tick_timers(self) -> None:
        """Running timers count up on screen between reloads (only when one is visible)."""
        view = self.query_one(BoardView)
        if view.running_timer_visible():
            view.refresh()

    @property
    def queue_column(self) -> str:
        return str(getattr(getattr(self.wapp.config, "queue", None), "dispatch_column", "Queue"))

    async def call(self, method: str, **params: Any) -> Any:
        return await self.wapp.call_or_notify(method, **params)

    async def reload(self, around: int | None = None) -> None:
        """Read what the board shows (each column's count and the cards around what is on
        screen, never the whole board); `around` a task: show and select it."""
        view = self.query_one(BoardView)
        window = await self.fetch_window(around)
        if window is None:
            return
        view.agent_states = self.agent_states()
        view.now = self.wapp.clock.now
        view.set_window(window)
        queue = await self.call("queue.status")
        total = sum(window["counts"].values())
        status = f"board {self.board}: {counted(total, 'task')}"
        if self.filter_text:
            status += f"  filter: {self.filter_text!r}" + ("" if total else " (esc clears it)")
        elif not total:
            status = f"board {self.board}: no tasks yet, n adds one"  # the first thing to press
        if queue:
            status += (
                f"  queue {'paused' if queue['paused'] else 'running'}, {queue['queued']:,} queued"
            )
        self.query_one("#board-status", Static).update(Text(status))
        self.sync_footer(self.card)

    async def fetch_window(self, around: int | None = None) -> dict[str, Any] | None:
        """The columns, their counts and the window of cards around what shows."""
        offsets, size = self.query_one(BoardView).window_request()
        window: dict[str, Any] | None = await self.call(
            "board.window", board=self.board, offsets=offsets, size=size,
            text=self.filter_text or None, around=around,
        )  # fmt: skip
        if window is not None:
            self.columns = window["columns"]
        return window

    def on_daemon_event(self, message: DaemonEvent) -> None:
        if message.event.topic.startswith(("task.", "timer.", "queue.", "board.")):
            self.schedule_reload()

    def agent_states(self) -> dict[str, str]:
        """Each agent's state as the app's mirror of the daemon has it (never fetched here)."""
        return {name: a.state for name, a in self.wapp.state.agents.items()}

    def on_agents_changed(self, _: AgentsChanged) -> None:
        """An agent came, went or changed state: the cards naming it and an open form's
        suggestions show it, with no reload of the board."""
        view = self.query_one(BoardView)
        view.agent_states = self.agent_states()
        view.refresh()
        self.tell_forms()

    def on_layout_changed(self, _: LayoutChanged) -> None:
        self.tell_forms()

    def names(self) -> tuple[list[str], list[str]]:
        """The agents and workspaces a task form suggests, from the mirror."""
        state = self.wapp.state
        return sorted(state.agents), [w.name for w in state.workspaces]

    def tell_forms(self) -> None:
        forms = sys.modules.get("wezmp_tui.tui.board.forms")
        if forms is None:
            return  # never opened: no form to tell (and no reason to load it)
        for screen in self.app.screen_stack:
            if isinstance(screen, forms.TaskForm):
                screen.set_names(*self.names())

    @on(BoardView.WindowWanted)
    def window_wanted(self) -> None:
        """Scrolled near the edge of the cards held: the window there, and nothing else (the
        counts, agents and queue are as the last reload left them, and events reload those)."""
        if getattr(self, "_window_pending", False):
            return
        self._window_pending = True

        async def go() -> None:
            self._window_pending = False
            window = await self.fetch_window()
            if window is not None:
                self.query_one(BoardView).set_window(window)
                self.sync_footer(self.card)

        self.call_after_refresh(go)

    def on_resynced(self, _: Resynced) -> None:
        self.schedule_reload()

    def schedule_reload(self) -> None:
        if getattr(self, "_pending", False):
            return
        self._pending = True

        async def go() -> None:
            self._pending = False
            await self.reload()

        self.call_after_refresh(go)

    @property
    def card(self) -> dict[str, Any] | None:
        return self.query_one(BoardView).selected

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "edit") and isinstance(self.focused, Input):
            return False  # typed into the filter
        if action not in self.CARD_ACTIONS:
            return True
        card = self.card
        if card is None:
            return None  # shown greyed out: it needs a card
        if action in ("dispatch", "queue"):
            # One of the two, as the card's column allows: the footer has room for one.
            queued: bool = card["column"] == self.queue_column
            return queued == (action == "dispatch")
        return True

    # -- navigation and moves -----------------------------------------------------------

    def action_cursor(self, dcol: int, dcard: int) -> None:
        self.query_one(BoardView).move_cursor(dcol, dcard)

    @on(BoardView.Selected)
    def selected(self, event: BoardView.Selected) -> None:
        event.stop()  # the app has nothing to do with it
        self.sync_footer(event.card)

    def sync_footer(self, card: dict[str, Any] | None) -> None:
        footer_for = (card is not None, card is not None and card["column"] == self.queue_column)
        if footer_for != self._footer_for:
            self._footer_for = footer_for
            self.refresh_bindings()

    def action_quit_hint(self) -> None:
        keys = [
            key
            for key, active in self.app.active_bindings.items()
            if active.binding.action in ("quit", "app.quit") and key != "q"
        ]
        how = f"press {keys[0]} to quit" if keys else "the command palette (ctrl+p) quits"
        self.notify(f"q does nothing on the board; {how}.", title="Quit")

    async def action_move(self, step: int) -> None:
        card = self.card
        if card is None or not self.columns:
            return
        i = self.columns.index(card["column"]) + step
        if not 0 <= i < len(self.columns):
            return
        target = self.columns[i]
        if target == self.queue_column:
            self.ask_queue(card)
            return
        await self.move_to(card, target)

    async def move_to(self, card: dict[str, Any], column: str) -> None:
        if await self.call("task.move", id=card["id"], column=column):
            await self.reload(around=card["id"])

    def ask_queue(self, card: dict[str, Any], *, now: bool = False) -> None:
        """Show where the card would go and move (or dispatch) it only on yes: the queue
        types into an agent the moment a card lands in its column."""

        async def go() -> None:
            preview = await self.call("queue.preview", task_id=card["id"])
            if preview is None:
                return

            async def answered(yes: bool | None) -> None:
                if not yes:
                    return
                if now:
                    await self.dispatch(card)
                else:
                    await self.move_to(card, self.queue_column)

            from wezmp_tui.tui.board.queue_prompt import QueuePrompt

            self.app.push_screen(QueuePrompt(card, preview, self.queue_column, now=now), answered)

        self.run_worker(go(), group="queue-prompt", exclusive=True)

    async def action_reorder(self, step: int) -> None:
        view = self.query_one(BoardView)
        col = view.column
        card = self.card
        if col is None or card is None:
            return
        j = view.card_index + step
        neighbour = col.card(j) if 0 <= j < col.count else None
        if neighbour is None:
            return
        params = {"before": neighbour["id"]} if step < 0 else {"after": neighbour["id"]}
        if await self.call("task.move", id=card["id"], **params):
            await self.reload(around=card["id"])

    # -- editing ------------------------------------------------------------------------

    async def refusal(self, method: str, **params: Any) -> str | None:
        """Call; the daemon's refusal is returned for a form to show beside its field."""
        try:
            result = await self.wapp.call(method, **params)
        except WezmpError as exc:
            return exc.message
        await self.reload(around=result["id"] if isinstance(result, dict) else None)
        return None

    def open_form(self, card: dict[str, Any] | None) -> None:
        """Opened at once (keys typed right after `n` belong to the form, not the board);
        the suggestions follow."""
        column = self.query_one(BoardView).column

        async def save(values: dict[str, Any]) -> str | None:
            if card is not None:
                return await self.refusal("task.edit", id=card["id"], **values)
            return await self.refusal(
                "task.add", board=self.board, column=column.name if column else None, **values
            )

        from wezmp_tui.tui.board.forms import TaskForm

        agents, workspaces = self.names()
        form = TaskForm(
            save,
            task=card,
            now=self.wapp.clock.now,
            agents=agents,
            workspaces=workspaces,
            column=column.name if column and card is None else None,
        )
        self.app.push_screen(form)

    def action_new(self) -> None:
        self.open_form(None)

    def action_edit(self) -> None:
        card = self.card
        if card is not None:
            self.open_form(card)

    async def action_edit_description(self) -> None:
        """The description in $EDITOR, the app suspended meanwhile."""
        card = self.card
        if card is None:
            return
        import subprocess
        import tempfile

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.NamedTemporaryFile("w+", suffix=".md", delete=False) as f:
            f.write(card["description"])
            path = f.name
        try:
            with self.app.suspend():
                subprocess.run([editor, path], check=False)
            with open(path, encoding="utf-8") as f:
                text = f.read()
        finally:
            os.unlink(path)
        if text != card["description"] and await self.call(
            "task.edit", id=card["id"], description=text
        ):
            await self.reload()

    def action_delete(self) -> None:
        card = self.card
        if card is None:
            return

        async def done(yes: bool | None) -> None:
            if yes and await self.call("task.rm", id=card["id"]):
                await self.reload()

        from wezmp_tui.tui.modals import ConfirmModal

        self.app.push_screen(ConfirmModal(f"Delete task #{card['id']} {card['title']}?"), done)

    async def action_timer(self) -> None:
        card = self.card
        if card is None:
            return
        if card["timer_running"]:
            await self.call("time.stop", task_id=card["id"])
        else:
            await self.call("time.start", task_id=card["id"])
        await self.reload()

    async def action_priority(self) -> None:
        card = self.card
        if card is None:
            return
        order = ["", "L", "M", "H"]
        nxt = order[(order.index(card["priority"]) + 1) % len(order)]
        if await self.call("task.edit", id=card["id"], priority=nxt):
            await self.reload()

    def action_tags(self) -> None:
        card = self.card
        if card is None:
            return

        async def done(text: str | None) -> None:
            if text is not None and await self.call("task.edit", id=card["id"], tags=text.split()):
                await self.reload()

        from wezmp_tui.tui.modals import PromptModal

        self.app.push_screen(
            PromptModal("Tags (space separated)", value=" ".join(card["tags"])), done
        )

    async def action_filter(self) -> None:
        """The filter line: cards narrow as it is typed; Enter goes back to the cards. It is
        mounted the first time it is asked for: until then the board has one widget less to
        paint and to take each key through."""
        box = self.filter_box()
        if box is None:
            box = Input(placeholder="filter: words in a title or description (Esc clears)",
                        id="board-filter", compact=True)  # fmt: skip
            await self.mount(box, before=self.query_one(BoardView))
        box.display = True
        box.focus()

    def filter_box(self) -> Input | None:
        found = self.query("#board-filter")
        return found.first(Input) if found else None

    @on(Input.Changed, "#board-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text != self.filter_text:
            self.filter_text = text
            self.schedule_reload()

    @on(Input.Submitted, "#board-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.input.display = bool(event.value.strip())
        self.query_one(BoardView).focus()

    def action_clear_filter(self) -> None:
        """Esc, on the filter line or the cards: every card again."""
        box = self.filter_box()
        if box is not None:
            box.value = ""
            box.display = False
        self.query_one(BoardView).focus()
        if self.filter_text:
            self.filter_text = ""
            self.schedule_reload()

    async def action_details(self) -> None:
        card = self.card
        if card is None:
            return
        data = await self.call("task.show", id=card["id"])
        if data:
            from wezmp_tui.tui.board.details import TaskDetails

            self.app.push_screen(TaskDetails(data, self.wapp.clock.now()))

    def action_queue(self) -> None:
        card = self.card
        if card is not None:
            self.ask_queue(card)

    def action_dispatch(self) -> None:
        card = self.card
        if card is not None:
            self.ask_queue(card, now=True)

    async def dispatch(self, card: dict[str, Any]) -> None:
        result = await self.call("queue.dispatch", task_id=card["id"])
        if result is None:
            return
        if result:
            self.notify(", ".join(f"#{r['task_id']} → {r['agent']}" for r in result))
        else:
            queue = await self.call("queue.status") or {}
            why = [f"{a['agent']}: {a['why']}" for a in queue.get("agents", [])]
            self.notify(
                "nothing dispatched\n" + ("\n".join(why) or "no agent defined"),
                severity="warning",
            )
        await self.reload()
