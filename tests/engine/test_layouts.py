"""Applying layouts through the Mux contract, freezing them back, snapshots and restore."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import async_wait_until
from wezmp_tui.engine.panes import PaneService
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
    assert sup.agents["a1"].info.pane_id == result["panes"][0]
    assert sup.agents["d-shell-2"].info.pane_id == result["panes"][1]
    assert sup.agents["a1"].info.state == "starting"
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


ROUND_TRIP = """\
name: rt
tabs:
  - title: main
    layout:
      split: right
      size: 40%
      panes:
        - {command: [sh, -c, 'while :; do sleep 3; done'], title: loop}
        - split: bottom
          size: 7
          panes:
            - {command: [sleep, "301"], title: "tests: unit"}
            - {command: [sleep, "302"], cwd: sub}
  - layout: {command: [sleep, "303"]}
"""


async def places(engine: Any, ws: str) -> list[tuple[Any, ...]]:
    panes = await engine.invoke("pane.list", {"workspace": ws, "fresh": True})
    return sorted((p.tab_title, p.left, p.top, p.cols, p.rows, p.title) for p in panes)


@pytest.mark.parametrize("backend", ["tmux", "local", "wezterm"])
async def test_freeze_gives_back_commands_sizes_and_titles(
    make_engine: Any, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "sub").mkdir()
    if backend == "wezterm":
        request.getfixturevalue("fake_wezterm")
    engine = await make_engine(backend)
    built = await engine.invoke(
        "layout.apply", {"text": ROUND_TRIP, "workspace": "one", "cwd": str(tmp_path)}
    )
    loop = built["panes"][0]

    async def sleeping() -> bool:  # the loop's `sleep 3` is the pane's foreground child
        await engine.get(PaneService).tick()
        return len(engine.get(PaneService).by_id[loop].pids) > 1

    assert await async_wait_until(sleeping)
    frozen = (await engine.invoke("layout.freeze", {"workspace": "one"}))["layout"]
    main = frozen["tabs"][0]["layout"]
    assert (main["split"], main["size"]) == ("right", "40%")
    first = main["panes"][0]
    assert (first["command"], first["title"]) == (["sh", "-c", "while :; do sleep 3; done"], "loop")
    right = main["panes"][1]
    assert right["split"] == "bottom" and right["panes"][0]["title"] == "tests: unit"
    assert right["panes"][1]["cwd"] == "sub"
    before = await places(engine, "one")
    mine = [p for p in before if p[5] in ("loop", "tests: unit")]
    assert len(mine) == 2
    again = await engine.invoke(
        "layout.apply", {"text": (await engine.invoke("layout.freeze", {"workspace": "one"}))[
            "yaml"], "workspace": "two"}
    )  # fmt: skip
    assert len(again["panes"]) == 4
    assert await places(engine, "two") == before
    refrozen = (await engine.invoke("layout.freeze", {"workspace": "two"}))["layout"]
    assert refrozen["tabs"] == frozen["tabs"]


async def test_agents_freeze_and_apply_with_their_whole_definition(
    make_engine: Any, tmp_path: Path
) -> None:
    engine = await make_engine("local")
    text = (
        "name: deps\ntabs:\n  - layout:\n      split: right\n      panes:\n"
        # The dependent comes first in the tree: every agent is defined before any pane.
        "        - agent: {name: wrk, command: [sleep, '301'], depends_on: {srv: healthy}}\n"
        "        - agent:\n            name: srv\n            command: [sleep, '300']\n"
        "            restart: {policy: always, backoff_seconds: 0.5}\n"
        "            readiness: {exec: [test, -f, READY], period: 0.5, threshold: 2}\n"
        "            autostart: true\n            group: servers\n"
    )
    await engine.invoke("layout.apply", {"text": text, "workspace": "d", "cwd": str(tmp_path)})
    sup = engine.get(Supervisor)
    original = sup.agents["srv"].spec
    assert original.readiness is not None and original.readiness.threshold == 2
    frozen = await engine.invoke("layout.freeze", {"workspace": "d"})
    srv = frozen["layout"]["tabs"][0]["layout"]["panes"][1]["agent"]
    assert srv["readiness"] == {"exec": ["test", "-f", "READY"], "period": 0.5, "threshold": 2}
    assert srv["restart"] == {"policy": "always", "backoff_seconds": 0.5}
    assert srv["autostart"] is True and srv["group"] == "servers"
    wrk = frozen["layout"]["tabs"][0]["layout"]["panes"][0]["agent"]
    assert wrk["depends_on"] == {"srv": "healthy"}
    with pytest.raises(InvalidInput, match="agent wrk is already running"):
        await engine.invoke("layout.apply", {"text": frozen["yaml"], "workspace": "e"})
    await engine.invoke("agent.stop", {"name": "srv"})
    await engine.invoke("layout.apply", {"text": frozen["yaml"], "workspace": "e"})
    assert sup.agents["srv"].spec == msgspec.structs.replace(original, workspace="e")
    assert sup.agents["wrk"].info.workspace == "e"


@st.composite
def split_trees(draw: st.DrawFn, rows: int, cols: int, leaves: int) -> dict[str, Any]:
    """A random split tree that fits a `rows` x `cols` tab, every pane at least 3 cells
    each way, with `leaves` panes at most."""
    direction = draw(st.sampled_from(["right", "left", "top", "bottom"]))
    extent = cols if direction in ("left", "right") else rows
    if leaves < 2 or extent < 7 or draw(st.integers(0, 3)) == 0:
        return {"title": draw(st.sampled_from([None, "logs", "a b", "ünï"]))}
    if draw(st.booleans()):
        size: str | int = f"{draw(st.integers(20, 80))}%"
        cells = round(extent * int(str(size)[:-1]) / 100)
    else:
        size = cells = draw(st.integers(3, extent - 4))
    if cells < 3 or extent - cells - 1 < 3:
        return {"title": None}
    rest = extent - cells - 1
    kept, new = ((rows, rest), (rows, cells)) if extent == cols else ((rest, cols), (cells, cols))
    first = draw(st.integers(1, leaves - 1))
    return {"split": direction, "size": size, "panes": [
        draw(split_trees(*kept, first)), draw(split_trees(*new, leaves - first))]}  # fmt: skip


def numbered(node: dict[str, Any], seq: Iterator[int]) -> dict[str, Any]:
    """The tree with a distinct command in each pane (and no null titles)."""
    if "split" in node:
        return {**node, "panes": [numbered(n, seq) for n in node["panes"]]}
    out: dict[str, Any] = {"command": ["sleep", str(next(seq))]}
    if node["title"]:
        out["title"] = node["title"]
    return out


async def _round_trip(backend: str, paths: Any, text: str, root: str) -> None:
    from wezmp_tui.engine.facade import Engine
    from wezmp_tui.mux.local import LocalMux
    from wezmp_tui.mux.tmux import TmuxMux
    from wezmp_tui.store.db import Database

    sock = f"wzp-{uuid.uuid4().hex[:10]}"
    mux: Any = TmuxMux(socket_name=sock) if backend == "tmux" else LocalMux()
    engine = Engine(paths=paths, mux=mux, db=Database(":memory:"))
    engine.add_standard_services()
    await engine.start()
    try:
        await engine.invoke("layout.apply", {"text": text, "workspace": "a", "cwd": root})
        frozen = await engine.invoke("layout.freeze", {"workspace": "a"})
        await engine.invoke("layout.apply", {"text": frozen["yaml"], "workspace": "b"})
        assert await places(engine, "b") == await places(engine, "a"), frozen["yaml"]
        again = await engine.invoke("layout.freeze", {"workspace": "b"})
        assert again["layout"]["tabs"] == frozen["layout"]["tabs"]
    finally:
        await engine.stop()
        await mux.close()
        if backend == "tmux":
            await mux.kill_server()


@pytest.mark.parametrize("backend", ["tmux", "local"])
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(tabs=st.lists(split_trees(40, 120, 4), min_size=1, max_size=2))
def test_random_layouts_freeze_and_apply_back_to_the_cell(
    backend: str, wezmp_env: Any, tmp_path: Path, tabs: list[dict[str, Any]]
) -> None:
    seq = itertools.count(1000)
    layout = {"name": "random", "tabs": [{"layout": numbered(t, seq)} for t in tabs]}
    text = yaml.safe_dump(layout, sort_keys=False, allow_unicode=True)
    asyncio.run(_round_trip(backend, wezmp_env, text, str(tmp_path)))


async def test_a_layout_file_saved_broken_keeps_its_last_good_version(
    make_engine: Any, tmp_path: Path
) -> None:
    engine = await make_engine("local")
    engine.paths.layouts_dir.mkdir(parents=True, exist_ok=True)
    file = engine.paths.layouts_dir / "pair.yaml"
    file.write_text(f"name: pair\nroot: {tmp_path}\ntabs:\n  - title: main\n    layout: {{}}\n")
    await engine.invoke("layout.list")  # read while good
    errors = engine.bus.subscribe(["error"])
    file.write_text(f"name: pair\nroot: {tmp_path}\ntabs:\n  - title: main\n    panes: []\n")
    engine.bus.publish("layout.changed", {"files": ["pair.yaml"]})
    event = await asyncio.wait_for(errors.get(), 5)
    assert event.data == {
        "source": "layout",
        "message": "pair.yaml:5: tabs[0].panes: unknown key (known keys: title, cwd, domain, "
        "layout) (layout pair: the last good version stays in force)",
    }
    listing = await engine.invoke("layout.list")
    assert "pair" in [lay["name"] for lay in listing["layouts"]]
    built = await engine.invoke("layout.apply", {"name": "pair"})
    assert built["workspace"] == "pair"
