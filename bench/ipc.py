"""IPC round trip over the real socket, daemon RSS idle and with 8 workspaces × 4 panes,
`wezmp ws list --json` wall time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms, rss_mib


def main() -> None:
    print(f"machine: {machine()}")
    backend = sys.argv[1] if len(sys.argv) > 1 else "tmux"
    root = isolated_env(backend)
    from wezmp_tui.ipc.client import connect

    try:
        with connect() as c:
            pid = int(c.server["pid"])
            for _ in range(200):
                c.call("system.status")
            samples = []
            for _ in range(10_000):
                t = time.perf_counter()
                c.call("system.status")
                samples.append(time.perf_counter() - t)
            print(f"round trip system.status: {ms(samples)}")
            time.sleep(1.5)
            print(f"daemon RSS idle ({backend}): {rss_mib(pid):.1f} MiB")
            for w in range(8):
                c.call("ws.create", name=f"w{w}", cwd="/tmp")
                first = c.call("pane.list", workspace=f"w{w}")[0]["pane_id"]
                for _ in range(3):
                    c.call("pane.split", pane_id=first, argv=["sleep", "600"])
            time.sleep(3)
            print(f"daemon RSS with 8 workspaces x 4 panes ({backend}): {rss_mib(pid):.1f} MiB")
        walls = []
        for _ in range(10):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "wezmp_tui", "ws", "list", "--json"],
                           capture_output=True, check=True)  # fmt: skip
            walls.append(time.perf_counter() - t)
        print(f"wezmp ws list --json wall time: {ms(walls)}")
        with connect() as c:
            c.call("system.shutdown")
    finally:
        time.sleep(0.5)
        cleanup(root)


if __name__ == "__main__":
    main()
