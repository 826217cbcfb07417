"""Tasks read a page at a time: filters in SQL, the board's column order in SQL, and the derived
fields (dependencies, tracked time) read only for the tasks of the page, so what a read costs
follows the page, not the board."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wezmp_tui.store.db import Database

# Task `o` is open (neither finished nor deleted): it blocks its dependents, or a blocker
# still holds it back.
_O_OPEN = "o.deleted = 0 AND o.finished_at IS NULL"
# The ids of a page go to SQLite as one JSON array (no statement per id, no variable limit).
_IDS = "(SELECT value FROM json_each(?))"


def _contains(haystack: str | None, needle: str) -> bool:
    # Python's lower() (SQLite's knows only ASCII), as the filter always matched.
    return haystack is not None and needle in haystack.lower()


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks a listing covers; every field optional."""

    board: str | None = None
    column: str | None = None
    tag: str | None = None
    workspace: str | None = None
    text: str | None = None
    include_done: bool = True

    def sql(self) -> tuple[str, list[Any]]:
        where, params = "t.deleted = 0", []
        for name, value in (("board", self.board), ("col", self.column),
                            ("workspace", self.workspace)):  # fmt: skip
            if value is not None:
                where += f" AND t.{name} = ?"
                params.append(value)
        if self.tag is not None:
            where += " AND EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = ?)"
            params.append(self.tag)
        if self.text:
            low = self.text.lower()
            where += " AND (wezmp_contains(t.title, ?) OR wezmp_contains(t.description, ?))"
            params += [low, low]
        if not self.include_done:
            where += " AND t.finished_at IS NULL"
        return where, params


@dataclass
class Derived:
    """What a task's card shows beyond its own row, for one page of tasks."""

    depends_on: dict[int, list[int]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)  # an open dependency
    blocking: dict[int, list[int]] = field(default_factory=dict)  # open dependents
    tracked: dict[int, float] = field(default_factory=dict)
    running: set[int] = field(default_factory=set)


