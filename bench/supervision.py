"""Supervision at scale, as a user drives it: a real daemon asked from 8 clients at once to
start 64 agents in 8 workspaces; then a restart per workspace at once, the daemon killed with
SIGKILL and started again, and every agent stopped. Counts panes, wrappers and agent
processes after each step (each must be 64, then 0) and times them.

    python bench/supervision.py [tmux|local ...]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine

WORKSPACES, PER_WORKSPACE = 8, 8


def agent_processes(marker: str) -> tuple[int, int]:
    """(live `sleep MARKER` agents, live wrappers of them), from /proc."""
    agents = wrappers = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")[:-1]
            with open(f"/proc/{name}/stat", "rb") as f:
                zombie = f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
        except OSError:
            continue
        if zombie:
            continue
        if argv == [b"sleep", marker.encode()]:
            agents += 1
        elif argv[1:4] == [b"-m", b"wezmp_tui", b"exec"] and argv[-1] == marker.encode():
            wrappers += 1
    return agents, wrappers


def until(predicate: object, timeout: float = 120.0) -> float:
    start = time.perf_counter()
    while not predicate():  # type: ignore[operator]
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out")
        time.sleep(0.05)
    return time.perf_counter() - start


def measure(backend: str) -> None:
    root = isolated_env(backend)
    from wezmp_tui.ipc.client import connect

    marker = f"7{os.getpid()}"
    names = [f"w{w}-a{i}" for w in range(WORKSPACES) for i in range(PER_WORKSPACE)]
    label = f"{backend:>5} {len(names)} agents in {WORKSPACES} workspaces"

    def call(method: str, **params: object) -> object:
        with connect(backend=backend, call_timeout=120) as c:
            return c.call(method, **params)

    def registered() -> bool:
        return sum(1 for a in call("agent.list") if a["pid"]) == len(names)  # type: ignore[attr-defined]

    def counts() -> str:
        panes = len(call("pane.list", fresh=True))  # type: ignore[arg-type]
        agents, wrappers = agent_processes(marker)
        return f"{panes} panes, {wrappers} wrappers, {agents} agent processes"

    try:
        for n in names:
            call("agent.define", spec={"name": n, "workspace": n.split("-")[0],
                                       "command": ["sleep", marker]})  # fmt: skip
        t = time.perf_counter()
        with ThreadPoolExecutor(WORKSPACES) as pool:
            list(pool.map(lambda w: call("agent.start", workspace=f"w{w}"), range(WORKSPACES)))
        asked = time.perf_counter() - t
        until(registered)
        print(f"{label}: start asked in {asked:.2f} s, all registered "
              f"{time.perf_counter() - t:.2f} s; {counts()}")  # fmt: skip
        before = {a["name"]: a["pid"] for a in call("agent.list")}  # type: ignore[attr-defined]
        t = time.perf_counter()
        again = [f"w{w}-a0" for w in range(WORKSPACES)]
        with ThreadPoolExecutor(WORKSPACES) as pool:
            list(pool.map(lambda n: call("agent.restart", name=n), again))

        def restarted() -> bool:
            now = {a["name"]: a["pid"] for a in call("agent.list")}  # type: ignore[attr-defined]
            return all(now[n] not in (None, before[n]) for n in again)

        until(restarted)
        print(f"{label}: {len(again)} restarts at once {time.perf_counter() - t:.2f} s; "
              f"{counts()}")  # fmt: skip
        if backend != "local":  # the built-in backend's panes end with its daemon
            pid = int(call("system.status")["pid"])  # type: ignore[index]
            os.kill(pid, signal.SIGKILL)
            t = time.perf_counter()
            until(registered)  # the next call starts a daemon, which adopts the agents
            print(f"{label}: daemon SIGKILLed, next daemon up with all adopted in "
                  f"{time.perf_counter() - t:.2f} s; {counts()}")  # fmt: skip
        t = time.perf_counter()
        with ThreadPoolExecutor(WORKSPACES) as pool:
            list(pool.map(lambda n: call("agent.stop", name=n), names))
        print(f"{label}: all stopped in {time.perf_counter() - t:.2f} s; {counts()}")
        call("system.shutdown")
    finally:
        time.sleep(0.5)
        subprocess.run([sys.executable, "-m", "wezmp_tui", "daemon", "stop"],
                       capture_output=True, check=False)  # fmt: skip
        cleanup(root)


def main() -> None:
    print(f"machine: {machine()}")
    for backend in sys.argv[1:] or ["tmux", "local"]:
        measure(backend)


if __name__ == "__main__":
    main()
