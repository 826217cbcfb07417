"""Reading the process table and single processes from /proc (psutil where there is none).

Stateless: who keeps a table and how often it is read is the engine's `ProcessTable` service;
a backend used alone reads a fresh table each time (`FreshTable`). Which processes run on a
pane's terminal (`PaneInfo.pids`, filled by every backend) comes from one table per call,
not one scan per pane: with 64 panes that is one pass instead of 64.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from typing import NamedTuple, Protocol


class ProcStat(NamedTuple):
    """The fields of /proc/PID/stat wezmp uses."""

    ppid: int
    tty: int  # device number of the controlling terminal (0: none)
    start: float  # start time in clock ticks since boot: tells a reused pid apart
    cpu: int  # user + system time in clock ticks
    rss: int  # resident pages


def _read(path: str) -> bytes | None:
    """A small /proc file whole, or None. `os.open`/`os.read` rather than `open()`: the
    table reads one file per process every tick, and the buffered file objects cost a
    third of that."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)


def _stat(pid: int) -> ProcStat | None:
    raw = _read(f"/proc/{pid}/stat")
    return None if raw is None else _parse_stat(raw)


def _parse_stat(raw: bytes) -> ProcStat | None:
    # The command name may hold spaces and parentheses: split after the last ')'.
    fields = raw[raw.rfind(b")") + 2 :].split()
    try:
        return ProcStat(
            ppid=int(fields[1]),
            tty=int(fields[4]),
            start=float(fields[19]),
            cpu=int(fields[11]) + int(fields[12]),
            rss=int(fields[21]),
        )
    except (IndexError, ValueError):
        return None


Table = dict[int, "ProcStat"]


class ProcessSource(Protocol):
    """Where a backend gets the process table."""

    async def table(self, max_age: float = 0.0) -> tuple[float, Table]:
        """(when it was read, on the monotonic clock; every process), read at most
        `max_age` seconds ago; the reading runs off the event loop."""
        ...

    def cached(self) -> Table:
        """The last table read (maybe {}), without reading."""
        ...


class FreshTable:
    """A table read anew at each ask (a backend outside the daemon: tests, tools)."""

    def __init__(self) -> None:
        self._last: Table = {}

    async def table(self, max_age: float = 0.0) -> tuple[float, Table]:
        import asyncio

        self._last = await asyncio.to_thread(read_table)
        return time.monotonic(), self._last

    def cached(self) -> Table:
        return self._last


