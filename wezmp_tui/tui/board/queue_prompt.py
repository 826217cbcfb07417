"""The question asked before a card enters the queue or is dispatched: where it would go, and
that its title will be typed into that agent's pane. Nothing moves until the answer is yes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from wezmp_tui.tui.widgets.key_footer import KeyFooter


def describe(preview: dict[str, Any], column: str, *, now: bool) -> Text:
    """What would happen, in words, from a `queue.preview` answer."""
    out = Text()
    agent = preview.get("agent")
    if preview.get("blocked"):
        out.append(f"It is blocked by an unfinished task: it waits in {column} until that is done.")
    elif agent:
        out.append("It would go to ")
        out.append(agent, style="bold")
        out.append(" now: its title and description are typed into that agent's pane.")
        if preview.get("paused") and not now:
            out.append("\nThe queue is paused: nothing is sent until you resume it.")
    else:
        out.append(f"No agent may take it now: it waits in {column} until one is idle.")
    if preview.get("ahead"):
        out.append(f"\n{preview['ahead']} more urgent task(s) are queued before it.")
    others = preview.get("agents") or []
    if not agent and others:
        for a in others:
            out.append(f"\n  {a['agent']}: ", style="bold")
            out.append(str(a["why"]))
    elif not agent and not others:
        out.append("\nNo agent is defined yet (dashboard: a to add one).")
    return out


class QueuePrompt(ModalScreen[bool]):
    """Yes/no, with the queue's preview for the card."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="queue-prompt.yes"),
        Binding("n,escape", "answer(False)", "No", id="queue-prompt.no"),
    ]

    def __init__(
        self, card: dict[str, Any], preview: dict[str, Any], column: str, *, now: bool = False
    ) -> None:
        super().__init__()
        self.card = card
        self.preview = preview
        self.column = column
        self.now = now

    def compose(self) -> ComposeResult:
        verb = "Dispatch" if self.now else f"Move to {self.column}:"
        with Vertical(classes="modal", id="queue-prompt"):
            yield Label(
                Text(f"{verb} #{self.card['id']} {self.card['title']}?"), classes="modal-title"
            )
            yield Static(describe(self.preview, self.column, now=self.now), id="queue-where")
            with Horizontal(classes="modal-buttons"):
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
