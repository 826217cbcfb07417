"""The shipped plugins, enabled as a user would, in an engine on the built-in backend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.helpers import async_wait_until
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config, Plugins
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.supervisor import Supervisor


async def test_failed_task_opens_a_task_with_the_agents_last_lines(make_engine: Any) -> None:
    config = Config(plugins=Plugins(options={"failed-task": {"lines": 2, "column": "Queue"}}))
    engine: Engine = await make_engine("local", config=config)
    await engine.invoke("plugin.enable", {"name": "failed-task"})
    await engine.invoke("agent.define", {"spec": {"name": "api", "workspace": "w"}})
    info = engine.get(Supervisor).agents["api"].info
    info.last_output = ["starting", "listening on :80", "panic: port taken"]
    info.state = "starting"
    await engine.invoke("agent.failed", {"name": "api", "code": 2, "reason": "crash loop"})

    async def opened() -> list[Any]:
        return [t for t in await engine.invoke("task.list") if t.title == "Agent api failed"]

    task = (await async_wait_until(opened))[0]
    assert task.column == "Queue" and task.tags == ["agent-failed"]
    assert task.description == (
        "Agent api failed in w\n\nWhy: crash loop\n\n"
        "Last lines:\n```\nlistening on :80\npanic: port taken\n```"
    )


async def test_time_report_writes_todays_file(make_engine: Any, short_tmp: Path) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 9, 0).timestamp())
    config = Config(plugins=Plugins(options={"time-report": {"dir": str(short_tmp / "rep")}}))
    engine: Engine = await make_engine("local", config=config, clock=clock)
    await engine.invoke("plugin.enable", {"name": "time-report"})
    task = await engine.invoke("task.add", {"title": "write | docs", "workspace": "site"})
    await engine.invoke("time.start", {"task_id": task.id})
    clock.advance(3725)
    await engine.invoke("time.stop", {"task_id": task.id})
    path = short_tmp / "rep" / "time-2026-11-27.md"
    text = await async_wait_until(lambda: _read(path))
    assert text.splitlines() == [
        "# Time on 2026-11-27", "", "Total: 1:02:05", "",
        "| Task | Time |", "| --- | ---: |", f"| #{task.id} write \\| docs | 1:02:05 |", "",
        "| Workspace | Time |", "| --- | ---: |", "| site | 1:02:05 |",
    ]  # fmt: skip
    commands = await engine.invoke("plugin.commands")
    entry = next(c for c in commands if c["plugin"] == "time-report")
    ran = await engine.invoke("plugin.run_command", {"plugin": "time-report",
                                                     "index": entry["index"]})  # fmt: skip
    assert ran == {"ok": True, "message": f"wrote {path}"}


async def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None
