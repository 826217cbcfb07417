"""TUI start to first paint (8 workspaces, 16 agents; scripted client and, optionally, a
running daemon), key latency in the agent table with 16 and 64 agents, TUI RSS."""

from __future__ import annotations

import asyncio
import copy
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import machine, ms
from tests.tui.fakes import PANES, ScriptedClient, agent
from wezmp_tui.clock import FakeClock
from wezmp_tui.tui.app import create_app


def client_with(n_agents: int) -> ScriptedClient:
    c = ScriptedClient()
    workspaces = [
        {"name": f"ws{i}", "root": "/src", "template": None, "created_at": 0.0, "pane_count": 4,
         "agent_count": n_agents // 8, "is_current": i == 0, "panes": []}
        for i in range(8)
    ]  # fmt: skip
    agents = [
        agent(f"agent-{i:02d}", f"ws{i % 8}", "claude", "working", str(i), 1000 + i)
        for i in range(n_agents)
    ]
    panes = [
        dict(PANES[0], pane_id=str(i), workspace=f"ws{i % 8}") for i in range(max(32, n_agents))
    ]
    orig = c.call

    async def call(method: str, /, **params: Any) -> Any:
        if method == "ws.list":
            return copy.deepcopy(workspaces)
        if method == "agent.list":
            return copy.deepcopy(agents)
        if method == "pane.list":
            return copy.deepcopy(panes)
        return await orig(method, **params)

    c.call = call  # type: ignore[method-assign]
    return c


async def first_paint(n_agents: int) -> float:
    client = client_with(n_agents)

    async def factory() -> ScriptedClient:
        return client

    t = time.perf_counter()
    app = create_app(factory, clock=FakeClock())  # type: ignore[arg-type]
    async with app.run_test(size=(160, 50)) as pilot:
        while app.screen.query("#agents").first().row_count < n_agents:  # type: ignore[attr-defined]
            await pilot.pause()
        return time.perf_counter() - t


async def key_latency(n_agents: int) -> tuple[list[float], list[float], list[float]]:
    """(wall time per Pilot key press, CPU time per press, wall time of an unbound key)."""
    client = client_with(n_agents)

    async def factory() -> ScriptedClient:
        return client

    app = create_app(factory, clock=FakeClock())  # type: ignore[arg-type]
    walls, cpus, base = [], [], []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.query_one("#agents").focus()
        for i in range(60):
            t, c = time.perf_counter(), time.process_time()
            await pilot.press("down" if i % 20 < 10 else "up")
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            t = time.perf_counter()
            await pilot.press("z")
            base.append(time.perf_counter() - t)
    return walls, cpus, base


async def main() -> None:
    print(f"machine: {machine()}")
    paints = [await first_paint(16) for _ in range(5)]
    print(f"first paint, 8 workspaces / 16 agents (scripted client): {ms(paints)}")
    for n in (16, 64):
        walls, cpus, base = await key_latency(n)
        print(f"agent table, {n} agents, key to repaint (Pilot wall): {ms(walls)}")
        print(f"agent table, {n} agents, CPU per key:                {ms(cpus)}")
        print(f"  (Pilot wall for an unbound key, its floor:        {ms(base)})")
    print(f"TUI max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
