from __future__ import annotations

from pathlib import Path

from wezmp_tui.store.db import Database
from wezmp_tui.store.groups import PaneGroupStore


def test_groups_add_remove_and_by_pane(tmp_path: Path) -> None:
    groups = PaneGroupStore(Database(tmp_path / "g.db"))
    groups.add("web", ["1", "2"], "ws")
    groups.add("db", ["3"], "ws")
    assert groups.groups() == {"db": ["3"], "web": ["1", "2"]}
    assert groups.group_of() == {"1": "web", "2": "web", "3": "db"}
    groups.remove("web", ["1"])
    assert groups.panes("web") == ["2"]
    groups.remove("web")
    assert groups.panes("web") == [] and list(groups.groups()) == ["db"]
