"""Small modal screens: a validated text prompt, a yes/no confirmation, read-only text and a
choice among a few named things."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from wezmp_tui.tui.widgets.key_footer import KeyFooter


class PromptModal(ModalScreen[str | None]):
    """Ask for one line; `validate` returns an error message or None. Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        validate: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", classes="modal-error")
        yield KeyFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        error = self.validate(event.value) if self.validate else None
        if error:
            self.query_one("#prompt-error", Static).update(Text(error))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="modal.yes"),
        Binding("n,escape", "answer(False)", "No", id="modal.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal"):
            yield Static(Text(self.question), classes="modal-title")
            with Horizontal(classes="modal-buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no")
        yield KeyFooter()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextModal(ModalScreen[None]):
    """Read-only text (an agent's `explain`), scrollable, closed with Escape."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="text.close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal wide"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield Static(Text(self.body))
        yield KeyFooter()


class ChoiceModal(ModalScreen[str | None]):
    """Pick one of a few named things (a layout to apply); notes (broken files) above."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(
        self, title: str, choices: list[tuple[str, str]], notes: list[str] | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.notes = notes or []

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal wide"):
            yield Static(Text(self.title_text), classes="modal-title")
            for note in self.notes:
                yield Static(Text(note), classes="modal-error")
            yield OptionList(
                *[Option(Text.assemble((name, "bold"), f"  {about}"), id=name)
                  for name, about in self.choices],
                id="choices",
            )  # fmt: skip
        yield KeyFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
