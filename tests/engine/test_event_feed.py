"""Bus events as the typed records plugins, notifications and actions receive."""

from __future__ import annotations

from typing import Any

from wezmp_tui.engine.event_feed import EventFeed
from wezmp_tui.engine.facade import Engine
from wezmp_tui.model import plugin_events as pe
from wezmp_tui.model.events import Event


def ev(topic: str, data: dict[str, Any]) -> Event:
    return Event(seq=1, ts=5.0, topic=topic, data=data)


async def test_every_topic_becomes_its_record(make_engine: Any) -> None:
    engine: Engine = await make_engine("local")
    feed = engine.get(EventFeed)
    await engine.invoke("agent.define", {"spec": {"name": "a", "workspace": "w"}})
    task = await engine.invoke("task.add", {"title": "t1"})
    cases: list[tuple[Event, pe.PluginEvent | None]] = [
        (ev("agent.state", {"agent": "a", "state": "waiting", "previous": "working",
                            "source": "hook", "reason": "r"}),
         pe.AgentStateChanged(ts=5.0, agent="a", state="waiting", previous="working",
                              reason="r", source="hook", workspace="w")),
        # Only the reason changed: no record.
        (ev("agent.state", {"agent": "a", "state": "waiting", "previous": "waiting"}), None),
        (ev("agent.started", {"agent": "a", "pane_id": "%3", "workspace": "w"}),
         pe.RunStarted(ts=5.0, agent="a", pane_id="%3", workspace="w")),
        (ev("agent.exited", {"agent": "a", "code": None, "reason": "pane closed"}),
         pe.RunExited(ts=5.0, agent="a", reason="pane closed")),
        (ev("task.added", {"task_id": task.id, "board": "default", "column": "Backlog"}),
         pe.TaskCreated(ts=5.0, task_id=task.id, board="default", column="Backlog",
                        title="t1")),
        (ev("task.moved", {"task_id": task.id, "board": "default", "from": "Backlog",
                           "column": "Doing"}),
         pe.TaskMoved(ts=5.0, task_id=task.id, board="default", from_column="Backlog",
                      column="Doing", title="t1")),
        (ev("task.moved", {"task_id": task.id, "board": "default", "from": "Doing",
                           "column": "Done"}),
         pe.TaskDone(ts=5.0, task_id=task.id, board="default", title="t1")),
        # Reordered within its column: no record.
        (ev("task.moved", {"task_id": task.id, "board": "default", "from": "Done",
                           "column": "Done"}), None),
        (ev("timer.started", {"task_id": 7}), pe.TimerStarted(ts=5.0, task_id=7)),
        (ev("timer.stopped", {"task_id": 7}), pe.TimerStopped(ts=5.0, task_id=7)),
        (ev("workspace.created", {"workspace": "x", "root": "/r"}),
         pe.WorkspaceCreated(ts=5.0, workspace="x", root="/r")),
        (ev("workspace.deleted", {"workspace": "x"}), pe.WorkspaceDeleted(ts=5.0, workspace="x")),
        (ev("layout.applied", {"workspace": "x", "layout": "review", "panes": [1, "2"]}),
         pe.LayoutApplied(ts=5.0, workspace="x", layout="review", panes=["1", "2"])),
        (ev("config.reloaded", {"agents": ["a"]}), pe.ConfigReloaded(ts=5.0, agents=["a"])),
        (ev("plugin.disabled", {"plugin": "p", "reason": "why"}),
         pe.PluginDisabled(ts=5.0, plugin="p", reason="why")),
        (ev("metrics.tick", {}), None),
    ]  # fmt: skip
    for event, want in cases:
        assert await feed.record(event) == want, event.topic


async def test_an_agent_or_task_that_is_gone_still_gives_a_record(make_engine: Any) -> None:
    engine: Engine = await make_engine("local")
    feed = engine.get(EventFeed)
    got = await feed.record(ev("agent.state", {"agent": "gone", "state": "idle",
                                               "previous": "working"}))  # fmt: skip
    assert got == pe.AgentStateChanged(ts=5.0, agent="gone", state="idle", previous="working")
    moved = await feed.record(ev("task.moved", {"task_id": 999, "board": "nope",
                                                "from": "A", "column": "B"}))  # fmt: skip
    assert moved == pe.TaskMoved(ts=5.0, task_id=999, board="nope", from_column="A", column="B")


async def test_the_board_s_events_need_no_second_read(make_engine: Any) -> None:
    """A task's title and whether it reached the done column come with the board's events:
    the record asks the engine nothing (here the task and board are not there to ask)."""
    engine: Engine = await make_engine("local")
    feed = engine.get(EventFeed)
    added = await feed.record(ev("task.added", {"task_id": 999, "board": "nope", "column": "A",
                                                "title": "Carried"}))  # fmt: skip
    assert added == pe.TaskCreated(ts=5.0, task_id=999, board="nope", column="A", title="Carried")
    moved = {"task_id": 999, "board": "nope", "from": "A", "column": "B", "done": True,
             "title": "Carried"}  # fmt: skip
    done = await feed.record(ev("task.moved", moved))
    assert done == pe.TaskDone(ts=5.0, task_id=999, board="nope", title="Carried")


def test_names_and_json_of_a_record() -> None:
    record = pe.AgentStateChanged(ts=1.0, agent="a", state="failed", previous="working")
    assert pe.event_names(record) == ["agent.state", "agent.failed"]
    assert record.subject == "agent:a"
    assert pe.as_json(record)["event"] == "agent.state"
    assert pe.TimerStarted(ts=1.0, task_id=3).subject == "task_id:3"
    assert pe.ConfigReloaded(ts=1.0).subject == ""


async def test_a_consumer_that_raises_does_not_stop_the_others(make_engine: Any) -> None:
    from tests.helpers import async_wait_until

    engine: Engine = await make_engine("local")
    feed = engine.get(EventFeed)
    got: list[pe.PluginEvent] = []

    def bad(record: pe.PluginEvent) -> None:
        raise ValueError("consumer bug")

    feed.add(bad)
    feed.add(got.append)
    engine.bus.publish("timer.started", {"task_id": 1})
    engine.bus.publish("timer.started", {})  # malformed: logged, skipped
    engine.bus.publish("timer.stopped", {"task_id": 1})

    async def two() -> bool:
        return len(got) == 2

    await async_wait_until(two)
    assert [type(r).__name__ for r in got] == ["TimerStarted", "TimerStopped"]
