"""The built-in backend: panes are PTYs owned by the process that holds this object.

Used when neither WezTerm nor tmux is around, so a new user sees the whole product work with
nothing else installed. Each pane's output feeds a pyte screen, so `get_text` returns what a
person would see (a spinner redrawn in place is one line, not a byte log), with scrollback.

Like WezTerm with its default `exit_behavior`, a pane closes when its program exits. Agents
run under `wezmp exec`, which keeps its pane open with the last output when it gives up.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import itertools
import os
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyte

from wezmp_tui.model.keys import key_bytes
from wezmp_tui.model.panes import PaneInfo, SplitDirection, ZoomMode
from wezmp_tui.mux.base import (
    ESC_GAP,
    MuxError,
    NoDomains,
    PaneNotFound,
    get_each,
    key_chunks,
    printable,
    tidy_text,
)
from wezmp_tui.mux.screen_text import ScreenText, history_rows
from wezmp_tui.mux.vt import VtStream
from wezmp_tui.procfs import FreshTable, ProcessSource, cwd_of, pids_by_tty

HISTORY = 5000
BRACKETED_PASTE = 2004 << 5  # how pyte stores private mode 2004
KILL_GRACE = 0.5


@dataclass
class LocalPane:
    pane_id: str
    window_id: str
    tab_id: str
    workspace: str
    proc: subprocess.Popen[bytes]
    master: int
    tty: str
    rows: int
    cols: int
    cwd: str
    screen: pyte.HistoryScreen = field(repr=False)
    stream: VtStream = field(repr=False)
    zoomed: bool = False
    left: int = 0  # cells from the tab's left edge
    top: int = 0
    # The screen's rows as text, rendered again only where pyte marked them dirty.
    text: ScreenText = field(default_factory=ScreenText, repr=False)
    capture: int | None = None  # descriptor the program's output is appended to
    output_at: float = 0.0  # wall-clock time of its latest output

    def feed(self, data: bytes) -> None:
        """Output of the pane's program, onto its screen."""
        self.output_at = time.time()
        self.stream.feed(data)

    def display(self) -> list[str]:
        """The visible rows, trailing blanks stripped."""
        return self.text.visible(self.screen)


