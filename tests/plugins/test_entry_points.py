"""Entry points read from the files agree with importlib.metadata's."""

from __future__ import annotations

import importlib.metadata as md
from pathlib import Path

from wezmp_tui.plugins.entry_points import entry_points


def test_the_same_entry_points_as_importlib_metadata() -> None:
    for group in ("console_scripts", "pytest11", "wezmp.plugins"):
        ours = sorted((e.name, e.value, e.dist) for e in entry_points(group))
        theirs = sorted((e.name, e.value, e.dist.name) for e in md.entry_points(group=group)
                        if e.dist is not None)  # fmt: skip
        assert ours == theirs, group
    shipped = {e.name: e for e in entry_points("wezmp.plugins")}
    assert shipped["time-report"].load().__name__ == "wezmp_tui.plugins.shipped.time_report"


def test_first_distribution_of_a_name_wins_and_attributes_load(tmp_path: Path) -> None:
    for where, value in (("a", "json:dumps"), ("b", "json:loads")):
        info = tmp_path / where / "Demo_Pkg-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "entry_points.txt").write_text(f"[g]\nx = {value}\n")
    (tmp_path / "a" / "broken-2.dist-info").mkdir()
    (tmp_path / "a" / "broken-2.dist-info" / "entry_points.txt").write_text("[g\nnot ini")
    found = entry_points("g", [str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "no")])
    assert [(e.name, e.dist, e.version) for e in found] == [("x", "Demo_Pkg", "1.0")]
    import json

    assert found[0].load() is json.dumps
