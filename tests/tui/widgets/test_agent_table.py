"""The agent table at scale: what a tick costs does not grow with the square of the agents."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.helpers import async_wait_until
from tests.tui.fakes import ScriptedClient, agent
from wezmp_tui.clock import FakeClock
from wezmp_tui.model.events import Event
from wezmp_tui.tui.app import create_app
from wezmp_tui.tui.widgets.agent_table import AgentPanel

N = 256


class ManyAgents(ScriptedClient):
    def __init__(self) -> None:
        super().__init__()
        self.agents = [agent(f"agent-{i:03d}", "api", "claude", "working", str(i), 1000 + i,
                             cpu=55.5, rss=900 * 1024 * 1024) for i in range(N)]  # fmt: skip

    async def call(self, method: str, /, **params: Any) -> Any:
        if method == "agent.list":
            self.calls.append((method, params))
            return copy.deepcopy(self.agents)
        return await super().call(method, **params)


def many_agents_app(client: ManyAgents) -> Any:
    async def factory() -> ManyAgents:
        return client

    return create_app(factory, clock=FakeClock())  # type: ignore[arg-type]


async def listed(app: Any, pilot: Any) -> Any:
    """The agent table once it shows every agent."""
    table = app.screen.query_one("#agents")

    async def all_rows() -> bool:
        await pilot.pause()
        return bool(table.row_count == N)

    await async_wait_until(all_rows)
    return table


async def test_a_tick_of_256_agents_measures_only_what_widened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every agent's CPU and memory shrink in one tick: no column is measured again cell by
    cell (DataTable re-measures a whole column for each narrower cell it is asked to fit)."""
    import textual.widgets._data_table as data_table

    client = ManyAgents()
    app = many_agents_app(client)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await listed(app, pilot)
        measured = 0
        real = data_table.measure

        def counting(*args: Any, **kw: Any) -> int:
            nonlocal measured
            measured += 1
            return real(*args, **kw)

        monkeypatch.setattr(data_table, "measure", counting)
        agents = {f"agent-{i:03d}": {"cpu": 1.0, "rss": 1024} for i in range(N)}
        client.queue.put_nowait(Event(seq=1, ts=0.0, topic="metrics.tick",
                                      data={"system": {"cpu": 5.0, "mem": 9.0},
                                            "agents": agents}))  # fmt: skip

        async def shown() -> bool:
            await pilot.pause()
            return str(table.get_cell("agent-255", "cpu")) == "1.0%"

        await async_wait_until(shown)
        await pilot.pause()
        assert measured < 4 * N, measured


async def test_a_tick_draws_only_the_rows_whose_agent_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One agent's figures change in a tick of 256: one row is drawn, the others are not
    even compared cell by cell."""
    client = ManyAgents()
    app = many_agents_app(client)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await listed(app, pilot)
        drawn: list[str] = []
        real = AgentPanel.cells

        def counting(panel: AgentPanel, agent: Any, *args: Any) -> Any:
            drawn.append(agent.name)
            return real(panel, agent, *args)

        monkeypatch.setattr(AgentPanel, "cells", counting)
        tick = {"system": {"cpu": 5.0, "mem": 9.0}, "agents": {"agent-007": {"cpu": 99.0,
                                                                             "rss": 1}}}
        client.queue.put_nowait(Event(seq=1, ts=0.0, topic="metrics.tick", data=tick))

        async def shown() -> bool:
            await pilot.pause()
            return str(table.get_cell("agent-007", "cpu")) == "99.0%"

        await async_wait_until(shown)
        assert drawn == ["agent-007"]


async def test_a_tick_looks_into_the_rows_of_changed_agents_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mirror's revision of each agent says which rows may have changed: a tick that
    changes one agent's figures puts together the inputs of that row alone, and figures
    that draw as before draw nothing."""
    client = ManyAgents()
    app = many_agents_app(client)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await listed(app, pilot)
        looked: list[str] = []
        drawn: list[str] = []
        real_inputs, real_cells = AgentPanel.row_inputs, AgentPanel.cells

        def inputs(panel: AgentPanel, agent: Any, now: float) -> Any:
            looked.append(agent.name)
            return real_inputs(panel, agent, now)

        def cells(panel: AgentPanel, agent: Any, *args: Any) -> Any:
            drawn.append(agent.name)
            return real_cells(panel, agent, *args)

        monkeypatch.setattr(AgentPanel, "row_inputs", inputs)
        monkeypatch.setattr(AgentPanel, "cells", cells)
        same_text = {"agent-009": {"cpu": 55.52, "rss": 900 * 1024 * 1024}}
        new_text = {"agent-003": {"cpu": 7.0, "rss": 900 * 1024 * 1024}}
        for seq, agents in enumerate([{}, same_text, new_text], start=1):
            tick = {"system": {"cpu": 5.0, "mem": 9.0}, "agents": agents}
            client.queue.put_nowait(Event(seq=seq, ts=0.0, topic="metrics.tick", data=tick))

        async def shown() -> bool:
            await pilot.pause()
            return str(table.get_cell("agent-003", "cpu")) == "7.0%"

        await async_wait_until(shown)
        assert sorted(looked) == ["agent-003", "agent-009"]
        assert drawn == ["agent-003"]


async def test_a_tick_reorders_the_rows_when_they_are_sorted_by_what_it_changed() -> None:
    """Drawing only the changed rows keeps the order: not when the order is by CPU."""
    client = ManyAgents()
    app = many_agents_app(client)
    async with app.run_test(size=(160, 50)) as pilot:
        table = await listed(app, pilot)
        table.focus()
        await pilot.press("o", "o")  # by state, then by CPU
        await pilot.pause()
        tick = {"system": {"cpu": 5.0, "mem": 9.0}, "agents": {"agent-200": {"cpu": 99.0,
                                                                             "rss": 1}}}
        client.queue.put_nowait(Event(seq=1, ts=0.0, topic="metrics.tick", data=tick))

        async def first() -> bool:
            await pilot.pause()
            return str(table.get_row_at(0)[0]) == "agent-200"

        await async_wait_until(first)


@pytest.mark.parametrize(
    ("up", "changes_in"),
    [(0.0, 1.0), (59.5, 0.5), (60.0, 60.0), (3599.0, 1.0), (7265.0, 55.0), (90000.0, 3600.0)],
)
def test_the_age_shown_is_looked_at_again_when_its_text_changes(
    up: float, changes_in: float
) -> None:
    from wezmp_tui.model.agents import AgentInfo
    from wezmp_tui.model.states import AgentState

    a = AgentInfo(name="a", pid=7, state=AgentState.WORKING, started_at=1000.0)
    now = 1000.0 + up
    until = AgentPanel.up_changes(a, now)
    assert until - now == pytest.approx(changes_in)
    assert AgentPanel.up_text(a, until - 0.01) == AgentPanel.up_text(a, now)
    assert AgentPanel.up_text(a, until) != AgentPanel.up_text(a, now)
    assert AgentPanel.up_changes(AgentInfo(name="b", state=AgentState.EXITED), now) == float("inf")
