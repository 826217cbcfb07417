"""A `demo` workspace so a new user sees everything alive on the built-in backend: panes
running harmless commands and three small stand-in agents (one busy, one asking a question,
one idle at a prompt), supervised like real ones."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wezmp_tui.engine.workspaces import WorkspaceService

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


async def ensure_demo(ws: WorkspaceService) -> dict[str, Any]:
    engine = ws.engine
    if engine.mux.name != "local":
        return {"created": False, "reason": "the demo runs on the built-in backend only"}
    if ws.store.all():
        return {"created": False, "reason": "workspaces exist already"}
    await ws.create("demo")
    first = ws.panes.panes[0].pane_id if ws.panes.panes else None
    if first is not None:
        await engine.mux.split(first, direction="right", argv=[sys.executable, "-c", CLOCK])
    agents = []
    if "agent.define" in engine.methods:
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
            await engine.invoke("agent.define", {"spec": spec, "replace": True})
            agents.append(name)
        await engine.invoke("agent.start", {"names": agents})
    tasks = await demo_tasks(engine)
    await ws.panes.refresh()
    return {"created": True, "workspace": "demo", "agents": agents, "tasks": tasks}


async def demo_tasks(engine: Any) -> list[int]:
    """A few cards so the board (key 2) is not empty on a first run: priorities, a tag, a due
    date, one task blocking another. Only on an empty board; none is queued, so nothing is
    sent to the stand-in agents unless the person queues it."""
    if "task.add" not in engine.methods or await engine.invoke("task.list", {}):
        return []
    first = await engine.invoke(
        "task.add",
        {"title": "Write the parser", "priority": "H", "tags": ["demo"], "workspace": "demo",
         "description": "Cards move with H/L; space starts a timer; enter shows details."},
    )  # fmt: skip
    second = await engine.invoke(
        "task.add",
        {"title": "Test the parser", "priority": "M", "depends_on": [first.id],
         "workspace": "demo"},
    )  # fmt: skip
    third = await engine.invoke(
        "task.add",
        {"title": "Update the docs", "priority": "L", "due": "+3d", "tags": ["docs"]},
    )
    return [first.id, second.id, third.id]
