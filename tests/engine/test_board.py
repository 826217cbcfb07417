"""Board, urgency, timers, reports: the engine API with real SQLite and a frozen clock."""

from __future__ import annotations

from typing import Any

import pytest

from wezmp_tui.clock import FakeClock
from wezmp_tui.engine.board import BoardService, parse_due
from wezmp_tui.engine.timetrack import TimeService
from wezmp_tui.engine.urgency import due_factor, score
from wezmp_tui.errors import Conflict, InvalidInput, NotFound

DAY = 86400.0


@pytest.fixture
async def env(make_engine: Any) -> tuple[Any, FakeClock]:
    clock = FakeClock(1_800_000_000.0)
    engine = await make_engine("local", clock=clock)
    return engine, clock


async def add(engine: Any, title: str, **kw: Any) -> Any:
    return await engine.invoke("task.add", {"title": title, **kw})


async def test_add_edit_move_done_and_history(env: Any) -> None:
    engine, clock = env
    t = await add(engine, "Parser", priority="H", tags=["core"], due="+2d")
    assert (t.column, t.priority, t.tags) == ("Backlog", "H", ["core"])
    assert t.due == pytest.approx(clock.now() + 2 * DAY)
    t = await engine.invoke(
        "task.edit", {"id": t.id, "add_tags": ["x"], "remove_tags": ["core"], "note": "n"}
    )
    assert t.tags == ["x"] and t.note == "n"
    clock.advance(60)
    t = await engine.invoke("task.move", {"id": t.id, "column": "Doing"})
    assert t.started_at == clock.now()
    t = await engine.invoke("task.done", {"id": t.id})
    assert t.column == "Done" and t.finished_at == clock.now()
    shown = await engine.invoke("task.show", {"id": t.id})
    assert [h.action for h in shown["history"]] == ["added", "edited", "moved", "moved"]
    t = await engine.invoke("task.move", {"id": t.id, "column": "Backlog"})
    assert t.finished_at is None
    with pytest.raises(InvalidInput, match="column 'Nope' is not on board default"):
        await engine.invoke("task.move", {"id": t.id, "column": "Nope"})
    with pytest.raises(InvalidInput, match="title: must not be empty"):
        await add(engine, "  ")
    await engine.invoke("task.rm", {"id": t.id})
    with pytest.raises(NotFound):
        await engine.invoke("task.show", {"id": t.id})


async def test_dependencies_block_and_cycles_are_named(env: Any) -> None:
    engine, _ = env
    a = await add(engine, "A")
    b = await add(engine, "B", depends_on=[a.id])
    assert b.blocked and (await engine.invoke("task.show", {"id": a.id}))["task"].blocking == [b.id]
    with pytest.raises(Conflict, match=f"task #{b.id} is blocked by #{a.id}"):
        await engine.invoke("task.move", {"id": b.id, "column": "Doing"})
    with pytest.raises(InvalidInput, match=f"dependency cycle: #{a.id} → #{b.id} → #{a.id}"):
        await engine.invoke("task.edit", {"id": a.id, "depends_on": [b.id]})
    with pytest.raises(InvalidInput, match="cannot depend on itself"):
        await engine.invoke("task.edit", {"id": a.id, "depends_on": [a.id]})
    await engine.invoke("task.done", {"id": a.id})
    b2 = await engine.invoke("task.move", {"id": b.id, "column": "Doing"})
    assert not b2.blocked and b2.column == "Doing"


async def test_reorder_before_and_after(env: Any) -> None:
    engine, _ = env
    ids = [(await add(engine, f"t{i}")).id for i in range(3)]
    await engine.invoke("task.move", {"id": ids[2], "before": ids[0]})
    await engine.invoke("task.move", {"id": ids[0], "after": ids[1]})
    order = [t.id for t in await engine.invoke("task.list", {"column": "Backlog"})]
    assert order == [ids[2], ids[1], ids[0]]


async def test_urgency_orders_next(env: Any) -> None:
    engine, clock = env
    low = await add(engine, "low", priority="L")
    high = await add(engine, "high", priority="H")
    due = await add(engine, "due soon", due=clock.now() + 3600)
    blocker = await add(engine, "blocker")
    await add(engine, "blocked", depends_on=[blocker.id], priority="H")
    nxt = [t.id for t in await engine.invoke("task.next", {"limit": 10})]
    assert nxt == [due.id, blocker.id, high.id, low.id]


