"""The preview: the last lines of the selected agent's pane, live. It follows the agent, not
a pane id, so after a restart in a new pane it shows the new one."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import Static

from wezmp_tui.errors import WezmpError
from wezmp_tui.tui.context import center
from wezmp_tui.tui.widgets.border import set_border

# Lines read from the pane: more than the tallest preview shows.
FETCH_LINES = 60
EMPTY = "Select an agent or a pane to see its screen here."


class Preview(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(EMPTY, style="dim"), id=id)
        self.agent: str | None = None
        self.pane: str | None = None  # a pane without an agent, chosen in the tree or table
        self.text = ""

    def on_mount(self) -> None:
        self.border_title = "Preview"
        interval = getattr(getattr(center(self).config, "tui", None), "preview_interval", 1.0)
        if interval and interval > 0:
            self.set_interval(interval, self.tick)

    def follow(self, *, agent: str | None = None, pane: str | None = None) -> None:
        """Show an agent's pane (wherever it is now) or, without an agent, one pane."""
        if (agent, pane) == (self.agent, self.pane):
            return
        self.agent, self.pane = agent, pane
        self.text = ""
        self.reload()

    def pane_id(self) -> str | None:
        if self.agent is not None:
            record = center(self).state.agents.get(self.agent)
            return record.pane_id if record is not None else None
        return self.pane

    def tick(self) -> None:
        if self.screen.is_current and self.pane_id() is not None:
            self.reload()

    @work(exclusive=True, group="preview", exit_on_error=False)
    async def reload(self) -> None:
        pane = self.pane_id()
        who = self.agent or (f"pane {pane}" if pane else "")
        set_border(self, title=f"Preview · {who}" if who else "Preview")
        if pane is None:
            message = f"{self.agent} has no pane (not running)." if self.agent else EMPTY
            self.show(Text(message, style="dim"))
            return
        set_border(self, subtitle=f"pane {pane}" if self.agent else "")
        try:
            text = await center(self).call("pane.get_text", pane_id=pane, lines=FETCH_LINES)
        except WezmpError as exc:
            self.show(Text(f"pane {pane}: {exc.message}", style="dim"))
            return
        text = str(text or "")
        if text != self.text:
            self.text = text
            self.draw()

    def draw(self) -> None:
        """The bottom lines that fit; a pane's text is untrusted: never markup."""
        lines = self.text.rstrip("\n").splitlines()[-max(self.content_size.height, 1) :]
        self.show(Text("\n".join(lines), no_wrap=True, overflow="ellipsis"))

    def show(self, text: Text) -> None:
        """New text, with no layout of the screen where the stylesheet gives the preview a
        height (it does, at every size): a layout was most of a key's cost in the agent
        table, whose every move shows another agent here."""
        height = self.styles.height
        self.update(text, layout=height is None or height.is_auto)

    def on_resize(self) -> None:
        if self.text:
            self.draw()
