"""A task in full: a summary a person reads first, the description, and its history and time
in sentences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from wezmp_tui.model.history import duration, sentence, summary
from wezmp_tui.tui.widgets.key_footer import KeyFooter


def _when(ts: float, now: float) -> str:
    when, today = dt.datetime.fromtimestamp(ts), dt.datetime.fromtimestamp(now)
    if when.date() == today.date():
        return f"today {when:%H:%M}"
    if when.year == today.year:
        return f"{when:%a} {when.day} {when:%b %H:%M}"
    return f"{when.day} {when:%b %Y %H:%M}"


class TaskDetails(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="task-details.close")]

    def __init__(self, data: dict[str, Any], now: float) -> None:
        super().__init__()
        self.data = data
        self.now = now

    def compose(self) -> ComposeResult:
        t = self.data["task"]
        with Vertical(classes="modal task-details"):
            yield Label(Text(f"#{t['id']} ") + Text(t["title"], style="bold"),
                        classes="modal-title")  # fmt: skip
            with VerticalScroll(id="details-body"):
                yield Static(self.summary(t), id="details-summary")
                if t["description"]:
                    yield Static(Text(t["description"]), id="details-description")
                if t["note"]:
                    yield Static(Text(f"Note: {t['note']}"), classes="details-note")
                yield Label("History", classes="details-heading")
                yield Static(self.history(), id="history")
                if self.data["time"]:
                    yield Label("Time", classes="details-heading")
                    yield Static(self.times(), id="times")
        yield KeyFooter()

    def summary(self, task: dict[str, Any]) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        for label, value in summary(task, self.now):
            grid.add_row(label, Text(value))
        return grid

    def history(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        for e in self.data["history"]:
            said = sentence(e["action"], e["detail"], self.now)
            grid.add_row(_when(e["ts"], self.now), Text(said))
        return grid

    def times(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(justify="right")
        grid.add_column()
        for e in self.data["time"]:
            spent = duration((e["end"] or self.now) - e["start"])
            until = f"{dt.datetime.fromtimestamp(e['end']):%H:%M}" if e["end"] else "running"
            what = Text(f"until {until}") + (Text(f"  {e['note']}", style="dim") if e["note"]
                                              else Text())  # fmt: skip
            grid.add_row(_when(e["start"], self.now), spent, what)
        return grid