def test_urgency_formula() -> None:
    assert due_factor(None, 0) == 0
    assert due_factor(-1, 0) == 1.0
    assert due_factor(14 * DAY, 0) == 0
    assert due_factor(7 * DAY, 0) == pytest.approx(0.6)
    weights = type("W", (), {"tags": {"urgent": 2.0}})()
    s = score(priority="H", due=None, created_at=0, tags=["urgent"], blocking=True,
              blocked=False, now=365 * DAY, weights=weights)  # fmt: skip
    assert s == pytest.approx(6.0 + 2.0 + 8.0 + 2.0)


async def test_boards_and_columns(env: Any) -> None:
    engine, _ = env
    b = await engine.invoke("board.create", {"name": "proj", "workspace": "api"})
    assert b.columns == ["Backlog", "Queue", "Doing", "Review", "Done"]
    with pytest.raises(Conflict):
        await engine.invoke("board.create", {"name": "proj"})
    t = await add(engine, "x", board="proj", column="Queue")
    with pytest.raises(Conflict, match="column 'Queue' still holds 1 task"):
        await engine.invoke("board.columns", {"board": "proj", "columns": ["Todo", "Done"]})
    await engine.invoke("task.move", {"id": t.id, "column": "Done"})
    b = await engine.invoke("board.columns", {"board": "proj", "columns": ["Todo", "Done"]})
    assert b.counts == {"Todo": 0, "Done": 1}
    assert [x.name for x in await engine.invoke("board.list")] == ["default", "proj"]
    with pytest.raises(NotFound):
        await engine.invoke("task.list", {"board": "ghost"})


async def test_timers_exclusive_continue_edit_and_heartbeat(env: Any) -> None:
    engine, clock = env
    a, b = await add(engine, "a"), await add(engine, "b")
    await engine.invoke("time.start", {"task_id": a.id})
    clock.advance(600)
    await engine.invoke("time.start", {"task_id": b.id})  # stops a
    clock.advance(300)
    stopped = await engine.invoke("time.stop", {})
    assert [(e.task_id, e.duration) for e in stopped] == [(b.id, 300.0)]
    cont = await engine.invoke("time.continue")
    assert cont.task_id == b.id
    clock.advance(60)
    entries = await engine.invoke("time.list", {"task_id": a.id})
    assert entries[0].duration == 600.0
    edited = await engine.invoke("time.edit", {"id": entries[0].id, "end": entries[0].start + 120})
    assert edited.duration == 120.0
    with pytest.raises(InvalidInput, match=r"end .* is before its start"):
        await engine.invoke("time.edit", {"id": entries[0].id, "end": 0})
    # The daemon "dies" with b's timer running: the next start closes it at its heartbeat.
    svc = engine.get(TimeService)
    await svc.heartbeat()
    hb = clock.now()
    clock.advance(3 * DAY)
    assert svc.close_orphans() == 1
    last = (await engine.invoke("time.list", {"task_id": b.id}))[0]
    assert last.end == hb and last.note == "closed at the last heartbeat"
    await engine.invoke("time.rm", {"id": last.id})
    with pytest.raises(NotFound):
        await engine.invoke("time.rm", {"id": last.id})
    task = (await engine.invoke("task.show", {"id": a.id}))["task"]
    assert task.tracked == 120.0 and not task.timer_running


async def test_reports(env: Any) -> None:
    engine, clock = env
    a = await add(engine, "a", tags=["core", "api"], workspace="ws1")
    await engine.invoke("time.start", {"task_id": a.id, "note": "agent claude-1"})
    clock.advance(1800)
    await engine.invoke("task.move", {"id": a.id, "column": "Doing"})
    clock.advance(1800)
    await engine.invoke("task.done", {"id": a.id})  # stops the timer
    by_task = await engine.invoke("report.time", {"period": "day", "by": "task"})
    assert by_task["rows"] == [{"key": f"#{a.id} a", "seconds": 3600.0, "share": 100}]
    assert sum(d["seconds"] for d in by_task["days"]) == by_task["total"] == 3600.0
    # Two tags share the span: the rows add up to the total.
    by_tag = await engine.invoke("report.time", {"by": "tag"})
    assert by_tag["rows"] == [{"key": "api", "seconds": 1800.0, "share": 50},
                              {"key": "core", "seconds": 1800.0, "share": 50}]  # fmt: skip
    assert by_tag["total"] == 3600.0
    # The period before holds none of it; the next one is not there yet.
    before = await engine.invoke("report.time", {"period": "week", "offset": -1})
    assert before["rows"] == [] and before["total"] == 0.0 and len(before["days"]) == 7
    assert before["until"] == (await engine.invoke("report.time", {"period": "week"}))["since"]
    assert (await engine.invoke("report.time", {"by": "workspace", "period": "week"}))["rows"][0][
        "key"
    ] == "ws1"
    assert (await engine.invoke("report.time", {"by": "agent", "period": "month"}))["rows"][0][
        "key"
    ] == "claude-1"
    tp = await engine.invoke("report.throughput", {"days": 3})
    assert tp[-1]["finished"] == 1 and len(tp) == 3
    ct = await engine.invoke("report.cycle_time")
    assert ct["tasks"] == 1 and ct["median"] == 1800.0


