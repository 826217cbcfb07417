"""The metrics panel: the machine's CPU and memory and the selected agent's CPU as sparklines
on a fixed 0-100 % scale (5 % draws a low bar, not a full one), each saying its unit."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from wezmp_tui.tui.context import center
from wezmp_tui.tui.state import running
from wezmp_tui.tui.states import human_bytes

BLOCKS = " ▁▂▃▄▅▆▇█"


def bars(values: Sequence[float], width: int, height: int, top: float = 100.0) -> list[str]:
    """The last `width` values as rows of block characters, top row first, on a fixed scale
    of 0..`top` (values above it are drawn full)."""
    values = list(values)[-width:] if width > 0 else []
    rows = [[" "] * width for _ in range(height)]
    pad = width - len(values)
    for x, value in enumerate(values):
        eighths = round(max(0.0, min(value, top)) / top * height * 8)
        if value > 0 and eighths == 0:
            eighths = 1  # something ran: show it
        for row in range(height):
            fill = min(8, max(0, eighths - row * 8))
            rows[height - 1 - row][pad + x] = BLOCKS[fill]
    return ["".join(r) for r in rows]


class Meter(Widget):
    """One labelled sparkline. `show(label, values)`; `values` empty draws nothing (nothing
    runs: no figures)."""

    DEFAULT_CSS = """
    Meter { height: auto; }
    Meter > .meter-label { height: 1; color: $text-muted; }
    Meter > .meter-bars { height: 1; }
    """

    def __init__(self, color_var: str, fallback: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.color_var = color_var
        self.fallback = fallback
        self.values: list[float] = []
        self._label: Text | None = None  # what the label and the bars show now
        self._drawn: tuple[list[str], str] | None = None

    def compose(self) -> ComposeResult:
        self.label_box = Static(classes="meter-label")
        self.bars_box = Static(classes="meter-bars")
        yield self.label_box
        yield self.bars_box

    def show(self, label: Text, values: Sequence[float]) -> None:
        self.values = list(values)
        if label != self._label:
            self._label = label
            # Both lines have a fixed height: no layout of the screen for a new figure (it
            # was one per meter each tick, the dashboard's costliest work with many agents).
            self.label_box.update(label, layout=False)
        self.draw()

    def draw(self) -> None:
        box = self.bars_box
        width, height = box.size.width, max(1, box.size.height)
        color = center(self).theme_color(self.color_var, self.fallback)
        drawn = (bars(self.values, width, height), color)
        if drawn != self._drawn:
            self._drawn = drawn
            box.update(Text("\n".join(drawn[0]), style=color, no_wrap=True), layout=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw)


def percent(label: str, values: Sequence[float]) -> Text:
    """`CPU 25% /100%`: the figure, and the fixed scale its bars are drawn on."""
    text = Text(label, style="bold", no_wrap=True, overflow="ellipsis")
    text.append(f" {values[-1]:.0f}%" if values else " —")
    text.append(" /100%", style="dim")
    return text


class MetricsPanel(Vertical):
    """Machine CPU, machine memory, and the selected agent's CPU (blank when it does not run:
    an exited agent keeps no figures)."""

    def compose(self) -> ComposeResult:
        self.cpu_meter = Meter("wezmp-spark-cpu", "secondary", id="cpu-meter")
        self.mem_meter = Meter("wezmp-spark-mem", "accent", id="mem-meter")
        self.agent_meter = Meter("wezmp-spark-cpu", "primary", id="agent-meter")
        yield from (self.cpu_meter, self.mem_meter, self.agent_meter)

    def on_mount(self) -> None:
        self.border_title = "Metrics"

    def show(self, agent: str | None) -> None:
        state = center(self).state
        self.cpu_meter.show(percent("CPU", state.cpu), state.cpu)
        self.mem_meter.show(percent("Memory", state.mem), state.mem)
        series: Sequence[float] = state.agent_cpu.get(agent or "", ())
        record = state.agents.get(agent or "")
        label = Text(agent or "no agent selected", style="bold", no_wrap=True, overflow="ellipsis")
        if record is None:
            series = ()
        elif not running(record):
            label.append(" not running", style="dim")
            series = ()
        else:
            if series:
                label.append(f" {series[-1]:.0f}%")
            if record.rss:
                label.append(f" {human_bytes(record.rss)}")
            label.append(" /100% of a core", style="dim")
        self.agent_meter.show(label, series)
