"""Notifications sent by the daemon, so they reach a person while the control center is
closed: a WezTerm toast (through the status file the Lua module already reads: no process per
tick), a desktop notification where a notification service runs, and the terminal bell in
the agent's own pane.

Which events notify, and on which channels, is `notifications.events` in the config; the same
event about the same agent within `notifications.quiet_seconds` is not sent again, so an
agent flapping between working and waiting does not spam.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.api import api
from wezmp_tui.engine.desktop import TIMEOUT, Desktop, detect
from wezmp_tui.engine.event_feed import EventFeed
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.status_file import StatusFileService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.model import plugin_events as pe

if TYPE_CHECKING:
    from wezmp_tui.config.schema import NotifyChannels
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.notify")

OLD_SWITCHES = {"on_waiting": "agent.waiting", "on_failed": "agent.failed"}


def describe(record: pe.PluginEvent) -> tuple[str, str]:
    """(title, body) a person reads."""
    if isinstance(record, pe.AgentStateChanged):
        where = f" in {record.workspace}" if record.workspace else ""
        verb = {"waiting": "is waiting for you", "failed": "failed"}.get(
            record.state, f"is {record.state}"
        )
        return f"{record.agent} {verb}{where}", record.reason
    if isinstance(record, pe.RunExited):
        how = f"signal {record.signal}" if record.signal else f"exit {record.code}"
        return f"{record.agent} exited ({record.reason or how})", ""
    if isinstance(record, pe.RunStarted):
        return f"{record.agent} started", record.workspace
    if isinstance(record, pe.TaskCreated | pe.TaskMoved | pe.TaskDone):
        what = {pe.TaskCreated: "added", pe.TaskMoved: "moved", pe.TaskDone: "done"}[
            type(record)
        ]
        return f"task #{record.task_id} {what}", record.title
    if isinstance(record, pe.PluginDisabled):
        return f"plugin {record.plugin} turned off", record.reason
    name = pe.EVENT_NAMES[type(record)]
    return name, record.subject


class NotifyService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.supervisor = engine.get(Supervisor)
        self.panes = engine.get(PaneService)
        self.status_file = engine.get(StatusFileService)
        self.desktop = Desktop(None, "not looked for yet")
        self.sent: list[dict[str, Any]] = []  # the last few, for `notify.status` and tests
        self.suppressed = 0
        self.notes: list[str] = []
        self._last: dict[tuple[str, str], float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._noted = ""
        engine.get(EventFeed).add(self._on_record)

    async def start(self) -> None:
        self.desktop = await asyncio.to_thread(detect, dict(os.environ))
        log.info("desktop notifications: %s", self.desktop.reason)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    # -- config --------------------------------------------------------------------------

    def rules(self) -> dict[str, NotifyChannels]:
        """Event name -> channels in force: the defaults, `events` over them, then the old
        switches where they are written (they are explicit; `events` may be defaults)."""
        from wezmp_tui.config.schema import Notifications, NotifyChannels

        cfg = self.engine.config.notifications
        merged: dict[str, NotifyChannels | bool] = dict(Notifications().events)
        merged.update(cfg.events)
        notes = []
        for old, name in OLD_SWITCHES.items():
            value = getattr(cfg, old, None)
            if value is not None:
                merged[name] = value
                notes.append(
                    f"notifications.{old} is an older spelling of notifications.events: "
                    f"write `events: {{{name}: {str(value).lower()}}}` instead (honoured as is)"
                )
        self._note(notes)
        out = {}
        for name, value in merged.items():
            if value is True:
                out[name] = NotifyChannels()
            elif value is not False:
                out[name] = value
        return out

    def _note(self, notes: list[str]) -> None:
        text = "\n".join(notes)
        if text and text != self._noted:
            for note in notes:
                log.warning("config: %s", note)
        self._noted = text
        self.notes = notes

    @property
    def quiet_seconds(self) -> float:
        return self.engine.config.notifications.quiet_seconds

    # -- sending -------------------------------------------------------------------------

    def _on_record(self, record: pe.PluginEvent) -> None:
        rules = self.rules()
        for name in pe.event_names(record):
            channels = rules.get(name)
            if channels is None:
                continue
            key = (name, record.subject)
            now = self.engine.clock.monotonic()
            last = self._last.get(key)
            if last is not None and now - last < self.quiet_seconds:
                self.suppressed += 1
                log.debug("notification %s for %s: quiet period", name, record.subject)
                continue
            self._last[key] = now
            self._send(name, record, channels)

    def _send(self, name: str, record: pe.PluginEvent, channels: NotifyChannels) -> None:
        title, body = describe(record)
        agent = getattr(record, "agent", None)
        used = []
        if channels.toast:
            self._toast(title, body, agent)
            used.append("toast")
        desktop = channels.desktop
        if desktop == "auto":
            desktop = self.engine.mux.name != "wezterm"
        if desktop and self.desktop.sender is not None:
            self._spawn(self._desktop(title, body))
            used.append("desktop")
        if channels.bell and agent and self._bell(agent):
            used.append("bell")
        entry = {"event": name, "subject": record.subject, "title": title, "body": body,
                 "channels": used, "ts": self.engine.clock.now()}  # fmt: skip
        self.sent = [*self.sent[-19:], entry]
        log.info("notified %s (%s): %s", name, ", ".join(used) or "no channel", title)

    def _toast(self, title: str, body: str, agent: str | None) -> None:
        self.status_file.notice(title, body, self._pane_of(agent) if agent else None)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _desktop(self, title: str, body: str) -> None:
        argv = self.desktop.argv(title, body)
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            log.warning("desktop notification: cannot run %s: %s", argv[0], exc)
            return
        try:
            _, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            log.warning("desktop notification: %s took over %gs", argv[0], TIMEOUT)
            return
        if proc.returncode != 0:
            log.warning("desktop notification: %s failed: %s", argv[0],
                        err.decode(errors="replace").strip())  # fmt: skip

    def _pane_of(self, agent: str) -> str | None:
        known = self.supervisor.agents.get(agent)
        return known.info.pane_id if known is not None else None

    def _bell(self, agent: str) -> bool:
        """BEL written to the agent's pane as output (never input: the agent reads nothing),
        so the terminal marks that very pane and tab."""
        pane = self.panes.by_id.get(self._pane_of(agent) or "")
        if pane is None or not pane.tty:
            return False
        try:
            fd = os.open(pane.tty, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            log.debug("bell for %s: %s", agent, exc)
            return False
        try:
            os.write(fd, b"\a")
        except OSError:
            return False
        finally:
            os.close(fd)
        return True

    @api("notify.status")
    async def status(self) -> dict[str, Any]:
        """Which events notify on which channels, whether desktop notifications can be sent
        here, the last ones sent, and notes about the config."""
        return {
            "events": {k: v for k, v in sorted(self.rules().items())},
            "quiet_seconds": self.quiet_seconds,
            "desktop": {
                "available": self.desktop.sender is not None,
                "reason": self.desktop.reason,
            },
            "sent": self.sent,
            "suppressed": self.suppressed,
            "notes": self.notes,
        }
