"""Notifications from the daemon: once per transition, quickly, not in the quiet period, on
the channels the config asks for; the old on_waiting/on_failed switches still honoured."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import async_wait_until
from wezmp_tui.clock import FakeClock
from wezmp_tui.config.schema import Config, Notifications, NotifyChannels
from wezmp_tui.engine.desktop import detect
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.notify import NotifyService
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor

WAITING = {"event": "Notification", "payload": {"notification_type": "permission_prompt",
                                               "message": "Claude needs your permission"}}
WORKING = {"event": "UserPromptSubmit", "payload": {}}


async def setup(make_engine: Any, config: Config | None = None) -> tuple[Engine, FakeClock]:
    clock = FakeClock()
    engine = await make_engine("local", config=config or Config(), clock=clock)
    await engine.invoke("agent.define", {"spec": {"name": "a", "kind": "claude", "workspace": "w"}})
    pane = await engine.mux.spawn(workspace="w", argv=["sleep", "60"])
    await engine.get(PaneService).refresh()
    info = engine.get(Supervisor).agents["a"].info
    info.pane_id, info.pid, info.state = pane, 1, "working"
    return engine, clock


async def hook(engine: Engine, what: dict[str, Any]) -> None:
    await engine.invoke("hook.event", {**what, "agent": "a"})


def notices(engine: Engine) -> list[dict[str, Any]]:
    path = engine.paths.status_file
    return list(json.loads(path.read_text())["notices"]) if path.exists() else []


async def test_waiting_notifies_once_per_transition_and_not_in_the_quiet_period(
    make_engine: Any,
) -> None:
    engine, clock = await setup(make_engine)
    svc = engine.get(NotifyService)
    await hook(engine, WAITING)
    got = await async_wait_until(_notices(engine, 1))
    assert got[0]["title"] == "a is waiting for you in w"
    assert got[0]["body"] == "hook Notification (permission_prompt): Claude needs your permission"
    assert got[0]["pane_id"] == engine.get(Supervisor).agents["a"].info.pane_id
    # Rung in the agent's own pane (desktop depends on this machine's session bus).
    assert {"toast", "bell"} <= set(svc.sent[-1]["channels"])
    # The same state again (only its reason changed) is no transition: nothing sent.
    await hook(engine, {**WAITING, "payload": {"notification_type": "permission_prompt",
                                               "message": "still"}})  # fmt: skip
    # Flapping within the quiet period: not sent again.
    clock.advance(5)
    await hook(engine, WORKING)
    await hook(engine, WAITING)
    await async_wait_until(lambda: _true(svc.suppressed == 1))
    assert len(svc.sent) == 1
    # After it, the next transition is sent.
    clock.advance(60)
    await hook(engine, WORKING)
    await hook(engine, WAITING)
    await async_wait_until(_notices(engine, 2))
    assert len(svc.sent) == 2


def _notices(engine: Engine, n: int) -> Any:
    async def check() -> list[dict[str, Any]] | None:
        got = notices(engine)
        return got if len(got) >= n else None

    return check


async def _true(value: bool) -> bool:
    return value


async def test_old_switches_are_honoured_with_a_note(make_engine: Any) -> None:
    config = Config(notifications=Notifications(on_waiting=False))
    engine, _ = await setup(make_engine, config)
    await hook(engine, WAITING)
    status = await engine.invoke("notify.status")
    assert "agent.waiting" not in status["events"] and "agent.failed" in status["events"]
    assert status["notes"] == [
        "notifications.on_waiting is an older spelling of notifications.events: write "
        "`events: {agent.waiting: false}` instead (honoured as is)"
    ]
    await engine.invoke("task.add", {"title": "something to wait for"})
    await async_wait_until(lambda: _true(engine.get(NotifyService).sent == []))
    assert notices(engine) == []


async def test_channels_per_event_and_false_turns_one_off(make_engine: Any) -> None:
    config = Config(notifications=Notifications(
        events={"agent.waiting": False, "task.created": NotifyChannels(bell=False,
                                                                        desktop=False)}
    ))  # fmt: skip
    engine, _ = await setup(make_engine, config)
    await hook(engine, WAITING)
    await engine.invoke("task.add", {"title": "new card"})
    got = await async_wait_until(_notices(engine, 1))
    assert [(n["title"], n["body"]) for n in got] == [("task #1 added", "new card")]
    assert engine.get(NotifyService).sent[-1]["channels"] == ["toast"]


@pytest.fixture
def fake_notify_send(short_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `notify-send` that records its argv (the one fake here: no notification service
    can be started on a bare machine), on a session bus address of its own."""
    import sys

    calls = short_tmp / "notify-send.calls"
    bin_dir = short_tmp / "nbin"
    bin_dir.mkdir()
    exe = bin_dir / "notify-send"
    record = f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    exe.write_text(f"#!{sys.executable}\nimport json, sys\n{record}")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={short_tmp}/no-bus")
    return calls


async def test_desktop_notification_through_notify_send(
    make_engine: Any, fake_notify_send: Path
) -> None:
    engine, _ = await setup(make_engine)
    assert engine.get(NotifyService).desktop.sender == "notify-send"
    await hook(engine, WAITING)
    await async_wait_until(lambda: _true(fake_notify_send.exists()))
    argv = json.loads(fake_notify_send.read_text().splitlines()[0])
    assert argv[:3] == ["--app-name=wezmp", "--", "a is waiting for you in w"]
    assert argv[3].endswith("Claude needs your permission")


def test_detect_says_why_there_is_no_desktop_notification(short_tmp: Path) -> None:
    assert detect({"PATH": str(short_tmp)}).reason == "neither notify-send nor gdbus is installed"
    no_bus = detect({"PATH": os.environ["PATH"]})
    if no_bus.sender is None:
        assert "session bus" in no_bus.reason or "installed" in no_bus.reason


def test_a_real_session_bus_without_a_notification_service(short_tmp: Path) -> None:
    import shutil

    if not (shutil.which("dbus-daemon") and shutil.which("gdbus")):
        pytest.skip("dbus-daemon or gdbus is not installed: the real-bus test skips")
    proc = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1",
         f"--address=unix:path={short_tmp}/bus"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        found = detect({"PATH": os.environ["PATH"], "DBUS_SESSION_BUS_ADDRESS": address})
        assert (found.sender, found.reason) == (None, "no notification service on the session bus")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
