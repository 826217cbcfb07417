"""Event actions (`actions:` in the config): on an event, run a command, without writing a
plugin.

The command is the config's argv list as written (nothing from the event is ever put into it
or through a shell); the event reaches it as JSON on stdin and in a few `WEZMP_*`
variables. It runs with a time limit (then it is killed with its process group), and what it
prints goes to the daemon's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.event_feed import EventFeed
from wezmp_tui.model import plugin_events as pe

if TYPE_CHECKING:
    from wezmp_tui.config.schema import Action
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.actions")

OUTPUT_LIMIT = 64 * 1024  # bytes of an action's output kept for the log


def action_env(name: str, record: pe.PluginEvent) -> dict[str, str]:
    env = {"WEZMP_EVENT": name}
    for var, field in (("WEZMP_AGENT", "agent"), ("WEZMP_TASK_ID", "task_id"),
                       ("WEZMP_WORKSPACE", "workspace"), ("WEZMP_STATE", "state")):  # fmt: skip
        value = getattr(record, field, None)
        if value is not None and value != "":
            env[var] = str(value)
    return env


class ActionService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.runs: list[dict[str, Any]] = []  # the last few, for tests and `wezmp doctor`
        self._last: dict[tuple[int, str], float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        engine.get(EventFeed).add(self._on_record)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _actions(self) -> list[Action]:
        return list(self.engine.config.actions)

    def _on_record(self, record: pe.PluginEvent) -> None:
        names = pe.event_names(record)
        for index, action in enumerate(self._actions()):
            if action.event not in names:
                continue
            agent = getattr(record, "agent", None)
            if action.agents and agent not in action.agents:
                continue
            key = (index, record.subject)
            now = self.engine.clock.monotonic()
            last = self._last.get(key)
            if last is not None and now - last < action.quiet_seconds:
                log.debug("action %d (%s): quiet period", index, action.event)
                continue
            self._last[key] = now
            task = asyncio.create_task(self.run(index, action, action.event, record))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def run(self, index: int, action: Action, name: str, record: pe.PluginEvent) -> None:
        label = f"action {index} ({name}: {action.run[0]})"
        env = {**os.environ, **action_env(name, record)}
        stdin = json.dumps(pe.as_json(record)).encode()
        started = self.engine.clock.now()
        try:
            proc = await asyncio.create_subprocess_exec(
                *action.run,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
                cwd=os.path.expanduser(action.cwd) if action.cwd else None,
                start_new_session=True,  # its own group: a timeout kills all it started
            )
        except OSError as exc:
            log.error("%s: cannot run it: %s", label, exc)
            self._done(index, name, record, None, f"cannot run: {exc}", started)
            return
        try:
            out, _ = await asyncio.wait_for(proc.communicate(stdin), action.timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            log.error("%s: killed after %gs", label, action.timeout)
            self._done(index, name, record, None, "timed out", started)
            return
        text = out[-OUTPUT_LIMIT:].decode(errors="replace").rstrip()
        level = logging.INFO if proc.returncode == 0 else logging.ERROR
        log.log(level, "%s: exit %s%s", label, proc.returncode, f"\n{text}" if text else "")
        self._done(index, name, record, proc.returncode, text, started)

    def _done(
        self, index: int, name: str, record: pe.PluginEvent, code: int | None, output: str,
        started: float,
    ) -> None:  # fmt: skip
        entry = {"action": index, "event": name, "subject": record.subject, "code": code,
                 "output": output, "started": started}  # fmt: skip
        self.runs = [*self.runs[-19:], entry]
