"""Tasks, their dependencies and their history: every SQL statement on those tables.

Reads return `TaskInfo` records with the fields the store can know (dependencies, what they
block, tracked time); the engine adds the ones that are policy (urgency). What a read costs
follows what it returns, not the board: filters and the board's column order are SQL, a page
is read along the column index, and the derived fields are read for the returned tasks only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import msgspec

from wezmp_tui.model.board import TaskHistoryEntry, TaskInfo, TaskQuery
from wezmp_tui.store.board import MIGRATIONS
from wezmp_tui.store.db import Database

# Task `o` is open (neither finished nor deleted): it blocks its dependents.
_O_OPEN = "o.deleted = 0 AND o.finished_at IS NULL"
# The ids of a page go to SQLite as one JSON array (no statement per id, no variable limit).
_IDS = "(SELECT value FROM json_each(?))"
_tags = msgspec.json.Decoder(list[str]).decode

# A TaskInfo field -> its column, for the fields an update may set.
_COLUMNS = {
    "board": "board", "column": "col", "title": "title", "description": "description",
    "priority": "priority", "tags": "tags", "due": "due", "position": "position",
    "workspace": "workspace", "agent": "agent", "assigned": "assigned", "waiting": "waiting",
    "started_at": "started_at", "finished_at": "finished_at", "note": "note",
}  # fmt: skip


def _where(q: TaskQuery) -> tuple[str, list[Any]]:
    sql, params = "deleted = 0", list[Any]()
    for value, clause in (
        (q.id, "id = ?"),
        (q.board, "board = ?"),
        (q.column, "col = ?"),
        (q.not_column, "col != ?"),
        (q.workspace, "workspace = ?"),
        (q.assigned, "assigned = ?"),
    ):
        if value is not None:
            sql += f" AND {clause}"
            params.append(value)
    if q.open_only:
        sql += " AND finished_at IS NULL"
    if q.unassigned:
        sql += " AND assigned IS NULL"
    if q.tag is not None:
        sql += " AND EXISTS (SELECT 1 FROM json_each(tasks.tags) WHERE value = ?)"
        params.append(q.tag)
    if q.text:
        sql += " AND (wezmp_contains(title, ?) OR wezmp_contains(description, ?))"
        params += [q.text.lower()] * 2
    if q.queued_in is not None:
        sql += (
            " AND finished_at IS NULL AND assigned IS NULL AND open_deps = 0"
            " AND (col = ? OR agent = 'auto')"
        )
        params.append(q.queued_in)
    return sql, params


def _contains(haystack: str | None, needle: str) -> bool:
    # Python's lower() (SQLite's knows only ASCII), as the filter always matched.
    return haystack is not None and needle in haystack.lower()


class TaskStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("board", MIGRATIONS)
        db.conn.create_function("wezmp_contains", 2, _contains, deterministic=True)

    # -- reads --------------------------------------------------------------------------

    def select(self, q: TaskQuery, now: float) -> list[TaskInfo]:
        """The tasks `q` names, in board, column and position order, with dependencies,
        what they block and tracked time filled in (urgency left at 0)."""
        where, params = _where(q)
        rows = self.db.query(
            f"SELECT * FROM tasks WHERE {where} ORDER BY board, col, position", params
        )
        return self._complete(rows, now)

    def page(self, q: TaskQuery, columns: list[str], offset: int, limit: int,
             now: float) -> list[TaskInfo]:  # fmt: skip
        """`limit` tasks from `offset` of one board's tasks (`q.board`, whose columns are
        `columns`), in the board's column order then position: read column by column along
        the index, never sorting the board."""
        counts = self.counts(q)
        rows: list[sqlite3.Row] = []
        for col in columns:
            n = counts.get(col, 0)
            if offset >= n:
                offset -= n
                continue
            rows += self._column_rows(q, col, offset, limit - len(rows))
            offset = 0
            if len(rows) >= limit:
                break
        return self._complete(rows, now)

    def column(self, q: TaskQuery, column: str, offset: int, limit: int,
               now: float) -> list[TaskInfo]:  # fmt: skip
        """Cards `offset`.. of one column, in its order."""
        return self._complete(self._column_rows(q, column, offset, limit), now)

    def _column_rows(self, q: TaskQuery, column: str, offset: int, limit: int) -> list[sqlite3.Row]:
        where, params = _where(q)
        return self.db.query(
            f"SELECT * FROM tasks WHERE {where} AND col = ?"
            " ORDER BY position, id LIMIT ? OFFSET ?",
            [*params, column, limit, offset],
        )

    def counts(self, q: TaskQuery) -> dict[str, int]:
        """Tasks per column that `q` keeps (a whole board's: kept by triggers, not counted)."""
        if q.board is not None and q == TaskQuery(board=q.board):
            rows = self.db.query("SELECT col, n FROM column_counts WHERE board = ?", (q.board,))
            return {r["col"]: r["n"] for r in rows if r["n"]}
        where, params = _where(q)
        rows = self.db.query(
            f"SELECT col, COUNT(*) n FROM tasks WHERE {where} GROUP BY col", params
        )
        return {r["col"]: r["n"] for r in rows}

    def count(self, q: TaskQuery) -> int:
        where, params = _where(q)
        row = self.db.query_one(f"SELECT COUNT(*) n FROM tasks WHERE {where}", params)
        return int(row["n"]) if row else 0

    def queued(self, column: str) -> int:
        """Tasks the queue could dispatch (`TaskQuery(queued_in=column)`), kept by triggers:
        read in one step, not counted."""
        row = self.db.query_one(
            "SELECT SUM(n) n FROM queue_counts WHERE col = ? OR auto = 1", (column,)
        )
        return int(row["n"] or 0) if row else 0

    def place(self, q: TaskQuery, task_id: int) -> tuple[str, int] | None:
        """A task's column and its index there among the tasks `q` keeps."""
        where, params = _where(q)
        row = self.db.query_one(
            f"SELECT col, position FROM tasks WHERE {where} AND id = ?", [*params, task_id]
        )
        if row is None:
            return None
        before = self.db.query_one(
            f"SELECT COUNT(*) n FROM tasks WHERE {where} AND col = ?"
            " AND (position < ? OR (position = ? AND id < ?))",
            [*params, row["col"], row["position"], row["position"], task_id],
        )
        return str(row["col"]), int(before["n"]) if before else 0

    def _complete(self, rows: list[sqlite3.Row], now: float) -> list[TaskInfo]:
        """Records with dependencies, open dependents and tracked time, read for these
        rows only."""
        if not rows:
            return []
        ids = (json.dumps([r["id"] for r in rows]),)
        deps: dict[int, list[int]] = {}
        blocked: set[int] = set()
        for r in self.db.query(
            "SELECT d.task_id, d.depends_on, (o.id IS NOT NULL AND o.deleted = 0"
            " AND o.finished_at IS NULL) AS open"
            f" FROM task_deps d LEFT JOIN tasks o ON o.id = d.depends_on WHERE d.task_id IN {_IDS}",
            ids,
        ):
            deps.setdefault(r["task_id"], []).append(r["depends_on"])
            if r["open"]:
                blocked.add(r["task_id"])
        blocking: dict[int, list[int]] = {}
        for r in self.db.query(
            "SELECT d.depends_on, d.task_id FROM task_deps d JOIN tasks o ON o.id = d.task_id"
            f" WHERE d.depends_on IN {_IDS} AND {_O_OPEN}",
            ids,
        ):
            blocking.setdefault(r["depends_on"], []).append(r["task_id"])
        tracked: dict[int, float] = {}
        running: set[int] = set()
        for r in self.db.query(
            "SELECT task_id, SUM(COALESCE(end, ?) - start) t, SUM(end IS NULL) open"
            f" FROM time_entries WHERE task_id IN {_IDS} GROUP BY task_id",
            (now, *ids),
        ):
            tracked[r["task_id"]] = r["t"] or 0.0
            if r["open"]:
                running.add(r["task_id"])
        out = []
        for r in rows:
            tid = r["id"]
            task = _record(r)
            task.depends_on = sorted(deps.get(tid, []))
            task.blocking = sorted(blocking.get(tid, []))
            task.blocked = tid in blocked
            task.tracked = round(tracked.get(tid, 0.0), 1)
            task.timer_running = tid in running
            out.append(task)
        return out

    def get(self, task_id: int) -> TaskInfo | None:
        """A live task's own fields (no dependencies or tracked time), or None."""
        row = self.db.query_one("SELECT * FROM tasks WHERE id = ? AND deleted = 0", (task_id,))
        return _record(row) if row is not None else None

    def title(self, task_id: int) -> str:
        """A task's title, deleted or not ("" when there never was one)."""
        row = self.db.query_one("SELECT title FROM tasks WHERE id = ?", (task_id,))
        return str(row["title"]) if row else ""

    def open_dependencies(self, task_id: int) -> list[int]:
        """The dependencies of a task not finished yet."""
        rows = self.db.query(
            "SELECT d.depends_on FROM task_deps d JOIN tasks o ON o.id = d.depends_on"
            f" WHERE d.task_id = ? AND {_O_OPEN} ORDER BY d.depends_on",
            (task_id,),
        )
        return [r["depends_on"] for r in rows]

    def dependency_graph(self, without: int) -> dict[int, list[int]]:
        """Every task's dependencies, leaving out those of `without`."""
        graph: dict[int, list[int]] = {}
        for r in self.db.query(
            "SELECT task_id, depends_on FROM task_deps WHERE task_id != ?", (without,)
        ):
            graph.setdefault(r["task_id"], []).append(r["depends_on"])
        return graph

    def dependents(self, task_id: int) -> list[int]:
        rows = self.db.query("SELECT task_id FROM task_deps WHERE depends_on = ?", (task_id,))
        return [r["task_id"] for r in rows]

    def end_position(self, board: str, column: str) -> float:
        """A position after the last card of a column."""
        row = self.db.query_one(
            "SELECT MAX(position) p FROM tasks WHERE board = ? AND col = ? AND deleted = 0",
            (board, column),
        )
        return (row["p"] or 0.0) + 1.0 if row else 1.0

    def neighbour_position(
        self, board: str, column: str, position: float, *, before: bool, skip: int
    ) -> float | None:
        """The position of the card just before (or after) `position` in a column, leaving
        out task `skip`; None at the column's end."""
        op, order = ("<", "DESC") if before else (">", "ASC")
        row = self.db.query_one(
            f"SELECT position FROM tasks WHERE board = ? AND col = ? AND deleted = 0 AND id != ?"
            f" AND position {op} ? ORDER BY position {order} LIMIT 1",
            (board, column, skip, position),
        )
        return float(row["position"]) if row else None

    def load(self) -> dict[str, int]:
        """Open tasks per agent they were dispatched to."""
        rows = self.db.query(
            "SELECT assigned, COUNT(*) n FROM tasks WHERE assigned IS NOT NULL AND deleted = 0"
            " AND finished_at IS NULL GROUP BY assigned"
        )
        return {r["assigned"]: r["n"] for r in rows}

    def current_of(self, agent: str, column: str) -> int | None:
        """The open task an agent was last given that is still in `column`."""
        row = self.db.query_one(
            "SELECT id FROM tasks WHERE assigned = ? AND deleted = 0 AND finished_at IS NULL"
            " AND col = ? ORDER BY id DESC LIMIT 1",
            (agent, column),
        )
        return int(row["id"]) if row else None

    def finished_since(self, since: float) -> list[float]:
        rows = self.db.query(
            "SELECT finished_at FROM tasks WHERE deleted = 0 AND finished_at >= ?", (since,)
        )
        return [r["finished_at"] for r in rows]

    def cycle_spans(self, since: float) -> list[float]:
        """Seconds from start to finish of the tasks finished since `since`."""
        rows = self.db.query(
            "SELECT started_at, finished_at FROM tasks WHERE deleted = 0 AND started_at"
            " IS NOT NULL AND finished_at >= ?",
            (since,),
        )
        return [r["finished_at"] - r["started_at"] for r in rows]

    def history(self, task_id: int) -> list[TaskHistoryEntry]:
        rows = self.db.query("SELECT * FROM task_history WHERE task_id = ? ORDER BY id", (task_id,))
        return [
            TaskHistoryEntry(ts=r["ts"], action=r["action"], detail=json.loads(r["detail"]))
            for r in rows
        ]

    # -- writes -------------------------------------------------------------------------

    def insert(self, task: TaskInfo, depends_on: Sequence[int] = ()) -> int:
        """A new task (its `id` is ignored) with its dependencies; returns its id."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO tasks(board, col, title, description, priority, tags, due, position,"
                " workspace, agent, created_at, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (task.board, task.column, task.title, task.description, task.priority,
                 json.dumps(task.tags), task.due, task.position, task.workspace, task.agent,
                 task.created_at, task.finished_at),
            )  # fmt: skip
            task_id = int(cur.lastrowid or 0)
            _insert_deps(conn, task_id, depends_on)
        return task_id

    def update(self, task_id: int, **fields: Any) -> None:
        """Set fields of a task, named as in `TaskInfo`."""
        if not fields:
            return
        unknown = set(fields) - set(_COLUMNS)
        if unknown:
            raise KeyError(f"not task fields: {', '.join(sorted(unknown))}")
        values = [
            json.dumps(v) if k == "tags" else int(v) if k == "waiting" else v
            for k, v in fields.items()
        ]
        sets = ", ".join(f"{_COLUMNS[k]} = ?" for k in fields)
        self.db.execute(f"UPDATE tasks SET {sets} WHERE id = ?", (*values, task_id))

    def set_dependencies(self, task_id: int, depends_on: list[int]) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM task_deps WHERE task_id = ?", (task_id,))
            _insert_deps(conn, task_id, depends_on)

    def delete(self, task_id: int) -> None:
        """Mark a task deleted (its history stays) and drop its dependency links."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE tasks SET deleted = 1 WHERE id = ?", (task_id,))
            conn.execute(
                "DELETE FROM task_deps WHERE task_id = ? OR depends_on = ?", (task_id, task_id)
            )

    def add_history(self, task_id: int, ts: float, action: str, detail: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO task_history(task_id, ts, action, detail) VALUES (?, ?, ?, ?)",
            (task_id, ts, action, json.dumps(detail, default=str)),
        )


def _insert_deps(conn: sqlite3.Connection, task_id: int, depends_on: Sequence[int]) -> None:
    conn.executemany(
        "INSERT INTO task_deps(task_id, depends_on) VALUES (?, ?)",
        [(task_id, d) for d in depends_on],
    )


def _record(r: sqlite3.Row) -> TaskInfo:
    return TaskInfo(
        id=r["id"], board=r["board"], column=r["col"], title=r["title"],
        description=r["description"], priority=r["priority"], tags=_tags(r["tags"]),
        due=r["due"], position=r["position"], workspace=r["workspace"], agent=r["agent"],
        assigned=r["assigned"], waiting=bool(r["waiting"]), created_at=r["created_at"],
        started_at=r["started_at"], finished_at=r["finished_at"], note=r["note"],
    )  # fmt: skip
