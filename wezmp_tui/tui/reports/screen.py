"""The Reports mode: where the time went (bars and a table), throughput and cycle time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from wezmp_tui.errors import WezmpError
from wezmp_tui.tui.messages import DaemonEvent, Resynced

if TYPE_CHECKING:
    from wezmp_tui.tui.context import ControlCenter

PERIODS = ("day", "week", "month")
GROUPS = ("task", "tag", "workspace", "agent")
BAR = 40


def bars(rows: list[dict[str, Any]], key: str, value: str, unit: float, suffix: str) -> Text:
    top = max((r[value] for r in rows), default=0) or 1
    out = Text()
    for r in rows:
        n = int(BAR * r[value] / top)
        out.append(f"{str(r[key])[:28]:<28} ", style="bold")
        out.append("█" * n, style="cyan")
        out.append(f" {r[value] / unit:.1f}{suffix}\n")
    return out


class ReportsScreen(Screen[None]):
    BINDINGS = [
        Binding("p", "period", "Period", id="reports.period"),
        Binding("g", "group", "Group by", id="reports.group"),
        Binding("x", "export('json')", "Export JSON", id="reports.export_json"),
        Binding("c", "export('csv')", "Export CSV", id="reports.export_csv"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period = "week"
        self.by = "task"
        self.data: dict[str, Any] = {}

    @property
    def wapp(self) -> ControlCenter:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="report-title")
        yield Static("", id="report-bars")
        yield DataTable(id="report-table", cursor_type="row")
        yield Static("", id="report-flow")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#report-table", DataTable).add_columns("key", "hours", "share")
        await self.reload()

    async def reload(self) -> None:
        try:
            report = await self.wapp.call("report.time", period=self.period, by=self.by)
            throughput = await self.wapp.call("report.throughput", days=14)
            cycle = await self.wapp.call("report.cycle_time")
        except WezmpError as exc:
            self.notify(exc.message, severity="error")
            return
        self.data = {"time": report, "throughput": throughput, "cycle_time": cycle}
        total = report["total"] or 0.0
        self.query_one("#report-title", Static).update(
            Text(
                f"Time this {self.period} by {self.by}: {total / 3600:.2f} h"
                "   (p: period, g: group)",
                style="bold",
            )
        )
        self.query_one("#report-bars", Static).update(
            bars(report["rows"][:12], "key", "seconds", 3600, " h")
        )
        table = self.query_one("#report-table", DataTable)
        table.clear()
        for r in report["rows"]:
            share = f"{100 * r['seconds'] / total:.0f}%" if total else "-"
            table.add_row(Text(r["key"]), f"{r['seconds'] / 3600:.2f}", share)
        flow = Text("Finished per day (14 days): ", style="bold")
        flow.append(" ".join(str(d["finished"]) for d in throughput))
        flow.append(
            f"\nCycle time (30 days): {cycle['tasks']} tasks,"
            f" median {cycle['median'] / 3600:.1f} h,"
            f" mean {cycle['mean'] / 3600:.1f} h"
        )
        self.query_one("#report-flow", Static).update(flow)

    async def on_daemon_event(self, message: DaemonEvent) -> None:
        if message.event.topic.startswith(("timer.", "task.moved")):
            await self.reload()

    async def on_resynced(self, _: Resynced) -> None:
        await self.reload()

    async def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
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
            w.writerow([self.by, "seconds"])
            for r in self.data.get("time", {}).get("rows", []):
                w.writerow([r["key"], r["seconds"]])
            path.write_text(buf.getvalue())
        self.notify(f"wrote {path}")
