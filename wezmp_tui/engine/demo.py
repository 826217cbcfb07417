"""A `demo` workspace so a new user sees everything alive on the built-in backend: panes
running harmless commands and three small stand-in agents (one busy, one asking a question,
one idle at a prompt), supervised like real ones."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine.api import api
from wezmp_tui.engine.board import BoardService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.engine.workspaces import WorkspaceService

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

CLOCK = (
    "import time\n"
    "while True:\n"
    "    print(time.strftime('%H:%M:%S'), 'tick', flush=True)\n"
    "    time.sleep(1)\n"
)
WORKER = (
    "import itertools, sys, time\n"
    "for i in itertools.count():\n"
    "    sys.stdout.write('\\r' + '|/-\\\\'[i % 4] + ' refactoring step %d' % i)\n"
    "    sys.stdout.flush(); sum(range(200000)); time.sleep(0.2)\n"
)
ASKER = (
    "import time\n"
    "print('Planning the migration...', flush=True)\n"
    "time.sleep(2)\n"
    "answer = input('Apply 3 schema changes? Do you want to continue? [Y/n] ')\n"
    "print('ok:', answer or 'Y', flush=True)\n"
    "time.sleep(3600)\n"
)
IDLE = "print('All tasks done.'); input('> ')\n"


class DemoService:
    """`ws.demo`, above the services it fills: workspaces, agents and the board."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.workspaces = engine.get(WorkspaceService)
        self.supervisor = engine.get(Supervisor)
        self.board = engine.get(BoardService)

    @api("ws.demo")
    async def demo(self) -> dict[str, Any]:
        """On the built-in backend with no workspace yet, a `demo` workspace with live panes."""
        ws = self.workspaces
        if self.engine.mux.name != "local":
            return {"created": False, "reason": "the demo runs on the built-in backend only"}
        if ws.records():
            return {"created": False, "reason": "workspaces exist already"}
        await ws.create("demo")
        first = ws.panes.panes[0].pane_id if ws.panes.panes else None
        if first is not None:
            await self.engine.mux.split(
                first, direction="right", argv=[sys.executable, "-c", CLOCK]
            )
        agents = []
        for name, kind, script in (
            ("demo-worker", "generic", WORKER),
            ("demo-asker", "shell", ASKER),
            ("demo-idle", "aider", IDLE),
        ):
            spec = {
                "name": name,
                "kind": kind,
                "workspace": "demo",
                "command": [sys.executable, "-c", script],
                "restart": {"policy": "no"},
            }
            await self.supervisor.define(spec, replace=True)
            agents.append(name)
        await self.supervisor.start_agents(names=agents)
        tasks = await self.demo_tasks()
        await ws.panes.refresh()
        return {"created": True, "workspace": "demo", "agents": agents, "tasks": tasks}

    async def demo_tasks(self) -> list[int]:
        """A few cards so the board (key 2) is not empty on a first run: priorities, a tag, a
        due date, one task blocking another. Only on an empty board; none is queued, so
        nothing is sent to the stand-in agents unless the person queues it."""
        board = self.board
        if await board.list_tasks():
            return []
        first = await board.add(
            "Write the parser", priority="H", tags=["demo"], workspace="demo",
            description="Cards move with H/L; space starts a timer; enter shows details.",
        )  # fmt: skip
        second = await board.add(
            "Test the parser", priority="M", depends_on=[first.id], workspace="demo"
        )
        third = await board.add("Update the docs", priority="L", due="+3d", tags=["docs"])
        return [first.id, second.id, third.id]
