"""Which processes run on which terminal: fills `PaneInfo.pids` for every backend.

One scan of the process table per call (not one per pane): with 64 panes that is the
difference between one pass and 64.
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def _tty_of(pid: int) -> tuple[int, float] | None:
    """(tty device number, start time in clock ticks) of `pid`, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode(errors="replace")
    except OSError:
        return None
    # The command name may hold spaces and parentheses: split after the last ')'.
    fields = raw[raw.rfind(")") + 2 :].split()
    try:
        return int(fields[4]), float(fields[19])
    except (IndexError, ValueError):
        return None


def pids_by_tty(ttys: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """Map each tty path (e.g. /dev/pts/3) to the pids whose controlling terminal it is,
    oldest first. Ttys with no process map to ()."""
    wanted: dict[int, str] = {}
    for tty in ttys:
        try:
            wanted[os.stat(tty).st_rdev] = tty
        except OSError:
            continue
    found: dict[str, list[tuple[float, int]]] = {t: [] for t in wanted.values()}
    if wanted:
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            info = _tty_of(int(name))
            if info is not None and info[0] in wanted:
                found[wanted[info[0]]].append((info[1], int(name)))
    result = {t: tuple(pid for _, pid in sorted(v)) for t, v in found.items()}
    for tty in ttys:
        result.setdefault(tty, ())
    return result


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
