"""One contract, every backend: the same tests against a real headless WezTerm (where it is
built), its test double, real tmux and the built-in PTY backend. The double and the built-in
backend always run; tmux where installed (`make test` installs it where it may)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers import async_wait_until
from wezmp_tui.model.panes import PaneInfo
from wezmp_tui.mux.base import Mux, PaneNotFound
from wezmp_tui.mux.local import LocalMux
from wezmp_tui.mux.tmux import TmuxMux
from wezmp_tui.mux.wezterm import WeztermMux
from wezmp_tui.procfs import cmdline

BACKENDS = ["wezterm-real", "wezterm", "tmux", "local"]


@pytest.fixture(params=BACKENDS)
async def mux(request: pytest.FixtureRequest) -> AsyncIterator[Mux]:
    name = request.param
    m: Mux
    if name == "wezterm-real":
        request.getfixturevalue("real_wezterm")
        m = WeztermMux()
    elif name == "wezterm":
        request.getfixturevalue("fake_wezterm")
        m = WeztermMux()
    elif name == "tmux":
        m = TmuxMux(socket_name=request.getfixturevalue("tmux_socket"), control=True)
    else:
        m = LocalMux(rows=24, cols=80)
    try:
        yield m
    finally:
        await m.close()


def _sh(script: str) -> list[str]:
    return ["sh", "-c", script]


async def _pane(mux: Mux, pane_id: str) -> PaneInfo | None:
    return next((p for p in await mux.list_panes() if p.pane_id == pane_id), None)


async def _text_has(mux: Mux, pane_id: str, needle: str, lines: int | None = None) -> bool:
    return needle in await mux.get_text(pane_id, lines=lines)


# Reads raw bytes until a carriage return and shows them in hex.
KEY_ECHO = (
    "import os, tty\n"
    "tty.setraw(0)\n"
    "os.write(1, b'READY\\r\\n')\n"
    "buf = b''\n"
    "while not buf.endswith(b'\\r'):\n"
    "    buf += os.read(0, 64)\n"
    "os.write(1, ('GOT:' + buf.hex() + '\\r\\n').encode())\n"
    "import time; time.sleep(30)\n"
)


async def test_named_keys_reach_the_program_as_a_terminal_sends_them(mux: Mux) -> None:
    pane = await mux.spawn(workspace="ws", argv=[sys.executable, "-c", KEY_ECHO])
    await async_wait_until(lambda: _text_has(mux, pane, "READY"))
    await mux.send_keys(pane, ["Down", "Down", "Esc", "ctrl-c", "y", "Tab", "Enter"])
    want = "GOT:" + b"\x1b[B\x1b[B\x1b\x03y\t\r".hex()
    assert await async_wait_until(lambda: _text_has(mux, pane, want)), await mux.get_text(pane)


async def test_cursor_keys_follow_application_cursor_mode(mux: Mux) -> None:
    if mux.name == "wezterm":
        pytest.skip("wezterm cli send-text types bytes as given; the terminal mode is not seen")
    app = KEY_ECHO.replace("tty.setraw(0)\n", "tty.setraw(0)\nos.write(1, b'\\x1b[?1h')\n")
    assert app != KEY_ECHO
    pane = await mux.spawn(workspace="ws", argv=[sys.executable, "-c", app])
    await async_wait_until(lambda: _text_has(mux, pane, "READY"))
    await mux.send_keys(pane, ["Up", "Enter"])
    want = "GOT:" + b"\x1bOA\r".hex()
    assert await async_wait_until(lambda: _text_has(mux, pane, want)), await mux.get_text(pane)


async def test_spawn_split_and_list(mux: Mux, tmp_path: Path) -> None:
    a = tmp_path / "a dir"
    a.mkdir()
    first = await mux.spawn(workspace="ws1", cwd=str(a), argv=_sh("exec sleep 60"))
    second = await mux.split(first, direction="right", percent=30, argv=_sh("exec sleep 61"))
    assert first != second
    panes = {p.pane_id: p for p in await mux.list_panes()}
    assert {first, second} <= panes.keys()
    p1, p2 = panes[first], panes[second]
    assert p1.workspace == p2.workspace == "ws1"
    assert p1.tab_id == p2.tab_id
    assert Path(p1.cwd).resolve() == a.resolve()
    assert p1.tty and p1.tty.startswith("/dev/pts/")
    assert p1.rows > 0 and p1.cols > 0
    # A second spawn in the same workspace is a new tab in the same window.
    third = await mux.spawn(workspace="ws1", argv=_sh("exec sleep 62"))
    p3 = await _pane(mux, third)
    assert p3 is not None and p3.workspace == "ws1" and p3.tab_id != p1.tab_id
    assert p3.window_id == p1.window_id


async def test_send_text_runs_a_command_whose_output_get_text_shows(mux: Mux) -> None:
    pane = await mux.spawn(workspace="ws", argv=["sh"], env={"PS1": "$ "})
    await mux.send_text(pane, "echo $((6*7))", paste=False, enter=True)
    assert await async_wait_until(lambda: _text_has(mux, pane, "42"))
    # A paste followed by Enter runs too (the way prompts are submitted to agents).
    await mux.send_text(pane, "echo pasted-$((1+1))", paste=True, enter=True)
    assert await async_wait_until(lambda: _text_has(mux, pane, "pasted-2"))


async def test_get_text_last_lines_reaches_into_scrollback(mux: Mux) -> None:
    pane = await mux.spawn(
        workspace="ws", argv=_sh("for i in $(seq 1 60); do echo line$i; done; exec sleep 60")
    )
    assert await async_wait_until(lambda: _text_has(mux, pane, "line60"))
    text = await mux.get_text(pane, lines=40)
    rows = text.splitlines()
    assert rows[-1] == "line60"
    assert len(rows) == 40
    assert rows[0] == "line21"
    assert (await mux.get_text(pane, lines=1)) == "line60"


async def test_get_texts_reads_many_panes_and_names_the_gone_one(mux: Mux) -> None:
    panes = [
        await mux.spawn(workspace="ws", argv=_sh(f"echo first-{i}; echo second-{i}; exec sleep 60"))
        for i in range(3)
    ]
    assert await async_wait_until(lambda: _text_has(mux, panes[2], "second-2"))
    assert await async_wait_until(lambda: _text_has(mux, panes[0], "second-0"))
    texts = await mux.get_texts(panes, lines=1)
    assert texts == {p: f"second-{i}" for i, p in enumerate(panes)}
    # One pane gone: the others still answer, the gone one is a PaneNotFound.
    await mux.kill_pane(panes[1])

    async def gone() -> bool:
        return await _pane(mux, panes[1]) is None

    assert await async_wait_until(gone)
    texts = await mux.get_texts(panes, lines=2)
    assert texts[panes[0]] == "first-0\nsecond-0"
    assert texts[panes[2]] == "first-2\nsecond-2"
    assert isinstance(texts[panes[1]], PaneNotFound)
    assert await mux.get_texts([]) == {}


async def test_env_is_passed(mux: Mux) -> None:
    pane = await mux.spawn(
        workspace="ws", argv=_sh('echo "val=$WEZMP_T"; exec sleep 60'), env={"WEZMP_T": "x y"}
    )
    assert await async_wait_until(lambda: _text_has(mux, pane, "val=x y"))


async def test_pids_on_the_tty_include_the_command(mux: Mux) -> None:
    pane = await mux.spawn(
        workspace="ws", argv=[sys.executable, "-c", "import time; time.sleep(60)"]
    )

    async def pids() -> tuple[int, ...]:
        info = await _pane(mux, pane)
        return info.pids if info else ()

    found = await async_wait_until(pids)
    assert any("time.sleep(60)" in " ".join(cmdline(p)) for p in found)


async def test_kill_removes_the_pane_and_unknown_panes_raise(mux: Mux) -> None:
    pane = await mux.spawn(workspace="ws", argv=_sh("exec sleep 60"))
    keep = await mux.split(pane, direction="bottom", argv=_sh("exec sleep 60"))
    await mux.kill_pane(pane)

    async def gone() -> bool:
        return await _pane(mux, pane) is None

    assert await async_wait_until(gone)
    assert await _pane(mux, keep) is not None
    for op in (
        mux.kill_pane(pane),
        mux.get_text(pane),
        mux.send_text(pane, "x"),
        mux.activate_pane(pane),
        mux.set_tab_title(pane, "t"),
        mux.zoom_pane(pane),
        mux.split(pane),
    ):
        with pytest.raises(PaneNotFound):
            await op


async def test_rename_workspace_and_tab_title(mux: Mux) -> None:
    pane = await mux.spawn(workspace="old", argv=_sh("exec sleep 60"))
    await mux.rename_workspace("old", "new")
    info = await _pane(mux, pane)
    assert info is not None and info.workspace == "new"
    await mux.set_tab_title(pane, "agents")
    info = await _pane(mux, pane)
    assert info is not None and info.tab_title == "agents"
    with pytest.raises(PaneNotFound):
        await mux.rename_workspace("nowhere", "x")


async def test_zoom_and_activate(mux: Mux) -> None:
    a = await mux.spawn(workspace="ws", argv=_sh("exec sleep 60"))
    b = await mux.split(a, direction="bottom", argv=_sh("exec sleep 60"))
    await mux.activate_pane(b)
    info = await _pane(mux, b)
    assert info is not None and info.is_active
    other = await _pane(mux, a)
    assert other is not None and not other.is_active
    await mux.zoom_pane(b, "zoom")
    info = await _pane(mux, b)
    assert info is not None and info.is_zoomed
    await mux.zoom_pane(b, "toggle")
    info = await _pane(mux, b)
    assert info is not None and not info.is_zoomed


async def test_a_pane_closes_when_its_program_exits(mux: Mux) -> None:
    keep = await mux.spawn(workspace="ws", argv=_sh("exec sleep 60"))
    short = await mux.spawn(workspace="ws", argv=["true"])

    async def closed() -> bool:
        ids = {p.pane_id for p in await mux.list_panes()}
        return short not in ids and keep in ids

    # tmux keeps a dead pane only with remain-on-exit, which wezmp does not set.
    assert await async_wait_until(closed)


async def test_splits_place_panes_where_asked_and_say_where(mux: Mux) -> None:
    a = await mux.spawn(workspace="geo", argv=_sh("exec sleep 60"))
    whole = await _pane(mux, a)
    assert whole is not None and (whole.left, whole.top) == (0, 0)
    rows, cols = whole.rows, whole.cols
    b = await mux.split(a, direction="right", cells=20, argv=_sh("exec sleep 60"))
    c = await mux.split(a, direction="top", cells=5, argv=_sh("exec sleep 60"))
    d = await mux.split(b, direction="left", cells=6, argv=_sh("exec sleep 60"))
    e = await mux.split(c, direction="bottom", percent=40, argv=_sh("exec sleep 60"))
    got = {p.pane_id: (p.left, p.top, p.cols, p.rows) for p in await mux.list_panes()}
    left_cols = cols - 21
    assert got[c] == (0, 0, left_cols, 5 - 2 - 1)
    assert got[e] == (0, 3, left_cols, 2)
    assert got[a] == (0, 6, left_cols, rows - 6)
    assert got[d] == (left_cols + 1, 0, 6, rows)
    assert got[b] == (left_cols + 8, 0, 13, rows)


async def test_pane_title(mux: Mux) -> None:
    pane = await mux.spawn(workspace="t", argv=_sh("exec sleep 60"))
    await mux.set_pane_title(pane, "build logs\x07")

    async def titled() -> bool:
        info = await _pane(mux, pane)
        return info is not None and info.title == "build logs"

    assert await async_wait_until(titled)
    with pytest.raises(PaneNotFound):
        await mux.set_pane_title("99999", "x")
