"""The Board mode: a kanban board whose cards are timed and dispatched to agents."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from wezmp_tui.tui.board.view import BoardView
from wezmp_tui.tui.messages import DaemonEvent, Resynced
from wezmp_tui.tui.modals import ConfirmModal, PromptModal

if TYPE_CHECKING:
    from wezmp_tui.tui.context import ControlCenter


class TaskEditModal(ModalScreen[dict[str, Any] | None]):
    """New/edit: title, priority, tags, due in one form."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="task-edit.cancel")]

    def __init__(self, task: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.values = task or {}

    def compose(self) -> ComposeResult:
        t = self.values
        with Vertical(classes="modal"):
            yield Label("Edit task" if t else "New task", classes="modal-title")
            yield Input(t.get("title", ""), placeholder="title", id="title")
            yield Input(
                t.get("priority", ""), placeholder="priority: H, M, L or empty", id="priority"
            )
            yield Input(" ".join(t.get("tags", [])), placeholder="tags, space separated", id="tags")
            yield Input(placeholder="due: YYYY-MM-DD or +3d (empty: keep)", id="due")
            yield Static("", id="prompt-error", classes="modal-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        title = self.query_one("#title", Input).value.strip()
        priority = self.query_one("#priority", Input).value.strip().upper()
        if not title:
            self.query_one("#prompt-error", Static).update("title: must not be empty")
            return
        if priority not in ("H", "M", "L", ""):
            self.query_one("#prompt-error", Static).update("priority: H, M, L or empty")
            return
        result: dict[str, Any] = {
            "title": title,
            "priority": priority,
            "tags": self.query_one("#tags", Input).value.split(),
        }
        due = self.query_one("#due", Input).value.strip()
        if due:
            result["due"] = due
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TaskDetails(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="task-details.close")]

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:

        t = self.data["task"]
        with Vertical(classes="modal help"):
            yield Label(Text(f"#{t['id']} {t['title']}"), classes="modal-title")
            yield Static(Text(t["description"] or "(no description)"))
            if t["note"]:
                yield Static(Text(f"note: {t['note']}"))
            table: DataTable[Any] = DataTable(id="history")
            yield table
            times: DataTable[Any] = DataTable(id="times")
            yield times

    def on_mount(self) -> None:
        import datetime as dt

        h = self.query_one("#history", DataTable)
        h.add_columns("when", "what", "detail")
        for row in self.data["history"]:
            when = dt.datetime.fromtimestamp(row["ts"]).strftime("%m-%d %H:%M")
            h.add_row(when, Text(row["action"]), Text(str(row["detail"])))
        t = self.query_one("#times", DataTable)
        t.add_columns("start", "end", "minutes", "note")
        for e in self.data["time"]:
            start = dt.datetime.fromtimestamp(e["start"]).strftime("%m-%d %H:%M")
            end = dt.datetime.fromtimestamp(e["end"]).strftime("%H:%M") if e["end"] else "running"
            mins = ((e["end"] or self.app.clock.now()) - e["start"]) / 60  # type: ignore[attr-defined]
            t.add_row(start, end, f"{mins:.1f}", Text(e["note"]))


class BoardScreen(Screen[None]):
    BINDINGS = [
        Binding("h,left", "cursor(-1, 0)", "Column ←", id="board.left", show=False),
        Binding("l,right", "cursor(1, 0)", "Column →", id="board.right", show=False),
        Binding("j,down", "cursor(0, 1)", "Card ↓", id="board.down", show=False),
        Binding("k,up", "cursor(0, -1)", "Card ↑", id="board.up", show=False),
        Binding("H", "move(-1)", "Move ←", id="board.move_left"),
        Binding("L", "move(1)", "Move →", id="board.move_right"),
        Binding("J", "reorder(1)", "Down", id="board.reorder_down", show=False),
        Binding("K", "reorder(-1)", "Up", id="board.reorder_up", show=False),
        Binding("n", "new", "New", id="board.new"),
        Binding("e", "edit", "Edit", id="board.edit"),
        Binding("E", "edit_description", "Description", id="board.edit_description", show=False),
        Binding("d", "delete", "Delete", id="board.delete"),
        Binding("space", "timer", "Timer", id="board.timer"),
        Binding("p", "priority", "Priority", id="board.priority", show=False),
        Binding("t", "tags", "Tags", id="board.tags", show=False),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("enter", "details", "Details", id="board.details"),
        Binding("q", "queue", "To queue", id="board.queue"),
        Binding("Q", "dispatch", "Dispatch", id="board.dispatch"),
    ]

    def __init__(self, board: str = "default") -> None:
        super().__init__()
        self.board = board
        self.columns: list[str] = []
        self.filter_text = ""
        self._had_card: bool | None = None  # whether the footer was built for a selected card

    @property
    def wapp(self) -> ControlCenter:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="board-status")
        yield BoardView(id="board")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(BoardView).focus()
        await self.reload()

    async def call(self, method: str, **params: Any) -> Any:
        return await self.wapp.call_or_notify(method, **params)

    async def reload(self, around: int | None = None) -> None:
        """Read what the board shows (each column's count and the cards around what is on
        screen, never the whole board); `around` a task: show and select it."""
        view = self.query_one(BoardView)
        offsets, size = view.window_request()
        window = await self.call("board.window", board=self.board, offsets=offsets, size=size,
                                 text=self.filter_text or None, around=around)  # fmt: skip
        if window is None:
            return
        self.columns = window["columns"]
        agents = await self.call("agent.list") or []
        view.agent_states = {a["name"]: a["state"] for a in agents}
        view.now = self.wapp.clock.now
        view.set_window(window)
        queue = await self.call("queue.status")
        status = f"board {self.board}: {sum(window['counts'].values()):,} task(s)"
        if self.filter_text:
            status += f"  filter: {self.filter_text!r}"
        if queue:
            status += (
                f"  queue {'paused' if queue['paused'] else 'running'}, {queue['queued']} queued"
            )
        self.query_one("#board-status", Static).update(Text(status))

    def on_daemon_event(self, message: DaemonEvent) -> None:
        if message.event.topic.startswith(("task.", "timer.", "queue.", "board.", "agent.state")):
            self.schedule_reload()

    @on(BoardView.WindowWanted)
    def window_wanted(self) -> None:
        self.schedule_reload()

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
        if action in ("new", "cursor", "filter", "dispatch"):
            return True
        return self.card is not None

    # -- navigation and moves -----------------------------------------------------------

    def action_cursor(self, dcol: int, dcard: int) -> None:
        self.query_one(BoardView).move_cursor(dcol, dcard)

    @on(BoardView.Selected)
    def selected(self, event: BoardView.Selected) -> None:
        # The footer is costly to rebuild: only when what the keys can do changed.
        has_card = event.card is not None
        if has_card != self._had_card:
            self._had_card = has_card
            self.refresh_bindings()

    async def action_move(self, step: int) -> None:
        card = self.card
        if card is None or not self.columns:
            return
        i = self.columns.index(card["column"]) + step
        if not 0 <= i < len(self.columns):
            return
        if await self.call("task.move", id=card["id"], column=self.columns[i]):
            await self.reload(around=card["id"])

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

    def action_new(self) -> None:
        column = self.query_one(BoardView).column

        async def done(values: dict[str, Any] | None) -> None:
            if values:
                t = await self.call("task.add", board=self.board,
                                    column=column.name if column else None, **values)  # fmt: skip
                if t:
                    await self.reload(around=t["id"])

        self.app.push_screen(TaskEditModal(), done)

    def action_edit(self) -> None:
        card = self.card
        if card is None:
            return

        async def done(values: dict[str, Any] | None) -> None:
            if values and await self.call("task.edit", id=card["id"], **values):
                await self.reload()

        self.app.push_screen(TaskEditModal(card), done)

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

        self.app.push_screen(
            PromptModal("Tags (space separated)", value=" ".join(card["tags"])), done
        )

    def action_filter(self) -> None:
        async def done(text: str | None) -> None:
            if text is not None:
                self.filter_text = text.strip()
                await self.reload()

        self.app.push_screen(PromptModal("Filter cards (empty: all)", value=self.filter_text), done)

    async def action_details(self) -> None:
        card = self.card
        if card is None:
            return
        data = await self.call("task.show", id=card["id"])
        if data:
            self.app.push_screen(TaskDetails(data))

    async def action_queue(self) -> None:
        card = self.card
        if card is None:
            return
        column = getattr(getattr(self.wapp.config, "queue", None), "dispatch_column", "Queue")
        if await self.call("task.move", id=card["id"], column=column):
            await self.reload()

    async def action_dispatch(self) -> None:
        card = self.card
        result = await self.call("queue.dispatch", task_id=card["id"] if card else None)
        if result is not None:
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
