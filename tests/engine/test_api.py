from __future__ import annotations

from typing import Any

import pytest

from wezmp_tui.engine.api import api, collect
from wezmp_tui.engine.bus import EventBus
from wezmp_tui.errors import InvalidParams


class Svc:
    @api("demo.add")
    async def add(self, a: int, b: int = 2) -> int:
        """Add two numbers."""
        return a + b

    @api("demo.echo")
    async def echo(self, items: list[str] | None = None) -> Any:
        return items


async def test_invoke_validates_params() -> None:
    methods = collect([Svc()])
    assert await methods["demo.add"].invoke({"a": 1}) == 3
    assert await methods["demo.add"].invoke({"a": 1, "b": 5}) == 6
    with pytest.raises(InvalidParams, match="a"):
        await methods["demo.add"].invoke({"a": "x"})
    with pytest.raises(InvalidParams, match="unknown field"):
        await methods["demo.add"].invoke({"a": 1, "zzz": 1})
    with pytest.raises(InvalidParams, match="object"):
        await methods["demo.add"].invoke([1, 2])
    assert methods["demo.add"].doc == "Add two numbers."


def test_duplicate_names_rejected() -> None:
    with pytest.raises(ValueError, match="twice"):
        collect([Svc(), Svc()])


async def test_bus_prefixes_and_overflow() -> None:
    bus = EventBus()
    ws = bus.subscribe(["workspace."], maxsize=2)
    everything = bus.subscribe()
    seen: list[str] = []
    bus.listen(["agent."], lambda e: seen.append(e.topic))
    for i in range(3):
        bus.publish("workspace.created", {"i": i})
    bus.publish("agent.state", {})
    assert ws.dropped == 1
    assert [(await ws.get()).data["i"] for _ in range(2)] == [1, 2]
    assert ws.get_nowait() is None
    assert everything.queue.qsize() == 4
    assert seen == ["agent.state"]
    ws.close()
    assert bus.subscriber_count == 1
