"""Named pane groups (a layout's `group:`, `wezmp group add`): every SQL statement on them."""

from __future__ import annotations

from wezmp_tui.store.db import Database

MIGRATIONS = [
    """
    CREATE TABLE pane_groups (
        grp TEXT NOT NULL,
        pane_id TEXT NOT NULL,
        workspace TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (grp, pane_id)
    );
    """
]


class PaneGroupStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("groups", MIGRATIONS)

    def add(self, group: str, panes: list[str], workspace: str) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO pane_groups(grp, pane_id, workspace) VALUES (?, ?, ?)",
                [(group, p, workspace) for p in panes],
            )

    def remove(self, group: str, panes: list[str] | None = None) -> None:
        """Take panes out of a group (every pane when `panes` is None)."""
        if panes is None:
            self.db.execute("DELETE FROM pane_groups WHERE grp = ?", (group,))
            return
        with self.db.transaction() as conn:
            conn.executemany(
                "DELETE FROM pane_groups WHERE grp = ? AND pane_id = ?",
                [(group, p) for p in panes],
            )

    def groups(self) -> dict[str, list[str]]:
        """Every group with its pane ids."""
        out: dict[str, list[str]] = {}
        for row in self.db.query("SELECT grp, pane_id FROM pane_groups ORDER BY grp"):
            out.setdefault(row["grp"], []).append(row["pane_id"])
        return out

    def panes(self, group: str) -> list[str]:
        rows = self.db.query("SELECT pane_id FROM pane_groups WHERE grp = ?", (group,))
        return [r["pane_id"] for r in rows]

    def group_of(self) -> dict[str, str]:
        """Pane id -> the group it is in."""
        rows = self.db.query("SELECT grp, pane_id FROM pane_groups")
        return {r["pane_id"]: r["grp"] for r in rows}
