"""Boards, tasks, dependencies, time entries and the append-only history, in SQLite: the
schema of the "board" domain, and the boards and their columns (tasks: `store/tasks.py`,
time entries: `store/time_entries.py`)."""

from __future__ import annotations

from wezmp_tui.store.db import Database

MIGRATIONS = [
    """
    CREATE TABLE boards (
        name TEXT PRIMARY KEY,
        workspace TEXT,
        created_at REAL NOT NULL
    );
    CREATE TABLE board_columns (
        board TEXT NOT NULL REFERENCES boards(name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (board, name)
    );
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        board TEXT NOT NULL,
        col TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        priority TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        due REAL,
        position REAL NOT NULL,
        workspace TEXT,
        agent TEXT,
        assigned TEXT,
        waiting INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL,
        note TEXT NOT NULL DEFAULT '',
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tasks_by_column ON tasks(board, col, position) WHERE deleted = 0;
    CREATE INDEX tasks_by_assigned ON tasks(assigned) WHERE deleted = 0;
    CREATE TABLE task_deps (
        task_id INTEGER NOT NULL,
        depends_on INTEGER NOT NULL,
        PRIMARY KEY (task_id, depends_on)
    );
    CREATE INDEX task_deps_reverse ON task_deps(depends_on);
    CREATE TABLE time_entries (
        id INTEGER PRIMARY KEY,
        task_id INTEGER NOT NULL,
        start REAL NOT NULL,
        end REAL,
        heartbeat REAL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX time_entries_by_task ON time_entries(task_id);
    CREATE INDEX time_entries_open ON time_entries(end) WHERE end IS NULL;
    CREATE TABLE task_history (
        id INTEGER PRIMARY KEY,
        task_id INTEGER NOT NULL,
        ts REAL NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX task_history_by_task ON task_history(task_id);
    """,
    # What the dispatch queue and `agent: auto` look up on every tick, without a scan of the
    # board (a queued task is open and unassigned).
    """
    CREATE INDEX tasks_queued ON tasks(col)
        WHERE deleted = 0 AND finished_at IS NULL AND assigned IS NULL;
    CREATE INDEX tasks_by_agent ON tasks(agent) WHERE deleted = 0;
    """,
    # Each column's count kept as tasks come, go and move, so a board view reads its counts
    # in one step, not by counting 100,000 rows.
    """
    CREATE TABLE column_counts (
        board TEXT NOT NULL,
        col TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (board, col)
    );
    INSERT INTO column_counts(board, col, n)
        SELECT board, col, COUNT(*) FROM tasks WHERE deleted = 0 GROUP BY board, col;
    CREATE TRIGGER tasks_counted_insert AFTER INSERT ON tasks WHEN NEW.deleted = 0 BEGIN
        INSERT INTO column_counts(board, col, n) VALUES (NEW.board, NEW.col, 1)
            ON CONFLICT(board, col) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER tasks_counted_delete AFTER DELETE ON tasks WHEN OLD.deleted = 0 BEGIN
        UPDATE column_counts SET n = n - 1 WHERE board = OLD.board AND col = OLD.col;
    END;
    CREATE TRIGGER tasks_counted_update AFTER UPDATE OF board, col, deleted ON tasks BEGIN
        UPDATE column_counts SET n = n - 1
            WHERE OLD.deleted = 0 AND board = OLD.board AND col = OLD.col;
        INSERT INTO column_counts(board, col, n) SELECT NEW.board, NEW.col, 1
            WHERE NEW.deleted = 0
            ON CONFLICT(board, col) DO UPDATE SET n = n + 1;
    END;
    """,
    # The dispatch queue's count kept as tasks change, so `queue.status` reads it in one
    # step: each task's open dependencies (`open_deps`, kept as links are added and removed,
    # never updated, and as the tasks they name finish, reopen or go; a task removed for good
    # takes its links with it, so a later task given its id inherits none), and the tasks
    # that could be dispatched (open, unassigned, not blocked) per column, apart for
    # `agent: auto` (queued from any column).
    """
    ALTER TABLE tasks ADD COLUMN open_deps INTEGER NOT NULL DEFAULT 0;
    UPDATE tasks SET open_deps = (
        SELECT COUNT(*) FROM task_deps d JOIN tasks o ON o.id = d.depends_on
        WHERE d.task_id = tasks.id AND o.deleted = 0 AND o.finished_at IS NULL);
    CREATE TRIGGER task_deps_counted_insert AFTER INSERT ON task_deps BEGIN
        UPDATE tasks SET open_deps = open_deps + 1 WHERE id = NEW.task_id AND EXISTS (
            SELECT 1 FROM tasks o WHERE o.id = NEW.depends_on AND o.deleted = 0
                AND o.finished_at IS NULL);
    END;
    CREATE TRIGGER task_deps_counted_delete AFTER DELETE ON task_deps BEGIN
        UPDATE tasks SET open_deps = open_deps - 1 WHERE id = OLD.task_id AND EXISTS (
            SELECT 1 FROM tasks o WHERE o.id = OLD.depends_on AND o.deleted = 0
                AND o.finished_at IS NULL);
    END;
    CREATE TRIGGER tasks_links_delete AFTER DELETE ON tasks BEGIN
        UPDATE tasks SET open_deps = open_deps - 1
            WHERE OLD.deleted = 0 AND OLD.finished_at IS NULL
                AND id IN (SELECT task_id FROM task_deps WHERE depends_on = OLD.id);
        DELETE FROM task_deps WHERE task_id = OLD.id OR depends_on = OLD.id;
    END;
    CREATE TRIGGER tasks_dependents_update AFTER UPDATE OF finished_at, deleted ON tasks
        WHEN (OLD.deleted = 0 AND OLD.finished_at IS NULL)
            != (NEW.deleted = 0 AND NEW.finished_at IS NULL) BEGIN
        UPDATE tasks
            SET open_deps = open_deps + (CASE WHEN NEW.deleted = 0
                AND NEW.finished_at IS NULL THEN 1 ELSE -1 END)
            WHERE id IN (SELECT task_id FROM task_deps WHERE depends_on = NEW.id);
    END;
    CREATE TABLE queue_counts (
        col TEXT NOT NULL,
        auto INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (col, auto)
    );
    INSERT INTO queue_counts(col, auto, n)
        SELECT col, agent IS 'auto', COUNT(*) FROM tasks
        WHERE deleted = 0 AND finished_at IS NULL AND assigned IS NULL AND open_deps = 0
        GROUP BY col, agent IS 'auto';
    CREATE TRIGGER tasks_queue_counted_insert AFTER INSERT ON tasks
        WHEN NEW.deleted = 0 AND NEW.finished_at IS NULL AND NEW.assigned IS NULL
            AND NEW.open_deps = 0 BEGIN
        INSERT INTO queue_counts(col, auto, n) VALUES (NEW.col, NEW.agent IS 'auto', 1)
            ON CONFLICT(col, auto) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER tasks_queue_counted_delete AFTER DELETE ON tasks
        WHEN OLD.deleted = 0 AND OLD.finished_at IS NULL AND OLD.assigned IS NULL
            AND OLD.open_deps = 0 BEGIN
        UPDATE queue_counts SET n = n - 1 WHERE col = OLD.col AND auto = (OLD.agent IS 'auto');
    END;
    CREATE TRIGGER tasks_queue_counted_update
        AFTER UPDATE OF col, agent, assigned, finished_at, deleted, open_deps ON tasks BEGIN
        UPDATE queue_counts SET n = n - 1
            WHERE OLD.deleted = 0 AND OLD.finished_at IS NULL AND OLD.assigned IS NULL
                AND OLD.open_deps = 0 AND col = OLD.col AND auto = (OLD.agent IS 'auto');
        INSERT INTO queue_counts(col, auto, n) SELECT NEW.col, NEW.agent IS 'auto', 1
            WHERE NEW.deleted = 0 AND NEW.finished_at IS NULL AND NEW.assigned IS NULL
                AND NEW.open_deps = 0
            ON CONFLICT(col, auto) DO UPDATE SET n = n + 1;
    END;
    """,
]


class BoardStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("board", MIGRATIONS)

    def exists(self, name: str) -> bool:
        return self.db.query_one("SELECT 1 FROM boards WHERE name = ?", (name,)) is not None

    def names(self) -> list[str]:
        rows = self.db.query("SELECT name FROM boards ORDER BY created_at, name")
        return [r["name"] for r in rows]

    def workspace(self, name: str) -> str | None:
        row = self.db.query_one("SELECT workspace FROM boards WHERE name = ?", (name,))
        return row["workspace"] if row else None

    def columns(self, name: str) -> list[str]:
        """A board's columns in order ([] when there is no such board)."""
        rows = self.db.query(
            "SELECT name FROM board_columns WHERE board = ? ORDER BY position", (name,)
        )
        return [r["name"] for r in rows]

    def counts(self, name: str) -> dict[str, int]:
        """Live tasks per column of a board (kept by triggers: one read, whatever the size)."""
        rows = self.db.query("SELECT col, n FROM column_counts WHERE board = ?", (name,))
        return {r["col"]: r["n"] for r in rows if r["n"]}

    def create(self, name: str, workspace: str | None, columns: list[str], now: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO boards(name, workspace, created_at) VALUES (?, ?, ?)",
                (name, workspace, now),
            )
            conn.executemany(
                "INSERT INTO board_columns(board, name, position) VALUES (?, ?, ?)",
                [(name, c, i) for i, c in enumerate(columns)],
            )

    def set_columns(self, name: str, columns: list[str]) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM board_columns WHERE board = ?", (name,))
            conn.executemany(
                "INSERT INTO board_columns(board, name, position) VALUES (?, ?, ?)",
                [(name, c, i) for i, c in enumerate(columns)],
            )
