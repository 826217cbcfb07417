"""The plugin service in an engine on the built-in backend: plugins dropped into the plugins
dir receive typed events; raising, hanging and non-importing ones leave the engine serving."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import async_wait_until
from wezmp_tui.config.schema import Config, Plugins
from wezmp_tui.engine.facade import Engine
from wezmp_tui.paths import Paths
from wezmp_tui.plugins.service import PluginService

RECORDER = '''
import json
from wezmp_tui.plugins.api import hookimpl

OUT = {out!r}

def _write(kind, event):
    with open(OUT, "a") as f:
        fields = {{f: getattr(event, f) for f in event.__struct_fields__}}
        f.write(json.dumps({{"hook": kind, "type": type(event).__name__, **fields}}) + "\\n")

@hookimpl
def wezmp_workspace_created(event):
    _write("workspace_created", event)

@hookimpl
def wezmp_task_created(event):
    _write("task_created", event)

@hookimpl
def wezmp_task_moved(event):
    _write("task_moved", event)

@hookimpl
def wezmp_task_done(event):
    _write("task_done", event)

@hookimpl
def wezmp_timer_started(event):
    _write("timer_started", event)

@hookimpl
def wezmp_timer_stopped(event):
    _write("timer_stopped", event)

@hookimpl
def wezmp_workspace_deleted(event):
    _write("workspace_deleted", event)

@hookimpl
def wezmp_config_reloaded(event):
    _write("config_reloaded", event)
'''


def recorder(plugins_dir: Path, out: Path, name: str = "rec") -> Path:
    plugins_dir.mkdir(parents=True, exist_ok=True)
    path = plugins_dir / f"{name}.py"
    path.write_text(RECORDER.format(out=str(out)))
    return path


def lines(out: Path) -> list[dict[str, Any]]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text().splitlines()]


def fast(timeout: float = 0.3, max_failures: int = 2) -> Config:
    return Config(plugins=Plugins(timeout=timeout, max_failures=max_failures))


async def test_a_dropped_in_plugin_receives_typed_events(
    make_engine: Any, wezmp_env: Paths, short_tmp: Path
) -> None:
    out = short_tmp / "events.jsonl"
    recorder(wezmp_env.plugins_dir, out)
    engine: Engine = await make_engine("local")
    await engine.invoke("ws.create", {"name": "plug", "cwd": str(short_tmp)})
    task = await engine.invoke("task.add", {"title": "write docs"})
    await engine.invoke("task.move", {"id": task.id, "column": "Doing"})
    await engine.invoke("time.start", {"task_id": task.id})
    await engine.invoke("time.stop", {"task_id": task.id})
    await engine.invoke("task.done", {"id": task.id})
    await engine.invoke("config.reload")
    await engine.invoke("ws.delete", {"name": "plug"})
    got = await async_wait_until(lambda: _at_least(out, 8))
    kinds = [g["hook"] for g in got]
    assert kinds == [
        "workspace_created", "task_created", "task_moved", "timer_started", "timer_stopped",
        "task_done", "config_reloaded", "workspace_deleted",
    ]  # fmt: skip
    assert got[1]["type"] == "TaskCreated" and got[1]["title"] == "write docs"
    assert got[2]["from_column"] == "Backlog" and got[2]["column"] == "Doing"
    assert got[5]["type"] == "TaskDone" and got[5]["task_id"] == task.id
    listed = await engine.invoke("plugin.list")
    assert [(p["name"], p["source"], p["state"]) for p in listed if p["source"] == "file"] == [
        ("rec", "file", "on")
    ]


async def _at_least(out: Path, n: int) -> list[dict[str, Any]] | None:
    got = lines(out)
    return got if len(got) >= n else None


BAD_PLUGINS = {
    "raiser": '''
from wezmp_tui.plugins.api import hookimpl

@hookimpl
def wezmp_workspace_created(event):
    raise RuntimeError("boom from " + event.workspace)
''',
    "hanger": '''
import threading
from wezmp_tui.plugins.api import hookimpl
RELEASE = threading.Event()

@hookimpl
def wezmp_workspace_created(event):
    RELEASE.wait()
''',
    "broken": '''
import json
def helper():
    return undefined_name
helper()
''',
    "slowimport": '''
import threading
threading.Event().wait(30)
''',
}


async def test_raising_hanging_and_broken_plugins_leave_the_engine_serving(
    make_engine: Any, wezmp_env: Paths, short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = short_tmp / "events.jsonl"
    recorder(wezmp_env.plugins_dir, out)
    for name, code in BAD_PLUGINS.items():
        (wezmp_env.plugins_dir / f"{name}.py").write_text(textwrap.dedent(code))
    engine: Engine = await make_engine("local", config=fast())
    svc = engine.get(PluginService)
    hanger = svc.plugins["hanger"].found.obj
    release_hanger = hanger.RELEASE
    errors = engine.bus.subscribe(["plugin.disabled", "error"])
    try:
        for i in range(3):
            await engine.invoke("ws.create", {"name": f"w{i}", "cwd": str(short_tmp)})
        # The recorder hears every event although its neighbours raise and hang.
        await async_wait_until(lambda: _at_least(out, 3))
        listed = await async_wait_until(lambda: _states(engine, raiser="off", hanger="off"))
    finally:
        release_hanger.set()
    by_name = {p["name"]: p for p in listed}
    assert by_name["rec"]["state"] == "on"
    assert by_name["broken"]["state"] == "error"
    assert "NameError: name 'undefined_name' is not defined" in by_name["broken"]["error"]
    assert "turned off after 2 failures" in by_name["raiser"]["why_off"]
    assert "RuntimeError: boom from w" in by_name["raiser"]["last_error"]
    assert "timed out" in by_name["hanger"]["last_error"]
    assert by_name["hanger"]["stuck_threads"] >= 1
    assert by_name["slowimport"]["error"] == "importing it did not finish: still running after 0.3s"
    # The log's traceback starts in the plugin, not in wezmp's thread plumbing.
    raised = caplog.text[caplog.text.index("plugin raiser: hook"):]
    assert raised.splitlines()[1:3] == [
        "Traceback (most recent call last):",
        f'  File "{wezmp_env.plugins_dir / "raiser.py"}", line 6, in wezmp_workspace_created',
    ]
    doctor = await engine.invoke("plugin.doctor")
    broken = next(p for p in doctor["plugins"] if p["name"] == "broken")
    assert "broken.py\", line 4, in helper" in broken["error"]
    seen = []
    while (e := errors.get_nowait()) is not None:
        seen.append((e.topic, (e.data or {}).get("plugin") or e.data["source"]))
    assert ("plugin.disabled", "raiser") in seen and ("plugin.disabled", "hanger") in seen
    assert "plugin broken (" in caplog.text and "cannot load" in caplog.text
    # Kept off across restarts, until enabled again.
    again = json.loads((wezmp_env.data_dir / "plugins.json").read_text())
    assert set(again["disabled"]) == {"raiser", "hanger"}
    enabled = await engine.invoke("plugin.enable", {"name": "raiser"})
    assert enabled["state"] == "on"
    assert (await engine.invoke("system.status"))["pid"] == os.getpid()


async def _states(engine: Engine, **want: str) -> list[dict[str, Any]] | None:
    listed = await engine.invoke("plugin.list")
    states = {p["name"]: p["state"] for p in listed}
    return listed if all(states.get(k) == v for k, v in want.items()) else None


async def test_a_changed_plugin_file_is_loaded_again(
    make_engine: Any, wezmp_env: Paths, short_tmp: Path
) -> None:
    wezmp_env.plugins_dir.mkdir(parents=True)
    path = wezmp_env.plugins_dir / "late.py"
    path.write_text("raise ImportError('not yet')\n")
    engine: Engine = await make_engine("local")
    svc = engine.get(PluginService)
    assert svc.plugins["late"].found.error.endswith("ImportError: not yet")
    out = short_tmp / "events.jsonl"
    recorder(wezmp_env.plugins_dir, out, name="late")
    os.utime(path, (1, 1))  # a different mtime whatever the file system's resolution
    await svc.scan()
    assert svc.plugins["late"].registered
    await engine.invoke("ws.create", {"name": "after", "cwd": str(short_tmp)})
    got = await async_wait_until(lambda: _at_least(out, 1))
    assert got[0]["workspace"] == "after"
    recorder(wezmp_env.plugins_dir, short_tmp / "other.jsonl", name="second")
    path.unlink()
    await svc.scan()
    assert sorted(n for n, p in svc.plugins.items() if p.found.source == "file") == ["second"]


async def test_disable_enable_and_palette_commands(
    make_engine: Any, wezmp_env: Paths, short_tmp: Path
) -> None:
    wezmp_env.plugins_dir.mkdir(parents=True)
    (wezmp_env.plugins_dir / "pal.py").write_text(textwrap.dedent('''
        from wezmp_tui.plugins.api import PaletteCommand, hookimpl

        HOST = []

        @hookimpl
        def wezmp_plugin_start(host):
            HOST.append(host)

        @hookimpl
        def wezmp_palette_commands():
            def run():
                ws = HOST[0].call("ws.list")
                return f"{len(ws)} workspaces"
            return [PaletteCommand("Count workspaces", run, "how many")]

        @hookimpl
        def wezmp_agent_stat(event):
            pass
    '''))
    engine: Engine = await make_engine("local")
    commands = await engine.invoke("plugin.commands")
    pal = [c for c in commands if c["plugin"] == "pal"]
    assert pal == [{"plugin": "pal", "index": 0, "title": "Count workspaces", "help": "how many"}]
    ran = await engine.invoke("plugin.run_command", {"plugin": "pal", "index": 0})
    assert ran == {"ok": True, "message": "0 workspaces"}
    listed = {p["name"]: p for p in await engine.invoke("plugin.list")}
    assert listed["pal"]["warnings"] == [
        "wezmp_agent_stat is not a wezmp hook (did you mean wezmp_agent_state?); it is never called"
    ]
    assert listed["pal"]["hooks"] == ["wezmp_palette_commands", "wezmp_plugin_start"]
    off = await engine.invoke("plugin.disable", {"name": "pal"})
    assert (off["state"], off["why_off"]) == ("off", "turned off by you")
    assert [c for c in await engine.invoke("plugin.commands") if c["plugin"] == "pal"] == []
    # Shipped plugins are found through the package's entry points, and are off by default.
    assert {"failed-task", "time-report"} <= {
        n for n, p in listed.items() if p["source"] == "package" and p["state"] == "off"
    }


async def test_a_plugin_for_a_newer_api_is_refused_with_a_reason(
    make_engine: Any, wezmp_env: Paths
) -> None:
    wezmp_env.plugins_dir.mkdir(parents=True)
    (wezmp_env.plugins_dir / "future.py").write_text("WEZMP_PLUGIN_API = 99\n")
    engine: Engine = await make_engine("local")
    listed = {p["name"]: p for p in await engine.invoke("plugin.list")}
    assert listed["future"]["error"] == (
        "RuntimeError: needs plugin API version 99; this wezmp has version 1"
    )