def test_periods_and_shares() -> None:
    import datetime as dt

    from wezmp_tui.engine.reports import period_bounds
    from wezmp_tui.model.reports import shares

    now = dt.datetime(2026, 1, 14, 15, 0).timestamp()  # a Wednesday
    day = dt.datetime
    assert period_bounds(now, "day") == (day(2026, 1, 14).timestamp(), day(2026, 1, 15).timestamp())
    assert period_bounds(now, "week", -1) == (day(2026, 1, 5).timestamp(),
                                              day(2026, 1, 12).timestamp())  # fmt: skip
    assert period_bounds(now, "month", -1) == (day(2025, 12, 1).timestamp(),
                                               day(2026, 1, 1).timestamp())  # fmt: skip
    assert shares([1, 1, 1]) == [34, 33, 33] and sum(shares([0.01, 3, 7.5, 2])) == 100
    assert shares([]) == [] and shares([0.0]) == [0]


def test_parse_due() -> None:
    assert parse_due("+1h", 100) == 3700
    assert parse_due("", 0) is None
    assert parse_due("2027-01-01", 0) is not None
    with pytest.raises(InvalidInput, match="not a date"):
        parse_due("soonish", 0)


async def test_edit_clears_a_due_date_and_names_the_field(env: Any) -> None:
    engine, _clock = env
    t = await engine.invoke("task.add", {"title": "due soon", "due": "tomorrow"})
    assert t.due is not None
    assert (await engine.invoke("task.edit", {"id": t.id, "title": "kept"})).due == t.due
    assert (await engine.invoke("task.edit", {"id": t.id, "due": ""})).due is None
    with pytest.raises(InvalidInput, match="due: '2026-13-45' is not a date: month"):
        await engine.invoke("task.edit", {"id": t.id, "due": "2026-13-45"})


# -- a board of any size: pages, windows, operations that do not grow with it ---------------


def wire_size(value: Any) -> int:
    import msgspec

    return len(msgspec.json.encode(value))


async def test_task_list_is_paged_to_fit_any_client(env: Any) -> None:
    from tests.board_data import seed
    from wezmp_tui.engine.board import PAGE_BYTES, PAGE_TASKS

    engine, clock = env
    with engine.db.transaction() as conn:
        seed(conn, 3_000, clock.now())
    # Long descriptions make a page end by its bytes before its count.
    engine.db.execute("UPDATE tasks SET description = description || ? WHERE id % 7 = 0",
                      ("x" * 4000,))  # fmt: skip
    first = await engine.invoke("task.list", {})
    assert 0 < len(first) < PAGE_TASKS and wire_size(first) <= PAGE_BYTES
    got, offset = [], 0
    while page := await engine.invoke("task.list", {"offset": offset, "limit": 700}):
        assert len(page) <= 700 and wire_size(page) <= PAGE_BYTES
        got += page
        offset += len(page)
    assert len(got) == 3_000 and len({t.id for t in got}) == 3_000
    # Board order: columns as the board orders them (not by name), then position.
    order = ["Backlog", "Queue", "Doing", "Review", "Done"]
    keys = [(order.index(t.column), t.position) for t in got]
    assert keys == sorted(keys) and got[0].column == "Backlog" and got[-1].column == "Done"
    # Filters hold across pages (tags and text in SQL, text case-insensitive beyond ASCII).
    bugs = await engine.invoke("task.list", {"tag": "bug", "limit": 1000})
    assert bugs and all("bug" in t.tags for t in bugs)
    await engine.invoke("task.add", {"title": "Ärger mit Umlauten", "column": "Review"})
    assert [t.title for t in await engine.invoke("task.list", {"text": "ärger"})] == [
        "Ärger mit Umlauten"
    ]
    with pytest.raises(InvalidInput, match="offset"):
        await engine.invoke("task.list", {"offset": -1})


