from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from wezmp_tui.store.db import Database


def test_migrations_per_domain(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db")
    assert db.migrate("a", ["CREATE TABLE a1(x INTEGER); CREATE TABLE a2(y TEXT);"]) == 1
    db.execute("INSERT INTO a1 VALUES (1)")
    # A second migration applies alone; the first is not re-run.
    assert (
        db.migrate(
            "a",
            [
                "CREATE TABLE a1(x INTEGER); CREATE TABLE a2(y TEXT);",
                "ALTER TABLE a1 ADD COLUMN z TEXT",
            ],
        )
        == 2
    )
    assert db.query_one("SELECT x, z FROM a1")[0] == 1  # type: ignore[index]
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"  # type: ignore[index]
    db.close()
    db2 = Database(tmp_path / "x.db")
    with pytest.raises(RuntimeError, match="newer"):
        db2.migrate("a", ["CREATE TABLE a1(x INTEGER)"])


def test_failed_migration_rolls_back(tmp_path: Path) -> None:
    db = Database(tmp_path / "y.db")
    with pytest.raises(sqlite3.OperationalError):
        db.migrate("b", ["CREATE TABLE t(x); INSERT INTO nope VALUES (1);"])
    assert db.query("SELECT name FROM sqlite_master WHERE name = 't'") == []
    assert db.query("SELECT * FROM schema_versions WHERE domain = 'b'") == []


def test_a_transaction_inside_another_is_part_of_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db")
    db.execute("CREATE TABLE t (v INTEGER)")
    with pytest.raises(RuntimeError), db.transaction():
        with db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (1)")
        assert db.conn.in_transaction  # the inner one did not commit
        raise RuntimeError("the outer one fails")
    assert db.query("SELECT v FROM t") == []
    with db.transaction(), db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (2)")
    assert [r["v"] for r in db.query("SELECT v FROM t")] == [2]
    db.close()
