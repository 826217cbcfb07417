"""Event actions: an argv command per event, the event as JSON on stdin and WEZMP_* in its
environment, a time limit, its output in the log; once per transition, quiet when asked."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.engine.test_notify import WAITING, WORKING, hook, setup
from tests.helpers import async_wait_until
from wezmp_tui.config.schema import Action, Config
from wezmp_tui.engine.actions import ActionService

RECORD = (
    "import json, os, sys\n"
    "event = json.load(sys.stdin)\n"
    "env = {k: v for k, v in os.environ.items() if k.startswith('WEZMP_') and k not in"
    " ('WEZMP_CONFIG_DIR', 'WEZMP_DATA_DIR', 'WEZMP_STATE_DIR', 'WEZMP_RUNTIME_DIR',"
    " 'WEZMP_WATCH')}\n"
    "open(sys.argv[1], 'a').write(json.dumps({'event': event, 'env': env}) + '\\n')\n"
    "print('recorded', event['event'])\n"
)


def runs(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []


async def test_an_action_gets_the_event_once_per_transition(
    make_engine: Any, short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = short_tmp / "runs.jsonl"
    config = Config(actions=[
        Action(event="agent.waiting", run=[sys.executable, "-c", RECORD, str(out)],
               quiet_seconds=30),
        Action(event="task.created", run=[sys.executable, "-c", RECORD, str(out)],
               agents=["someone-else"]),
    ])  # fmt: skip
    caplog.set_level(logging.INFO, "wezmp.actions")
    engine, clock = await setup(make_engine, config)
    await hook(engine, WAITING)
    got = await async_wait_until(lambda: _at_least(out, 1))
    assert got[0]["event"]["event"] == "agent.state"
    assert (got[0]["event"]["agent"], got[0]["event"]["state"]) == ("a", "waiting")
    assert got[0]["env"] == {"WEZMP_EVENT": "agent.waiting", "WEZMP_AGENT": "a",
                             "WEZMP_WORKSPACE": "w", "WEZMP_STATE": "waiting"}  # fmt: skip
    # Flapping inside the quiet period runs nothing; a task event for no agent of the
    # filter runs nothing.
    clock.advance(10)
    await hook(engine, WORKING)
    await hook(engine, WAITING)
    await engine.invoke("task.add", {"title": "t"})
    clock.advance(30)
    await hook(engine, WORKING)
    await hook(engine, WAITING)
    await async_wait_until(lambda: _at_least(out, 2))
    svc = engine.get(ActionService)
    await async_wait_until(lambda: _true(len(svc.runs) == 2))
    assert [r["code"] for r in svc.runs] == [0, 0]
    assert "action 0 (agent.waiting: " in caplog.text and "recorded agent.state" in caplog.text


async def _at_least(out: Path, n: int) -> list[dict[str, Any]] | None:
    got = runs(out)
    return got if len(got) >= n else None


async def _true(value: bool) -> bool:
    return value


async def test_a_slow_action_is_killed_and_a_missing_program_logged(
    make_engine: Any, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config(actions=[
        Action(event="task.created", run=["sleep", "30"], timeout=0.3),
        Action(event="task.created", run=["no-such-program-here"]),
    ])  # fmt: skip
    engine, _ = await setup(make_engine, config)
    await engine.invoke("task.add", {"title": "t"})
    svc = engine.get(ActionService)
    await async_wait_until(lambda: _true(len(svc.runs) == 2))
    by_action = {r["action"]: r for r in svc.runs}
    assert (by_action[0]["code"], by_action[0]["output"]) == (None, "timed out")
    assert by_action[1]["output"].startswith("cannot run:")
    assert "action 0 (task.created: sleep): killed after 0.3s" in caplog.text
