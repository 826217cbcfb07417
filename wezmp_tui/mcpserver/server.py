"""The MCP server agents talk to over stdio (`wezmp mcp`, registered by `wezmp hooks install
--mcp`). Every tool is one engine API method called through the daemon, the method the CLI
calls, so an agent's request is checked exactly as a person's.

Which agent asks comes from `WEZMP_AGENT_ID`, which `wezmp exec` sets for everything an
agent runs (its MCP servers included), or from `--agent`.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from wezmp_tui.errors import WezmpError
from wezmp_tui.ipc.base import AsyncApi

INSTRUCTIONS = (
    "The wezmp task board shared by the person and the coding agents they run. Claim the "
    "next task with claim_next_task, comment as you go, report it done or blocked with a "
    "note, and log the time you spent. agent_states tells what the other agents are doing."
)
AGENT_FIELDS = ("name", "workspace", "kind", "state", "state_reason", "pid", "restarts")


class Daemon:
    """One connection to the daemon, made on first use and again after it restarted."""

    def __init__(self) -> None:
        self.client: AsyncApi | None = None

    async def call(self, method: str, **params: Any) -> Any:
        from wezmp_tui.errors import DaemonUnavailable
        from wezmp_tui.ipc.client import connect_async

        for attempt in (1, 2):
            try:
                if self.client is None:
                    self.client = await connect_async(client="mcp")
                return await self.client.call(method, **params)
            except DaemonUnavailable as exc:
                self.client = None
                if attempt == 2:
                    raise ToolError(exc.message) from None
            except WezmpError as exc:
                raise ToolError(exc.message) from None
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None


def build(agent: str | None = None, daemon: Daemon | None = None) -> MCPServer:
    """The server with its tools; `agent` is who claims and reports."""
    me = agent or os.environ.get("WEZMP_AGENT_ID") or None
    d = daemon or Daemon()
    server: MCPServer = MCPServer("wezmp", instructions=INSTRUCTIONS, log_level="WARNING")

    def who() -> str:
        if me is None:
            raise ToolError(
                "no agent name: run me inside an agent's pane, or as wezmp mcp --agent NAME"
            )
        return me

    @server.tool()
    async def list_tasks(
        column: str | None = None,
        tag: str | None = None,
        text: str | None = None,
        include_done: bool = False,
        board: str = "default",
    ) -> dict[str, Any]:
        """Tasks of a board in column order, filtered by column, tag or text."""
        tasks = await d.call("task.list", board=board, column=column, tag=tag, text=text,
                             include_done=include_done)  # fmt: skip
        return {"tasks": tasks}

    @server.tool()
    async def show_task(id: int) -> dict[str, Any]:
        """One task with its history (comments included) and time entries."""
        return dict(await d.call("task.show", id=id))

    @server.tool()
    async def add_task(
        title: str,
        description: str = "",
        column: str | None = None,
        priority: Literal["H", "M", "L", ""] = "",
        tags: list[str] | None = None,
        due: str | None = None,
        depends_on: list[int] | None = None,
        board: str = "default",
    ) -> dict[str, Any]:
        """A new task. due: YYYY-MM-DD, +3d or +4h. depends_on: ids of tasks it waits for."""
        return dict(await d.call("task.add", title=title, description=description,
                                 column=column, priority=priority, tags=tags, due=due,
                                 depends_on=depends_on, board=board))  # fmt: skip

    @server.tool()
    async def update_task(
        id: int,
        title: str | None = None,
        description: str | None = None,
        priority: Literal["H", "M", "L", ""] | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
        due: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Change the fields given of a task ("" clears the due date)."""
        return dict(await d.call("task.edit", id=id, title=title, description=description,
                                 priority=priority, add_tags=add_tags,
                                 remove_tags=remove_tags, due=due, note=note))  # fmt: skip

    @server.tool()
    async def move_task(id: int, column: str) -> dict[str, Any]:
        """Move a task to a column of its board (a blocked task cannot go to Doing)."""
        return dict(await d.call("task.move", id=id, column=column))

    @server.tool()
    async def comment_task(id: int, text: str) -> dict[str, Any]:
        """Comment on a task: what you found, decided or need."""
        return dict(await d.call("task.comment", id=id, text=text, by=me))

    @server.tool()
    async def claim_next_task(board: str | None = None) -> dict[str, Any]:
        """Take the most urgent open task meant for you or anyone: it moves to Doing with its
        timer running. {"task": null} when there is none."""
        return {"task": await d.call("task.claim", agent=who(), board=board)}

    @server.tool()
    async def report_task(
        id: int, outcome: Literal["done", "blocked"], note: str = ""
    ) -> dict[str, Any]:
        """Say a task is done, or blocked (the note says on what); its timer stops."""
        return dict(await d.call("task.report", id=id, outcome=outcome, note=note, by=me))

    @server.tool()
    async def log_time(task_id: int, minutes: float, note: str = "") -> dict[str, Any]:
        """Log minutes spent on a task, ending now."""
        return dict(await d.call("time.log", task_id=task_id, minutes=minutes, note=note,
                                 by=me))  # fmt: skip

    @server.tool()
    async def agent_states(workspace: str | None = None) -> dict[str, Any]:
        """Every agent and its state (working, waiting, idle, exited...) with the reason."""
        agents = await d.call("agent.list", workspace=workspace)
        return {"agents": [{k: a.get(k) for k in AGENT_FIELDS} for a in agents]}

    return server


def serve(agent: str | None = None) -> None:
    """Serve on stdin/stdout until the client closes them."""
    build(agent).run("stdio")
