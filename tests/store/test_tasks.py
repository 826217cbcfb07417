from __future__ import annotations

from pathlib import Path

import pytest

from wezmp_tui.model.board import TaskInfo, TaskQuery
from wezmp_tui.store.board import BoardStore
from wezmp_tui.store.db import Database
from wezmp_tui.store.tasks import TaskStore
from wezmp_tui.store.time_entries import TimeEntryStore


def new(title: str, column: str = "Todo", **kw: object) -> TaskInfo:
    return TaskInfo(id=0, board="b", column=column, title=title, **kw)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    db = Database(tmp_path / "t.db")
    BoardStore(db).create("b", None, ["Todo", "Done"], now=0.0)
    return db


def test_select_fills_dependencies_and_tracked_time(db: Database) -> None:
    tasks, times = TaskStore(db), TimeEntryStore(db)
    a = tasks.insert(new("a", tags=["x"], position=1.0))
    b = tasks.insert(new("b", position=2.0), depends_on=[a])
    entry = times.insert(a, start=100.0, note="")
    got = {t.id: t for t in tasks.select(TaskQuery(board="b"), now=160.0)}
    assert got[a].blocking == [b] and got[a].tags == ["x"]
    assert got[a].tracked == 60.0 and got[a].timer_running
    assert got[b].depends_on == [a] and got[b].blocked
    # One task read alone knows the same.
    (alone,) = tasks.select(TaskQuery(id=b), now=160.0)
    assert alone.depends_on == [a] and alone.blocked
    times.set_end(entry, 130.0)
    tasks.update(a, column="Done", finished_at=130.0)
    (b_now,) = tasks.select(TaskQuery(id=b), now=200.0)
    assert not b_now.blocked
    assert [t.id for t in tasks.select(TaskQuery(open_only=True), now=200.0)] == [b]
    assert [t.id for t in tasks.select(TaskQuery(not_column="Todo"), now=200.0)] == [a]


def test_update_names_task_fields_and_refuses_others(db: Database) -> None:
    tasks = TaskStore(db)
    t = tasks.insert(new("a"))
    tasks.update(t, tags=["p", "q"], waiting=True, assigned="cc")
    got = tasks.get(t)
    assert got is not None and (got.tags, got.waiting, got.assigned) == (["p", "q"], True, "cc")
    assert tasks.load() == {"cc": 1} and tasks.current_of("cc", "Todo") == t
    with pytest.raises(KeyError, match="deleted"):
        tasks.update(t, deleted=1)


def test_positions_delete_and_history(db: Database) -> None:
    tasks = TaskStore(db)
    a = tasks.insert(new("a", position=1.0))
    b = tasks.insert(new("b", position=2.0), depends_on=[a])
    assert tasks.end_position("b", "Todo") == 3.0
    assert tasks.neighbour_position("b", "Todo", 2.0, before=True, skip=b) == 1.0
    assert tasks.neighbour_position("b", "Todo", 2.0, before=False, skip=b) is None
    tasks.add_history(a, 5.0, "added", {"title": "a"})
    assert [(h.action, h.detail) for h in tasks.history(a)] == [("added", {"title": "a"})]
    assert tasks.dependents(a) == [b]
    tasks.delete(a)
    assert tasks.get(a) is None and tasks.title(a) == "a"
    assert tasks.dependents(a) == [] and tasks.dependency_graph(without=0) == {}


def test_time_entries_overlap_heartbeat_and_clean_stop(db: Database) -> None:
    tasks, times = TaskStore(db), TimeEntryStore(db)
    t = tasks.insert(new("a"))
    first = times.insert(t, 100.0, "")
    times.set_end(first, 200.0)
    assert [e.id for e in times.overlapping(t, skip=0, start=150.0, end=None, now=300.0)] == [
        first
    ]
    assert times.overlapping(t, skip=0, start=200.0, end=250.0, now=300.0) == []
    running = times.insert(t, 300.0, "")
    times.heartbeat(330.0)
    assert times.running() == [t] and times.close_at_heartbeat("closed") == 1
    entry = times.get(running, now=999.0)
    assert entry is not None and (entry.end, entry.note, entry.task) == (330.0, "closed", "a")
    assert times.last_stopped_task() == t
    assert not times.take_clean_stop()
    times.mark_clean_stop(1.0)
    assert times.take_clean_stop() and not times.take_clean_stop()
    assert [s.title for s in times.spans_since(150.0, now=400.0)] == ["a", "a"]


