"""Moving a card into the Queue with a real idle agent (a scripted stand-in in a tmux pane):
the board says where the card would go and nothing is typed until the answer is yes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.widgets import Static

from tests.engine.test_queue import bot, settle
from tests.helpers import async_wait_until
from tests.tui.apps import app_for
from tests.tui.board.test_screen import column_of, open_board
from wezmp_tui.config.schema import Config, State
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.ipc.server import IpcServer
from wezmp_tui.tui.board.queue_prompt import QueuePrompt
from wezmp_tui.tui.board.view import HEADER, BoardView


@pytest.fixture
async def engine(make_engine: Any) -> AsyncIterator[Engine]:
    config = Config(agents=[bot("bot1")], state=State(idle_debounce=0.2, silence_seconds=30))
    eng = await make_engine("tmux", config=config)
    await eng.mux.spawn(workspace="keeper", argv=["sleep", "300"])
    server = IpcServer(eng)  # the agent's wrapper registers over the socket
    await server.start()
    await eng.invoke("agent.start", {"name": "bot1"})
    sup = eng.get(Supervisor)

    async def idle() -> bool:
        return sup.agents["bot1"].info.state == "idle"

    await settle(eng, idle)
    await eng.invoke("task.add", {"title": "write the parser", "priority": "H"})
    yield eng
    await server.stop()


async def test_the_queue_asks_before_typing_into_the_agent(engine: Engine) -> None:
    sup = engine.get(Supervisor)
    pane = sup.agents["bot1"].info.pane_id
    assert pane is not None
    app = app_for(engine, engine.clock)
    async with app.run_test(size=(150, 40)) as pilot:
        screen = await open_board(pilot)
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, QueuePrompt)
        where = str(app.screen.query_one("#queue-where", Static).render())
        assert "It would go to bot1 now" in where
        await pilot.press("escape")
        await pilot.pause()
        assert await column_of(engine, 1) == "Backlog"
        assert "working on" not in await engine.mux.get_text(pane)
        await pilot.press("L", "y")

        async def typed() -> bool:
            await pilot.pause()
            return "working on: write the parser" in await engine.mux.get_text(pane)

        await settle(engine, typed)
        task = (await engine.invoke("task.show", {"id": 1}))["task"]
        assert task.assigned == "bot1" and task.timer_running
        # The dispatched card shows its agent and a timer on the board.
        view = screen.query_one(BoardView)

        async def shown() -> bool:
            await pilot.pause()
            line = "".join(
                "".join(s.text for s in view.render_line(y)) for y in (HEADER, HEADER + 1)
            )
            return "@bot1" in line and "⏱" in line

        await async_wait_until(shown, timeout=10)
