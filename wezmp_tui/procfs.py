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
    if raw is None:
        return None
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


async def pids_by_tty(ttys: Iterable[str], source: ProcessSource) -> dict[str, tuple[int, ...]]:
    """Map each tty path (e.g. /dev/pts/3) to the pids whose controlling terminal it is,
    oldest first. Ttys with no process map to (). Which processes sit on a tty is always read
    fresh: a tty is reused as soon as a pane closes."""
    ttys = list(ttys)
    wanted: dict[int, str] = {}
    for tty in ttys:
        try:
            wanted[os.stat(tty).st_rdev] = tty
        except OSError:
            continue
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
        at = raw.find(b"wchar:") if raw is not None else -1
        if raw is None or at < 0:
            return None
        try:
            counts.append((pid, int(raw[at + 6 : raw.index(b"\n", at)])))
        except ValueError:
            return None
    return tuple(counts) if counts else None
