from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from tests.helpers import wait_until
from wezmp_tui import procfs
from wezmp_tui.procfs import (
    FreshTable,
    ProcReader,
    cmdline,
    cwd_of,
    pids_by_tty,
    read_table,
    root_pid,
    write_counts,
)


async def test_pids_by_tty_root_pid_and_process_helpers() -> None:
    source = FreshTable()
    assert source.cached() == {}
    assert await pids_by_tty(["/dev/nonexistent-tty"], source) == {"/dev/nonexistent-tty": ()}
    assert cmdline(999999999) == [] and cwd_of(999999999) == ""
    assert cwd_of(os.getpid()) == os.getcwd()
    # A shell and its child: the shell is the root, whatever order the pids come in.
    proc = await asyncio.create_subprocess_exec("sh", "-c", "sleep 30 & wait")
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while True:  # the shell forks its child when it gets to run
            table = (await source.table())[1]
            children = [p for p, st in table.items() if st.ppid == proc.pid]
            if children or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.02)
        child = children[0]
        assert root_pid([child, proc.pid], source.cached()) == proc.pid
        assert root_pid([], table) is None
        assert cmdline(proc.pid)[:2] == ["sh", "-c"]
    finally:
        proc.kill()
        await proc.wait()


def test_the_reader_keeps_files_open_and_reads_what_read_table_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = ProcReader()
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        first = reader.table()
        fresh = read_table()
        assert {os.getpid(), sleeper.pid} <= first.keys() & fresh.keys()
        assert first[sleeper.pid] == fresh[sleeper.pid]
        assert reader.open_files == 2 * len(first)  # stat and schedstat of each
        # A sleeping process is not parsed again: its schedstat says it has not run.
        parsed: list[bytes] = []
        real = procfs._parse_stat
        monkeypatch.setattr(procfs, "_parse_stat", lambda raw: parsed.append(raw) or real(raw))
        again = reader.table()
        assert again[sleeper.pid] == first[sleeper.pid]
        assert not [raw for raw in parsed if raw.startswith(f"{sleeper.pid} ".encode())]
        # ... but at least every STAT_EVERY reads (its memory can shrink while it sleeps).
        for _ in range(procfs.STAT_EVERY):
            reader.table()
        assert [raw for raw in parsed if raw.startswith(f"{sleeper.pid} ".encode())]
    finally:
        sleeper.kill()
        sleeper.wait()
    # Reaped: gone from the table, its files closed (a pid used again is opened anew).
    after = reader.table()
    assert sleeper.pid not in after
    assert reader.open_files == 2 * len(after)
    reader.close()
    assert reader.open_files == 0


def test_the_reader_sees_a_busy_process_use_cpu() -> None:
    reader = ProcReader()
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        start = wait_until(lambda: reader.table().get(busy.pid))
        wait_until(lambda: reader.table()[busy.pid].cpu > start.cpu + 5)
    finally:
        busy.kill()
        busy.wait()


def test_the_reader_opens_each_time_past_its_open_file_room() -> None:
    reader = ProcReader(max_open=3)
    table = reader.table()
    assert reader.open_files <= 3
    assert os.getpid() in table and table[os.getpid()].ppid == os.getppid()
    assert reader.table()[os.getpid()].ppid == os.getppid()


def test_the_reader_write_counts_follow_a_writer_and_sweep_closes_them() -> None:
    reader = ProcReader()
    writer = subprocess.Popen(
        ["sh", "-c", "while :; do echo x; sleep 0.05; done"], stdout=subprocess.DEVNULL
    )
    try:
        first = wait_until(lambda: reader.write_counts([writer.pid]))
        fresh = write_counts([writer.pid])
        assert fresh is not None and first[0][0] == fresh[0][0] and first[0][1] <= fresh[0][1]
        assert reader.open_files == 1

        def wrote_more() -> bool:
            counts = reader.write_counts([writer.pid])
            return counts is not None and counts[0][1] > first[0][1]

        wait_until(wrote_more)
        reader.sweep()  # asked since the last sweep: kept
        assert reader.open_files == 1
        reader.sweep()  # not asked since: closed
        assert reader.open_files == 0
    finally:
        writer.kill()
        writer.wait()
    assert reader.write_counts([writer.pid]) is None  # reaped: nothing to count
    assert reader.write_counts([]) is None
