"""The kanban board: boards with ordered columns, tasks with priorities, tags, due dates and
dependencies, and an append-only history of every change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import msgspec

from wezmp_tui.config.schema import Urgency
from wezmp_tui.engine.api import api
from wezmp_tui.engine.deps import find_cycle
from wezmp_tui.engine.urgency import score
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model import dates
from wezmp_tui.model.board import (
    BoardInfo,
    BoardWindow,
    CardPlace,
    ColumnWindow,
    TaskInfo,
    TaskQuery,
)
from wezmp_tui.store.board import BoardStore
from wezmp_tui.store.tasks import TaskStore
from wezmp_tui.store.time_entries import TimeEntryStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

DEFAULT_BOARD = "default"
DEFAULT_COLUMNS = ["Backlog", "Queue", "Doing", "Review", "Done"]
Priority = Literal["H", "M", "L", ""]
# An answer listing tasks stays under this many bytes of JSON, well below every client's
# frame limit (the TUI reads frames up to 2 MiB, the CLI up to 4 MiB), whatever the board
# holds: a listing is paged, a board is read as a window of each column.
PAGE_BYTES = 128 * 1024
PAGE_TASKS = 250  # tasks in a page of `task.list` at most
WINDOW_CARDS = 200  # cards of one column in a `board.window` at most
_size = msgspec.json.Encoder()


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
        self.boards = BoardStore(engine.db)
        self.store = TaskStore(engine.db)
        self.entries = TimeEntryStore(engine.db)
        if not self.boards.exists(DEFAULT_BOARD):
            self.boards.create(DEFAULT_BOARD, None, self._default_columns(), engine.clock.now())

    def _default_columns(self) -> list[str]:
        return list(self.engine.config.board.columns or DEFAULT_COLUMNS)

    @property
    def weights(self) -> Urgency:
        return self.engine.config.board.urgency

    # -- boards -------------------------------------------------------------------------

    def columns(self, board: str) -> list[str]:
        cols = self.boards.columns(board)
        if not cols:
            raise NotFound(f"no board named {board!r} (see: wezmp board list)")
        return cols

    @api("board.create")
    async def create_board(
        self, name: str, workspace: str | None = None, columns: list[str] | None = None
    ) -> BoardInfo:
        """A new board (for a project or a workspace), with the default columns."""
        if not name.strip():
            raise InvalidInput("board name: must not be empty")
        if self.boards.exists(name):
            raise Conflict(f"board {name!r} exists")
        cols = columns or self._default_columns()
        if len(set(cols)) != len(cols):
            raise InvalidInput("columns: names must be unique")
        self.boards.create(name, workspace, cols, self.engine.clock.now())
        self.engine.bus.publish("board.created", {"board": name})
        return await self.board_info(name)

    async def board_info(self, name: str) -> BoardInfo:
        cols = self.columns(name)
        counts = {c: 0 for c in cols} | self.boards.counts(name)
        return BoardInfo(
            name=name, workspace=self.boards.workspace(name), columns=cols, counts=counts
        )

    @api("board.list")
    async def list_boards(self) -> list[BoardInfo]:
        """Every board with its columns and task counts."""
        return [await self.board_info(n) for n in self.boards.names()]

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
        self.boards.set_columns(board, columns)
        self.engine.bus.publish("board.changed", {"board": board, "columns": columns})
        return await self.board_info(board)

    # -- tasks --------------------------------------------------------------------------

    def _row(self, task_id: int) -> TaskInfo:
        """A live task's own fields (NotFound when there is none)."""
        task = self.store.get(task_id)
        if task is None:
            raise NotFound(f"no task #{task_id}")
        return task

    def history(self, task_id: int, action: str, **detail: Any) -> None:
        self.store.add_history(task_id, self.engine.clock.now(), action, detail)

    def done_column(self, board: str) -> str:
        return self.columns(board)[-1]

    def select(self, query: TaskQuery) -> list[TaskInfo]:
        """Tasks with every derived field (blocked, blocking, urgency, tracked time)."""
        return self._scored(self.store.select(query, self.engine.clock.now()))

    def _scored(self, tasks: list[TaskInfo]) -> list[TaskInfo]:
        """Tasks with their urgency (a policy of the engine, not a stored field)."""
        now = self.engine.clock.now()
        weights = self.weights
        for t in tasks:
            t.urgency = score(
                priority=t.priority, due=t.due, created_at=t.created_at, tags=t.tags,
                blocking=bool(t.blocking), blocked=t.blocked, now=now, weights=weights,
            )  # fmt: skip
        return tasks

    def task(self, task_id: int) -> TaskInfo:
        found = self.select(TaskQuery(id=task_id))
        if not found:
            raise NotFound(f"no task #{task_id}")
        return found[0]

    def _check_deps(self, task_id: int | None, deps: list[int]) -> None:
        for d in deps:
            if d == task_id:
                raise InvalidInput(f"task #{task_id} cannot depend on itself")
            self._row(d)
        if task_id is None:
            return  # a new task: nothing depends on it yet, so no cycle runs through it
        graph = {
            f"#{t}": [f"#{d}" for d in ds]
            for t, ds in self.store.dependency_graph(without=task_id).items()
        }
        graph[f"#{task_id}"] = [f"#{d}" for d in deps]
        for node in list(graph.values()):
            for n in node:
                graph.setdefault(n, [])
        cycle = find_cycle(graph)
        if cycle:
            raise InvalidInput("dependency cycle: " + " → ".join(cycle))

    # -- what the queue changes on a task -------------------------------------------------

    def assign(self, task_id: int, agent: str | None, note: str | None = None) -> None:
        """Record (or, with None, clear) the agent a task was dispatched to."""
        fields: dict[str, Any] = {"assigned": agent}
        if agent is None:
            fields["waiting"] = False
        if note is not None:
            fields["note"] = note
        self.store.update(task_id, **fields)

    def set_waiting(self, task_id: int, waiting: bool) -> None:
        """Mark whether a dispatched task's agent waits for the person."""
        self.store.update(task_id, waiting=waiting)
        self.engine.bus.publish("task.changed", {"task_id": task_id, "fields": ["waiting"]})

    def queued(self, column: str) -> int:
        """How many tasks the queue could dispatch from `column` (or anywhere, `agent:
        auto`) now, whatever the size of the board."""
        return self.store.queued(column)

    def load(self) -> dict[str, int]:
        """Open tasks per agent they were dispatched to."""
        return self.store.load()

    def current_of(self, agent: str, column: str) -> int | None:
        """The open task dispatched to `agent` that is still in `column`."""
        return self.store.current_of(agent, column)

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
        if depends_on:
            self._check_deps(None, depends_on)
        now = self.engine.clock.now()
        new = TaskInfo(
            id=0, board=board, column=col, title=title.strip(), description=description,
            priority=priority, tags=tags or [], due=parse_due(due, now),
            position=self.store.end_position(board, col), workspace=workspace, agent=agent,
            created_at=now, finished_at=now if col == cols[-1] else None,
        )  # fmt: skip
        with self.store.db.transaction():  # one commit for the task and its history
            task_id = self.store.insert(new, depends_on or [])
            self.history(task_id, "added", title=title, column=col)
        self.engine.bus.publish("task.added", {"task_id": task_id, "board": board, "column": col,
                                               "title": new.title})  # fmt: skip
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
            current = tags if tags is not None else row.tags
            current = [t for t in current if t not in (remove_tags or [])]
            current += [t for t in (add_tags or []) if t not in current]
            changes["tags"] = current
        if due is not None:
            changes["due"] = parse_due(due, self.engine.clock.now())
        if workspace is not None:
            changes["workspace"] = workspace or None
        if agent is not None:
            changes["agent"] = agent or None
        if note is not None:
            changes["note"] = note
        if depends_on is not None:
            self._check_deps(id, depends_on)
        with self.store.db.transaction():  # one commit for the change and its history
            self.store.update(id, **changes)
            if depends_on is not None:
                self.store.set_dependencies(id, depends_on)
                changes["depends_on"] = depends_on
            if changes:
                self.history(id, "edited", **changes)
        if changes:
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
        board = row.board
        cols = self.columns(board)
        col = column or row.column
        if col not in cols:
            raise InvalidInput(f"column {col!r} is not on board {board} ({', '.join(cols)})")
        doing = self.engine.config.queue.doing_column
        if col != row.column and col == doing and not force:
            open_deps = self.store.open_dependencies(id)
            if open_deps:
                raise Conflict(
                    f"task #{id} is blocked by {', '.join(f'#{d}' for d in open_deps)}; "
                    "finish those first"
                )
        position = self._position(row, col, before, after)
        now = self.engine.clock.now()
        done = cols[-1]
        fields: dict[str, Any] = {"column": col, "position": position}
        if col == done and row.finished_at is None:
            fields["finished_at"] = now
        elif col != done and row.finished_at is not None:
            fields["finished_at"] = None
        if col == doing and row.started_at is None:
            fields["started_at"] = now
        if col != doing:
            fields["waiting"] = False
        with self.store.db.transaction():  # one commit for the move and its history
            self.store.update(id, **fields)
            if col != row.column:
                self.history(id, "moved", frm=row.column, to=col)
        # The done column stops the task's timer: the time service hears it on the bus.
        self.engine.bus.publish(
            "task.moved",
            {"task_id": id, "board": board, "from": row.column, "column": col,
             "done": col == done, "title": row.title},
        )  # fmt: skip
        return self.task(id)

    def _position(
        self, row: TaskInfo, col: str, before: int | None, after: int | None
    ) -> float:
        board, task_id = row.board, row.id
        if before is None and after is None:
            if row.column == col:
                return row.position
            return self.store.end_position(board, col)
        ref = before if before is not None else after
        assert ref is not None
        target = self._row(ref)
        if target.column != col or target.board != board:
            raise InvalidInput(f"task #{ref} is not in column {col}")
        neighbour = self.store.neighbour_position(
            board, col, target.position, before=before is not None, skip=task_id
        )
        if neighbour is None:
            return target.position + (-1.0 if before is not None else 1.0)
        return (target.position + neighbour) / 2

    @api("task.done")
    async def done(self, id: int) -> TaskInfo:
        """Move a task to the last column (finished)."""
        return await self.move(id, column=self.done_column(self._row(id).board), force=True)

    @api("task.rm")
    async def remove(self, id: int) -> dict[str, int]:
        """Delete a task (kept in the history)."""
        self._row(id)
        dependents = self.store.dependents(id)
        self.store.delete(id)
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
        offset: int = 0,
        limit: int = PAGE_TASKS,
    ) -> list[TaskInfo]:
        """A page of a board's tasks in column order (filter by column, tag, workspace or
        text): at most `limit` tasks from `offset`, fewer when they would not fit one answer.
        Ask again from `offset` + the number received until a page comes back empty."""
        if offset < 0 or limit < 1:
            raise InvalidInput("offset: 0 or more; limit: 1 or more")
        limit = min(limit, PAGE_TASKS)
        query = TaskQuery(board=board, column=column, tag=tag, workspace=workspace,
                          text=text or None, open_only=not include_done)  # fmt: skip
        now = self.engine.clock.now()
        if board is not None:
            tasks = self.store.page(query, self.columns(board), offset, limit, now)
        else:  # every board: rare, and ordered by board name first
            tasks = self.store.select(query, now)[offset : offset + limit]
        return _fitting(self._scored(tasks), PAGE_BYTES)

    @api("board.window")
    async def window(
        self,
        board: str = DEFAULT_BOARD,
        offsets: dict[str, int] | None = None,
        size: int = 60,
        text: str | None = None,
        around: int | None = None,
    ) -> BoardWindow:
        """What a board view shows: every column's count, and `size` cards of each column
        from its offset in `offsets` (0 where not given). With `around`, that task's column
        is read around it and `focus` says where it is (a card just added or moved)."""
        columns = self.columns(board)
        if size < 1:
            raise InvalidInput("size: 1 or more")
        size = min(size, WINDOW_CARDS)
        query = TaskQuery(board=board, text=text or None)
        counts = self.store.counts(query)
        starts = {c: max(0, int((offsets or {}).get(c, 0))) for c in columns}
        focus = None
        if around is not None:
            place = self.store.place(query, around)
            if place is not None:
                focus = CardPlace(column=place[0], index=place[1])
                starts[place[0]] = max(0, place[1] - size // 2)
        budget = PAGE_BYTES // len(columns)
        now = self.engine.clock.now()
        windows = []
        for c in columns:
            start = min(starts[c], max(counts.get(c, 0) - size, 0))
            cards = self._scored(self.store.column(query, c, start, size, now))
            windows.append(ColumnWindow(column=c, offset=start, tasks=_fitting(cards, budget)))
        return BoardWindow(
            name=board,
            columns=columns,
            counts={c: counts.get(c, 0) for c in columns},
            windows=windows,
            focus=focus,
        )

    @api("task.show")
    async def show(self, id: int) -> dict[str, Any]:
        """A task with its history and time entries."""
        task = self.task(id)
        entries = self.entries.entries(self.engine.clock.now(), task_id=id)
        return {
            "task": task,
            "history": self.store.history(id),
            "time": [
                {"id": e.id, "start": e.start, "end": e.end, "note": e.note}
                for e in reversed(entries)
            ],
        }

    @api("task.next")
    async def next_tasks(self, board: str | None = None, limit: int = 5) -> list[TaskInfo]:
        """The most urgent open, unblocked tasks not yet being worked on."""
        doing = self.engine.config.queue.doing_column
        query = TaskQuery(open_only=True, not_column=doing, board=board or None)
        tasks = [t for t in self.select(query) if not t.blocked]
        tasks.sort(key=lambda t: (-t.urgency, t.id))
        return tasks[:limit]


def _fitting(tasks: list[TaskInfo], budget: int) -> list[TaskInfo]:
    """The first tasks whose JSON fits `budget` bytes (always at least one, so paging goes on:
    a single task is bounded by the request that wrote it)."""
    used = 0
    for i, t in enumerate(tasks):
        used += len(_size.encode(t)) + 1
        if used > budget and i:
            return tasks[:i]
    return tasks
