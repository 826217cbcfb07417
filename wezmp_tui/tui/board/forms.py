"""The task form (new and edit): every field checked as it is typed, next to the field; a due
date shown parsed before it is saved; a refused save keeps the form and what was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static, TextArea

from wezmp_tui.model import dates

PRIORITIES = {"": "", "h": "H", "high": "H", "m": "M", "med": "M", "medium": "M", "l": "L",
              "low": "L"}  # fmt: skip
FIELDS = ("title", "description", "priority", "tags", "due", "agent", "workspace")
Save = Callable[[dict[str, Any]], Awaitable[str | None]]


def split_tags(text: str) -> list[str]:
    return [t for t in text.replace(",", " ").split() if t]


class TaskForm(ModalScreen[bool]):
    """New or edit. `save(values)` returns None when saved, or the refusal to show; only the
    fields that changed are in `values` when editing (an emptied field is "" and clears)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="task-form.cancel"),
        Binding("ctrl+s", "save", "Save", id="task-form.save", priority=True),
        # Priority bindings move focus the moment Tab is read, so the keys typed after it
        # land in the next field even when typed faster than the screen repaints.
        Binding("tab", "app.focus_next", "Next field", id="task-form.next", priority=True,
                show=False),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="task-form.previous",
                priority=True, show=False),
    ]  # fmt: skip

    def __init__(
        self,
        save: Save,
        *,
        task: dict[str, Any] | None = None,
        now: Callable[[], float],
        agents: Sequence[str] = (),
        workspaces: Sequence[str] = (),
        column: str | None = None,
    ) -> None:
        super().__init__()
        self.save = save
        self.card = task
        self.now = now
        self.agents = list(agents)
        self.workspaces = list(workspaces)
        self.column = column
        t = task or {}
        self.initial = {
            "title": t.get("title", ""),
            "description": t.get("description", ""),
            "priority": t.get("priority", ""),
            "tags": " ".join(t.get("tags", [])),
            "due": dates.format_due(t["due"]) if t.get("due") else "",
            "agent": t.get("agent") or "",
            "workspace": t.get("workspace") or "",
        }

    def compose(self) -> ComposeResult:
        v = self.initial
        heading = (
            Text(f"Edit #{self.card['id']} ") + Text(self.card["title"], style="bold")
            if self.card
            else Text("New task" + (f" in {self.column}" if self.column else ""))
        )
        agents = SuggestFromList(["auto", *self.agents], case_sensitive=False)
        spaces = SuggestFromList(self.workspaces, case_sensitive=False)
        fields: list[tuple[str, str, Input | TextArea]] = [
            ("title", "Title", Input(v["title"], placeholder="what is to be done")),
            ("description", "Description",
             TextArea(v["description"], soft_wrap=True, tab_behavior="focus", compact=True)),
            ("priority", "Priority", Input(v["priority"], placeholder="H, M, L or empty")),
            ("tags", "Tags", Input(v["tags"], placeholder="space separated")),
            ("due", "Due", Input(v["due"], placeholder="today, tomorrow, fri, +3d, 2026-12-01")),
            ("agent", "Agent", Input(v["agent"], placeholder="a name, auto, or empty",
                                     suggester=agents)),
            ("workspace", "Workspace", Input(v["workspace"], placeholder="empty: none",
                                             suggester=spaces)),
        ]  # fmt: skip
        with Vertical(classes="modal task-form"):
            yield Label(heading, classes="modal-title")
            for name, label, widget in fields:
                widget.id = name
                if isinstance(widget, Input):
                    widget.compact = True
                yield from self.field(name, label, widget)
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def field(self, name: str, label: str, widget: Input | TextArea) -> ComposeResult:
        with Horizontal(classes="form-row", id=f"row-{name}"):
            yield Label(label, classes="form-label")
            with Vertical(classes="form-field"):
                yield widget
                yield Static("", id=f"{name}-hint", classes="field-hint")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self.on_resize()
        self.apply_names()

    def set_names(self, agents: Sequence[str], workspaces: Sequence[str]) -> None:
        """The agents and workspaces there are now (they come and go while the form is
        open): suggestions, and the hints that use them."""
        self.agents, self.workspaces = list(agents), list(workspaces)
        if self.is_mounted:
            self.apply_names()

    def apply_names(self) -> None:
        self.query_one("#agent", Input).suggester = SuggestFromList(
            ["auto", *self.agents], case_sensitive=False
        )
        self.query_one("#workspace", Input).suggester = SuggestFromList(
            self.workspaces, case_sensitive=False
        )
        for name in ("agent", "workspace"):
            self.check(name)

    def on_key(self, event: events.Key) -> None:
        # A printable key reaches the form itself only when it was typed before the form had
        # focus (a field would have taken it): it belongs in the focused field.
        target = self.focused
        if event.is_printable and event.character and isinstance(target, Input | TextArea):
            event.stop()
            if isinstance(target, Input):
                target.insert_text_at_cursor(event.character)
            else:
                target.insert(event.character)
        self.check("due")

    def on_resize(self, _event: object = None) -> None:
        # A short terminal drops the gaps between fields so the buttons stay on screen.
        self.query_one(".task-form").set_class(self.app.size.height < 34, "-short")

    # -- values and checks --------------------------------------------------------------

    def text(self, name: str) -> str:
        if name == "description":
            return self.query_one("#description", TextArea).text
        return self.query_one(f"#{name}", Input).value

    def problem(self, name: str) -> tuple[str | None, Text | None]:
        """(error that blocks saving, hint shown beside the field) for one field."""
        value = self.text(name).strip()
        if name == "title" and not value:
            return "must not be empty", None
        if name == "priority" and value.lower() not in PRIORITIES:
            return "H, M, L (or high, medium, low) or empty", None
        if name == "due" and value:
            try:
                due = dates.parse_due(value, self.now())
            except dates.DateError as exc:
                return str(exc), None
            assert due is not None
            return None, Text("→ " + dates.describe_due(due, self.now()), style="bold")
        if name == "due" and self.initial["due"]:
            return None, Text("→ no due date (cleared)")
        if name == "agent" and value and value != "auto" and value not in self.agents:
            return None, Text(f"no agent named {value!r} now; the task waits for one")
        if name == "workspace" and value and value not in self.workspaces:
            return None, Text(f"no workspace named {value!r} now")
        return None, None

    def check(self, name: str) -> bool:
        error, hint = self.problem(name)
        box = self.query_one(f"#{name}-hint", Static)
        box.set_class(error is not None, "field-error")
        box.update(Text(f"{name}: {error}") if error else (hint or ""))
        box.display = bool(error or hint)
        return error is None

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        if event.input.id in FIELDS:
            self.check(event.input.id)

    def values(self) -> dict[str, Any]:
        """What to send: everything given (new), or only what changed (edit)."""
        out: dict[str, Any] = {}
        for name in FIELDS:
            raw = self.text(name)
            text = raw if name == "description" else raw.strip()
            if self.card is not None and text == self.initial[name].strip():
                continue
            if name == "priority":
                out[name] = PRIORITIES[text.lower()]
            elif name == "tags":
                out[name] = split_tags(text)
            elif name == "due":
                out[name] = dates.parse_due(text, self.now()) if text else ""
            elif text or self.card is not None:
                out[name] = text
        if self.card is None:
            out = {k: v for k, v in out.items() if v not in ("", [], None)}
        return out

    # -- save / cancel ------------------------------------------------------------------

    @on(Input.Submitted)
    async def submitted(self) -> None:
        await self.action_save()

    @on(Button.Pressed, "#save")
    async def save_pressed(self) -> None:
        await self.action_save()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(False)

    async def action_save(self) -> None:
        bad = [name for name in FIELDS if not self.check(name)]
        if bad:
            self.query_one(f"#{bad[0]}").focus()
            return
        values = self.values()
        if self.card is not None and not values:
            self.dismiss(False)
            return
        refused = await self.save(values)
        if refused is None:
            self.dismiss(True)
            return
        # A refusal names its field ("due: ..."): shown there, the form and its text kept.
        name = refused.split(":", 1)[0].strip()
        if name in FIELDS:
            box = self.query_one(f"#{name}-hint", Static)
            box.add_class("field-error")
            box.update(Text(refused))
            box.display = True
            self.query_one(f"#{name}").focus()
        else:
            self.query_one("#form-error", Static).update(Text(refused))

    def action_cancel(self) -> None:
        self.dismiss(False)
