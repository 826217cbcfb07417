"""Workspaces in SQLite over a real multiplexer: CRUD, validation, events, reconcile, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.helpers import async_wait_until
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.workspaces import WorkspaceService
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model.workspaces import validate_name


@pytest.mark.parametrize("backend", ["tmux", "local"])
async def test_create_list_show_rename_switch_delete(
    make_engine: Any, backend: str, tmp_path: Path
) -> None:
    engine = await make_engine(backend)
    events = engine.bus.subscribe(["workspace."])
    info = await engine.invoke("ws.create", {"name": "api", "cwd": str(tmp_path)})
    assert info.name == "api" and info.root == str(tmp_path) and info.pane_count == 1
    # tmux reads a pane's directory from its process, which may not have changed into it
    # yet on a loaded machine: asked again until it has.
    pane = info.panes[0].pane_id

    async def in_root() -> bool:
        panes = await engine.invoke("pane.list", {"workspace": "api", "fresh": True})
        return any(p.pane_id == pane and Path(p.cwd).resolve() == tmp_path.resolve()
                   for p in panes)  # fmt: skip

    await async_wait_until(in_root)
    with pytest.raises(Conflict):
        await engine.invoke("ws.create", {"name": "api"})
    await engine.invoke("ws.create", {"name": "web"})
    names = [w.name for w in await engine.invoke("ws.list")]
    assert names == ["api", "web"]
    renamed = await engine.invoke("ws.rename", {"old": "api", "new": "api2"})
    assert renamed.name == "api2"
    panes = await engine.invoke("pane.list", {"fresh": True})
    assert {p.workspace for p in panes} == {"api2", "web"}
    await engine.invoke("ws.switch", {"name": "web"})
    assert await engine.invoke("ws.current") == "web"
    assert [w.name for w in await engine.invoke("ws.list") if w.is_current] == ["web"]
    result = await engine.invoke("ws.delete", {"name": "api2"})
    assert len(result["killed"]) == 1
    assert [p.workspace for p in await engine.invoke("pane.list", {"fresh": True})] == ["web"]
    with pytest.raises(NotFound):
        await engine.invoke("ws.show", {"name": "api2"})
    topics = []
    while (ev := events.get_nowait()) is not None:
        topics.append(ev.topic)
    assert topics == [
        "workspace.created",
        "workspace.created",
        "workspace.renamed",
        "workspace.switched",
        "workspace.deleted",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        (" x", "no leading or trailing spaces"),
        ("x" * 65, "at most 64 characters"),
        ("a\x07b", "control characters"),
        ("a:b", ": not allowed"),
    ],
)
def test_names_are_validated(name: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        validate_name(name)


async def test_bad_cwd_and_unknown_template(make_engine: Any, tmp_path: Path) -> None:
    engine = await make_engine("local")
    with pytest.raises(InvalidInput, match="not a directory"):
        await engine.invoke("ws.create", {"name": "x", "cwd": str(tmp_path / "nope")})
    assert await engine.invoke("ws.list") == []


async def test_delete_refuses_while_agents_run_unless_forced(make_engine: Any) -> None:
    engine = await make_engine("tmux")
    await engine.invoke("ws.create", {"name": "w"})
    await engine.invoke(
        "agent.define",
        {"spec": {"name": "a", "workspace": "w", "command": ["sleep", "60"]}},
    )
    await engine.invoke("agent.start", {"name": "a"})
    with pytest.raises(Conflict, match="running agents \\(a\\)"):
        await engine.invoke("ws.delete", {"name": "w"})
    await engine.invoke("ws.delete", {"name": "w", "force": True})
    assert (await engine.invoke("agent.show", {"name": "a"}))["agent"]["state"] == "stopped"


async def test_reconcile_adopts_new_panes_and_workspaces_and_marks_gone(
    make_engine: Any,
) -> None:
    engine = await make_engine("tmux")
    await engine.invoke("ws.create", {"name": "known"})
    svc = engine.get(WorkspaceService)
    first = engine.get(PaneService).panes[0].pane_id
    # Behind the daemon's back: a new pane in a known workspace, a new workspace, a kill.
    extra = await engine.mux.split(first, argv=["sleep", "60"])
    await engine.mux.spawn(workspace="stranger", argv=["sleep", "60"])
    await engine.mux.kill_pane(first)
    result = await svc.reconcile()
    assert result == {"adopted": ["stranger"], "gone": [first]}
    rows = {p["pane_id"]: p["gone"] for p in svc.store.panes("known")}
    assert rows[first] == 1 and rows[extra] == 0
    assert [w.name for w in await engine.invoke("ws.list")] == ["known", "stranger"]


async def test_pane_events_keep_the_store_current(make_engine: Any) -> None:
    engine = await make_engine("local")
    await engine.invoke("ws.create", {"name": "w"})
    panes = engine.get(PaneService)
    first = panes.panes[0].pane_id
    changed = engine.bus.subscribe(["pane."])
    new = (await engine.invoke("pane.split", {"pane_id": first, "direction": "bottom"}))["pane_id"]
    await engine.invoke("pane.set_title", {"pane_id": new, "title": "logs"})
    await engine.invoke("pane.zoom", {"pane_id": new})
    await engine.invoke("pane.activate", {"pane_id": first})
    await engine.invoke("pane.kill", {"pane_id": new})
    topics = []
    while (ev := changed.get_nowait()) is not None:
        topics.append((ev.topic, sorted(set(ev.data) - {"pane_id", "workspace"})))
    assert (
        "pane.added",
        sorted(set(panes.by_id.get(first).__struct_fields__) - {"pane_id", "workspace"}),
    ) in topics  # type: ignore[union-attr]
    assert any(t == "pane.changed" and "tab_title" in f for t, f in topics)
    assert any(t == "pane.changed" and "is_zoomed" in f for t, f in topics)
    assert topics[-1][0] == "pane.removed"
    gone = {p["pane_id"]: p["gone"] for p in engine.get(WorkspaceService).store.panes("w")}
    assert gone == {first: 0, new: 1}
    await engine.invoke("pane.send", {"pane_id": first, "text": "echo hi", "enter": True})
    assert isinstance(await engine.invoke("pane.get_text", {"pane_id": first}), str)


async def test_a_mux_error_in_a_tick_is_published_once(make_engine: Any) -> None:
    engine = await make_engine("local")
    calls = 0

    async def broken() -> list[Any]:
        nonlocal calls
        calls += 1
        raise RuntimeError("mux down")

    engine.mux.list_panes = broken
    errors = engine.bus.subscribe(["error"])
    engine.loops = True
    engine.config.refresh_interval = 0.01  # type: ignore[misc]
    engine.every("pane-tick", lambda: 0.01, engine.get(PaneService).tick)

    async def three() -> bool:
        return calls >= 3

    await async_wait_until(three)
    assert errors.get_nowait() is not None
    assert errors.get_nowait() is None


async def test_demo_on_the_local_backend_only_once(make_engine: Any) -> None:
    engine = await make_engine("local")
    result = await engine.invoke("ws.demo")
    assert result == {
        "created": True,
        "workspace": "demo",
        "agents": ["demo-worker", "demo-asker", "demo-idle"],
        "tasks": [1, 2, 3],
    }
    # A few cards for the board, none queued (the stand-in agents get nothing unasked).
    tasks = {t.id: t for t in await engine.invoke("task.list")}
    assert {t.column for t in tasks.values()} == {"Backlog"}
    assert tasks[2].depends_on == [1] and tasks[3].due is not None
    panes = await engine.invoke("pane.list", {"workspace": "demo", "fresh": True})
    assert len(panes) == 5
    assert {a.state for a in await engine.invoke("agent.list")} == {"starting"}
    again = await engine.invoke("ws.demo")
    assert again["created"] is False


async def test_demo_not_on_tmux(make_engine: Any) -> None:
    engine = await make_engine("tmux")
    assert (await engine.invoke("ws.demo"))["created"] is False


async def test_processes_coming_and_going_on_a_pane_are_no_event(make_engine: Any) -> None:
    """With many agents their tools start processes every second: a change of a pane's
    processes alone publishes nothing (the list has them); any other change still does."""
    engine = await make_engine("local")
    await engine.invoke("ws.create", {"name": "w"})
    panes = engine.get(PaneService)
    pane = panes.panes[0]
    changed = engine.bus.subscribe(["pane."])
    panes.apply([msgspec.structs.replace(pane, pids=(*pane.pids, 999_999))])
    assert changed.get_nowait() is None
    assert panes.by_id[pane.pane_id].pids[-1] == 999_999  # kept all the same
    panes.apply([msgspec.structs.replace(pane, pids=(), title="build")])
    ev = changed.get_nowait()
    assert ev is not None and ev.topic == "pane.changed"
    assert ev.data["title"] == "build" and list(ev.data["pids"]) == []
