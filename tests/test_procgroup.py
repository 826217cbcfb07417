"""An agent's processes found and ended as one: real processes, real groups and sessions."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import wait_until
from wezmp_tui import procgroup


@pytest.fixture
def leader(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A session (and group) leader running `sleep`, beside a child that ignores SIGTERM and
    SIGHUP and one that moved to a group of its own; their pids in the file."""
    pids = tmp_path / "pids"
    mover = f"{sys.executable} -c 'import os, time; os.setpgid(0, 0); time.sleep(60)'"
    script = (
        f"sh -c 'trap \"\" HUP TERM; exec sleep 621' & echo $! >> {pids}; "
        f"{mover} & echo $! >> {pids}; exec sleep 622"
    )
    proc = subprocess.Popen(["sh", "-c", script], start_new_session=True)
    wait_until(lambda: pids.exists() and len(pids.read_text().split()) == 2)
    mover_pid = int(pids.read_text().split()[1])
    wait_until(lambda: mover_pid not in procgroup.members(pgid=proc.pid))  # it has moved
    try:
        yield proc, pids
    finally:
        procgroup.end(sid=proc.pid, grace=0.1)
        proc.wait(timeout=10)


def test_a_group_ends_whatever_ignores_sigterm(
    leader: tuple[subprocess.Popen[bytes], Path],
) -> None:
    proc, pids = leader
    stubborn, mover = map(int, pids.read_text().split())
    assert sorted(procgroup.members(pgid=proc.pid)) == sorted([proc.pid, stubborn])
    start = time.monotonic()
    found = procgroup.end(pgid=proc.pid, grace=0.3)
    assert sorted(found) == sorted([proc.pid, stubborn])
    assert time.monotonic() - start >= 0.3  # it waited for the one that ignored SIGTERM
    proc.wait(timeout=10)
    wait_until(lambda: not procgroup.alive(stubborn))
    assert procgroup.alive(mover)  # in a group of its own: not this group's


def test_a_session_ends_what_left_the_group(leader: tuple[subprocess.Popen[bytes], Path]) -> None:
    proc, pids = leader
    stubborn, mover = map(int, pids.read_text().split())
    assert procgroup.members(sid=proc.pid, exclude=[proc.pid, stubborn]) == [mover]
    procgroup.end(sid=proc.pid, grace=0.3)
    proc.wait(timeout=10)
    wait_until(lambda: not procgroup.alive(mover) and not procgroup.alive(stubborn))


def test_alive_and_started_at() -> None:
    before = time.time()
    proc = subprocess.Popen(["sleep", "623"])
    try:
        started = procgroup.started_at(proc.pid)
        assert started is not None and before - 0.1 <= started <= time.time() + 0.1
        assert procgroup.alive(proc.pid)
        proc.kill()
        wait_until(lambda: not procgroup.alive(proc.pid))  # a zombie until reaped: not alive
    finally:
        proc.wait(timeout=10)
    assert procgroup.started_at(proc.pid) is None and not procgroup.alive(proc.pid)
    assert procgroup.end(pgid=proc.pid) == []


def test_without_proc_the_group_is_signalled_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    proc = subprocess.Popen(["sleep", "624"], start_new_session=True)
    real = os.listdir

    def no_proc(path: str = ".") -> list[str]:
        if path == "/proc":
            raise FileNotFoundError(path)
        return real(path)

    monkeypatch.setattr(os, "listdir", no_proc)
    try:
        assert procgroup.members(pgid=proc.pid, also=[proc.pid]) == [-proc.pid, proc.pid]
        procgroup.terminate(pgid=proc.pid)
        assert proc.wait(timeout=10) == -15
        assert procgroup.members(pgid=proc.pid) == []
    finally:
        monkeypatch.undo()
        proc.kill()
        proc.wait()