# The queue's count as it was read before it was kept: every open, unassigned task of the
# column (or `agent: auto`) with no open dependency, counted row by row.
_COUNTED = (
    "SELECT COUNT(*) FROM tasks WHERE deleted = 0 AND finished_at IS NULL AND assigned IS NULL"
    " AND (col = ? OR agent = 'auto') AND NOT EXISTS (SELECT 1 FROM task_deps d"
    " JOIN tasks o ON o.id = d.depends_on WHERE d.task_id = tasks.id AND o.deleted = 0"
    " AND o.finished_at IS NULL)"
)


def test_the_queued_count_is_kept_through_every_change(db: Database) -> None:
    """Adds, moves, assignments, finishes and reopenings, deletions, dependency changes, in
    a random order: the kept count is the counted one after each."""
    import random

    store = TaskStore(db)
    rnd = random.Random(14)
    ids: list[int] = []

    def check(step: str) -> None:
        for col in ("Todo", "Queue", "Done"):
            counted = db.conn.execute(_COUNTED, (col,)).fetchone()[0]
            assert store.queued(col) == counted, f"{step}: {col}"

    for step in range(400):
        op = rnd.choice(["add", "add", "move", "assign", "finish", "reopen", "delete",
                         "purge", "deps", "agent"])  # fmt: skip
        live = sorted({i for i in ids if store.get(i) is not None})
        if op == "add" or not live:
            deps = rnd.sample(live, min(len(live), rnd.randint(0, 2)))
            agent = rnd.choice([None, None, "auto", "bot"])
            ids.append(store.insert(new(f"t{step}", rnd.choice(["Todo", "Queue", "Done"]),
                                        agent=agent), deps))  # fmt: skip
        elif op == "move":
            store.update(rnd.choice(live), column=rnd.choice(["Todo", "Queue", "Done"]))
        elif op == "assign":
            store.update(rnd.choice(live), assigned=rnd.choice([None, "bot"]))
        elif op == "finish":
            store.update(rnd.choice(live), finished_at=float(step))
        elif op == "reopen":
            store.update(rnd.choice(live), finished_at=None)
        elif op == "delete":
            store.delete(rnd.choice(live))
        elif op == "purge":  # a row gone for good, its links left behind
            db.execute("DELETE FROM tasks WHERE id = ?", (rnd.choice(live),))
        elif op == "deps":
            task = rnd.choice(live)
            others = [i for i in live if i != task]
            store.set_dependencies(task, rnd.sample(others, min(len(others), rnd.randint(0, 3))))
        else:
            store.update(rnd.choice(live), agent=rnd.choice([None, "auto", "bot"]))
        check(f"step {step} ({op})")
    assert store.queued("Queue") > 0  # the walk left some queued: the check checked counts


def test_the_migration_counts_what_is_there(tmp_path: Path) -> None:
    """A database of the version before: its tasks, blocked or not, are counted once."""
    from wezmp_tui.store.board import MIGRATIONS

    db = Database(tmp_path / "old.db")
    db.migrate("board", MIGRATIONS[:3])
    rows = [("b", "Queue", f"t{i}", i, 0.0, "auto" if i % 5 == 0 else None) for i in range(30)]
    db.conn.executemany("INSERT INTO tasks(board, col, title, position, created_at, agent)"
                        " VALUES (?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
    db.conn.executemany("INSERT INTO task_deps(task_id, depends_on) VALUES (?, ?)",
                        [(1, 2), (3, 4), (5, 6)])  # fmt: skip
    db.conn.execute("UPDATE tasks SET finished_at = 1.0 WHERE id = 4")
    db.conn.commit()
    store = TaskStore(db)
    assert store.queued("Queue") == db.conn.execute(_COUNTED, ("Queue",)).fetchone()[0] == 27
    # `agent: auto` goes from any column: six of them, one blocked (#1 waits on #2).
    assert store.queued("Todo") == db.conn.execute(_COUNTED, ("Todo",)).fetchone()[0] == 5
