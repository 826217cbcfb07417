"""Agents' output kept per run, on every backend: as it is written where the backend can
follow it (tmux, built-in), from the scrollback at the run's end where it cannot (WezTerm)."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from tests.engine.test_supervisor import serve, until
from wezmp_tui.config.schema import AgentSpec, Config
from wezmp_tui.engine import agent_output
from wezmp_tui.engine.agent_output import AgentOutputService
from wezmp_tui.errors import NotFound
from wezmp_tui.logs.agent_output import readable, runs

SCRIPT = "echo first words; printf 'a\\rb\\033[31mred\\033[0m\\n'; sleep 0.3; exit 2"


def talker(**kw: Any) -> AgentSpec:
    raw = {"name": "talker", "command": ["sh", "-c", SCRIPT], "workspace": "w",
           "restart": {"policy": "on_failure", "max_restarts": 1, "backoff_seconds": 0.05},
           **kw}  # fmt: skip
    return msgspec.convert(raw, AgentSpec)


@pytest.mark.parametrize("backend", ["tmux", "local", "wezterm"])
async def test_each_run_kept_apart(backend: str, make_engine: Any, request: Any) -> None:
    if backend == "wezterm":
        request.getfixturevalue("fake_wezterm")
    engine = await make_engine(backend, config=Config(agents=[talker()]))
    server = await serve(engine)
    try:
        await engine.invoke("agent.start", {"names": ["talker"]})
        await until(engine, lambda s: s.agents["talker"].info.state == "failed", timeout=30)
        kept = runs(engine.paths.state_dir, "talker")
        assert len(kept) == 2
        for run in kept:
            out = await engine.invoke("agent.output", {"name": "talker", "run": run})
            assert out["live"] is False and out["runs"] == kept
            assert out["text"].count("first words") >= 1
            assert "bred" in out["text"]
        latest = await engine.invoke("agent.output", {"name": "talker"})
        assert latest["run"] == kept[-1]
        part = await engine.invoke("agent.output", {"name": "talker", "offset": 6})
        assert part["start"] == 6 and part["text"].startswith(latest["text"][6:12])
        with pytest.raises(NotFound, match=r"runs kept: \d+, \d+"):
            await engine.invoke("agent.output", {"name": "talker", "run": 10**6})
    finally:
        await server.stop()


async def test_a_long_run_is_bounded_and_read_in_order(
    make_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agent_output, "HALF", 4000)
    script = "i=0; while [ $i -lt 1000 ]; do echo line $i; i=$((i+1)); done; exec sleep 60"
    spec = msgspec.convert({"name": "loud", "command": ["sh", "-c", script], "workspace": "w"},
                           AgentSpec)  # fmt: skip
    engine = await make_engine("local", config=Config(agents=[spec]))
    server = await serve(engine)
    service = engine.get(AgentOutputService)
    try:
        await engine.invoke("agent.start", {"names": ["loud"]})

        async def printed(n: int) -> bool:
            out = await engine.invoke("agent.output", {"name": "loud"})
            return f"line {n}\n" in out["text"]

        await until(engine, lambda s: s.agents["loud"].info.pid is not None)
        follower = 0
        seen = ""
        for _ in range(200):
            await service.trim()
            out = await engine.invoke("agent.output", {"name": "loud", "offset": follower})
            assert out["live"] is True
            seen += out["text"]
            follower = out["offset"]
            if "line 999\n" in seen:
                break
            await asyncio.sleep(0.05)  # output arrives on the event loop
        assert "line 999\n" in seen
        run = runs(engine.paths.state_dir, "loud")[-1]
        path = service.path("loud", run)
        assert path.with_suffix(".log.1").exists()  # turned over at least once
        await service.trim()
        await service.trim()
        assert path.stat().st_size <= 4000 and path.with_suffix(".log.1").stat().st_size <= 4000
        # A reader that started from the beginning is given what is still kept, in order.
        whole = await engine.invoke("agent.output", {"name": "loud", "offset": 0})
        numbers = [int(x.split()[1]) for x in whole["text"].splitlines() if x.startswith("line")]
        assert numbers == list(range(numbers[0], 1000)) and whole["start"] > 0
    finally:
        await engine.invoke("agent.stop", {"name": "loud"})
        await server.stop()


async def test_old_runs_are_dropped(make_engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_output, "KEEP_RUNS", 2)
    engine = await make_engine("local", config=Config(agents=[talker()]))
    service = engine.get(AgentOutputService)
    for run in (1, 2, 3):
        service.path("talker", run).parent.mkdir(parents=True, exist_ok=True)
        service.path("talker", run).write_text(f"run {run}\n")
    pane = await engine.mux.spawn(workspace="w", argv=["sleep", "30"])
    await service.begin("talker", 4, pane)
    assert runs(engine.paths.state_dir, "talker") == [3, 4]


def test_readable() -> None:
    raw = b"\x1b]0;title\x07\x1b[?25lplain \x1b[1mbold\x1b[0m\r\n10%\r50%\r100%\nx\x08y\x1b(B\n"
    assert readable(raw) == "plain bold\n100%\nxy\n"
