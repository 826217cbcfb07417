"""time-report: a Markdown file per day with the time tracked that day, by task and by
workspace, rewritten whenever a timer stops or a task is done.

Files are `time-YYYY-MM-DD.md` in `plugins.options.time-report.dir` (default: the plugin's
data directory). Also a palette entry to write today's now, and `wezmp time-report` to print
it.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from wezmp_tui.plugins.api import (
    Host,
    PaletteCommand,
    TaskDone,
    TimerStopped,
    call_daemon,
    hookimpl,
)

_host: Host | None = None


def hms(seconds: float) -> str:
    s = round(max(seconds, 0.0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def render(day: dt.date, by_task: dict[str, Any], by_workspace: dict[str, Any]) -> str:
    lines = [f"# Time on {day.isoformat()}", "", f"Total: {hms(by_task.get('total', 0.0))}", ""]
    for heading, report in (("Task", by_task), ("Workspace", by_workspace)):
        lines += [f"| {heading} | Time |", "| --- | ---: |"]
        rows = report.get("rows") or []
        for row in rows:
            key = str(row["key"]).replace("|", "\\|")
            lines.append(f"| {key} | {hms(float(row['seconds']))} |")
        if not rows:
            lines.append("| (nothing tracked) | 0:00:00 |")
        lines.append("")
    return "\n".join(lines).rstrip()


def report_dir(host: Host) -> Path:
    configured = host.options().get("dir")
    return Path(os.path.expanduser(str(configured))) if configured else host.data_dir


def write_today(host: Host) -> Path:
    day = dt.datetime.fromtimestamp(host.now()).date()
    text = render(
        day,
        host.call("report.time", period="day", by="task"),
        host.call("report.time", period="day", by="workspace"),
    )
    folder = report_dir(host)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"time-{day.isoformat()}.md"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


@hookimpl
def wezmp_plugin_start(host: Host) -> None:
    global _host
    _host = host


@hookimpl
def wezmp_timer_stopped(event: TimerStopped) -> None:
    if _host is not None:
        write_today(_host)


@hookimpl
def wezmp_task_done(event: TaskDone) -> None:
    if _host is not None:
        write_today(_host)


@hookimpl
def wezmp_palette_commands() -> list[PaletteCommand]:
    def run() -> str:
        assert _host is not None
        return f"wrote {write_today(_host)}"

    return [PaletteCommand("Time report: write today's", run, "A Markdown file of today")]


@hookimpl
def wezmp_cli_commands() -> list[Any]:
    import click

    @click.command("time-report")
    def time_report() -> None:
        """Print today's time report (the time-report plugin's file, as Markdown)."""
        today = dt.date.today()
        click.echo(
            render(
                today,
                call_daemon("report.time", period="day", by="task"),
                call_daemon("report.time", period="day", by="workspace"),
            )
        )

    return [time_report]
