"""Board operations over the daemon's socket as the board grows: `task.add`, `task.edit` and
`task.move` (to another column, and before another card) at 0, 10,000 and 100,000 realistic
tasks, each on a real daemon (built-in backend) seeded with that many. Budget: 2 ms each,
whatever the size. Then `queue.status` (the queued count the board asks for on every
reload), which should not grow with the board either.

    python bench/board_ops.py [N ...]        (default: 0 10000 100000)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms, rss_mib
from bench.board import seed_daemon

OPS = 200


def measure(n: int) -> None:
    from wezmp_tui.ipc.client import connect

    root = isolated_env("local")
    try:
        pid = seed_daemon(n)
        with connect(autostart=False) as c:
            for i in range(20):  # warm: first statements prepared, pages cached
                c.call("task.add", title=f"warm {i}", column="Queue")
            adds, edits, moves, reorders, statuses = [], [], [], [], []
            ids = []
            for i in range(OPS):
                t = time.perf_counter()
                task = c.call("task.add", title=f"Fix the importer's error message {i}",
                              description="Steps to reproduce are in the ticket.",
                              tags=["bug", "backend"], priority="M")  # fmt: skip
                adds.append(time.perf_counter() - t)
                ids.append(task["id"])
            for i, tid in enumerate(ids):
                t = time.perf_counter()
                c.call("task.edit", id=tid, title=f"Fix the importer's messages {i}",
                       add_tags=["ux"])  # fmt: skip
                edits.append(time.perf_counter() - t)
            for tid in ids:
                t = time.perf_counter()
                c.call("task.move", id=tid, column="Review")
                moves.append(time.perf_counter() - t)
            for a, b in zip(ids[1:], ids, strict=False):
                t = time.perf_counter()
                c.call("task.move", id=a, before=b)
                reorders.append(time.perf_counter() - t)
            for _ in range(OPS):
                t = time.perf_counter()
                c.call("queue.status")
                statuses.append(time.perf_counter() - t)
            rss = rss_mib(pid)
        print(f"{n:>7,} tasks: add      {ms(adds)}")
        print(f"{n:>7,} tasks: edit     {ms(edits)}")
        print(f"{n:>7,} tasks: move     {ms(moves)}")
        print(f"{n:>7,} tasks: reorder  {ms(reorders)}")
        print(f"{n:>7,} tasks: queue.status {ms(statuses)}")
        print(f"{n:>7,} tasks: daemon RSS after {OPS * 4} operations {rss:.1f} MiB")
    finally:
        subprocess.run([sys.executable, "-m", "wezmp_tui", "daemon", "stop"],
                       capture_output=True, check=False, timeout=30)  # fmt: skip
        cleanup(root)


def main() -> None:
    print(f"machine: {machine()}")
    for n in [int(a) for a in sys.argv[1:]] or [0, 10_000, 100_000]:
        measure(n)


if __name__ == "__main__":
    main()
