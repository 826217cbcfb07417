"""Workspaces and the panes seen in them, in SQLite."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wezmp_tui.model.workspaces import WorkspaceInfo
from wezmp_tui.store.db import Database

MIGRATIONS = [
    """
    CREATE TABLE workspaces (
        name TEXT PRIMARY KEY,
        root TEXT NOT NULL DEFAULT '',
        template TEXT,
        created_at REAL NOT NULL
    );
    CREATE TABLE ws_panes (
        pane_id TEXT PRIMARY KEY,
        workspace TEXT NOT NULL REFERENCES workspaces(name) ON UPDATE CASCADE ON DELETE CASCADE,
        gone INTEGER NOT NULL DEFAULT 0,
        first_seen REAL NOT NULL
    );
    CREATE INDEX ws_panes_by_ws ON ws_panes(workspace);
    """,
    # The WezTerm domain (an SSH host, say) the workspace's panes run in.
    "ALTER TABLE workspaces ADD COLUMN domain TEXT;",
]


class WorkspaceStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("workspaces", MIGRATIONS)

    def all(self) -> list[WorkspaceInfo]:
        rows = self.db.query("SELECT * FROM workspaces ORDER BY created_at, name")
        return [_record(r) for r in rows]

    def get(self, name: str) -> WorkspaceInfo | None:
        row = self.db.query_one("SELECT * FROM workspaces WHERE name = ?", (name,))
        return _record(row) if row else None

    def add(
        self, name: str, root: str, template: str | None, now: float, domain: str | None = None
    ) -> None:
        self.db.execute(
            "INSERT INTO workspaces(name, root, template, created_at, domain)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, root, template, now, domain),
        )

    def rename(self, old: str, new: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE workspaces SET name = ? WHERE name = ?", (new, old))
            conn.execute("UPDATE ws_panes SET workspace = ? WHERE workspace = ?", (new, old))

    def delete(self, name: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM ws_panes WHERE workspace = ?", (name,))
            conn.execute("DELETE FROM workspaces WHERE name = ?", (name,))

    def panes(self, name: str) -> list[dict[str, Any]]:
        return [
            dict(r) for r in self.db.query("SELECT * FROM ws_panes WHERE workspace = ?", (name,))
        ]

    def see_panes(self, seen: Iterable[tuple[str, str]], now: float) -> None:
        """Record (pane id, workspace) pairs as present (adopting new ones)."""
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO ws_panes(pane_id, workspace, gone, first_seen) VALUES (?, ?, 0, ?)"
                " ON CONFLICT(pane_id) DO UPDATE SET workspace = excluded.workspace, gone = 0",
                [(p, w, now) for p, w in seen],
            )

    def mark_gone(self, pane_ids: Iterable[str]) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE ws_panes SET gone = 1 WHERE pane_id = ?", [(p,) for p in pane_ids]
            )


def _record(r: Any) -> WorkspaceInfo:
    """A workspace as stored (no counts: those are live)."""
    return WorkspaceInfo(
        name=r["name"], root=r["root"], template=r["template"], domain=r["domain"],
        created_at=r["created_at"],
    )  # fmt: skip
