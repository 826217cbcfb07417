"""The real agent CLIs, offline, under `wezmp exec` in real tmux panes: their first-run dialogs,
sign-in menus, composers and failed turns drive the states, and Claude Code's own hooks do.

Each test runs where its agent is installed: in the directory named by `WEZMP_AGENTS_DIR`, else
on PATH; otherwise it is skipped with one line saying so. Each agent gets the test's fresh HOME,
so it shows what a new user sees.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import async_wait_until
from wezmp_tui.config.schema import Config, State
from wezmp_tui.engine.agent_state import AgentStateService
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.queue import QueueService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.hooks import claude_settings
from wezmp_tui.ipc.server import IpcServer
from wezmp_tui.model.agents import AgentInfo

FAKE_KEYS = {
    "claude": "sk-ant-api03-" + "x" * 80 + "-AAAA",
    "openai": "sk-proj-" + "x" * 40,
    "gemini": "AIzaSy" + "x" * 33,
}


def agent_bin(name: str) -> str:
    """The installed agent CLI, or skip the test."""
    where = os.environ.get("WEZMP_AGENTS_DIR")
    path = shutil.which(name, path=where) if where else shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (set WEZMP_AGENTS_DIR or put it on PATH)")
    return path


class Run:
    """An engine on tmux whose agents report over a real socket, driven tick by tick."""

    def __init__(self, engine: Engine, home: Path) -> None:
        self.engine = engine
        self.home = home
        self.sup = engine.get(Supervisor)
        self.seen: list[tuple[str, str, str, bool]] = []  # (state, source, reason, error)
        engine.bus.listen(["agent.state"], self._record)

    def _record(self, ev: Any) -> None:
        d = ev.data
        self.seen.append((d["state"], d["source"], d["reason"], d["error"]))

    def agent(self, name: str) -> AgentInfo:
        return self.sup.agents[name].info

    async def until(self, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
        async def check() -> bool:
            await self.engine.get(PaneService).tick()
            await self.sup.tick()
            await self.engine.get(AgentStateService).tick()
            return predicate()

        try:
            await async_wait_until(check, timeout=timeout, interval=0.1)
        except AssertionError:
            info = next(iter(self.sup.agents.values())).info
            screen = await self.engine.mux.get_text(info.pane_id or "") if info.pane_id else ""
            raise AssertionError(f"states seen: {self.seen}\nscreen:\n{screen}") from None

    async def state(self, name: str, state: str, timeout: float = 60.0) -> AgentInfo:
        await self.until(lambda: self.agent(name).state == state, timeout)
        return self.agent(name)


@pytest.fixture
async def run(make_engine: Any, wezmp_env: Any) -> AsyncIterator[Run]:
    config = Config(state=State(idle_debounce=0.5, silence_seconds=5.0))
    engine = await make_engine("tmux", config=config)
    await engine.mux.spawn(workspace="keeper", argv=["sleep", "600"])
    server = IpcServer(engine)
    await server.start()
    home = Path(os.environ["HOME"])
    yield Run(engine, home)
    for info in engine.get(Supervisor).agents_in(None):
        if info.pid:
            await engine.invoke("agent.stop", {"name": info.name})
    await server.stop()
    end_leftovers(home)


def end_leftovers(home: Path) -> None:
    """Codex leaves a background app-server of its own behind (installed under HOME)."""
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    for line in out.splitlines():
        pid, _, args = line.strip().partition(" ")
        if args.startswith(str(home)):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass


async def define(run: Run, name: str, kind: str, argv: list[str], cwd: Path, **env: str) -> None:
    cwd.mkdir(parents=True, exist_ok=True)
    await run.engine.invoke(
        "agent.define",
        {"spec": {"name": name, "kind": kind, "workspace": "w", "command": argv,
                  "cwd": str(cwd), "env": env, "restart": {"policy": "no"}}},
    )  # fmt: skip
    await run.engine.invoke("agent.start", {"name": name})


def claude_home(home: Path, project: Path, *, key: str | None) -> None:
    """A person who has used Claude Code before here: onboarding done, this folder trusted,
    idle notifications after a second (default: a minute)."""
    config: dict[str, Any] = {
        "hasCompletedOnboarding": True,
        "projects": {str(project): {"hasTrustDialogAccepted": True}},
        "messageIdleNotifThresholdMs": 1000,
    }
    if key:
        config["customApiKeyResponses"] = {"approved": [key[-20:]], "rejected": []}
    (home / ".claude.json").write_text(json.dumps(config))
    claude_settings.install(home / ".claude" / "settings.json")


async def test_claude_hooks_offline_drive_the_state(run: Run, tmp_path: Path) -> None:
    """Signed out: SessionStart, then the screen's "Not logged in" wins; a prompt gives
    UserPromptSubmit (working) and StopFailure (authentication_failed: an error), then the
    idle notification, which the screen's error still outranks."""
    exe = agent_bin("claude")
    project = tmp_path / "proj"
    project.mkdir()
    claude_home(run.home, project, key=None)
    await define(run, "cc", "claude", [exe], project, CLAUDE_CODE_MAX_RETRIES="0")
    info = await run.state("cc", "waiting")
    await run.until(lambda: "over hook SessionStart" in info.state_reason)
    assert (info.state_error, info.state_reason) == (
        True, "rule not-signed-in (over hook SessionStart (startup))"
    )  # fmt: skip
    assert info.version == subprocess.run(
        [exe, "--version"], capture_output=True, text=True
    ).stdout.split()[0]
    await run.engine.invoke("agent.send", {"name": "cc", "text": "say hi"})
    # Claude Code drops an Enter typed while it still settles: press it again, as a person
    # would seeing the prompt still in the composer.
    try:
        await run.until(lambda: any("UserPromptSubmit" in s[2] for s in run.seen), timeout=4)
    except AssertionError:
        await run.engine.invoke("agent.keys", {"name": "cc", "keys": ["Enter"]})
    await run.until(lambda: any("idle_prompt" in s[2] for s in run.seen), timeout=30)
    assert ("working", "hook", "hook UserPromptSubmit", False) in run.seen
    explained = await run.engine.invoke("agent.explain", {"name": "cc"})
    hooks = [h["hook"] for h in explained["hooks"]]
    assert hooks[0] == "hook SessionStart (startup)"
    assert hooks[1] == "hook UserPromptSubmit"
    assert hooks[2] == (
        "hook StopFailure: the turn failed: authentication_failed "
        "(Not logged in · Please run /login)"
    )
    assert hooks[3].startswith("hook Notification (idle_prompt)")
    assert run.agent("cc").state == "waiting"  # "Not logged in" is still on screen
    assert "recent hooks:" in explained["text"]


