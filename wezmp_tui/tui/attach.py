"""Attach to a pane of the built-in backend: its screen, live, full size, and every key typed
goes to it. There is no terminal window to bring forward there, so this is "go to the pane".
Ctrl+] leaves (as telnet and `docker attach` do), since every other key belongs to the pane.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from wezmp_tui.errors import WezmpError
from wezmp_tui.tui.context import center
from wezmp_tui.tui.messages import PaneChanged

KEYS = {"enter": "\r", "backspace": "\x7f", "tab": "\t", "escape": "\x1b", "up": "\x1b[A",
        "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D"}  # fmt: skip
# Control keys as the bytes a terminal sends: ctrl+a is 0x01 … ctrl+z is 0x1a.
CTRL = {f"ctrl+{chr(c)}": chr(c - 96) for c in range(ord("a"), ord("z") + 1)}


class AttachScreen(Screen[None]):
    BINDINGS = [Binding("ctrl+right_square_bracket", "detach", "Leave", id="attach.leave",
                        priority=True, key_display="^]")]  # fmt: skip

    def __init__(self, pane_id: str) -> None:
        super().__init__()
        self.pane_id = pane_id

    def compose(self) -> ComposeResult:
        yield Static(id="attach-screen")
        yield Static(
            Text(f"pane {self.pane_id} · every key goes to the pane · Ctrl+] leaves"),
            id="attach-bar",
        )

    def on_mount(self) -> None:
        self.reload()
        interval = getattr(getattr(center(self).config, "tui", None), "preview_interval", 1.0)
        if interval and interval > 0:
            self.set_interval(min(interval, 0.5), self.reload)

    def on_pane_changed(self, message: PaneChanged) -> None:
        if message.pane_id == self.pane_id:
            self.reload()

    @work(exclusive=True, group="attach", exit_on_error=False)
    async def reload(self) -> None:
        box = self.query_one("#attach-screen", Static)
        try:
            text = await center(self).call(
                "pane.get_text", pane_id=self.pane_id, lines=max(box.size.height, 1)
            )
        except WezmpError as exc:
            box.update(Text(f"pane {self.pane_id}: {exc.message}", style="dim"))
            return
        box.update(Text(str(text or ""), no_wrap=True, overflow="crop"))

    async def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        text = KEYS.get(event.key) or CTRL.get(event.key) or event.character
        if text:
            await center(self).call_or_notify("broadcast.keys", panes=[self.pane_id], text=text)
            self.reload()

    def action_detach(self) -> None:
        self.dismiss()
