"""Agents' definitions made at run time, their last known placement, and every run."""

from __future__ import annotations

from typing import Any

from wezmp_tui.store.db import Database

MIGRATIONS = [
    """
    CREATE TABLE agents (
        name TEXT PRIMARY KEY,
        spec TEXT NOT NULL,            -- AgentSpec as JSON
        defined_by TEXT NOT NULL,      -- 'config' | 'api'
        desired TEXT NOT NULL DEFAULT 'stopped',
        pane_id TEXT,
        pid INTEGER,
        restarts INTEGER NOT NULL DEFAULT 0,
        started_at REAL
    );
    CREATE TABLE agent_runs (
        id INTEGER PRIMARY KEY,
        agent TEXT NOT NULL,
        pane_id TEXT,
        pid INTEGER,
        started_at REAL NOT NULL,
        ended_at REAL,
        exit_code INTEGER,
        signal INTEGER,
        restarts INTEGER NOT NULL DEFAULT 0,
        reason TEXT
    );
    CREATE INDEX agent_runs_by_agent ON agent_runs(agent, started_at);
    """,
    # What a daemon restart must not lose: the state and how the last run ended, and which
    # wrapper (and the session it leads) runs the agent now.
    """
    ALTER TABLE agents ADD COLUMN state TEXT;
    ALTER TABLE agents ADD COLUMN state_source TEXT NOT NULL DEFAULT '';
    ALTER TABLE agents ADD COLUMN state_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE agents ADD COLUMN state_since REAL;
    ALTER TABLE agents ADD COLUMN last_exit INTEGER;
    ALTER TABLE agents ADD COLUMN last_exit_at REAL;
    ALTER TABLE agents ADD COLUMN last_output TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE agents ADD COLUMN wrapper_pid INTEGER;
    ALTER TABLE agents ADD COLUMN session INTEGER;
    """,
    # Whether a run continued the agent's last session (restart.resume).
    "ALTER TABLE agent_runs ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0;",
]


class AgentStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("agents", MIGRATIONS)

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query("SELECT * FROM agents ORDER BY name")]

    def save(self, name: str, spec_json: str, defined_by: str) -> None:
        self.db.execute(
            "INSERT INTO agents(name, spec, defined_by) VALUES (?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET spec = excluded.spec,"
            " defined_by = excluded.defined_by",
            (name, spec_json, defined_by),
        )

    def place(self, name: str, **fields: Any) -> None:
        if not fields:
            return
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE agents SET {cols} WHERE name = ?", (*fields.values(), name))

    def delete(self, name: str) -> None:
        self.db.execute("DELETE FROM agents WHERE name = ?", (name,))

    def run_started(self, agent: str, pane_id: str | None, started_at: float, restarts: int) -> int:
        cur = self.db.execute(
            "INSERT INTO agent_runs(agent, pane_id, started_at, restarts) VALUES (?, ?, ?, ?)",
            (agent, pane_id, started_at, restarts),
        )
        return int(cur.lastrowid or 0)

    def run_pid(self, run_id: int, pid: int, *, resumed: bool = False) -> None:
        self.db.execute(
            "UPDATE agent_runs SET pid = ?, resumed = ? WHERE id = ?", (pid, int(resumed), run_id)
        )

    def run_ended(
        self, run_id: int, ended_at: float, code: int | None, signal: int | None, reason: str
    ) -> None:
        self.db.execute(
            "UPDATE agent_runs SET ended_at = ?, exit_code = ?, signal = ?, reason = ?"
            " WHERE id = ? AND ended_at IS NULL",
            (ended_at, code, signal, reason, run_id),
        )

    def open_run(self, agent: str) -> dict[str, Any] | None:
        """The agent's newest run that has not ended."""
        rows = self.db.query(
            "SELECT * FROM agent_runs WHERE agent = ? AND ended_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (agent,),
        )
        return dict(rows[0]) if rows else None

    def end_open_runs(
        self, agent: str, ended_at: float, reason: str, keep: int | None = None
    ) -> None:
        """End every run of the agent still open (but `keep`): runs a daemon that stopped
        could not close."""
        self.db.execute(
            "UPDATE agent_runs SET ended_at = ?, reason = ?"
            " WHERE agent = ? AND ended_at IS NULL AND id IS NOT ?",
            (ended_at, reason, agent, keep),
        )

    def runs(self, agent: str, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT * FROM agent_runs WHERE agent = ? ORDER BY id DESC LIMIT ?", (agent, limit)
        )
        return [dict(r) for r in rows]
