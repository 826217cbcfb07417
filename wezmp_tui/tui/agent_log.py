"""A full-screen view of what an agent printed: every kept run, one after the other, the
latest followed as it is written; `/` searches, `n`/`N` step through the matches.

It reads `agent.output`, the source `wezmp agent logs` reads, by offsets: a follow asks only
for what is new. `AgentLogKeys` gives a screen the key that opens it for its selected agent.
"""

from __future__ import annotations

import re
from typing import Any

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Log, Static

from wezmp_tui.errors import WezmpError
from wezmp_tui.tui.context import center
from wezmp_tui.tui.widgets.key_footer import KeyFooter

POLL = 0.5  # seconds between reads while following


class MatchHighlighter(Highlighter):
    """Marks every place the search is found in a line (case as typed or not)."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None
        self.style = Style(reverse=True)

    def highlight(self, text: Text) -> None:
        if self.pattern is not None:
            text.highlight_regex(self.pattern, self.style)


class AgentLogScreen(Screen[None]):
    DEFAULT_CSS = """
    AgentLogScreen #log-status { height: 1; padding: 0 1; background: $panel; }
    AgentLogScreen Log { height: 1fr; overflow: auto auto; scrollbar-size-vertical: 1; }
    AgentLogScreen #log-search { dock: bottom; display: none; }
    AgentLogScreen #log-search.-shown { display: block; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="log.close"),
        Binding("f", "toggle_follow", "Follow", id="log.follow"),
        Binding("slash", "search", "Search", id="log.search"),
        Binding("n", "next_match(1)", "Next", id="log.next"),
        Binding("N", "next_match(-1)", "Previous", id="log.previous"),
        Binding("g", "top", "Top", id="log.top", show=False),
        Binding("G", "bottom", "Bottom", id="log.bottom", show=False),
    ]

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent
        self.run: int | None = None  # the run being read (the latest)
        self.read_from = 0
        self.follow = True
        self.lines: list[str] = []
        self.partial = ""
        self.query_text = ""
        self.match = -1
        self.note = ""

    def compose(self) -> ComposeResult:
        yield Static(id="log-status")
        log = Log(id="log", highlight=True, auto_scroll=True)
        log.highlighter = MatchHighlighter()
        yield log
        yield Input(placeholder="search (Enter: find, Esc: cancel)", id="log-search")
        yield KeyFooter()

    async def on_mount(self) -> None:
        await self.load()
        self.set_interval(POLL, self.poll)

    async def _output(self, **params: Any) -> dict[str, Any] | None:
        try:
            answer = await self.app.call("agent.output", name=self.agent, **params)  # type: ignore[attr-defined]
        except WezmpError as exc:
            self.note = exc.message
            self.show_status()
            return None
        return answer if isinstance(answer, dict) else None

    async def load(self) -> None:
        """Every kept run, oldest first; the view then follows the latest."""
        first = await self._output(max_bytes=0)
        if first is None:
            return
        runs: list[int] = first["runs"]
        for run in runs:
            self.run, self.read_from = run, 0
            if len(runs) > 1:
                self.add(f"── run {run} ──\n")
            await self.read_all()
        if not runs:
            self.note = "nothing printed yet"
        self.show_status()

    async def read_all(self) -> None:
        while True:
            answer = await self._output(run=self.run, offset=self.read_from)
            if answer is None:
                return
            self.take(answer)
            if answer["offset"] == answer["start"]:
                return

    def take(self, answer: dict[str, Any]) -> None:
        self.read_from = answer["offset"]
        if answer["text"]:
            self.add(answer["text"])
        if answer.get("screen") and answer["start"] == 0 and not answer["text"]:
            self.add(answer["screen"].rstrip("\n") + "\n")  # a backend that cannot follow

    def add(self, text: str) -> None:
        text = self.partial + text
        complete, _, self.partial = text.rpartition("\n")
        if not complete and not text.endswith("\n"):
            return
        new = complete.split("\n")
        self.lines.extend(new)
        self.query_one(Log).write_lines(new)

    async def poll(self) -> None:
        if not self.follow:
            return
        answer = await self._output(run=self.run, offset=self.read_from)
        if answer is None:
            return
        if answer["run"] is not None and self.run is None:
            self.run = answer["run"]
        self.take(answer)
        newer = [r for r in answer["runs"] if self.run is None or r > self.run]
        if newer and not answer["live"] and not answer["text"]:
            self.run, self.read_from = newer[0], 0
            self.add(f"── run {self.run} ──\n")
            self.note = ""
        self.show_status(live=bool(answer["live"]))

    def show_status(self, live: bool | None = None) -> None:
        parts = [f"{self.agent}"]
        if self.run is not None:
            parts.append(f"run {self.run}")
        if live is not None:
            parts.append("running" if live else "ended")
        parts.append("following" if self.follow else "paused (f follows)")
        if self.query_text:
            found = self.matches()
            where = f"{self.match + 1}/{len(found)}" if found and self.match >= 0 else "none"
            parts.append(f"/{self.query_text}: {where}")
        if self.note:
            parts.append(self.note)
        self.query_one("#log-status", Static).update(Text(" · ".join(parts)))

    # -- actions ------------------------------------------------------------------------

    def action_close(self) -> None:
        search = self.query_one("#log-search", Input)
        if search.has_class("-shown"):
            search.remove_class("-shown")
            self.query_one(Log).focus()
            return
        self.dismiss()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        self.query_one(Log).auto_scroll = self.follow
        if self.follow:
            self.query_one(Log).scroll_end(animate=False)
        self.show_status()

    def action_search(self) -> None:
        search = self.query_one("#log-search", Input)
        search.add_class("-shown")
        search.value = self.query_text
        search.focus()

    @on(Input.Submitted, "#log-search")
    def searched(self, event: Input.Submitted) -> None:
        event.input.remove_class("-shown")
        self.query_one(Log).focus()
        self.query_text = event.value.strip()
        self.match = -1
        log = self.query_one(Log)
        marker = log.highlighter
        if isinstance(marker, MatchHighlighter):
            text = self.query_text
            marker.pattern = re.compile(re.escape(text), re.IGNORECASE) if text else None
            marker.style = Style(color=center(self).theme_color("warning", "yellow"), reverse=True)
            log.notify_style_update()  # lines drawn before are drawn again, marked
            log.refresh()
        self.action_next_match(1)

    def matches(self) -> list[int]:
        q = self.query_text.lower()
        return [i for i, line in enumerate(self.lines) if q and q in line.lower()]

    def action_next_match(self, step: int) -> None:
        found = self.matches()
        if not found:
            self.match = -1
            self.show_status()
            return
        self.match = (self.match + step) % len(found)
        self.follow = False  # reading back: new output must not pull the view away
        log = self.query_one(Log)
        log.auto_scroll = False
        log.scroll_to(y=max(found[self.match] - 2, 0), animate=False)
        self.show_status()

    def action_top(self) -> None:
        self.query_one(Log).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one(Log).scroll_end(animate=False)


class AgentLogKeys(Screen[None]):
    """A screen with a selected agent (`selected_agent`) whose `l` opens its log."""

    BINDINGS = [Binding("l", "agent_log", "Logs", id="agent.logs")]

    def action_agent_log(self) -> None:
        name = getattr(self, "selected_agent", None)
        if name:
            self.app.push_screen(AgentLogScreen(name))
