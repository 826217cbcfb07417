"""An agent's processes as one unit: its process group and its pane's session, found and ended.

An agent is more than its pid: a CLI such as Gemini's starts its real program as a child, and
a shell agent may leave a job behind that ignores SIGHUP. `wezmp exec` runs each agent as the
leader of its own process group, in the pane's session that the wrapper leads; ending "the
agent" means ending every live process of that group and, where the wrapper leads the
session, of that session. Standard library only: the wrapper imports this.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable

GRACE = 2.0  # seconds between SIGTERM and SIGKILL


def _stat(pid: int) -> list[bytes]:
    """The fields of /proc/PID/stat after the command name ([] when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return []
    # The command name may hold spaces and parentheses: split after the last ')'.
    return raw[raw.rfind(b")") + 2 :].split()


def _ids(pid: int) -> tuple[int, int, bool] | None:
    """(process group, session, is a zombie) of `pid`, or None when it is gone."""
    fields = _stat(pid)
    try:
        return int(fields[2]), int(fields[3]), fields[0] == b"Z"
    except (IndexError, ValueError):
        return None


def started_at(pid: int) -> float | None:
    """When `pid` started, in seconds since the epoch; None when it is gone or there is no
    /proc. An agent is up since its process started, whoever looks and whenever."""
    fields = _stat(pid)
    try:
        # Measured back from now with the uptime (1/100 s) rather than forward from the boot
        # time, which /proc gives in whole seconds.
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def members(
    pgid: int | None = None,
    sid: int | None = None,
    exclude: Iterable[int] = (),
    also: Iterable[int] = (),
) -> list[int]:
    """Live (not zombie) processes in process group `pgid`, in session `sid` or in `also`,
    but not the ones in `exclude`. Where there is no /proc, `-pgid` (the whole group, as
    `kill` takes it) while any process of the group lives, and `also`."""
    skip = set(exclude)
    extra = [p for p in also if p not in skip]
    try:
        names = os.listdir("/proc")
    except OSError:
        group = [-pgid] if pgid and _signalable(-pgid) else []
        return group + [p for p in extra if _signalable(p)]
    found = []
    for name in names:
        if not name.isdigit() or int(name) in skip:
            continue
        ids = _ids(int(name))
        if ids is None or ids[2]:
            continue
        if (
            (pgid is not None and ids[0] == pgid)
            or (sid is not None and ids[1] == sid)
            or int(name) in extra
        ):
            found.append(int(name))
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie does not)."""
    if not _signalable(pid):
        return False
    ids = _ids(pid)
    return ids is None or not ids[2]  # no /proc to ask: it exists, the best we know


def _signalable(target: int) -> bool:
    try:
        os.kill(target, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def terminate(
    pgid: int | None = None,
    sid: int | None = None,
    *,
    exclude: Iterable[int] = (),
    also: Iterable[int] = (),
) -> list[int]:
    """SIGTERM (and SIGCONT, so a stopped one can act on it) every process of group `pgid`,
    of session `sid` and in `also` (but `exclude`, and never the caller). Returns them (see
    `members`): the caller waits for them to end, then calls `kill_rest`."""
    found = members(pgid, sid, (*exclude, os.getpid()), also)
    _signal(found, signal.SIGTERM)
    _signal(found, signal.SIGCONT)
    return found


def kill_rest(
    pgid: int | None = None,
    sid: int | None = None,
    *,
    exclude: Iterable[int] = (),
    also: Iterable[int] = (),
) -> None:
    """SIGKILL what `terminate` would find now: what ignored SIGTERM or started since."""
    _signal(members(pgid, sid, (*exclude, os.getpid()), also), signal.SIGKILL)


def end(
    pgid: int | None = None,
    sid: int | None = None,
    *,
    exclude: Iterable[int] = (),
    also: Iterable[int] = (),
    grace: float = GRACE,
) -> list[int]:
    """`terminate`, wait up to `grace` seconds for those to end, `kill_rest`. Blocks: for
    the wrapper (the daemon waits on its event loop)."""
    found = terminate(pgid, sid, exclude=exclude, also=also)
    deadline = time.monotonic() + grace
    while any(alive(p) for p in found) and time.monotonic() < deadline:
        time.sleep(0.02)
    if found:
        kill_rest(pgid, sid, exclude=exclude, also=also)
    return found