class TaskPages:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.conn.create_function("wezmp_contains", 2, _contains, deterministic=True)

    def page(
        self, flt: TaskFilter, offset: int = 0, limit: int | None = None
    ) -> list[sqlite3.Row]:
        """Rows in board order: boards, then columns as the board orders them, then position.
        One board's page is read column by column along the index (no sort of the board)."""
        if flt.board is not None and limit is not None:
            counts = self.counts(flt)
            rows: list[sqlite3.Row] = []
            for col in self.board_columns(flt.board):
                n = counts.get(col, 0)
                if offset >= n:
                    offset -= n
                    continue
                rows += self.column(flt, col, offset, limit - len(rows))
                offset = 0
                if len(rows) >= limit:
                    break
            return rows
        where, params = flt.sql()
        sql = (
            "SELECT t.* FROM tasks t LEFT JOIN board_columns c"
            " ON c.board = t.board AND c.name = t.col"
            f" WHERE {where} ORDER BY t.board, c.position, t.position, t.id"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return self.db.query(sql, params)

    def column(self, flt: TaskFilter, column: str, offset: int, limit: int) -> list[sqlite3.Row]:
        """Cards `offset`.. of one column, in its order."""
        where, params = flt.sql()
        return self.db.query(
            f"SELECT t.* FROM tasks t WHERE {where} AND t.col = ?"
            " ORDER BY t.position, t.id LIMIT ? OFFSET ?",
            [*params, column, limit, offset],
        )

    def place(self, flt: TaskFilter, task_id: int) -> tuple[str, int] | None:
        """A task's column and its index there among the tasks the filter keeps."""
        where, params = flt.sql()
        row = self.db.query_one(f"SELECT t.col, t.position FROM tasks t WHERE {where}"
                                " AND t.id = ?", [*params, task_id])  # fmt: skip
        if row is None:
            return None
        before = self.db.query_one(
            f"SELECT COUNT(*) n FROM tasks t WHERE {where} AND t.col = ?"
            " AND (t.position < ? OR (t.position = ? AND t.id < ?))",
            [*params, row["col"], row["position"], row["position"], task_id],
        )
        return str(row["col"]), int(before["n"]) if before else 0

    def where(self, where: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows matching a condition on the tasks table `t`, in board order."""
        return self.db.query(
            f"SELECT t.* FROM tasks t WHERE t.deleted = 0 {where}"
            " ORDER BY t.board, t.col, t.position",
            params,
        )

    def board_columns(self, board: str) -> list[str]:
        rows = self.db.query(
            "SELECT name FROM board_columns WHERE board = ? ORDER BY position", (board,)
        )
        return [r["name"] for r in rows]

    def counts(self, flt: TaskFilter) -> dict[str, int]:
        """Tasks per column the filter keeps (a whole board's: kept, not counted)."""
        if flt.board is not None and flt == TaskFilter(board=flt.board):
            rows = self.db.query("SELECT col, n FROM column_counts WHERE board = ?", (flt.board,))
            return {r["col"]: r["n"] for r in rows if r["n"]}
        where, params = flt.sql()
        rows = self.db.query(
            f"SELECT t.col, COUNT(*) n FROM tasks t WHERE {where} GROUP BY t.col", params
        )
        return {r["col"]: r["n"] for r in rows}

    def derived(self, ids: list[int], now: float) -> Derived:
        out = Derived()
        if not ids:
            return out
        arg = (json.dumps(ids),)
        for r in self.db.query(
            "SELECT d.task_id, d.depends_on, (o.id IS NOT NULL AND o.deleted = 0"
            " AND o.finished_at IS NULL) AS open"
            f" FROM task_deps d LEFT JOIN tasks o ON o.id = d.depends_on WHERE d.task_id IN {_IDS}",
            arg,
        ):
            out.depends_on.setdefault(r["task_id"], []).append(r["depends_on"])
            if r["open"]:
                out.blocked.add(r["task_id"])
        for r in self.db.query(
            "SELECT d.depends_on, d.task_id FROM task_deps d JOIN tasks o ON o.id = d.task_id"
            f" WHERE d.depends_on IN {_IDS} AND {_O_OPEN}",
            arg,
        ):
            out.blocking.setdefault(r["depends_on"], []).append(r["task_id"])
        for r in self.db.query(
            "SELECT task_id, SUM(COALESCE(end, ?) - start) t, SUM(end IS NULL) open"
            f" FROM time_entries WHERE task_id IN {_IDS} GROUP BY task_id",
            (now, *arg),
        ):
            out.tracked[r["task_id"]] = r["t"] or 0.0
            if r["open"]:
                out.running.add(r["task_id"])
        return out

    def open_dependencies(self, task_id: int) -> list[int]:
        return [
            r["depends_on"]
            for r in self.db.query(
                "SELECT d.depends_on FROM task_deps d JOIN tasks o ON o.id = d.depends_on"
                f" WHERE d.task_id = ? AND {_O_OPEN}"
                " ORDER BY d.depends_on",
                (task_id,),
            )
        ]

    # -- the dispatch queue ---------------------------------------------------------------

    def _queued(self, queue_column: str) -> tuple[str, list[Any]]:
        """Open, unassigned, in the queue column or meant for any agent, no open dependency."""
        return (
            f" AND t.finished_at IS NULL AND t.assigned IS NULL AND (t.col = ? OR t.agent = 'auto')"
            " AND NOT EXISTS (SELECT 1 FROM task_deps d JOIN tasks o ON o.id = d.depends_on"
            f" WHERE d.task_id = t.id AND {_O_OPEN})",
            [queue_column],
        )

    def queued(self, queue_column: str) -> list[sqlite3.Row]:
        where, params = self._queued(queue_column)
        return self.where(where, params)

    def queued_count(self, queue_column: str) -> int:
        where, params = self._queued(queue_column)
        row = self.db.query_one(f"SELECT COUNT(*) n FROM tasks t WHERE t.deleted = 0 {where}",
                                params)  # fmt: skip
        return int(row["n"]) if row else 0