async def test_claude_failed_turn_sends_the_task_back_to_the_queue(
    run: Run, tmp_path: Path
) -> None:
    """With an API key: idle by its SessionStart hook, a queued task is typed in, the turn
    fails offline (StopFailure) and the task is back in the queue with the reason."""
    exe = agent_bin("claude")
    project = tmp_path / "proj"
    project.mkdir()
    key = FAKE_KEYS["claude"]
    claude_home(run.home, project, key=key)
    await define(run, "cc", "claude", [exe], project, ANTHROPIC_API_KEY=key,
                 CLAUDE_CODE_MAX_RETRIES="0")  # fmt: skip
    info = await run.state("cc", "idle")
    assert info.state_source == "hook"
    task = await run.engine.invoke("task.add", {"title": "say hi", "column": "Queue"})

    async def dispatched() -> bool:  # once its idle has held a moment
        await run.engine.get(QueueService).tick()
        return bool((await run.engine.invoke("task.show", {"id": task.id}))["task"].assigned)

    await async_wait_until(dispatched, timeout=20)

    async def requeued() -> bool:
        t = (await run.engine.invoke("task.show", {"id": task.id}))["task"]
        return bool(t.column == "Queue" and t.assigned is None)

    await async_wait_until(requeued, timeout=60)
    note = (await run.engine.invoke("task.show", {"id": task.id}))["task"].note
    assert "hook StopFailure: the turn failed: server_error" in note
    # The API error on its screen keeps it from taking the task again.
    await run.until(lambda: run.agent("cc").state == "waiting")
    assert await run.engine.get(QueueService).tick() == []


