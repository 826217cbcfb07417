"""Broadcast, pane groups and pane-to-pane copies, over an engine with a recording mux."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from wezmp_tui.engine.broadcast import (
    DEFAULT_PROMPT,
    last_command_output,
)
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import InvalidInput, NotFound
from wezmp_tui.model.panes import PaneInfo, SplitDirection, ZoomMode
from wezmp_tui.mux.base import PaneNotFound
from wezmp_tui.paths import Paths
from wezmp_tui.store.db import Database


class RecordingMux:
    """Panes with fixed text; records every send. Pane "9" fails like a vanished pane."""

    name = "local"

    def __init__(self) -> None:
        self.panes = [
            PaneInfo(pane_id="1", window_id="0", tab_id="0", workspace="alpha"),
            PaneInfo(pane_id="2", window_id="0", tab_id="0", workspace="alpha"),
            PaneInfo(pane_id="3", window_id="1", tab_id="1", workspace="beta"),
            PaneInfo(pane_id="9", window_id="1", tab_id="1", workspace="beta"),
        ]
        self.text: dict[str, str] = {
            "1": "user@host:~/p$ ls\na.txt\nb.txt\nuser@host:~/p$ \n\n",
            "2": "",
        }
        self.sent: list[tuple[str, str, bool, bool]] = []

    async def list_panes(self) -> list[PaneInfo]:
        return list(self.panes)

    async def spawn(
        self,
        *,
        workspace: str,
        cwd: str | None = None,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        raise NotImplementedError

    async def split(
        self,
        pane_id: str,
        *,
        direction: SplitDirection = "right",
        percent: int | None = None,
        cells: int | None = None,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        top_level: bool = False,
    ) -> str:
        raise NotImplementedError

    async def send_text(
        self, pane_id: str, text: str, *, paste: bool = True, enter: bool = False
    ) -> None:
        if pane_id == "9":
            raise PaneNotFound(pane_id)
        self.sent.append((pane_id, text, paste, enter))

    async def get_text(self, pane_id: str, *, lines: int | None = None) -> str:
        # As the contract says: trailing blanks of each line stripped.
        text = [line.rstrip() for line in self.text.get(pane_id, "").splitlines()]
        return "\n".join(text[-(lines or 1000) :])

    async def activate_pane(self, pane_id: str) -> None: ...
    async def kill_pane(self, pane_id: str) -> None: ...
    async def set_tab_title(self, pane_id: str, title: str) -> None: ...
    async def rename_workspace(self, old: str, new: str) -> None: ...
    async def zoom_pane(self, pane_id: str, mode: ZoomMode = "zoom") -> None: ...
    async def switch_workspace(self, name: str) -> None: ...
    async def close(self) -> None: ...


# The broadcast service and the services it stands on, in their start order.
SERVICES = [
    "wezmp_tui.engine.panes:PaneService",
    "wezmp_tui.engine.workspaces:WorkspaceService",
    "wezmp_tui.engine.supervisor:Supervisor",
    "wezmp_tui.engine.broadcast:BroadcastService",
]
AGENTS = (("claude-1", "alpha", "1"), ("codex-1", "beta", "3"), ("parked", "beta", None))


def broadcast_engine(paths: Paths, mux: RecordingMux) -> Engine:
    """An engine over `mux` with an agent in panes 1 and 3 and one not running."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    engine = Engine(paths=paths, mux=mux, db=Database(paths.db_file))
    engine.add_standard_services(SERVICES)
    sup = engine.get(Supervisor)

    async def define() -> None:
        for name, workspace, pane in AGENTS:
            spec = {"name": name, "workspace": workspace}
            await engine.invoke("agent.define", {"spec": spec})
            sup.agents[name].info.pane_id = pane

    asyncio.run(define())
    return engine


@pytest.fixture
def mux() -> RecordingMux:
    return RecordingMux()


@pytest.fixture
def engine(wezmp_env: Paths, mux: RecordingMux) -> Iterator[Engine]:
    eng = broadcast_engine(wezmp_env, mux)
    yield eng
    eng.db.close()


async def test_broadcast_to_a_workspace_pastes_then_enters(
    engine: Engine, mux: RecordingMux
) -> None:
    result = await engine.invoke("broadcast.send", {"text": "make test", "workspace": "alpha"})
    assert result.sent == ["1", "2"]
    assert result.failed == []
    assert sorted(mux.sent) == [("1", "make test", True, True), ("2", "make test", True, True)]


async def test_broadcast_reports_failed_panes_and_sends_to_the_rest(
    engine: Engine, mux: RecordingMux
) -> None:
    events = engine.bus.subscribe(["broadcast."])
    result = await engine.invoke("broadcast.send", {"text": "hi", "workspace": "beta"})
    assert result.sent == ["3"]
    assert [(f.pane_id, f.error) for f in result.failed] == [("9", "no such pane 9")]
    ev = events.get_nowait()
    assert ev is not None
    assert ev.topic == "broadcast.sent"
    assert ev.data == {"panes": ["3"], "failed": ["9"]}


