"""`wezmp mcp` driven by the MCP SDK's own client over stdio, against a real daemon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client

from tests.conftest import wezmp_argv
from wezmp_tui.paths import Paths

TOOLS = {
    "list_tasks", "show_task", "add_task", "update_task", "move_task", "comment_task",
    "claim_next_task", "report_task", "log_time", "agent_states",
}  # fmt: skip


@asynccontextmanager
async def session(agent: str | None = "coder") -> AsyncIterator[ClientSession]:
    env = {k: v for k, v in os.environ.items() if k != "WEZMP_AGENT_ID"}
    if agent:
        env["WEZMP_AGENT_ID"] = agent
    params = StdioServerParameters(command=sys.executable, args=["-m", "wezmp_tui", "mcp"],
                                   env=env)  # fmt: skip
    async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
        await s.initialize()
        yield s


async def call(s: ClientSession, tool: str, **args: Any) -> Any:
    result = await s.call_tool(tool, args)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def error(s: ClientSession, tool: str, **args: Any) -> str:
    result = await s.call_tool(tool, args)
    assert result.is_error
    return "".join(getattr(c, "text", "") for c in result.content)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


async def test_an_agent_works_the_board(daemon: Paths) -> None:
    async with session() as s:
        listed = await s.list_tools()
        assert {t.name for t in listed.tools} == TOOLS
        assert all(t.description for t in listed.tools)
        low = await call(s, "add_task", title="write docs", priority="L")
        high = await call(s, "add_task", title="fix the crash", priority="H", tags=["bug"])
        mine = await call(s, "add_task", title="someone else's", priority="H")
        cli("task", "edit", str(mine["id"]), "--agent", "other")
        titles = [t["title"] for t in (await call(s, "list_tasks"))["tasks"]]
        assert titles.count("fix the crash") == 1 and "write docs" in titles
        # The most urgent task meant for anyone (not the one meant for `other`).
        claimed = (await call(s, "claim_next_task"))["task"]
        assert claimed["id"] == high["id"] and claimed["column"] == "Doing"
        assert claimed["agent"] == "coder" and claimed["timer_running"]
        await call(s, "comment_task", id=high["id"], text="found it: a missing check")
        await call(s, "log_time", task_id=high["id"], minutes=5, note="reading the code")
        done = await call(s, "report_task", id=high["id"], outcome="done", note="fixed")
        assert done["column"] == "Done" and not done["timer_running"]
        shown = await call(s, "show_task", id=high["id"])
        comments = [h["detail"] for h in shown["history"] if h["action"] == "comment"]
        assert {"text": "found it: a missing check", "by": "coder"} in comments
        assert any(e["note"] == "reading the code" and round(e["end"] - e["start"]) == 300
                   for e in shown["time"])  # fmt: skip
        second = (await call(s, "claim_next_task"))["task"]
        assert second["id"] == low["id"]
        blocked = await call(s, "report_task", id=low["id"], outcome="blocked",
                             note="waits for the API key")  # fmt: skip
        assert "blocked" in blocked["tags"] and blocked["note"] == "waits for the API key"
        assert (await call(s, "claim_next_task"))["task"] is None
        edited = await call(s, "update_task", id=low["id"], title="write the docs", due="+2d")
        assert edited["title"] == "write the docs" and edited["due"]
        moved = await call(s, "move_task", id=low["id"], column="Review")
        assert moved["column"] == "Review"
        # Refused as the CLI refuses it, in the same words.
        said = await error(s, "move_task", id=low["id"], column="Nowhere")
        by_cli = cli("task", "move", str(low["id"]), "Nowhere").stderr
        assert said.endswith(": column 'Nowhere' is not on board default (Backlog, Queue, Doing,"
                             " Review, Done)")  # fmt: skip
        assert by_cli == f"Error: {said.split(': ', 1)[1]}\n"
        assert "title: must not be empty" in await error(s, "update_task", id=low["id"], title=" ")
        assert "minutes" in await error(s, "log_time", task_id=low["id"], minutes=-1)
        assert "no task" in (await error(s, "show_task", id=999)).lower()


async def test_agent_states(daemon: Paths, tmp_path: Any) -> None:
    spec = tmp_path / "a.yaml"
    spec.write_text("name: helper\ncommand: [sleep, '60']\nworkspace: proj\n")
    assert cli("agent", "define", str(spec)).returncode == 0
    async with session(agent=None) as s:
        agents = (await call(s, "agent_states"))["agents"]
        assert [(a["name"], a["workspace"], a["state"]) for a in agents] == [
            ("helper", "proj", "stopped")
        ]
        assert "--agent NAME" in await error(s, "claim_next_task")


def test_mcp_not_on_the_fast_paths() -> None:
    """The SDK loads only for `wezmp mcp`: the daemon and `wezmp exec` never import it."""
    code = ("import sys, wezmp_tui.daemon.main, wezmp_tui.agentexec.main, wezmp_tui.cli.main;"
            "print(json.dumps([m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')]))")
    out = subprocess.run([sys.executable, "-c", "import json;" + code], capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert json.loads(out.stdout) == []