async def test_codex_sign_in_answered_with_named_keys(run: Run, tmp_path: Path) -> None:
    """Its first-run sign-in menu and submenus, the API key field and the trust dialog are
    waiting; answered from wezmp with named keys, it reaches its composer (idle); a prompt
    sent offline is working."""
    exe = agent_bin("codex")
    project = tmp_path / "proj"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    await define(run, "cx", "codex", [exe], project)
    info = await run.state("cx", "waiting")
    assert info.state_reason == "rule dialog"

    async def press(*keys: str) -> None:
        await run.engine.invoke("agent.keys", {"name": "cx", "keys": list(keys)})

    await press("Down", "Down", "Enter")
    await see(run, info, "Use an OpenAI API key")
    await press("Enter")
    await see(run, info, "Paste or type your API key")
    await run.engine.invoke("agent.send", {"name": "cx", "text": FAKE_KEYS["openai"],
                                           "enter": False})  # fmt: skip
    await see(run, info, FAKE_KEYS["openai"])  # an Enter right after a paste is not taken
    await press("Enter")
    await see(run, info, "Trust this folder")
    await run.state("cx", "waiting")
    await press("Enter")
    await run.state("cx", "idle")
    await run.engine.invoke("agent.send", {"name": "cx", "text": "say hi"})
    await run.until(lambda: run.agent("cx").state_reason in ("rule submitted", "rule working"))
    assert run.agent("cx").state == "working"


async def test_gemini_trust_and_auth_dialogs_then_its_composer(run: Run, tmp_path: Path) -> None:
    exe = agent_bin("gemini")
    project = tmp_path / "proj"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    await define(run, "gm", "gemini", [exe], project, GEMINI_API_KEY=FAKE_KEYS["gemini"])
    info = await run.state("gm", "waiting")
    assert info.state_reason == "rule dialog"
    await run.engine.invoke("agent.keys", {"name": "gm", "keys": ["Enter"]})  # trust
    await see(run, info, "How would you like to authenticate", timeout=40)
    await run.state("gm", "waiting")
    await run.engine.invoke("agent.keys", {"name": "gm", "keys": ["Enter"]})  # API key
    await see(run, info, "Enter Gemini API Key")
    await run.engine.invoke("agent.keys", {"name": "gm", "keys": ["Enter"]})  # the one found
    await run.state("gm", "idle")
    await run.engine.invoke("agent.send", {"name": "gm", "text": "say hi"})
    await run.state("gm", "working")


async def test_aider_questions_then_its_prompt(run: Run, tmp_path: Path) -> None:
    exe = agent_bin("aider")
    project = tmp_path / "proj"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    await define(run, "ai", "aider", [exe, "--no-check-update", "--no-gitignore"], project,
                 OPENAI_API_KEY=FAKE_KEYS["openai"])  # fmt: skip
    # First-run questions (which ones, and how many, varies): each answered "n".
    for _ in range(4):
        info = await run.state("ai", "waiting", timeout=90)
        assert info.state_reason == "rule question"
        await run.engine.invoke("agent.keys", {"name": "ai", "keys": ["n", "Enter"]})
        await run.until(lambda: run.agent("ai").state != "waiting", timeout=60)
        if run.agent("ai").state == "idle":
            break
    await run.state("ai", "idle")


async def see(run: Run, info: AgentInfo, needle: str, timeout: float = 30.0) -> None:
    """Wait for `needle` on the agent's screen, the screen then still for half a second, as
    a person reads before answering (Codex ignores an Enter right after the one before)."""
    last: list[tuple[str, float]] = []

    async def shown() -> bool:
        text = await run.engine.mux.get_text(info.pane_id or "")
        now = asyncio.get_running_loop().time()
        if not last or last[-1][0] != text:
            last.append((text, now))
        return needle in text and now - last[-1][1] >= 0.5

    try:
        await async_wait_until(shown, timeout=timeout, interval=0.1)
    except AssertionError:
        screen = await run.engine.mux.get_text(info.pane_id or "")
        raise AssertionError(f"{needle!r} not shown; states {run.seen}\n{screen}") from None