async def test_broadcast_agents_only_and_exclude(engine: Engine, mux: RecordingMux) -> None:
    result = await engine.invoke("broadcast.send", {"text": "go", "agents_only": True})
    assert result.sent == ["1", "3"]
    result = await engine.invoke(
        "broadcast.send", {"text": "go", "agents_only": True, "exclude": ["3"], "enter": False}
    )
    assert result.sent == ["1"]
    assert mux.sent[-1] == ("1", "go", True, False)


async def test_broadcast_with_no_target_names_the_filter(engine: Engine) -> None:
    with pytest.raises(NotFound, match="no agent panes in workspace nowhere"):
        await engine.invoke(
            "broadcast.send", {"text": "x", "workspace": "nowhere", "agents_only": True}
        )
    with pytest.raises(NotFound, match="no pane group named 'ghosts'"):
        await engine.invoke("broadcast.send", {"text": "x", "group": "ghosts"})


async def test_groups_add_list_remove_and_target_broadcasts(
    engine: Engine, mux: RecordingMux
) -> None:
    with pytest.raises(InvalidInput):
        await engine.invoke("group.add", {"group": " ", "panes": ["1"]})
    assert await engine.invoke("group.add", {"group": "tests", "panes": ["2", "3"]}) == [
        "2",
        "3",
    ]
    assert await engine.invoke("group.list") == {"tests": ["2", "3"]}
    result = await engine.invoke("broadcast.send", {"text": "pytest", "group": "tests"})
    assert result.sent == ["2", "3"]
    assert await engine.invoke("group.remove", {"group": "tests", "panes": ["2"]}) == ["3"]
    assert await engine.invoke("group.remove", {"group": "tests"}) == []
    assert await engine.invoke("group.list") == {}


async def test_sync_keys_are_raw_and_unsubmitted(engine: Engine, mux: RecordingMux) -> None:
    result = await engine.invoke("broadcast.keys", {"panes": ["1", "1", "3"], "text": "q"})
    assert result.sent == ["1", "3"]
    assert mux.sent == [("1", "q", False, False), ("3", "q", False, False)]


async def test_copy_last_output_between_agent_and_pane(engine: Engine, mux: RecordingMux) -> None:
    result = await engine.invoke(
        "send.copy", {"source": "claude-1", "target": "3", "last_output": True}
    )
    assert (result.source, result.target, result.lines) == ("1", "3", 2)
    assert mux.sent == [("3", "a.txt\nb.txt", True, False)]


async def test_copy_last_lines_with_enter(engine: Engine, mux: RecordingMux) -> None:
    result = await engine.invoke(
        "send.copy", {"source": "1", "target": "codex-1", "lines": 2, "enter": True}
    )
    # Trailing blank lines are dropped: the last two lines are the prompt and a blank.
    assert result.lines == 1
    assert mux.sent == [("3", "user@host:~/p$", True, True)]


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"source": "1", "target": "1"}, InvalidInput, "same pane"),
        ({"source": "1", "target": "3", "lines": 0}, InvalidInput, "between 1 and 2000"),
        ({"source": "2", "target": "3"}, NotFound, "pane 2 has no text"),
        ({"source": "parked", "target": "3"}, NotFound, "agent parked has no pane"),
        ({"source": "nope", "target": "3"}, NotFound, "no pane or agent named 'nope'"),
        (
            {"source": "1", "target": "3", "last_output": True, "prompt_regex": "("},
            InvalidInput,
            "prompt_regex",
        ),
    ],
)
async def test_copy_rejects_bad_requests_clearly(
    engine: Engine, params: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        await engine.invoke("send.copy", params)


PROMPT = re.compile(DEFAULT_PROMPT)


@pytest.mark.parametrize(
    "line",
    ["user@host:~/src$ ", "$ ", "root@box:/# ", "(venv) me@m:~$ make", "❯ ", "➜ ", "bash-5.2$ "],
)
def test_default_prompt_matches_common_prompts(line: str) -> None:
    assert PROMPT.match(line.rstrip())


@pytest.mark.parametrize("line", ["50% done", "total 12", "a.txt", "$HOME is set", "#include"])
def test_default_prompt_ignores_output(line: str) -> None:
    assert not PROMPT.match(line)


def test_last_command_output_cases() -> None:
    lines = ["$ echo one", "one", "$ echo two", "two", "2b", "$ "]
    assert last_command_output(lines, PROMPT) == ["two", "2b"]
    # No trailing prompt: everything after the last prompt (a command still running).
    assert last_command_output(["$ tail -f log", "x", "y"], PROMPT) == ["x", "y"]
    # A single trailing prompt: everything before it.
    assert last_command_output(["out", "$ "], PROMPT) == ["out"]
    # No prompt at all: the whole text.
    assert last_command_output(["just", "text"], PROMPT) == ["just", "text"]
