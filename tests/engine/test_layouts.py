"""Applying layouts through the Mux contract, freezing them back, snapshots and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from wezmp_tui.config.layouts import Layout, Node
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import InvalidInput

LAYOUT = """\
name: trio
tabs:
  - title: main
    layout:
      split: right
      size: 40%
      panes:
        - command: [sleep, "300"]
        - split: bottom
          panes:
            - {command: [sleep, "301"], group: tests, focus: true}
            - {cwd: sub}
  - title: second
    layout: {command: [sleep, "302"]}
"""


def shape(node: dict[str, Any]) -> Any:
    """The tree without sizes (those are approximations of what the mux did)."""
    if node.get("split"):
        return (node["split"], [shape(n) for n in node["panes"]])
    return (tuple(node.get("command") or ()), node.get("cwd"), bool(node.get("agent")))


@pytest.mark.parametrize("backend", ["tmux", "local"])
async def test_apply_freeze_apply_gives_the_same_tree(
    make_engine: Any, backend: str, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    engine = await make_engine(backend)
    result = await engine.invoke(
        "layout.apply", {"text": LAYOUT, "workspace": "one", "cwd": str(tmp_path)}
    )
    assert len(result["panes"]) == 4
    panes = await engine.invoke("pane.list", {"workspace": "one", "fresh": True})
    assert {p.tab_title for p in panes} == {"main", "second"}
    focused = [p for p in panes if p.is_active and p.tab_title == "main"]
    # Panes are made in tree order: the right region first, then its bottom half.
    assert focused and focused[0].pane_id == result["panes"][1]
    assert await engine.invoke("group.list") == {"tests": [result["panes"][1]]}
    frozen = await engine.invoke("layout.freeze", {"workspace": "one"})
    tabs = frozen["layout"]["tabs"]
    again = await engine.invoke(
        "layout.apply", {"text": frozen["yaml"], "workspace": "two", "cwd": str(tmp_path)}
    )
    assert len(again["panes"]) == 4
    refrozen = await engine.invoke("layout.freeze", {"workspace": "two"})
    assert [shape(t["layout"]) for t in refrozen["layout"]["tabs"]] == [
        shape(t["layout"]) for t in tabs
    ]
    first = tabs[0]["layout"]
    assert first["split"] == "right"
    assert {w.name for w in await engine.invoke("ws.list")} == {"one", "two"}


async def test_a_failure_part_way_removes_what_was_made(make_engine: Any, tmp_path: Path) -> None:
    engine = await make_engine("tmux")
    bad = LAYOUT.replace(
        '[sleep, "302"]', '[sleep, "302"]}\n  - layout: {command: [sleep, "1"]'
    ).replace("second", "second")
    calls = 0
    original = engine.mux.split

    async def failing_split(*args: Any, **kw: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("no room")
        return await original(*args, **kw)

    engine.mux.split = failing_split
    with pytest.raises(
        InvalidInput,
        match=r"layout trio: step 3 failed \(RuntimeError: no room\); removed the 2 pane",
    ):
        await engine.invoke("layout.apply", {"text": bad, "workspace": "w", "cwd": str(tmp_path)})
    assert await engine.invoke("pane.list", {"fresh": True}) == []


async def test_agents_in_a_layout_start_in_their_panes(make_engine: Any, tmp_path: Path) -> None:
    engine = await make_engine("local")
    text = (
        "name: duo\ntabs:\n  - layout:\n      split: right\n      panes:\n"
        "        - agent: {name: a1, kind: claude, command: [sleep, '300']}\n"
        "        - agent: {kind: shell, command: [sleep, '301']}\n"
    )
    result = await engine.invoke(
        "layout.apply", {"text": text, "workspace": "d", "cwd": str(tmp_path)}
    )
    assert result["agents"] == ["a1", "d-shell-2"]
    sup = engine.get(Supervisor)
    assert sup.agents["a1"].pane_id == result["panes"][0]
    assert sup.agents["d-shell-2"].pane_id == result["panes"][1]
    assert sup.agents["a1"].state == "starting"
    frozen = await engine.invoke("layout.freeze", {"workspace": "d"})
    leaf = frozen["layout"]["tabs"][0]["layout"]["panes"][0]
    assert leaf["agent"]["name"] == "a1" and leaf["agent"]["kind"] == "claude"
    with pytest.raises(InvalidInput, match="a1 is already running"):
        await engine.invoke("layout.apply", {"text": text, "workspace": "e", "cwd": str(tmp_path)})


async def test_workspace_from_a_template(make_engine: Any, tmp_path: Path) -> None:
    engine = await make_engine("tmux")
    info = await engine.invoke(
        "ws.create", {"name": "rev", "cwd": str(tmp_path), "template": "review"}
    )
    assert info.template == "review" and info.pane_count == 3
    assert "reviewer" in engine.get(Supervisor).agents


async def test_snapshots_and_restore(make_engine: Any, tmp_path: Path) -> None:
    engine = await make_engine("tmux")
    await engine.invoke("layout.apply", {"text": LAYOUT, "workspace": "one", "cwd": str(tmp_path)})
    saved = await engine.invoke("layout.snapshot")
    assert saved["workspaces"] == ["one"]
    listed = await engine.invoke("layout.snapshots")
    assert listed[0]["workspaces"] == ["one"]
    skipped = await engine.invoke("layout.restore")
    assert skipped["skipped"] == ["one"] and skipped["restored"] == []
    for p in await engine.invoke("pane.list", {"fresh": True}):
        await engine.mux.kill_pane(p.pane_id)
    restored = await engine.invoke("layout.restore")
    assert restored["restored"] == ["one"]
    assert len(await engine.invoke("pane.list", {"fresh": True})) == 4


async def test_list_and_show(make_engine: Any) -> None:
    engine = await make_engine("local")
    listed = await engine.invoke("layout.list")
    assert "review" in [r["name"] for r in listed["layouts"]]
    shown = await engine.invoke("layout.show", {"name": "review"})
    assert shown["yaml"].startswith("name: review")


def test_chain_of_sizes() -> None:
    from wezmp_tui.engine.layouts import _chain
    from wezmp_tui.model.panes import PaneInfo

    panes = [
        PaneInfo(pane_id=str(i), window_id="1", tab_id="1", workspace="w", rows=40, cols=c)
        for i, c in enumerate((60, 59))
    ]
    node = _chain(panes, [Node(), Node()])
    assert (node.split, node.size) == ("right", "50%")
    assert msgspec.to_builtins(Layout(name="x", tabs=[]))["name"] == "x"