def read_table() -> Table:
    """Every process, from one pass over /proc (psutil where there is none)."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return psutil_table()
    table = {}
    for name in names:
        if name.isdigit():
            st = _stat(int(name))
            if st is not None:
                table[int(name)] = st
    return table


# A sleeping process's `stat` is read again at least every this many table reads even when
# its `schedstat` says it has not run: its resident memory can shrink while it sleeps.
STAT_EVERY = 10


class _Watched:
    """One process the reader keeps open: its `stat` and `schedstat` files (fd -1: none)."""

    __slots__ = ("sched", "sched_fd", "stale", "stat", "stat_fd")

    def __init__(self, stat_fd: int, sched_fd: int, sched: bytes, stat: ProcStat | None) -> None:
        self.stat_fd, self.sched_fd, self.sched, self.stat = stat_fd, sched_fd, sched, stat
        self.stale = 0  # table reads since `stat` was read


class ProcReader:
    """The process table and write counts read again and again, as the daemon's tick does.

    Each process's /proc files stay open between reads, so a read is one `pread` instead of
    open, read and close; and its `stat` (costly for the kernel to write out) is read only
    when its `schedstat` (a third of the cost) says it has run since: most processes sleep
    between ticks. With 800 processes that is 6 ms a table instead of 24.

    An open file of /proc names one process, not a pid: once that process is reaped it reads
    ESRCH, so a pid used again is opened anew and never taken for the old process. At most
    `max_open` files are kept open (below the open-file limit, with room for everything
    else); past that, files are opened for each read as `read_table` does."""

    def __init__(self, max_open: int | None = None) -> None:
        self.max_open = _open_file_room() if max_open is None else max_open
        self._procs: dict[int, _Watched] = {}
        self._io: dict[int, int] = {}  # pid -> fd of its /proc/PID/io
        self._io_seen: set[int] = set()  # pids asked for since the last sweep
        # Files open for the table and for write counts, counted apart: the table is read
        # in a worker thread, the counts on the event loop.
        self._open = {"stat": 0, "io": 0}

    @property
    def open_files(self) -> int:
        return self._open["stat"] + self._open["io"]

    @property
    def io_files(self) -> int:
        """Files kept open for write counts."""
        return self._open["io"]

    def table(self) -> Table:
        """Every process (psutil's table where there is no /proc)."""
        try:
            names = os.listdir("/proc")
        except OSError:
            return psutil_table()
        kept, self._procs = self._procs, {}
        table: Table = {}
        for name in names:
            if not name.isdigit():
                continue
            pid = int(name)
            proc = kept.pop(pid, None)
            if proc is not None and not self._reread(proc):
                # A process reaped since: the pid, if listed, may be another's now.
                self._forget(proc)
                proc = None
            if proc is None:
                proc = self._watch(pid)
                if proc is None:
                    continue
            else:
                self._procs[pid] = proc
            if proc.stat is not None:
                table[pid] = proc.stat
        for proc in kept.values():  # gone from /proc
            self._forget(proc)
        return table

    def _reread(self, proc: _Watched) -> bool:
        """Bring `proc.stat` up to date; False when the process is gone."""
        if proc.sched_fd >= 0:
            sched = self._pread(proc.sched_fd)
            if sched is None:
                return False
            if sched == proc.sched and proc.stale < STAT_EVERY:
                proc.stale += 1
                return True  # has not run: nothing in its stat that wezmp reads has changed
            proc.sched = sched
        raw = self._pread(proc.stat_fd)
        if raw is None:
            return False
        proc.stat, proc.stale = _parse_stat(raw), 0
        return True

    def _watch(self, pid: int) -> _Watched | None:
        """A process seen for the first time (its files kept open when there is room)."""
        opened = self._open_file("stat", f"/proc/{pid}/stat")
        if opened is None:
            return None
        stat_fd, raw = opened
        sched_fd, sched = -1, b""
        if stat_fd >= 0:
            with_sched = self._open_file("stat", f"/proc/{pid}/schedstat")
            if with_sched is not None:
                sched_fd, sched = with_sched
        proc = _Watched(stat_fd, sched_fd, sched, _parse_stat(raw))
        if stat_fd >= 0:
            self._procs[pid] = proc
        return proc

    def _forget(self, proc: _Watched) -> None:
        for fd in (proc.stat_fd, proc.sched_fd):
            if fd >= 0:
                self._close("stat", fd)

    def write_counts(self, pids: Iterable[int]) -> tuple[tuple[int, int], ...] | None:
        """As `write_counts`, each process's io file kept open until `sweep` finds it no
        longer asked for."""
        counts = []
        for pid in pids:
            self._io_seen.add(pid)
            fd = self._io.get(pid)
            raw = self._pread(fd) if fd is not None else None
            if raw is None:
                if fd is not None:
                    self._close("io", self._io.pop(pid))
                opened = self._open_file("io", f"/proc/{pid}/io")
                if opened is None:
                    return None
                fd, raw = opened
                if fd >= 0:
                    self._io[pid] = fd
            count = _wchar(raw)
            if count is None:
                return None
            counts.append((pid, count))
        return tuple(counts) if counts else None

    def sweep(self) -> None:
        """Close the io files of processes not asked for since the last sweep."""
        for pid in set(self._io) - self._io_seen:
            self._close("io", self._io.pop(pid))
        self._io_seen = set()

    def close(self) -> None:
        for proc in self._procs.values():
            self._forget(proc)
        for fd in self._io.values():
            self._close("io", fd)
        self._procs, self._io = {}, {}

    def _close(self, kind: str, fd: int) -> None:
        os.close(fd)
        self._open[kind] -= 1

    def _open_file(self, kind: str, path: str) -> tuple[int, bytes] | None:
        """(fd, first read) of a /proc file; fd -1 when it was not kept open (no room)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None
        raw = self._pread(fd)
        if raw is None:
            os.close(fd)
            return None
        if self.open_files >= self.max_open:
            os.close(fd)
            return -1, raw
        self._open[kind] += 1
        return fd, raw

    @staticmethod
    def _pread(fd: int) -> bytes | None:
        try:
            return os.pread(fd, 4096, 0)
        except OSError:
            return None


def _open_file_room() -> int:
    """How many /proc files a reader may keep open: half the open-file limit (the daemon
    raises it to the hard limit at start), the other half for clients, panes and the rest."""
    try:
        import resource
    except ImportError:
        return 0
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 1 << 20 if soft == resource.RLIM_INFINITY else soft // 2


def psutil_table() -> dict[int, ProcStat]:
    """The same table where there is no /proc (macOS), through psutil: slower, and psutil
    is imported only here."""
    try:
        import psutil
    except ImportError:
        return {}
    # psutil maps a process's terminal number to a /dev path through a table it builds once
    # per process and keeps: a long-lived daemon would never see the terminals of panes made
    # after its first look. Forget that table each time.
    with contextlib.suppress(ImportError):
        from psutil import _psposix

        forget = getattr(_psposix.get_terminal_map, "cache_clear", None)
        if forget is not None:
            forget()
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    ttys: dict[str, int] = {}
    table = {}
    attrs = ["ppid", "terminal", "create_time", "cpu_times", "memory_info"]
    for proc in psutil.process_iter(attrs):
        info = proc.info
        terminal = info.get("terminal")
        if terminal and terminal not in ttys:
            try:
                ttys[terminal] = os.stat(terminal).st_rdev
            except OSError:
                ttys[terminal] = 0
        times, memory = info.get("cpu_times"), info.get("memory_info")
        table[proc.pid] = ProcStat(
            ppid=info.get("ppid") or 0,
            tty=ttys.get(terminal or "", 0),
            start=float(info.get("create_time") or 0.0),
            cpu=int((times.user + times.system) * tick) if times else 0,
            rss=memory.rss // page if memory else 0,
        )
    return table


# A pseudo-terminal's path names the same device for as long as the system runs (/dev/pts/3
# is always pts 3, reused or not): looked up once, not once per pane per tick.
_TTY_DEVICES: dict[str, int] = {}


async def pids_by_tty(ttys: Iterable[str], source: ProcessSource) -> dict[str, tuple[int, ...]]:
    """Map each tty path (e.g. /dev/pts/3) to the pids whose controlling terminal it is,
    oldest first. Ttys with no process map to (). Which processes sit on a tty is always read
    fresh: a tty is reused as soon as a pane closes."""
    ttys = list(ttys)
    wanted: dict[int, str] = {}
    for tty in ttys:
        rdev = _TTY_DEVICES.get(tty)
        if rdev is None:
            try:
                rdev = os.stat(tty).st_rdev
            except OSError:
                continue
            if tty.startswith("/dev/pts/"):
                _TTY_DEVICES[tty] = rdev
        wanted[rdev] = tty
    found: dict[str, list[tuple[float, int]]] = {t: [] for t in wanted.values()}
    if wanted:
        for pid, st in (await source.table())[1].items():
            if st.tty in wanted:
                found[wanted[st.tty]].append((st.start, pid))
    result = {t: tuple(pid for _, pid in sorted(v)) for t, v in found.items()}
    for tty in ttys:
        result.setdefault(tty, ())
    return result


def root_pid(pids: Iterable[int], table: Table) -> int | None:
    """Of the processes on a pane, the one the pane was started with: the oldest whose parent
    is not on the pane too (its children, and a shell's jobs, all descend from it)."""
    on_pane = list(pids)
    if not on_pane:
        return None
    members = set(on_pane)
    roots = [p for p in on_pane if p in table and table[p].ppid not in members]
    return min(roots, key=lambda p: (table[p].start, p)) if roots else on_pane[0]


def cmdline(pid: int) -> list[str]:
    """The argv of `pid` ([] when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            raw = f.read()
    except OSError:
        return []
    return [p.decode(errors="replace") for p in raw.split(b"\0") if p]


def cwd_of(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def write_counts(pids: Iterable[int]) -> tuple[tuple[int, int], ...] | None:
    """(pid, bytes written) of each process on a pane, from /proc/PID/io; None when any of
    them cannot be read (no /proc, another user's process).

    Nothing appears on a pane unless one of its processes writes to the terminal, and the
    kernel adds a reaped child's counts to its parent's, so an unchanged result means an
    unchanged screen: the state tick skips reading that pane's text (one `get-text` saved
    per quiet agent per tick)."""
    counts = []
    for pid in pids:
        raw = _read(f"/proc/{pid}/io")
        count = None if raw is None else _wchar(raw)
        if count is None:
            return None
        counts.append((pid, count))
    return tuple(counts) if counts else None


def _wchar(raw: bytes) -> int | None:
    at = raw.find(b"wchar:")
    if at < 0:
        return None
    try:
        return int(raw[at + 6 : raw.index(b"\n", at)])
    except ValueError:
        return None
