from __future__ import annotations

import asyncio
import os

from wezmp_tui.procfs import FreshTable, cmdline, cwd_of, pids_by_tty, root_pid


async def test_pids_by_tty_root_pid_and_process_helpers() -> None:
    source = FreshTable()
    assert source.cached() == {}
    assert await pids_by_tty(["/dev/nonexistent-tty"], source) == {"/dev/nonexistent-tty": ()}
    assert cmdline(999999999) == [] and cwd_of(999999999) == ""
    assert cwd_of(os.getpid()) == os.getcwd()
    # A shell and its child: the shell is the root, whatever order the pids come in.
    proc = await asyncio.create_subprocess_exec("sh", "-c", "sleep 30 & wait")
    try:
        table = (await source.table())[1]
        child = next(p for p, st in table.items() if st.ppid == proc.pid)
        assert root_pid([child, proc.pid], source.cached()) == proc.pid
        assert root_pid([], table) is None
        assert cmdline(proc.pid)[:2] == ["sh", "-c"]
    finally:
        proc.kill()
        await proc.wait()
