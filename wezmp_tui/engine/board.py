"""The kanban board: boards with ordered columns, tasks with priorities, tags, due dates and
dependencies, and an append-only history of every change."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from wezmp_tui.engine.api import api
from wezmp_tui.engine.deps import find_cycle
from wezmp_tui.engine.urgency import score
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model import dates
from wezmp_tui.model.board import BoardInfo, TaskInfo
from wezmp_tui.store.board import MIGRATIONS

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

DEFAULT_BOARD = "default"
DEFAULT_COLUMNS = ["Backlog", "Queue", "Doing", "Review", "Done"]
Priority = Literal["H", "M", "L", ""]


def parse_due(value: str | float | None, now: float) -> float | None:
    """A due date: epoch seconds or what a person types (`model.dates`); "" clears it."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return dates.parse_due(value, now)
    except dates.DateError as exc:
        raise InvalidInput(f"due: {exc}") from None


class BoardService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.db = engine.db
        self.db.migrate("board", MIGRATIONS)
        if not self.db.query_one("SELECT 1 FROM boards WHERE name = ?", (DEFAULT_BOARD,)):
            self._create_board(DEFAULT_BOARD, None, self._default_columns())

    def _default_columns(self) -> list[str]:
        board = getattr(self.engine.config, "board", None)
        return list(getattr(board, "columns", None) or DEFAULT_COLUMNS)

    @property
    def weights(self) -> Any:
        return getattr(getattr(self.engine.config, "board", None), "urgency", None)

    # -- boards -------------------------------------------------------------------------

    def _create_board(self, name: str, workspace: str | None, columns: list[str]) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO boards(name, workspace, created_at) VALUES (?, ?, ?)",
                (name, workspace, self.engine.clock.now()),
            )
            conn.executemany(
                "INSERT INTO board_columns(board, name, position) VALUES (?, ?, ?)",
                [(name, c, i) for i, c in enumerate(columns)],
            )

    def columns(self, board: str) -> list[str]:
        rows = self.db.query(
            "SELECT name FROM board_columns WHERE board = ? ORDER BY position", (board,)
        )
        if not rows:
            raise NotFound(f"no board named {board!r} (see: wezmp board list)")
        return [r["name"] for r in rows]

    @api("board.create")
    async def create_board(
        self, name: str, workspace: str | None = None, columns: list[str] | None = None
    ) -> BoardInfo:
        """A new board (for a project or a workspace), with the default columns."""
        if not name.strip():
            raise InvalidInput("board name: must not be empty")
        if self.db.query_one("SELECT 1 FROM boards WHERE name = ?", (name,)):
            raise Conflict(f"board {name!r} exists")
        cols = columns or self._default_columns()
        if len(set(cols)) != len(cols):
            raise InvalidInput("columns: names must be unique")
        self._create_board(name, workspace, cols)
        self.engine.bus.publish("board.created", {"board": name})
        return await self.board_info(name)

    async def board_info(self, name: str) -> BoardInfo:
        cols = self.columns(name)
        counts = {c: 0 for c in cols}
        for r in self.db.query(
            "SELECT col, COUNT(*) n FROM tasks WHERE board = ? AND deleted = 0 GROUP BY col",
            (name,),
        ):
            counts[r["col"]] = r["n"]
        row = self.db.query_one("SELECT workspace FROM boards WHERE name = ?", (name,))
        return BoardInfo(
            name=name, workspace=row["workspace"] if row else None, columns=cols, counts=counts
        )

    @api("board.list")
    async def list_boards(self) -> list[BoardInfo]:
        """Every board with its columns and task counts."""
        names = [
            r["name"] for r in self.db.query("SELECT name FROM boards ORDER BY created_at, name")
        ]
        return [await self.board_info(n) for n in names]

    @api("board.columns")
    async def set_columns(
        self, board: str = DEFAULT_BOARD, columns: list[str] | None = None
    ) -> BoardInfo:
        """Show (or, with `columns`, set) a board's columns. A column that still holds tasks
        cannot be removed."""
        current = self.columns(board)
        if columns is None:
            return await self.board_info(board)
        if not columns or len(set(columns)) != len(columns):
            raise InvalidInput("columns: at least one, names unique")
        info = await self.board_info(board)
        for c in current:
            if c not in columns and info.counts.get(c):
                raise Conflict(f"column {c!r} still holds {info.counts[c]} task(s)")
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM board_columns WHERE board = ?", (board,))
            conn.executemany(
                "INSERT INTO board_columns(board, name, position) VALUES (?, ?, ?)",
                [(board, c, i) for i, c in enumerate(columns)],
            )
        self.engine.bus.publish("board.changed", {"board": board, "columns": columns})
        return await self.board_info(board)

    # -- tasks --------------------------------------------------------------------------

    def _row(self, task_id: int) -> dict[str, Any]:
        row = self.db.query_one("SELECT * FROM tasks WHERE id = ? AND deleted = 0", (task_id,))
        if row is None:
            raise NotFound(f"no task #{task_id}")
        return dict(row)

    def history(self, task_id: int, action: str, **detail: Any) -> None:
        self.db.execute(
            "INSERT INTO task_history(task_id, ts, action, detail) VALUES (?, ?, ?, ?)",
            (task_id, self.engine.clock.now(), action, json.dumps(detail, default=str)),
        )

    def done_column(self, board: str) -> str:
        return self.columns(board)[-1]

    def _open_ids(self) -> set[int]:
        return {
            r["id"]
            for r in self.db.query("SELECT id FROM tasks WHERE deleted = 0 AND finished_at IS NULL")
        }

    def tasks(self, where: str = "", params: tuple[Any, ...] = ()) -> list[TaskInfo]:
        """Tasks with derived fields (blocked, blocking, urgency, tracked time) in bulk."""
        rows = self.db.query(
            f"SELECT * FROM tasks WHERE deleted = 0 {where} ORDER BY board, col, position", params
        )
        if not rows:
            return []
        open_ids = self._open_ids()
        deps: dict[int, list[int]] = {}
        rdeps: dict[int, list[int]] = {}
        for r in self.db.query("SELECT task_id, depends_on FROM task_deps"):
            deps.setdefault(r["task_id"], []).append(r["depends_on"])
            rdeps.setdefault(r["depends_on"], []).append(r["task_id"])
        tracked: dict[int, float] = {}
        running: set[int] = set()
        now = self.engine.clock.now()
        for r in self.db.query(
            "SELECT task_id, SUM(COALESCE(end, ?) - start) t, SUM(end IS NULL) open "
            "FROM time_entries GROUP BY task_id",
            (now,),
        ):
            tracked[r["task_id"]] = r["t"] or 0.0
            if r["open"]:
                running.add(r["task_id"])
        out = []
        weights = self.weights
        for r in rows:
            tid = r["id"]
            tags = json.loads(r["tags"])
            blocking = [t for t in rdeps.get(tid, []) if t in open_ids]
            blocked = any(d in open_ids for d in deps.get(tid, []))
            out.append(
                TaskInfo(
                    id=tid,
                    board=r["board"],
                    column=r["col"],
                    title=r["title"],
                    description=r["description"],
                    priority=r["priority"],
                    tags=tags,
                    due=r["due"],
                    depends_on=sorted(deps.get(tid, [])),
                    blocking=sorted(blocking),
                    blocked=blocked,
                    position=r["position"],
                    workspace=r["workspace"],
                    agent=r["agent"],
                    assigned=r["assigned"],
                    waiting=bool(r["waiting"]),
                    created_at=r["created_at"],
                    started_at=r["started_at"],
                    finished_at=r["finished_at"],
                    note=r["note"],
                    urgency=score(
                        priority=r["priority"],
                        due=r["due"],
                        created_at=r["created_at"],
                        tags=tags,
                        blocking=bool(blocking),
                        blocked=blocked,
                        now=now,
                        weights=weights,
                    ),
                    tracked=round(tracked.get(tid, 0.0), 1),
                    timer_running=tid in running,
                )
            )
        return out

    def task(self, task_id: int) -> TaskInfo:
        found = self.tasks("AND id = ?", (task_id,))
        if not found:
            raise NotFound(f"no task #{task_id}")
        return found[0]

    def _check_deps(self, task_id: int, deps: list[int]) -> None:
        for d in deps:
            if d == task_id:
                raise InvalidInput(f"task #{task_id} cannot depend on itself")
            self._row(d)
        graph: dict[str, list[str]] = {}
        for r in self.db.query(
            "SELECT task_id, depends_on FROM task_deps WHERE task_id != ?", (task_id,)
        ):
            graph.setdefault(f"#{r['task_id']}", []).append(f"#{r['depends_on']}")
        graph[f"#{task_id}"] = [f"#{d}" for d in deps]
        for node in list(graph.values()):
            for n in node:
                graph.setdefault(n, [])
        cycle = find_cycle(graph)
        if cycle:
            raise InvalidInput("dependency cycle: " + " → ".join(cycle))

    def _end_position(self, board: str, column: str) -> float:
        row = self.db.query_one(
            "SELECT MAX(position) p FROM tasks WHERE board = ? AND col = ? AND deleted = 0",
            (board, column),
        )
        return (row["p"] or 0.0) + 1.0 if row else 1.0

    @api("task.add")
    async def add(
        self,
        title: str,
        description: str = "",
        board: str = DEFAULT_BOARD,
        column: str | None = None,
        priority: Priority = "",
        tags: list[str] | None = None,
        due: str | float | None = None,
        depends_on: list[int] | None = None,
        workspace: str | None = None,
        agent: str | None = None,
    ) -> TaskInfo:
        """Add a task (to the first column unless `column` says otherwise)."""
        if not title.strip():
            raise InvalidInput("title: must not be empty")
        cols = self.columns(board)
        col = column or cols[0]
        if col not in cols:
            raise InvalidInput(f"column {col!r} is not on board {board} ({', '.join(cols)})")
        now = self.engine.clock.now()
        finished = now if col == cols[-1] else None
        with self.db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO tasks(board, col, title, description, priority, tags, due, position,"
                " workspace, agent, created_at, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (board, col, title.strip(), description, priority, json.dumps(tags or []),
                 parse_due(due, now), self._end_position(board, col), workspace, agent, now,
                 finished),
            )  # fmt: skip
            task_id = int(cur.lastrowid or 0)
        if depends_on:
            try:
                self._check_deps(task_id, depends_on)
            except Exception:
                self.db.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
                raise
            self.db.conn.executemany(
                "INSERT INTO task_deps(task_id, depends_on) VALUES (?, ?)",
                [(task_id, d) for d in depends_on],
            )
        self.history(task_id, "added", title=title, column=col)
        self.engine.bus.publish("task.added", {"task_id": task_id, "board": board, "column": col})
        return self.task(task_id)

    @api("task.edit")
    async def edit(
        self,
        id: int,
        title: str | None = None,
        description: str | None = None,
        priority: Priority | None = None,
        tags: list[str] | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
        due: str | float | None = None,
        depends_on: list[int] | None = None,
        workspace: str | None = None,
        agent: str | None = None,
        note: str | None = None,
    ) -> TaskInfo:
        """Change a task's fields (only those given)."""
        row = self._row(id)
        changes: dict[str, Any] = {}
        if title is not None:
            if not title.strip():
                raise InvalidInput("title: must not be empty")
            changes["title"] = title.strip()
        if description is not None:
            changes["description"] = description
        if priority is not None:
            changes["priority"] = priority
        if tags is not None or add_tags or remove_tags:
            current = tags if tags is not None else json.loads(row["tags"])
            current = [t for t in current if t not in (remove_tags or [])]
            current += [t for t in (add_tags or []) if t not in current]
            changes["tags"] = json.dumps(current)
        if due is not None:
            changes["due"] = parse_due(due, self.engine.clock.now())
        if workspace is not None:
            changes["workspace"] = workspace or None
        if agent is not None:
            changes["agent"] = agent or None
        if note is not None:
            changes["note"] = note
        if changes:
            cols = ", ".join(f"{k} = ?" for k in changes)
            self.db.execute(f"UPDATE tasks SET {cols} WHERE id = ?", (*changes.values(), id))
        if depends_on is not None:
            self._check_deps(id, depends_on)
            with self.db.transaction() as conn:
                conn.execute("DELETE FROM task_deps WHERE task_id = ?", (id,))
                conn.executemany(
                    "INSERT INTO task_deps(task_id, depends_on) VALUES (?, ?)",
                    [(id, d) for d in depends_on],
                )
            changes["depends_on"] = depends_on
        if changes:
            self.history(id, "edited", **changes)
            self.engine.bus.publish("task.changed", {"task_id": id, "fields": sorted(changes)})
        return self.task(id)

    @api("task.move")
    async def move(
        self,
        id: int,
        column: str | None = None,
        before: int | None = None,
        after: int | None = None,
        force: bool = False,
    ) -> TaskInfo:
        """Move a task to a column (and/or before/after another card). A blocked task cannot
        move to the doing column; the done column stops its timer and records the finish."""
        row = self._row(id)
        board = row["board"]
        cols = self.columns(board)
        col = column or row["col"]
        if col not in cols:
            raise InvalidInput(f"column {col!r} is not on board {board} ({', '.join(cols)})")
        task = self.task(id)
        doing = getattr(getattr(self.engine.config, "queue", None), "doing_column", "Doing")
        if col != row["col"] and col == doing and task.blocked and not force:
            open_deps = [d for d in task.depends_on if d in self._open_ids()]
            raise Conflict(
                f"task #{id} is blocked by {', '.join(f'#{d}' for d in open_deps)}; "
                "finish those first"
            )
        position = self._position(board, col, id, before, after)
        now = self.engine.clock.now()
        done = self.done_column(board)
        fields: dict[str, Any] = {"col": col, "position": position}
        if col == done and row["finished_at"] is None:
            fields["finished_at"] = now
        elif col != done and row["finished_at"] is not None:
            fields["finished_at"] = None
        if col == doing and row["started_at"] is None:
            fields["started_at"] = now
        if col != doing:
            fields["waiting"] = 0
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE tasks SET {sets} WHERE id = ?", (*fields.values(), id))
        if col != row["col"]:
            self.history(id, "moved", frm=row["col"], to=col)
            if col == done:
                await self._stop_timer(id)
        self.engine.bus.publish(
            "task.moved", {"task_id": id, "board": board, "from": row["col"], "column": col}
        )
        return self.task(id)

    async def _stop_timer(self, task_id: int) -> None:
        if "time.stop" in self.engine.methods:
            from wezmp_tui.engine.timetrack import TimeService

            await self.engine.get(TimeService).stop_task(task_id)

    def _position(
        self, board: str, col: str, task_id: int, before: int | None, after: int | None
    ) -> float:
        if before is None and after is None:
            row = self._row(task_id)
            if row["col"] == col:
                return float(row["position"])
            return self._end_position(board, col)
        ref = before if before is not None else after
        assert ref is not None
        target = self._row(ref)
        if target["col"] != col or target["board"] != board:
            raise InvalidInput(f"task #{ref} is not in column {col}")
        op, order = ("<", "DESC") if before is not None else (">", "ASC")
        neighbour = self.db.query_one(
            f"SELECT position FROM tasks WHERE board = ? AND col = ? AND deleted = 0 AND id != ?"
            f" AND position {op} ? ORDER BY position {order} LIMIT 1",
            (board, col, task_id, target["position"]),
        )
        if neighbour is None:
            return float(target["position"]) + (-1.0 if before is not None else 1.0)
        return (float(target["position"]) + float(neighbour["position"])) / 2

    @api("task.done")
    async def done(self, id: int) -> TaskInfo:
        """Move a task to the last column (finished)."""
        return await self.move(id, column=self.done_column(self._row(id)["board"]), force=True)

    @api("task.rm")
    async def remove(self, id: int) -> dict[str, int]:
        """Delete a task (kept in the history)."""
        self._row(id)
        dependents = [
            r["task_id"]
            for r in self.db.query("SELECT task_id FROM task_deps WHERE depends_on = ?", (id,))
        ]
        with self.db.transaction() as conn:
            conn.execute("UPDATE tasks SET deleted = 1 WHERE id = ?", (id,))
            conn.execute("DELETE FROM task_deps WHERE task_id = ? OR depends_on = ?", (id, id))
        await self._stop_timer(id)
        self.history(id, "deleted", freed=dependents)
        self.engine.bus.publish("task.deleted", {"task_id": id})
        return {"id": id}

    @api("task.list")
    async def list_tasks(
        self,
        board: str | None = DEFAULT_BOARD,
        column: str | None = None,
        tag: str | None = None,
        workspace: str | None = None,
        text: str | None = None,
        include_done: bool = True,
    ) -> list[TaskInfo]:
        """Tasks of a board in column order (filter by column, tag, workspace or text)."""
        where, params = "", []
        if board is not None:
            self.columns(board)
            where += " AND board = ?"
            params.append(board)
        if column is not None:
            where += " AND col = ?"
            params.append(column)
        if workspace is not None:
            where += " AND workspace = ?"
            params.append(workspace)
        if not include_done:
            where += " AND finished_at IS NULL"
        tasks = self.tasks(where, tuple(params))
        if tag is not None:
            tasks = [t for t in tasks if tag in t.tags]
        if text:
            low = text.lower()
            tasks = [t for t in tasks if low in t.title.lower() or low in t.description.lower()]
        if board is not None:
            order = {c: i for i, c in enumerate(self.columns(board))}
            tasks.sort(key=lambda t: (order.get(t.column, 99), t.position))
        return tasks

    @api("task.show")
    async def show(self, id: int) -> dict[str, Any]:
        """A task with its history and time entries."""
        task = self.task(id)
        history = [
            {"ts": r["ts"], "action": r["action"], "detail": json.loads(r["detail"])}
            for r in self.db.query(
                "SELECT * FROM task_history WHERE task_id = ? ORDER BY id", (id,)
            )
        ]
        entries = [
            dict(r)
            for r in self.db.query(
                "SELECT id, start, end, note FROM time_entries WHERE task_id = ? ORDER BY start",
                (id,),
            )
        ]
        return {"task": task, "history": history, "time": entries}

    @api("task.next")
    async def next_tasks(self, board: str | None = None, limit: int = 5) -> list[TaskInfo]:
        """The most urgent open, unblocked tasks not yet being worked on."""
        doing = getattr(getattr(self.engine.config, "queue", None), "doing_column", "Doing")
        where = " AND finished_at IS NULL AND col != ?"
        params: list[Any] = [doing]
        if board:
            where += " AND board = ?"
            params.append(board)
        tasks = [t for t in self.tasks(where, tuple(params)) if not t.blocked]
        tasks.sort(key=lambda t: (-t.urgency, t.id))
        return tasks[:limit]
