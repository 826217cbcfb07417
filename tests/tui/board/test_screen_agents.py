"""The Board mode takes its agents from the app's mirror of the daemon: an agent that comes
or changes state while the board is shown is on its cards and in its task form at once, and
the board never asks the daemon for the agent list itself."""

from __future__ import annotations

import traceback
from typing import Any

from tests.engine.test_notify import WAITING
from tests.helpers import async_wait_until
from tests.tui.board.test_screen import NOW, SIZE, open_board
from wezmp_tui.clock import FakeClock
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.ipc.base import InProcessClient
from wezmp_tui.tui.app import create_app
from wezmp_tui.tui.board.forms import TaskForm
from wezmp_tui.tui.board.view import HEADER, BoardView


class AskingClient(InProcessClient):
    """Remembers, for each call, whether board code made it (and not the app's mirror)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.by_board: list[str] = []

    async def call(self, method: str, /, **params: Any) -> Any:
        if any("wezmp_tui/tui/board/" in frame.filename for frame in traceback.extract_stack()):
            self.by_board.append(method)
        return await super().call(method, **params)


async def test_agents_reach_the_board_from_the_mirror(make_engine: Any) -> None:
    engine = await make_engine("local", clock=FakeClock(NOW))
    await engine.invoke("task.add", {"title": "Write the parser", "agent": "bot"})
    client = AskingClient(engine)

    async def factory() -> InProcessClient:
        return client

    app = create_app(factory, clock=engine.clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_board(pilot)
        view = screen.query_one(BoardView)

        def card() -> str:
            return "".join(s.text for s in view.render_line(HEADER + 1))

        async def shows(text: str) -> bool:
            await pilot.pause()
            return text in card()

        assert card().split() == ["▌", "@bot"]  # no such agent yet: no state
        # Defined while the board is shown: its card says its state.
        await engine.invoke("agent.define", {"spec": {"name": "bot", "workspace": "w"}})
        await async_wait_until(lambda: shows("@bot stopped"))
        # Running, then a hook says it waits for the person.
        pane = await engine.mux.spawn(workspace="w", argv=["sleep", "60"])
        info = engine.get(Supervisor).agents["bot"].info
        info.pane_id, info.pid, info.state = pane, 1, "working"
        await engine.invoke("hook.event", {**WAITING, "agent": "bot"})
        await async_wait_until(lambda: shows("@bot waiting"))
        # The task form suggests it.
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TaskForm) and "bot" in app.screen.agents
        assert "board.window" in client.by_board  # what the board asks for is seen
        assert "agent.list" not in client.by_board
