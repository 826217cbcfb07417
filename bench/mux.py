"""Per backend: list latency with 16 panes, spawn latency, get-text latency.

The wezterm backend runs against the test fake (no WezTerm on CI machines); its figures
measure wezmp's side plus one `wezterm cli`-like process per call.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms
from wezmp_tui.mux.base import Mux
from wezmp_tui.mux.local import LocalMux
from wezmp_tui.mux.tmux import TmuxMux
from wezmp_tui.mux.wezterm import WeztermMux

PANES = 16


async def measure(name: str, mux: Mux) -> None:
    spawn: list[float] = []
    first = None
    for i in range(PANES):
        t = time.perf_counter()
        pid = await mux.spawn(
            workspace=f"ws{i % 4}", argv=["sh", "-c", f"echo pane{i}; exec sleep 600"]
        )
        spawn.append(time.perf_counter() - t)
        first = first or pid
    assert first is not None
    lists: list[float] = []
    for _ in range(50):
        t = time.perf_counter()
        panes = await mux.list_panes()
        lists.append(time.perf_counter() - t)
    assert len(panes) >= PANES
    texts: list[float] = []
    for _ in range(50):
        t = time.perf_counter()
        await mux.get_text(first, lines=50)
        texts.append(time.perf_counter() - t)
    print(f"{name:8} list ({PANES} panes): {ms(lists)}")
    print(f"{name:8} spawn:           {ms(spawn)}")
    print(f"{name:8} get-text:        {ms(texts)}")
    await mux.close()


async def main() -> None:
    print(f"machine: {machine()}")
    root = isolated_env()
    try:
        await measure("local", LocalMux())
        await measure("tmux", TmuxMux(socket_name=os.environ["WEZMP_TMUX_SOCKET"]))
        fake = Path(__file__).resolve().parent.parent / "tests" / "fakes" / "wezterm"
        bindir = root / "bin"
        bindir.mkdir()
        exe = bindir / "wezterm"
        exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{fake}" "$@"\n')
        exe.chmod(0o755)
        sock = root / "gui.sock"
        gui = subprocess.Popen(
            [str(exe), "fake-gui", "--socket", str(sock)], stdout=subprocess.PIPE, text=True
        )
        assert gui.stdout is not None and gui.stdout.readline().strip() == "ready"
        os.environ["WEZTERM_UNIX_SOCKET"] = str(sock)
        try:
            await measure("wezterm", WeztermMux(executable=str(exe)))
        finally:
            gui.terminate()
            gui.wait()
    finally:
        cleanup(root)


if __name__ == "__main__":
    asyncio.run(main())
