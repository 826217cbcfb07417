"""One SQLite database (WAL) with per-domain, append-only migrations.

A domain module declares `MIGRATIONS: list[str]` (SQL scripts, never edited once shipped; add
a new one instead) and calls `db.migrate("board", MIGRATIONS)` when its store opens. The
version reached per domain lives in `schema_versions`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # The daemon is one asyncio loop; a few calls run in worker threads, hence the lock
        # and check_same_thread=False.
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        # 512 KiB of pages (SQLite's default is 2 MiB): the file's pages stay in the OS's
        # cache anyway, and after a board of 10,000 tasks was served, the daemon held 1 MiB
        # more with the default (measured with bench/agents.py).
        self.conn.execute("PRAGMA cache_size=-512")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_versions ("
            " domain TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )

    def migrate(self, domain: str, migrations: Sequence[str]) -> int:
        """Apply the migrations of `domain` not applied yet; returns the version reached."""
        with self.lock:
            row = self.conn.execute(
                "SELECT version FROM schema_versions WHERE domain = ?", (domain,)
            ).fetchone()
            current = row[0] if row else 0
            if current > len(migrations):
                raise RuntimeError(
                    f"database {self.path} has {domain} schema v{current}, newer than this "
                    f"wezmp knows (v{len(migrations)}): upgrade wezmp"
                )
            for version, script in enumerate(migrations[current:], start=current + 1):
                with self.transaction():
                    for statement in _split(script):
                        self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT INTO schema_versions(domain, version) VALUES (?, ?)"
                        " ON CONFLICT(domain) DO UPDATE SET version = excluded.version",
                        (domain, version),
                    )
            return len(migrations)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; inside another, part of that one (it commits or rolls back)."""
        with self.lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        with self.lock:
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _split(script: str) -> list[str]:
    """Statements of a migration script (sqlite3.execute runs one at a time, and
    executescript would commit our transaction). Splits at each `;` that ends a complete
    statement, so semicolons inside strings and triggers stay put."""
    out: list[str] = []
    buf = ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n\t;"):
                out.append(buf.strip())
            buf = ""
    rest = buf.rstrip(";").strip()
    if rest:
        out.append(rest)
    return out
