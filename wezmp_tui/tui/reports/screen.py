"""The Reports mode: where the time of a day, week or month went (per day and per task, tag,
workspace or agent, with shares that add up to 100 %), tasks finished per day and cycle time.
`[` and `]` step through earlier periods; the heading says which period and its dates."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from wezmp_tui.errors import WezmpError
from wezmp_tui.model.history import duration
from wezmp_tui.model.reports import PERIODS, bar, cells, counted, date_range, fit, period_name
from wezmp_tui.tui.messages import DaemonEvent, Resynced, ThemeChanged
from wezmp_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from wezmp_tui.tui.context import ControlCenter

GROUPS = ("task", "tag", "workspace", "agent")
SPARK = " ▁▂▃▄▅▆▇█"


class ReportsScreen(Screen[None]):
    BINDINGS = [
        Binding("left_square_bracket,left", "shift(-1)", "Earlier", id="reports.earlier"),
        Binding("right_square_bracket,right", "shift(1)", "Later", id="reports.later"),
        Binding("p", "period", "Day/week/month", id="reports.period"),
        Binding("g", "group", "Group by", id="reports.group"),
        Binding("x", "export('json')", "Export JSON", id="reports.export_json", show=False),
        Binding("c", "export('csv')", "Export CSV", id="reports.export_csv", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period = "week"
        self.by = "task"
        self.period_offset = 0
        self.data: dict[str, Any] = {}

    @property
    def wapp(self) -> ControlCenter:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="report-title")
        with VerticalScroll(id="report-scroll"):
            with Horizontal(id="report-body"):
                yield Static("", id="report-days", classes="report-panel")
                yield Static("", id="report-groups", classes="report-panel")
            yield Static("", id="report-flow", classes="report-panel")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.query_one("#report-days", Static).border_title = "Time per day"
        self.query_one("#report-flow", Static).border_title = "Throughput"
        await self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        later = action == "shift" and bool(parameters) and int(str(parameters[0])) > 0
        if later and self.period_offset >= 0:
            return None  # no later period than this one
        return True

    async def reload(self) -> None:
        try:
            report = await self.wapp.call(
                "report.time", period=self.period, by=self.by, offset=self.period_offset
            )
            throughput = await self.wapp.call("report.throughput", days=14)
            cycle = await self.wapp.call("report.cycle_time")
        except WezmpError as exc:
            self.notify(exc.message, severity="error", title="Reports")
            return
        self.data = {"time": report, "throughput": throughput, "cycle_time": cycle}
        self.render_report()
        self.refresh_bindings()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < 110, "-narrow")
        if self.data:
            self.render_report()

    # -- drawing ------------------------------------------------------------------------

    def tint(self, name: str, *, bold: bool = False) -> Style:
        try:
            colour = Color.parse(self.app.theme_variables.get(name, "")).rich_color
        except Exception:  # a variable that is not a plain colour
            colour = None
        return Style(color=colour, bold=bold)

    def panel_width(self, widget_id: str) -> int:
        width = self.query_one(widget_id, Static).content_region.width
        return width if width > 0 else max(self.size.width // 2 - 4, 30)

    def render_report(self) -> None:
        report = self.data["time"]
        title = Text()
        name = period_name(report["period"], report["offset"], len(report["days"]))
        dates = date_range(report["since"], report["until"], report["period"])
        title.append(name, style=self.tint("primary", bold=True))
        muted = self.tint("text-muted")
        title.append(" · ", style=muted)
        title.append(dates, style="bold")
        title.append(" · ", style=muted)
        title.append(f"{duration(report['total'])} tracked", style=muted)
        self.query_one("#report-title", Static).update(title)
        charts = {"#report-days": self.days_chart(report),
                  "#report-groups": self.groups_chart(report)}  # fmt: skip
        for chart in charts.values():
            chart.rstrip()
        if not self.has_class("-narrow"):  # side by side: both panels as tall as the taller
            lines = max(len(chart.split()) for chart in charts.values())
            for chart in charts.values():
                chart.append("\n" * (lines - len(chart.split())))
        for widget_id, chart in charts.items():
            self.query_one(widget_id, Static).update(chart)
        self.query_one("#report-flow", Static).update(self.flow())

    def days_chart(self, report: dict[str, Any]) -> Text:
        out = Text()
        days = report["days"]
        width = self.panel_width("#report-days")
        top = max((d["seconds"] for d in days), default=0.0)
        room = max(width - 7 - 9, 4)
        muted, bars = self.tint("text-muted"), self.tint("primary")
        today = dt.date.fromtimestamp(self.wapp.clock.now()).isoformat()
        for d in days:
            day = dt.date.fromisoformat(d["day"])
            label = f"{day:%a} {day.day:>2} " if len(days) <= 7 else f"{day.day:>2} {day:%a}"[:6]
            out.append(f"{label:<7}", style="bold" if d["day"] == today else muted)
            chart = bar(d["seconds"], top, room)
            out.append(chart, style=bars)
            spent = duration(d["seconds"]) if d["seconds"] else "·"
            out.append(f" {spent}\n", style=None if d["seconds"] else muted)
        return out

    def groups_chart(self, report: dict[str, Any]) -> Text:
        out = Text()
        self.query_one("#report-groups", Static).border_title = f"By {report['by']}"
        rows = report["rows"]
        if not rows:
            out.append(
                "No time tracked in this period.\n"
                "Start a timer on a card: Board (2), then space.",
                style=self.tint("text-muted"),
            )
            return out
        width = self.panel_width("#report-groups")
        name_w = min(max(cells(r["key"]) for r in rows), max(width // 2, 12))
        room = max(width - name_w - 1 - 9 - 5, 4)
        top = rows[0]["seconds"]
        shown = rows[:12]
        for r in shown:
            out.append(fit(r["key"], name_w) + " ")
            out.append(fit(bar(r["seconds"], top, room), room), self.tint("secondary"))
            out.append(f" {duration(r['seconds']):>7}")
            out.append(f" {r['share']:>3}%\n", style=self.tint("text-muted"))
        rest = rows[len(shown) :]
        if rest:
            secs = sum(r["seconds"] for r in rest)
            share = sum(r["share"] for r in rest)
            more = f"and {len(rest)} more: {duration(secs)}, {share}%\n"
            out.append(more, style=self.tint("text-muted"))
        return out

    def flow(self) -> Text:
        throughput = self.data["throughput"]
        cycle = self.data["cycle_time"]
        muted = self.tint("text-muted")
        out = Text("Finished per day ", style="bold")
        done = sum(d["finished"] for d in throughput)
        if done:
            top = max(d["finished"] for d in throughput)
            for d in throughput:
                if d["finished"]:
                    out.append(SPARK[max(1, round(8 * d["finished"] / top))], self.tint("success"))
                else:
                    out.append("▁", style=muted)
            out.append(f"  {counted(done, 'task')} in the last {len(throughput)} days", style=muted)
        else:
            out.append(f"none in the last {len(throughput)} days", style=muted)
        out.append("\nCycle time ", style="bold")
        if cycle["tasks"]:
            out.append(
                f"median {duration(cycle['median'])}, mean {duration(cycle['mean'])},"
                f" longest {duration(cycle['max'])}"
            )
            out.append(f"  over {counted(cycle['tasks'], 'task')} finished in 30 days", style=muted)
        else:
            out.append("no task went from Doing to finished in 30 days", style=muted)
        return out

    # -- keys ---------------------------------------------------------------------------

    async def on_daemon_event(self, message: DaemonEvent) -> None:
        if message.event.topic.startswith(("timer.", "task.moved")):
            await self.reload()

    async def action_shift(self, step: int) -> None:
        self.period_offset = min(self.period_offset + step, 0)
        await self.reload()

    def on_theme_changed(self, _: ThemeChanged) -> None:
        if self.data:
            self.render_report()

    async def on_resynced(self, _: Resynced) -> None:
        await self.reload()

    async def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.period_offset = 0
        await self.reload()

    async def action_group(self) -> None:
        self.by = GROUPS[(GROUPS.index(self.by) + 1) % len(GROUPS)]
        await self.reload()

    def action_export(self, fmt: str) -> None:
        """Write the report next to the data (the path is shown)."""
        import csv
        import io
        import time

        paths = self.wapp.paths
        base = paths.data_dir / "reports" if paths is not None else None
        if base is None:
            self.notify("no data directory to export to", severity="warning")
            return
        base.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = base / f"report-{self.period}-{self.by}-{stamp}.{fmt}"
        if fmt == "json":
            path.write_text(json.dumps(self.data, indent=2))
        else:
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow([self.by, "seconds", "share"])
            for r in self.data.get("time", {}).get("rows", []):
                w.writerow([r["key"], r["seconds"], r["share"]])
            path.write_text(buf.getvalue())
        self.notify(f"wrote {path}")
