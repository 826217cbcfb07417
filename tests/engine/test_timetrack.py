"""Timers across daemon stops and crashes, and entry edits that would lose or double time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wezmp_tui.clock import FakeClock
from wezmp_tui.errors import InvalidInput

T0 = dt.datetime(2027, 3, 1, 22, 0).timestamp()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def task(engine: Any, title: str = "t") -> int:
    return int((await engine.invoke("task.add", {"title": title})).id)


async def test_a_clean_stop_keeps_a_running_timer_running(
    make_engine: Any, clock: FakeClock
) -> None:
    first = await make_engine("local", clock=clock)
    t = await task(first)
    await first.invoke("time.start", {"task_id": t})
    clock.advance(10)
    await first.stop()  # `wezmp daemon stop`
    clock.advance(5)
    second = await make_engine("local", clock=clock)
    entries = await second.invoke("time.list", {"task_id": t})
    assert [(e.end, e.duration) for e in entries] == [(None, 15.0)]
    assert (await second.invoke("task.show", {"id": t}))["task"].timer_running
    # The mark is used once: a crash of this daemon closes the timer at its last heartbeat.
    clock.advance(40)
    await second.invoke("time.list")
    from wezmp_tui.engine.timetrack import TimeService

    await second.get(TimeService).heartbeat()
    beat = clock.now()
    clock.advance(600)
    third = await make_engine("local", clock=clock)  # `second` never stopped: it crashed
    (entry,) = await third.invoke("time.list", {"task_id": t})
    assert entry.end == beat and entry.note == "closed at the last heartbeat"


async def test_edit_refuses_a_backward_span_the_future_and_overlaps(
    make_engine: Any, clock: FakeClock
) -> None:
    engine = await make_engine("local", clock=clock)
    t, other = await task(engine), await task(engine, "other")
    await engine.invoke("time.start", {"task_id": t})
    clock.advance(3600)  # 22:00 - 23:00
    await engine.invoke("time.start", {"task_id": other})
    await engine.invoke("time.start", {"task_id": t})  # 23:00 - 00:30, across midnight
    clock.advance(5400)
    await engine.invoke("time.stop")
    later, first = await engine.invoke("time.list", {"task_id": t})
    with pytest.raises(InvalidInput) as err:
        await engine.invoke("time.edit", {"id": first.id, "end": T0 - 60})
    assert err.value.message == (
        f"entry {first.id}: end 2027-03-01 21:59 is before its start 2027-03-01 22:00"
    )
    with pytest.raises(InvalidInput) as err:
        await engine.invoke("time.edit", {"id": first.id, "end": T0 + 2 * 86400})
    assert err.value.message == f"entry {first.id}: end 2027-03-03 22:00 is in the future"
    with pytest.raises(InvalidInput) as err:
        await engine.invoke("time.edit", {"id": first.id, "end": T0 + 3600 + 1800})
    assert err.value.message == (
        f"entry {first.id}: 2027-03-01 22:00 – 2027-03-01 23:30 overlaps entry {later.id}"
        " (2027-03-01 23:00 – 2027-03-02 00:30) of the same task; time would count twice"
    )
    edited = await engine.invoke("time.edit", {"id": first.id, "start": T0 - 600, "note": "n"})
    assert (edited.start, edited.duration, edited.note) == (T0 - 600, 4200.0, "n")
