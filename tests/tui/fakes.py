"""A scripted client with fixed data for snapshot tests and failure injection."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Sequence
from typing import Any

from wezmp_tui.errors import DaemonUnavailable, MethodNotFound
from wezmp_tui.model.events import Event

NOW = 1_800_000_000.0

WORKSPACES = [
    {"name": "api", "root": "/src/api", "template": None, "created_at": NOW, "pane_count": 3,
     "agent_count": 2, "is_current": True, "panes": []},
    {"name": "web", "root": "/src/web", "template": None, "created_at": NOW, "pane_count": 1,
     "agent_count": 1, "is_current": False, "panes": []},
]  # fmt: skip


def pane(pid: str, ws: str, tab: str, title: str, cwd: str, active: bool = False) -> dict[str, Any]:
    return {"pane_id": pid, "window_id": "1", "tab_id": tab, "workspace": ws, "title": title,
            "cwd": cwd, "tty": None, "rows": 40, "cols": 100, "is_active": active,
            "is_zoomed": False, "tab_title": "", "pids": []}  # fmt: skip


PANES = [
    pane("1", "api", "1", "claude", "/src/api", True),
    pane("2", "api", "1", "codex", "/src/api"),
    pane("3", "api", "2", "bash", "/src/api/tests"),
    pane("4", "web", "3", "gemini", "/src/web"),
]


def agent(
    name: str, ws: str, kind: str, state: str, pane_id: str, pid: int, **kw: Any
) -> dict[str, Any]:
    base = {"name": name, "kind": kind, "workspace": ws, "state": state, "state_source": "rule",
            "state_reason": "", "state_since": NOW, "pane_id": pane_id, "pid": pid,
            "command": [kind],
            "cwd": "/src", "restarts": 0, "started_at": NOW - 754, "last_exit": None,
            "last_exit_at": None, "last_output": [], "desired": "running", "cpu": 12.5,
            "rss": 180 * 1024 * 1024, "task_id": None}  # fmt: skip
    base.update(kw)
    return base


AGENTS = [
    agent("claude-api", "api", "claude", "working", "1", 4101, state_source="hook",
          state_reason="hook UserPromptSubmit", version="2.1.198",
          rules_note="claude 2.1.198: its rules were recorded against 2.1.197"),
    agent("codex-api", "api", "codex", "waiting", "2", 4102, cpu=0.4,
          state_reason="rule dialog"),
    agent("gemini-web", "web", "gemini", "failed", "4", 0, restarts=5, last_exit=1,
          started_at=None, desired="stopped"),
]  # fmt: skip


LAYOUTS = [
    {"name": "agent-and-shell", "description": "One coding agent on the left, a shell on the "
     "right for you.", "path": "/layouts/agent-and-shell.yaml", "source": "shipped"},
    {"name": "review", "description": "A reviewing agent beside the diff and the test run.",
     "path": "/layouts/review.yaml", "source": "shipped"},
]  # fmt: skip
BROKEN_LAYOUT = (
    "broken.yaml:4: tabs[0].layot: unknown key (known keys: title, cwd, domain, layout)"
)
EXPLAIN = (
    "codex-api: ◆ waiting for 42s, decided by rule: rule dialog\n"
    "waiting means: needs the person: a permission prompt, a dialog or menu\n"
    "rule: dialog\n"
    "text looked at:\n"
    "  | Allow codex to run `make test`?\n"
    "  | › 1. Yes  2. No"
)


class ScriptedClient:
    """Fixed answers; records calls; `fail_events` makes the event stream drop."""

    def __init__(self, fail_events: bool = False, *, backend: str = "wezterm",
                 empty: bool = False) -> None:  # fmt: skip
        self.backend = backend
        self.empty = empty  # a first start: no workspace, no pane, no agent
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.fail_events = fail_events
        self.closed = False

    async def call(self, method: str, /, **params: Any) -> Any:
        self.calls.append((method, params))
        answers: dict[str, Any] = {
            "system.status": {"backend": self.backend, "pid": 1, "version": "0.1.0", "uptime": 5},
            "ws.list": [] if self.empty else WORKSPACES,
            "pane.list": [] if self.empty else PANES,
            "agent.list": [] if self.empty else AGENTS,
            "layout.list": {"layouts": LAYOUTS, "errors": [BROKEN_LAYOUT]},
            "agent.explain": {"agent": params.get("name"), "state": "waiting", "text": EXPLAIN},
            "metrics.history": {"cpu": [5.0, 20.0, 35.0, 10.0, 60.0, 25.0], "mem": [40.0] * 6},
            "pane.get_text": "$ pytest -q\n........ 42 passed in 1.02s\n$",
            "broadcast.send": {"sent": ["1", "2"], "failed": [{"pane_id": "4", "error": "gone"}]},
            "broadcast.keys": {"sent": ["1"], "failed": []},
            "send.copy": {"source": "1", "target": "3", "lines": 2, "chars": 10},
            "agent.keys": {"agent": params.get("name"), "keys": params.get("keys")},
        }
        if method in answers:
            # A copy, as JSON over a socket would give: the app may change what it gets.
            return copy.deepcopy(answers[method])
        if method.startswith(("ws.", "agent.", "pane.")):
            return {"ok": True}
        raise MethodNotFound(f"unknown method {method!r}")

    async def subscribe(self, topics: Sequence[str] = ("",)) -> None:
        self.calls.append(("subscribe", {"topics": list(topics)}))

    async def events(self) -> AsyncIterator[Event]:
        if self.fail_events:
            self.fail_events = False
            raise DaemonUnavailable("gone")
        while True:
            ev = await self.queue.get()
            if ev is None:
                raise DaemonUnavailable("gone")
            yield ev

    async def close(self) -> None:
        self.closed = True


def scripted_app(client: ScriptedClient, **kw: Any) -> Any:
    """The app over fixed answers, its clock stopped at `NOW`."""
    from wezmp_tui.clock import FakeClock
    from wezmp_tui.tui.app import create_app

    async def factory() -> ScriptedClient:
        return client

    return create_app(factory, clock=FakeClock(NOW), **kw)  # type: ignore[arg-type]


async def settle(app: Any) -> None:
    """Let the events queued so far reach the mirror and every screen."""
    from textual.pilot import Pilot

    pilot = Pilot(app)
    for _ in range(3):
        await pilot.pause()
    await app.state.settle()
    await pilot.pause()


class CuttableClient:
    """An in-process client whose connection can be cut, as a daemon restart cuts a socket:
    its event stream ends with DaemonUnavailable and what happens meanwhile is not heard."""

    def __init__(self, engine: Any) -> None:
        from wezmp_tui.ipc.base import InProcessClient

        self.inner = InProcessClient(engine)
        self.cut = asyncio.Event()

    async def call(self, method: str, /, **params: Any) -> Any:
        if self.cut.is_set():
            raise DaemonUnavailable("connection cut")
        return await self.inner.call(method, **params)

    async def subscribe(self, topics: Sequence[str] = ("",)) -> None:
        await self.inner.subscribe(topics)

    async def events(self) -> AsyncIterator[Event]:
        import msgspec

        sub = self.inner._sub
        assert sub is not None
        while True:
            got = asyncio.ensure_future(sub.get())
            cut = asyncio.ensure_future(self.cut.wait())
            done, pending = await asyncio.wait({got, cut}, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if cut in done:
                await self.inner.close()
                raise DaemonUnavailable("connection cut")
            yield msgspec.json.decode(msgspec.json.encode(got.result()), type=Event)

    async def close(self) -> None:
        await self.inner.close()
