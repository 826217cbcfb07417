"""How soon a real agent CLI's state follows its screen: a real daemon on tmux supervises each
installed agent (Claude Code without hooks, so its screen decides; Codex; Gemini CLI; aider),
offline in a fresh HOME, answered with named keys. A poller reads the pane every 25 ms and
classifies each new screen with the rules; the latency is from the first screen that shows a
state to the daemon's event saying it. Idle is believed only after `state.idle_debounce`
(1.5 s), so its figure includes that on purpose.

Agents are found in WEZMP_AGENTS_DIR, else on PATH.

    python bench/agent_states.py [claude codex gemini aider]
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine

KEYS = {
    "claude": "sk-ant-api03-" + "x" * 80 + "-AAAA",
    "openai": "sk-proj-" + "x" * 40,
    "gemini": "AIzaSy" + "x" * 33,
}
POLL = 0.025


def find(name: str) -> str | None:
    where = os.environ.get("WEZMP_AGENTS_DIR")
    return shutil.which(name, path=where) if where else shutil.which(name)


def prepare(kind: str, home: Path, project: Path) -> tuple[list[str], dict[str, str]]:
    """The agent's argv and environment, its HOME set up as a new (or returning) user's."""
    home.mkdir(parents=True)
    project.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    env = {"HOME": str(home)}
    exe = find(kind)
    assert exe
    if kind == "claude":
        key = KEYS["claude"]
        (home / ".claude.json").write_text(json.dumps({
            "hasCompletedOnboarding": True,
            "projects": {str(project): {"hasTrustDialogAccepted": True}},
            "customApiKeyResponses": {"approved": [key[-20:]], "rejected": []},
        }))  # fmt: skip
        env |= {"ANTHROPIC_API_KEY": key, "CLAUDE_CODE_MAX_RETRIES": "2"}
        return [exe], env
    if kind == "gemini":
        return [exe], env | {"GEMINI_API_KEY": KEYS["gemini"]}
    if kind == "aider":
        argv = [exe, "--no-check-update", "--no-gitignore"]
        return argv, env | {"OPENAI_API_KEY": KEYS["openai"]}
    return [exe], env


# Per kind: steps of (keys to press or text to send, the state then expected, or the text
# to wait for when the state stays the same; `repeat`: press again while it stays waiting).
STEPS: dict[str, list[tuple[Any, str | None, str | None]]] = {
    "claude": [(None, "idle", None), ({"send": "say hi"}, "working", None),
               (None, "waiting", None)],
    "codex": [
        (None, "waiting", None),
        (["Down", "Down", "Enter"], None, "Use an OpenAI API key"),
        (["Enter"], None, "Paste or type your API key"),
        ({"type": KEYS["openai"]}, None, KEYS["openai"]),
        (["Enter"], None, "Trust this folder"),
        (["Enter"], "idle", None),
        ({"send": "say hi"}, "working", None),
    ],
    "gemini": [
        (None, "waiting", None),
        (["Enter"], None, "How would you like to authenticate"),
        (["Enter"], None, "Enter Gemini API Key"),
        (["Enter"], "idle", None),
        ({"send": "say hi"}, "working", None),
    ],
    "aider": [(None, "waiting", None), ({"repeat": ["n", "Enter"]}, "idle", None),
              ({"send": "say hi"}, "working", None)],
}  # fmt: skip


async def run_kind(kind: str, root: Path, latencies: dict[str, list[float]]) -> None:
    from wezmp_tui.config.rules import RuleBook, classify
    from wezmp_tui.ipc.client import connect_async

    book = RuleBook.load([])
    argv, env = prepare(kind, root / f"home-{kind}", root / f"proj-{kind}")
    client = await connect_async(backend="tmux")
    await client.subscribe(["agent.state"])
    spec = {"name": kind, "kind": kind, "workspace": "bench", "command": argv,
            "cwd": str(root / f"proj-{kind}"), "env": env, "restart": {"policy": "no"}}  # fmt: skip
    await client.call("agent.define", spec=spec)
    await client.call("agent.start", name=kind)
    first_seen: dict[str, float] = {}  # state -> when a screen first showed it (this step)
    last_text: list[str] = [""]
    pane: list[str] = []
    sock = os.environ["WEZMP_TMUX_SOCKET"]

    async def poll() -> None:
        while True:
            if not pane:
                info = await client.call("agent.show", name=kind)
                if info["agent"]["pane_id"]:
                    pane.append(info["agent"]["pane_id"])
            else:
                out = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", pane[0]],
                                     capture_output=True, text=True).stdout  # fmt: skip
                if out != last_text[0]:
                    last_text[0] = out
                    state = classify(book, kind, out)["state"]
                    first_seen.setdefault(state, time.monotonic())
            await asyncio.sleep(POLL)

    events: asyncio.Queue[Any] = asyncio.Queue()

    async def pump() -> None:
        async for ev in client.events():
            await events.put(ev)

    poller = asyncio.create_task(poll())
    pumper = asyncio.create_task(pump())
    try:
        for action, want, text in STEPS[kind]:
            first_seen.clear()
            if isinstance(action, list):
                await client.call("agent.keys", name=kind, keys=action)
            elif isinstance(action, dict) and "send" in action:
                await client.call("agent.send", name=kind, text=action["send"])
            elif isinstance(action, dict) and "type" in action:
                await client.call("agent.send", name=kind, text=action["type"], enter=False)
            elif isinstance(action, dict):
                await client.call("agent.keys", name=kind, keys=action["repeat"])
            deadline = time.monotonic() + 90
            while text is not None and text not in last_text[0]:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{kind}: {text!r} never shown:\n{last_text[0]}")
                await asyncio.sleep(POLL)
            while want is not None:
                try:
                    ev = await asyncio.wait_for(events.get(), 5.0)
                except TimeoutError:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{kind}: never {want}:\n{last_text[0]}") from None
                    if isinstance(action, dict) and "repeat" in action:
                        await client.call("agent.keys", name=kind, keys=action["repeat"])
                    continue
                if ev.data.get("agent") != kind:
                    continue
                print(f"  {kind}: {ev.data['state']} ({ev.data['reason']})", file=sys.stderr)
                if ev.data.get("state") == want:
                    seen_at = time.monotonic()
                    shown = first_seen.get(want)
                    if shown is not None:
                        latencies.setdefault(f"{kind} {want}", []).append(seen_at - shown)
                    break
            # A person reads the screen before answering.
            await asyncio.sleep(1.0)
    finally:
        poller.cancel()
        pumper.cancel()
        await client.call("agent.stop", name=kind)
        await client.close()
        for line in subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True,
                                   text=True).stdout.splitlines():  # fmt: skip
            pid, _, args = line.strip().partition(" ")
            if args.startswith(str(root / f"home-{kind}")):  # Codex's own app-server
                os.kill(int(pid), 9)


def main() -> None:
    kinds = [k for k in (sys.argv[1:] or list(STEPS)) if find(k)]
    root = isolated_env("tmux")
    latencies: dict[str, list[float]] = {}
    try:
        for kind in kinds:
            asyncio.run(run_kind(kind, root, latencies))
    finally:
        from wezmp_tui.ipc.client import connect

        try:
            with connect(autostart=False) as c:
                c.call("system.shutdown")
        except Exception:
            pass
        cleanup(root)
    print(machine())
    print("state seen after the screen first showed it (tmux, 1 s state tick):")
    for name, xs in sorted(latencies.items()):
        print(f"  {name:<16} max {max(xs) * 1000:6.0f} ms  mean {statistics.mean(xs) * 1000:6.0f}"
              f" ms  (n={len(xs)})")  # fmt: skip


if __name__ == "__main__":
    main()
