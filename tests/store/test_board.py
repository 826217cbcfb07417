from __future__ import annotations

from pathlib import Path

from wezmp_tui.model.board import TaskInfo
from wezmp_tui.store.board import BoardStore
from wezmp_tui.store.db import Database
from wezmp_tui.store.tasks import TaskStore


def test_boards_columns_and_counts(tmp_path: Path) -> None:
    db = Database(tmp_path / "b.db")
    boards = BoardStore(db)
    assert not boards.exists("p") and boards.columns("p") == []
    boards.create("p", "ws", ["A", "B"], now=1.0)
    boards.create("o", None, ["X"], now=0.5)
    assert boards.names() == ["o", "p"] and boards.workspace("p") == "ws"
    TaskStore(db).insert(TaskInfo(id=0, board="p", column="B", title="t"))
    assert boards.counts("p") == {"B": 1}
    boards.set_columns("p", ["B", "C"])
    assert boards.columns("p") == ["B", "C"]
