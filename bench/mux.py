"""Per backend: list latency with 16 panes, spawn latency, get-text latency.

WezTerm three ways: a real headless WezTerm (where built; see README) read through `wezterm
cli`, the same read through the pane feed of wezmp's Lua module, and the test double of
`wezterm cli` (a Python script: its start-up is most of each call).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms, real_wezterm
from wezmp_tui.mux.base import Mux
from wezmp_tui.mux.local import LocalMux
from wezmp_tui.mux.tmux import TmuxMux
from wezmp_tui.mux.wezterm import WeztermMux

PANES = 16


async def measure(name: str, mux: Mux, settle: float = 0.0) -> None:
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
    if settle:
        await mux.get_texts([first], lines=50)  # ask the feed for it
        await asyncio.sleep(settle)  # and let WezTerm write it
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
    print(f"{name:13} list ({PANES} panes): {ms(lists)}")
    print(f"{name:13} spawn:           {ms(spawn)}")
    print(f"{name:13} get-text:        {ms(texts)}")
    await mux.close()


async def main() -> None:
    print(f"machine: {machine()}")
    root = isolated_env()
    try:
        await measure("local", LocalMux())
        await measure("tmux", TmuxMux(socket_name=os.environ["WEZMP_TMUX_SOCKET"]))
        for feed in (False, True):
            wez = real_wezterm(root / ("fed" if feed else "cli"), module=feed)
            if wez is None:
                print("wezterm: not built (name its directory in WEZMP_REAL_WEZTERM_DIR)")
                break
            try:
                from wezmp_tui.mux.wezterm_feed import PaneFeed

                pane_feed = PaneFeed(root / "r" / "wezterm-feed", str(wez.socket))
                mux = WeztermMux(feed=pane_feed) if feed else WeztermMux()
                await measure("wezterm-feed" if feed else "wezterm-cli", mux, 2.0 if feed else 0)
            finally:
                wez.stop()
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
            await measure("wezterm-dbl", WeztermMux(executable=str(exe)))
        finally:
            gui.terminate()
            gui.wait()
    finally:
        cleanup(root)


if __name__ == "__main__":
    asyncio.run(main())