class LocalMux:
    name = "local"

    def __init__(self, rows: int = 40, cols: int = 120, shell: str | None = None) -> None:
        self.rows = rows
        self.cols = cols
        self.shell = shell or os.environ.get("SHELL") or "/bin/sh"
        self.processes: ProcessSource = FreshTable()
        self.panes: dict[str, LocalPane] = {}
        self.current_workspace: str | None = None
        self._active: dict[str, str] = {}  # tab id -> active pane id
        self._active_tab: dict[str, str] = {}  # workspace -> active tab id
        self._ids = itertools.count(1)
        self._tabs = itertools.count(1)
        self._windows: dict[str, str] = {}  # workspace -> window id
        self._tab_titles: dict[str, str] = {}

    # -- helpers ------------------------------------------------------------------------

    def _pane(self, pane_id: str) -> LocalPane:
        pane = self.panes.get(pane_id)
        if pane is None:
            raise PaneNotFound(pane_id)
        return pane

    def _open(
        self,
        *,
        workspace: str,
        window_id: str,
        tab_id: str,
        cwd: str | None,
        argv: Sequence[str] | None,
        env: Mapping[str, str] | None,
        rows: int,
        cols: int,
    ) -> LocalPane:
        pane_id = str(next(self._ids))
        workdir = cwd or os.getcwd()
        proc, master, tty = self._run(pane_id, argv, workdir, env, rows, cols)
        screen = pyte.HistoryScreen(cols, rows, history=HISTORY, ratio=0.5)
        pane = LocalPane(
            pane_id=pane_id,
            window_id=window_id,
            tab_id=tab_id,
            workspace=workspace,
            proc=proc,
            master=master,
            tty=tty,
            rows=rows,
            cols=cols,
            cwd=workdir,
            screen=screen,
            stream=VtStream(screen),
        )
        self.panes[pane_id] = pane
        asyncio.get_running_loop().add_reader(master, self._on_output, pane)
        self._active[tab_id] = pane_id
        self._active_tab[workspace] = tab_id
        return pane

    def _run(
        self,
        pane_id: str,
        argv: Sequence[str] | None,
        workdir: str,
        env: Mapping[str, str] | None,
        rows: int,
        cols: int,
    ) -> tuple[subprocess.Popen[bytes], int, str]:
        """A new terminal of `rows` x `cols` with `argv` running on it: (process, master
        descriptor, tty path)."""
        master, slave = os.openpty()
        tty = os.ttyname(slave)
        _set_size(master, rows, cols)
        full_env = dict(os.environ)
        full_env.update({"TERM": "xterm-256color", "WEZMP_PANE_ID": pane_id})
        full_env.update(env or {})
        try:
            proc = subprocess.Popen(
                list(argv) if argv else [self.shell],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=workdir,
                env=full_env,
                start_new_session=True,
                preexec_fn=_take_tty,
                close_fds=True,
            )
        except OSError:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        return proc, master, tty

    def _on_output(self, pane: LocalPane) -> None:
        try:
            data = os.read(pane.master, 65536)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno not in (errno.EIO, errno.EBADF):
                raise
            data = b""
        if data:
            pane.feed(data)
            if pane.capture is not None:
                try:
                    os.write(pane.capture, data)
                except OSError:
                    self._stop_capture(pane)
            return
        # EOF/EIO: the program exited and closed the terminal; the pane closes with it.
        self._close(pane)

    def _close(self, pane: LocalPane) -> None:
        if self.panes.pop(pane.pane_id, None) is None:
            return
        self._stop_capture(pane)
        loop = asyncio.get_running_loop()
        loop.remove_reader(pane.master)
        with contextlib.suppress(OSError):
            os.close(pane.master)
        if self._active.get(pane.tab_id) == pane.pane_id:
            rest = [p.pane_id for p in self.panes.values() if p.tab_id == pane.tab_id]
            if rest:
                self._active[pane.tab_id] = rest[0]
            else:
                self._active.pop(pane.tab_id, None)
        if not any(p.workspace == pane.workspace for p in self.panes.values()):
            self._windows.pop(pane.workspace, None)
        # Reap without blocking the loop.
        if pane.proc.poll() is None:
            loop.run_in_executor(None, pane.proc.wait)

    @staticmethod
    def _stop_capture(pane: LocalPane) -> None:
        if pane.capture is not None:
            with contextlib.suppress(OSError):
                os.close(pane.capture)
            pane.capture = None

    async def capture_output(self, pane_id: str, path: Path | None) -> None:
        """Append what the pane's program writes to `path` from now on (None: stop)."""
        pane = self._pane(pane_id)
        self._stop_capture(pane)
        if path is not None:
            pane.capture = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    # -- the contract -------------------------------------------------------------------

    async def list_panes(self) -> list[PaneInfo]:
        panes = list(self.panes.values())
        ttys = await pids_by_tty([p.tty for p in panes], self.processes)
        out = []
        for p in panes:
            pids = ttys.get(p.tty, ())
            fg = _foreground(p.master)
            cwd = cwd_of(fg) if fg else ""
            if not cwd and pids:
                cwd = cwd_of(pids[0])
            is_active = (
                self._active.get(p.tab_id) == p.pane_id
                and self._active_tab.get(p.workspace) == p.tab_id
            )
            out.append(
                PaneInfo(
                    pane_id=p.pane_id,
                    window_id=p.window_id,
                    tab_id=p.tab_id,
                    workspace=p.workspace,
                    title=p.screen.title or _basename(p.proc.args),
                    cwd=cwd or p.cwd,
                    tty=p.tty,
                    rows=p.rows,
                    cols=p.cols,
                    left=p.left,
                    top=p.top,
                    is_active=is_active,
                    is_zoomed=p.zoomed,
                    tab_title=self._tab_titles.get(p.tab_id, ""),
                    pids=pids,
                )
            )
        return out

    async def spawn(
        self,
        *,
        workspace: str,
        cwd: str | None = None,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        domain: str | None = None,
    ) -> str:
        if domain:
            raise NoDomains(self.name, domain)
        window = self._windows.setdefault(workspace, str(len(self._windows) + 1))
        tab = str(next(self._tabs))
        pane = self._open(
            workspace=workspace,
            window_id=window,
            tab_id=tab,
            cwd=cwd,
            argv=argv,
            env=env,
            rows=self.rows,
            cols=self.cols,
        )
        if self.current_workspace is None:
            self.current_workspace = workspace
        return pane.pane_id

    async def split(
        self,
        pane_id: str,
        *,
        direction: SplitDirection = "right",
        percent: int | None = None,
        cells: int | None = None,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        top_level: bool = False,
    ) -> str:
        parent = self._pane(pane_id)
        horizontal = direction in ("left", "right")
        total = parent.cols if horizontal else parent.rows
        size = cells if cells is not None else total * (percent or 50) // 100
        size = max(1, min(size, total - 2))
        rest = total - size - 1  # one cell for the divider, as terminals draw it
        rows, cols = (parent.rows, size) if horizontal else (size, parent.cols)
        # The new pane takes the `direction` side of the parent's place; the parent keeps
        # the rest, moving over when the new one goes left or on top.
        left, top = parent.left, parent.top
        moved = {"right": (0, 0), "bottom": (0, 0), "left": (size + 1, 0), "top": (0, size + 1)}
        if direction == "right":
            left += rest + 1
        elif direction == "bottom":
            top += rest + 1
        new = self._open(
            workspace=parent.workspace,
            window_id=parent.window_id,
            tab_id=parent.tab_id,
            cwd=cwd or parent.cwd,
            argv=argv,
            env=env,
            rows=rows,
            cols=cols,
        )
        new.left, new.top = left, top
        parent.left += moved[direction][0]
        parent.top += moved[direction][1]
        if horizontal:
            self.resize(parent.pane_id, parent.rows, max(rest, 1))
        else:
            self.resize(parent.pane_id, max(rest, 1), parent.cols)
        return new.pane_id

    async def respawn(
        self,
        pane_id: str,
        *,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        pane = self._pane(pane_id)
        loop = asyncio.get_running_loop()
        # Stop reading first: the old program's end must not close the pane.
        loop.remove_reader(pane.master)
        with contextlib.suppress(OSError):
            os.close(pane.master)
        await _terminate(pane.proc)
        workdir = cwd or pane.cwd
        try:
            proc, master, tty = self._run(pane_id, argv, workdir, env, pane.rows, pane.cols)
        except OSError:
            self._close(pane)
            raise
        pane.proc, pane.master, pane.tty, pane.cwd = proc, master, tty, workdir
        pane.screen.reset()  # a fresh terminal, as a new pane would have
        pane.stream = VtStream(pane.screen)
        pane.text.clear()
        pane.output_at = time.time()  # its screen changed as output would change it
        loop.add_reader(master, self._on_output, pane)
        return pane_id

    async def send_text(
        self, pane_id: str, text: str, *, paste: bool = True, enter: bool = False
    ) -> None:
        pane = self._pane(pane_id)
        data = text.encode()
        if paste and text and BRACKETED_PASTE in pane.screen.mode:
            data = b"\x1b[200~" + data + b"\x1b[201~"
        if enter:
            data += b"\r"
        await self.write(pane_id, data)

    async def send_keys(self, pane_id: str, keys: Sequence[str]) -> None:
        pane = self._pane(pane_id)
        for i, chunk in enumerate(key_chunks(keys)):
            if i:
                await asyncio.sleep(ESC_GAP)
            # Cursor keys as the program asked for them (DECCKM, private mode 1).
            app = (1 << 5) in pane.screen.mode
            await self.write(pane_id, "".join(key_bytes(k, app_cursor=app) for k in chunk).encode())

    async def write(self, pane_id: str, data: bytes) -> None:
        """Raw bytes to the pane's program (what a person typing would send)."""
        pane = self._pane(pane_id)
        view = memoryview(data)
        while view:
            try:
                n = os.write(pane.master, view)
            except BlockingIOError:
                await asyncio.sleep(0.005)
                continue
            except OSError:
                raise PaneNotFound(pane_id) from None
            view = view[n:]

    def resize(self, pane_id: str, rows: int, cols: int) -> None:
        pane = self._pane(pane_id)
        pane.rows, pane.cols = rows, cols
        pane.screen.resize(rows, cols)
        pane.output_at = time.time()
        _set_size(pane.master, rows, cols)

    async def get_text(self, pane_id: str, *, lines: int | None = None) -> str:
        pane = self._pane(pane_id)
        rows = pane.display()
        if lines is not None and lines > len(rows) - 1:
            # The screen's last rows are often blank (the cursor sits below the output), so
            # take scrollback generously and cut after trimming.
            rows = history_rows(pane.screen, lines) + rows
        return tidy_text("\n".join(rows), lines)

    async def get_texts(
        self, pane_ids: Sequence[str], *, lines: int | None = None
    ) -> dict[str, str | MuxError]:
        return await get_each(self, pane_ids, lines)

    async def output_times(self) -> dict[str, float]:
        return {p.pane_id: p.output_at for p in self.panes.values()}

    async def activate_pane(self, pane_id: str) -> None:
        pane = self._pane(pane_id)
        self._active[pane.tab_id] = pane_id
        self._active_tab[pane.workspace] = pane.tab_id
        self.current_workspace = pane.workspace

    async def kill_pane(self, pane_id: str) -> None:
        pane = self._pane(pane_id)
        proc = pane.proc
        self._close(pane)
        await _terminate(proc)

    async def set_tab_title(self, pane_id: str, title: str) -> None:
        self._tab_titles[self._pane(pane_id).tab_id] = title

    async def set_pane_title(self, pane_id: str, title: str) -> None:
        # As the title escape would: the program may set another one later.
        self._pane(pane_id).screen.title = printable(title)

    async def rename_workspace(self, old: str, new: str) -> None:
        panes = [p for p in self.panes.values() if p.workspace == old]
        if not panes:
            raise PaneNotFound(old, f"no workspace named {old}")
        for p in panes:
            p.workspace = new
        if old in self._windows:
            self._windows[new] = self._windows.pop(old)
        if old in self._active_tab:
            self._active_tab[new] = self._active_tab.pop(old)
        if self.current_workspace == old:
            self.current_workspace = new

    async def zoom_pane(self, pane_id: str, mode: ZoomMode = "zoom") -> None:
        pane = self._pane(pane_id)
        want = {"zoom": True, "unzoom": False, "toggle": not pane.zoomed}[mode]
        for p in self.panes.values():
            if p.tab_id == pane.tab_id:
                p.zoomed = False
        pane.zoomed = want
        if want:
            self._active[pane.tab_id] = pane_id

    async def switch_workspace(self, name: str) -> None:
        if not any(p.workspace == name for p in self.panes.values()):
            raise PaneNotFound(name, f"no workspace named {name}")
        self.current_workspace = name

    async def close(self) -> None:
        panes = list(self.panes.values())
        for pane in panes:
            self._close(pane)
        await asyncio.gather(*(_terminate(p.proc) for p in panes))


def _take_tty() -> None:
    # Runs in the child after setsid(): make the pty (our stdin) the controlling terminal, so
    # job control, Ctrl-C and SIGWINCH reach the program as in any terminal.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _set_size(fd: int, rows: int, cols: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _foreground(master: int) -> int | None:
    try:
        pgid = os.tcgetpgrp(master)
    except OSError:
        return None
    return pgid if pgid > 0 else None


def _basename(args: object) -> str:
    first = args[0] if isinstance(args, list | tuple) and args else args
    return os.path.basename(str(first))


async def _terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGHUP the pane's session (as closing a terminal does), SIGKILL after a grace period."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGHUP)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + KILL_GRACE
    while proc.poll() is None and loop.time() < deadline:
        await asyncio.sleep(0.01)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        await loop.run_in_executor(None, proc.wait)
