"""A `demo` workspace so a new user sees everything alive on the built-in backend."""

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
SPINNER = (
    "import itertools, sys, time\n"
    "for i in itertools.count():\n"
    "    sys.stdout.write('\\r' + '|/-\\\\'[i % 4] + ' working on step %d' % i)\n"
    "    sys.stdout.flush(); time.sleep(0.25)\n"
)


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
        await engine.mux.split(first, direction="bottom", argv=[sys.executable, "-c", SPINNER])
    await ws.panes.refresh()
    return {"created": True, "workspace": "demo"}