async def test_board_window_counts_every_column_and_reads_a_window(env: Any) -> None:
    from tests.board_data import seed

    engine, clock = env
    with engine.db.transaction() as conn:
        seed(conn, 10_000, clock.now())
    w = await engine.invoke("board.window", {"size": 30, "offsets": {"Queue": 500}})
    assert w.counts == dict.fromkeys(["Backlog", "Queue", "Doing", "Review", "Done"], 2000)
    by_col = {c.column: c for c in w.windows}
    assert by_col["Backlog"].offset == 0 and len(by_col["Backlog"].tasks) == 30
    queue = by_col["Queue"]
    assert queue.offset == 500 and [t.position for t in queue.tasks][:2] == [2501.0, 2506.0]
    # Past the end: the last cards.
    w = await engine.invoke("board.window", {"size": 30, "offsets": {"Done": 10**6}})
    done = next(c for c in w.windows if c.column == "Done")
    assert done.offset == 1970 and len(done.tasks) == 30
    # Around a task: its column is read around it, and where it is comes back.
    t = await engine.invoke("task.add", {"title": "needle", "column": "Review"})
    w = await engine.invoke("board.window", {"size": 10, "around": t.id})
    assert w.focus.column == "Review" and w.focus.index == 2000
    review = next(c for c in w.windows if c.column == "Review")
    assert review.tasks[w.focus.index - review.offset].id == t.id
    # A filter counts what it keeps.
    w = await engine.invoke("board.window", {"text": "NEEDLE"})
    assert sum(w.counts.values()) == 1
    # Counts follow moves and deletions (kept by the store, not counted again).
    await engine.invoke("task.move", {"id": t.id, "column": "Doing"})
    await engine.invoke("task.rm", {"id": 1})
    w = await engine.invoke("board.window", {"size": 1})
    assert [w.counts[c] for c in ("Backlog", "Review", "Doing")] == [1999, 2000, 2001]
    with pytest.raises(NotFound):
        await engine.invoke("board.window", {"board": "ghost"})


async def vm_steps(engine: Any, method: str, params: dict[str, Any]) -> int:
    """SQLite work an operation causes, its reactions included (queue, listeners), counted
    in virtual-machine steps: the same every run, unlike a time."""
    import asyncio

    from wezmp_tui.engine.queue import QueueService

    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    engine.db.conn.set_progress_handler(count, 100)
    try:
        await engine.invoke(method, params)
        for _ in range(5):
            await asyncio.sleep(0)
        await asyncio.gather(*engine.get(QueueService)._tasks)
    finally:
        engine.db.conn.set_progress_handler(None, 0)
    return steps * 100


async def test_board_operations_cost_the_same_at_100000_tasks(env: Any) -> None:
    """Adding, editing and moving a card reads what it touches, never the board: its SQLite
    work at 100,000 tasks is within a small margin of that on a near-empty board."""
    from tests.board_data import seed

    engine, clock = env
    for i in range(20):
        await add(engine, f"warm {i}", column="Queue")

    async def ops() -> list[int]:
        t = await add(engine, "new card", tags=["x"])
        other = await add(engine, "other card", column="Queue")
        return [
            await vm_steps(engine, "task.add", {"title": "one more", "column": "Queue"}),
            await vm_steps(engine, "task.edit", {"id": t.id, "title": "renamed"}),
            await vm_steps(engine, "task.move", {"id": t.id, "column": "Queue"}),
            await vm_steps(engine, "task.move", {"id": t.id, "before": other.id}),
        ]

    small = await ops()
    with engine.db.transaction() as conn:
        seed(conn, 100_000, clock.now())
    big = await ops()
    for s, b in zip(small, big, strict=True):
        assert b <= 2 * s + 2_000, (small, big)


async def test_a_write_and_its_history_are_one_transaction(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A move, an edit or an add whose history cannot be written leaves the board as it was
    (and each costs one commit, not one per statement)."""
    engine, _ = env
    t = await add(engine, "Parser")
    store = engine.get(BoardService).store

    def broken(*_: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "add_history", broken)
    with pytest.raises(RuntimeError):
        await engine.invoke("task.move", {"id": t.id, "column": "Doing"})
    with pytest.raises(RuntimeError):
        await engine.invoke("task.edit", {"id": t.id, "title": "Lexer"})
    with pytest.raises(RuntimeError):
        await add(engine, "Never added")
    monkeypatch.undo()
    again = (await engine.invoke("task.show", {"id": t.id}))["task"]
    assert (again.column, again.title) == ("Backlog", "Parser")
    assert [x.title for x in await engine.invoke("task.list", {})] == ["Parser"]
