"""Agents' output kept per run: `agent.output` reads it for `wezmp agent logs` and the TUI.

Where the backend can (tmux, built-in), everything a run writes is appended to its file as it
is written, by the multiplexer itself: nothing passes through `wezmp exec`, whose startup and
CPU stay as they are. Where it cannot (WezTerm has no pipe for a pane's output), the pane's
scrollback is kept when the run ends, and a running agent's screen is read live.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.api import api
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.logs.agent_output import HALF, KEEP_RUNS, readable, run_file, runs
from wezmp_tui.model.events import Event
from wezmp_tui.mux.base import MuxError, OutputCapture

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

log = logging.getLogger("wezmp.output")

TRIM_EVERY = 2.0  # seconds between size checks of the files being written
SCROLLBACK = 5000  # lines kept from a pane whose output the backend cannot follow
READ_MAX = 256 * 1024


class AgentOutputService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.active: dict[str, tuple[int, str]] = {}  # agent -> (run, pane id) being written
        self.dropped: dict[tuple[str, int], int] = {}  # bytes turned over out of a run's file
        # The file each active run is written to, and the runs whose older half is still to
        # be cut: the check every two seconds is one `stat` per agent, not four Path objects,
        # two stats and a raised FileNotFoundError (with 256 agents, a tenth of the daemon).
        self._files: dict[str, str] = {}
        self._uncut: set[tuple[str, int]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        engine.bus.listen(["agent.exited", "agent.failed"], self._on_event)
        engine.get(Supervisor).run_hooks.append(self._run_started)

    @property
    def capturing(self) -> bool:
        return isinstance(self.engine.mux, OutputCapture)

    async def start(self) -> None:
        # After a daemon restart the runs that go on are written to again.
        sup = self.engine.get(Supervisor)
        for agent in list(sup.agents.values()):
            run, pane = agent.run_id, agent.info.pane_id
            if run is not None and pane is not None:
                await self.begin(agent.name, run, pane)
        self.engine.every("agent-output", lambda: TRIM_EVERY, self.trim)

    async def stop(self) -> None:
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    async def _run_started(self, name: str, run: int, pane: str | None) -> None:
        # Awaited before the wrapper is answered, and so before the agent runs: its first
        # words are kept.
        if pane is not None:
            await self.begin(name, run, pane)

    def _on_event(self, event: Event) -> None:
        name = str((event.data or {}).get("agent", ""))
        if name not in self.active:
            return
        # Taken now: its next run may begin before the task below runs.
        run, pane = self.active.pop(name)
        self._files.pop(name, None)
        task = asyncio.get_running_loop().create_task(self.end(name, run, pane))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def path(self, name: str, run: int) -> Path:
        return run_file(self.engine.paths.state_dir, name, run)

    async def begin(self, name: str, run: int, pane: str) -> None:
        """Run `run` of `name` started in `pane`: its output goes to its own file."""
        self.active[name] = (run, pane)
        path = self.path(name, run)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        self._files[name] = str(path)
        if path.with_suffix(".log.1").exists():  # turned over before a daemon restart
            self._uncut.add((name, run))
        await self._capture(pane, path)
        for old in runs(self.engine.paths.state_dir, name)[:-KEEP_RUNS]:
            for p in (self.path(name, old), self.path(name, old).with_suffix(".log.1")):
                p.unlink(missing_ok=True)

    async def _capture(self, pane: str, path: Path) -> None:
        mux = self.engine.mux
        if isinstance(mux, OutputCapture):
            try:
                await mux.capture_output(pane, path)
            except MuxError as exc:
                log.warning("cannot keep the output of pane %s: %s", pane, exc)

    async def end(self, name: str, run: int, pane: str) -> None:
        """The run ended. Where nothing was written as it ran, its scrollback is kept now."""
        if self.capturing:
            return  # its wrapper's last words still go to this run's file
        try:
            text = await self.engine.mux.get_text(pane, lines=SCROLLBACK)
        except MuxError as exc:
            log.warning("cannot keep the output of %s: %s", name, exc)
            return
        self.path(name, run).write_text(text, encoding="utf-8")

    async def trim(self) -> None:
        """A file past `HALF` bytes becomes the run's older half; writing starts anew."""
        for name, (run, pane) in list(self.active.items()):
            file = self._files[name]
            if (name, run) in self._uncut:
                self._uncut.discard((name, run))
                self._cut(name, run, Path(file).with_suffix(".log.1"))
            try:
                if os.stat(file).st_size <= HALF:
                    continue
            except FileNotFoundError:
                continue
            path = Path(file)
            older = path.with_suffix(".log.1")
            with contextlib.suppress(FileNotFoundError):
                self.dropped[name, run] = self.dropped.get((name, run), 0) + older.stat().st_size
            os.replace(path, older)
            self._uncut.add((name, run))  # cut at the next check, once nothing writes to it
            # Bytes written meanwhile still land in the renamed file: nothing is lost.
            await self._capture(pane, path)

    def _cut(self, name: str, run: int, older: Path) -> None:
        """The older half to its last `HALF` bytes (it grew by up to a check's interval of
        output before it was turned over). Done a check later, when nothing writes to it."""
        try:
            size = older.stat().st_size
        except FileNotFoundError:
            return
        if size <= HALF:
            return
        with older.open("rb") as f:
            f.seek(size - HALF)
            tail = f.read()
        tmp = older.with_suffix(".tmp")
        tmp.write_bytes(tail)
        os.replace(tmp, older)
        self.dropped[name, run] = self.dropped.get((name, run), 0) + size - len(tail)

    @api("agent.output")
    async def output(
        self, name: str, run: int | None = None, offset: int = 0, max_bytes: int = READ_MAX
    ) -> dict[str, Any]:
        """What an agent printed in one run (its latest by default), from `offset` on: the
        text, the offset to ask from next, the runs kept, and whether the run goes on.
        A running agent on a backend that cannot follow output also gives its `screen`."""
        kept = runs(self.engine.paths.state_dir, name)
        sup = self.engine.get(Supervisor)
        if not kept:
            sup.get(name)  # an unknown agent is an error; a known one has printed nothing yet
        current = self.active.get(name)
        if run is None:
            run = kept[-1] if kept else None
        elif run not in kept:
            raise_unknown_run(name, run, kept)
        live = current is not None and current[0] == run
        result: dict[str, Any] = {"agent": name, "run": run, "runs": kept, "live": live,
                                  "offset": offset, "start": offset, "text": "",
                                  "screen": None}  # fmt: skip
        if run is None:
            return result
        data, start, end = self._read(name, run, offset, max_bytes)
        if live and b"\n" in data and start + len(data) == end:
            data = data[: data.rindex(b"\n") + 1]  # a line being written comes whole, later
        result.update(start=start, offset=start + len(data), text=readable(data))
        if live and current is not None and not self.capturing and offset == 0:
            with contextlib.suppress(MuxError):
                result["screen"] = await self.engine.mux.get_text(current[1], lines=SCROLLBACK)
        return result

    def _read(self, name: str, run: int, offset: int, limit: int) -> tuple[bytes, int, int]:
        """(bytes, their logical start, the logical end) of run `run` from `offset`."""
        path = self.path(name, run)
        parts = [p for p in (path.with_suffix(".log.1"), path) if p.exists()]
        base = self.dropped.get((name, run), 0)
        sizes = [p.stat().st_size for p in parts]
        end = base + sum(sizes)
        if not base <= offset <= end:
            offset = base  # turned over past it, or a file begun anew: from what is kept
        out = b""
        pos = base
        for p, size in zip(parts, sizes, strict=True):
            if offset < pos + size and len(out) < limit:
                with p.open("rb") as f:
                    f.seek(max(offset - pos, 0))
                    out += f.read(min(size - max(offset - pos, 0), limit - len(out)))
            pos += size
        return out, offset, end


def raise_unknown_run(name: str, run: int, kept: list[int]) -> None:
    from wezmp_tui.errors import NotFound

    have = ", ".join(map(str, kept)) or "none"
    raise NotFound(f"{name} has no kept output of run {run} (runs kept: {have})")
