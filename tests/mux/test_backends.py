"""What only one backend has: WezTerm's argv and errors, OSC encoding, tmux's server-less
list, the local screen emulation, and the automatic backend choice."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests.helpers import async_wait_until, wait_until
from wezmp_tui.errors import InvalidInput
from wezmp_tui.mux.base import MuxCommandFailed, MuxUnavailable, PaneNotFound
from wezmp_tui.mux.choose import choose_backend, create_mux
from wezmp_tui.mux.local import LocalMux
from wezmp_tui.mux.osc import set_user_var, write_to_tty
from wezmp_tui.mux.tmux import TmuxMux
from wezmp_tui.mux.wezterm import WeztermMux, error_text, file_url_to_path


def test_set_user_var_plain_and_through_tmux() -> None:
    seq = set_user_var("wezmp_switch_workspace", "api ws")
    b64 = base64.b64encode(b"api ws")
    assert seq == b"\x1b]1337;SetUserVar=wezmp_switch_workspace=" + b64 + b"\x07"
    wrapped = set_user_var("wezmp_switch_workspace", "api ws", tmux=True)
    assert wrapped.startswith(b"\x1bPtmux;\x1b\x1b]1337;")
    assert wrapped.endswith(b"\x07\x1b\\")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("file://host/home/me/a%20b", "/home/me/a b"),
        ("file:///tmp/x", "/tmp/x"),
        ("", ""),
        ("/plain/path", "/plain/path"),
    ],
)
def test_file_url_to_path(url: str, path: str) -> None:
    assert file_url_to_path(url) == path


def test_wezterm_argv_has_global_flags_first() -> None:
    m = WeztermMux(executable="wezterm", class_="org.wezfurlong.wezterm")
    assert m._argv("list") == [
        "wezterm", "cli", "--no-auto-start", "--class", "org.wezfurlong.wezterm", "list"
    ]  # fmt: skip
    assert WeztermMux._prog(["claude"], {"A": "1"}) == ["--", "env", "A=1", "claude"]
    assert WeztermMux._prog(None, None) == []


async def test_wezterm_missing_binary_is_unavailable_with_advice(tmp_path: Path) -> None:
    m = WeztermMux(executable=str(tmp_path / "no-wezterm"))
    with pytest.raises(MuxUnavailable, match="Install WezTerm"):
        await m.list_panes()


async def test_wezterm_with_no_gui_running_is_unavailable(
    fake_wezterm: Path, monkeypatch: pytest.MonkeyPatch, short_tmp: Path
) -> None:
    monkeypatch.setenv("WEZTERM_UNIX_SOCKET", str(short_tmp / "nothing.sock"))
    with pytest.raises(MuxUnavailable, match="WezTerm is not running"):
        await WeztermMux().list_panes()


async def test_wezterm_switch_workspace_writes_the_user_var(
    fake_wezterm: Path, short_tmp: Path
) -> None:
    """The var goes to the pane the GUI shows: WezTerm fires `user-var-changed` only for a
    pane of the window on screen, never for one of the workspace being switched to."""
    m = WeztermMux()
    shown = await m.spawn(workspace="other", argv=["sleep", "30"])  # the first pane has focus
    await m.spawn(workspace="api", argv=["sleep", "30"])
    await m.switch_workspace("api")
    events = short_tmp / "gui.sock.events"
    wait_until(events.exists)
    fired = [json.loads(line) for line in events.read_text().splitlines()]
    assert fired == [
        {
            "event": "user-var-changed",
            "pane_id": int(shown),
            "name": "wezmp_switch_workspace",
            "value": "api",
        }
    ]
    with pytest.raises(PaneNotFound):
        await m.switch_workspace("nowhere")


async def test_wezterm_switch_workspace_through_a_window_never_focused(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, short_tmp: Path
) -> None:
    """A GUI whose window has not had the keyboard focus yet lists no focused pane (null), but
    shows its workspace all the same: a pane of that workspace carries the var."""
    monkeypatch.setenv("WEZTERM_FAKE_UNFOCUSED", "1")
    request.getfixturevalue("fake_wezterm")
    m = WeztermMux()
    shown = await m.spawn(workspace="other", argv=["sleep", "30"])
    await m.spawn(workspace="api", argv=["sleep", "30"])
    (client,) = json.loads(await m._cli("list-clients", "--format", "json"))
    assert (client["focused_pane_id"], client["workspace"]) == (None, "other")
    await m.switch_workspace("api")
    events = short_tmp / "gui.sock.events"
    wait_until(events.exists)
    fired = [json.loads(line) for line in events.read_text().splitlines()]
    assert [(e["pane_id"], e["value"]) for e in fired] == [(int(shown), "api")]


async def test_wezterm_switch_workspace_after_the_focused_pane_closed(
    fake_wezterm: Path, short_tmp: Path
) -> None:
    """The GUI still shows the workspace whose focused pane closed: another of its panes
    carries the var."""
    m = WeztermMux()
    gone = await m.spawn(workspace="other", argv=["sleep", "30"])
    stays = await m.spawn(workspace="other", argv=["sleep", "30"])
    await m.spawn(workspace="api", argv=["sleep", "30"])
    await m.kill_pane(gone)
    await m.switch_workspace("api")
    events = short_tmp / "gui.sock.events"
    wait_until(events.exists)
    fired = [json.loads(line) for line in events.read_text().splitlines()]
    assert [(e["pane_id"], e["value"]) for e in fired] == [(int(stays), "api")]


async def test_wezterm_unexpected_failure_is_command_failed(fake_wezterm: Path) -> None:
    m = WeztermMux()
    with pytest.raises(MuxCommandFailed) as err:
        await m._cli("spawn", "--workspace", "w")  # --workspace needs --new-window
    assert str(err.value).endswith(
        "spawn --workspace w: the following required arguments were not provided: --new-window"
    )
    assert err.value.argv[:3] == ["wezterm", "cli", "--no-auto-start"]


@pytest.mark.parametrize(
    ("stderr", "text"),
    [
        (
            '06:37:02.000  ERROR  wezterm > unexpected response Ok(ErrorResponse(ErrorResponse '
            '{ reason: "Error: resolve_spawn_tab_domain: domain name \\"x\\" is invalid." })); '
            "terminating\n",
            'resolve_spawn_tab_domain: domain name "x" is invalid.',
        ),
        ("06:37:02.000  ERROR  wezterm > unable to resolve current tab; terminating\n",
         "unable to resolve current tab"),
        ("error: unrecognized subcommand 'bogus'\n\nUsage: wezterm cli\n",
         "unrecognized subcommand 'bogus'"),
        ("", ""),
    ],
)
def test_wezterm_error_text_is_the_reason_in_words(stderr: str, text: str) -> None:
    assert error_text(stderr) == text


async def test_tmux_with_no_server_lists_nothing(tmux_socket: str) -> None:
    m = TmuxMux(socket_name=tmux_socket)
    assert await m.list_panes() == []
    with pytest.raises(PaneNotFound):
        await m.kill_pane("%99")


async def test_tmux_exiting_with_its_last_session_lists_nothing(tmux_socket: str) -> None:
    """Between its last session's end and its exit, tmux answers `list-panes -a` with "no
    current target" or "server exited unexpectedly": no panes, not a failed command."""
    import asyncio

    m = TmuxMux(socket_name=tmux_socket)
    for _ in range(20):
        pane = await m.spawn(workspace="last", argv=["sleep", "60"])
        closing = asyncio.ensure_future(m.kill_pane(pane))
        for _ in range(5):
            assert {p.pane_id for p in await m.list_panes()} <= {pane}
        await closing


async def test_tmux_reads_hundreds_of_screens_in_batches_under_its_command_limit(
    tmux_socket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """256 agents' screens in one tick: one command line for all of them is over tmux's
    16 KiB and refused, which read every screen alone (a process each, every tick)."""
    import wezmp_tui.mux.tmux as tmux_module

    m = TmuxMux(socket_name=tmux_socket)
    a = await m.spawn(workspace="w", argv=["sh", "-c", "echo screen-a; exec sleep 60"])
    b = await m.spawn(workspace="w", argv=["sh", "-c", "echo screen-b; exec sleep 60"])
    await async_wait_until(lambda: _shows(m, b, "screen-b"))
    await async_wait_until(lambda: _shows(m, a, "screen-a"))

    async def alone(*_: object) -> None:
        raise AssertionError("a screen was read alone")

    monkeypatch.setattr(tmux_module, "get_each", alone)
    many = [a, b] * 150  # as long a command line as 300 panes'
    texts = await m.get_texts(many, lines=5)
    assert texts == {a: "screen-a", b: "screen-b"}


async def _shows(m: TmuxMux, pane: str, text: str) -> bool:
    return await m.get_text(pane, lines=5) == text


async def test_tmux_missing_binary(tmp_path: Path) -> None:
    with pytest.raises(MuxUnavailable, match="Install tmux"):
        await TmuxMux(executable=str(tmp_path / "no-tmux")).list_panes()


async def test_tmux_switch_without_client_is_fine(tmux_socket: str) -> None:
    m = TmuxMux(socket_name=tmux_socket)
    await m.spawn(workspace="a", argv=["sleep", "30"])
    await m.switch_workspace("a")
    with pytest.raises(PaneNotFound):
        await m.switch_workspace("b")


async def test_local_screen_redraws_a_spinner_in_place() -> None:
    m = LocalMux(rows=10, cols=40)
    try:
        script = (
            "for c in a b c d; do printf '\\rworking %s' $c; done; "
            "printf '\\rdone      \\n'; exec sleep 30"
        )
        pane = await m.spawn(workspace="w", argv=["sh", "-c", script])
        assert await async_wait_until(lambda: _local_has(m, pane, "done"))
        text = await m.get_text(pane)
        assert text == "done"
    finally:
        await m.close()


async def test_local_pane_reads_gemini_clis_output_without_an_error() -> None:
    """The built-in backend raised (in its reader, so the rest of that read was lost) at Gemini
    CLI's `CSI > 4 ; ? m`; its recorded output, through a real PTY, now reads clean."""
    import asyncio

    recorded = Path(__file__).parents[1] / "data" / "streams" / "gemini.bin"
    errors: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: errors.append(ctx))
    m = LocalMux(rows=40, cols=120)
    try:
        pane = await m.spawn(
            workspace="w", argv=["sh", "-c", 'cat "$0"; exec sleep 30', str(recorded)]
        )
        assert await async_wait_until(lambda: _local_has(m, pane, "Agent powering down."))
        assert errors == []
    finally:
        asyncio.get_running_loop().set_exception_handler(None)
        await m.close()


async def _local_has(m: LocalMux, pane: str, needle: str) -> bool:
    return needle in await m.get_text(pane)


async def test_local_bracketed_paste_only_when_enabled() -> None:
    m = LocalMux(rows=10, cols=60)
    try:
        # The program turns on bracketed paste, then shows what it receives as escapes.
        pane = await m.spawn(
            workspace="w", argv=["sh", "-c", "printf '\\033[?2004h'; stty raw -echo; od -c"]
        )
        assert await async_wait_until(lambda: _bracketed(m, pane))
        await m.send_text(pane, "hello world 12345", paste=True)
        assert await async_wait_until(lambda: _local_has(m, pane, "2   0   0   ~"))
        with pytest.raises(PaneNotFound):
            m.resize("404", 1, 1)
    finally:
        await m.close()


async def _bracketed(m: LocalMux, pane: str) -> bool:
    return (2004 << 5) in m.panes[pane].screen.mode


async def test_local_title_from_osc_and_switch() -> None:
    m = LocalMux()
    try:
        pane = await m.spawn(
            workspace="w", argv=["sh", "-c", "printf '\\033]2;my title\\007'; exec sleep 30"]
        )

        async def titled() -> bool:
            return any(p.title == "my title" for p in await m.list_panes())

        assert await async_wait_until(titled)
        await m.spawn(workspace="other", argv=["sleep", "30"])
        await m.switch_workspace("other")
        assert m.current_workspace == "other"
        with pytest.raises(PaneNotFound):
            await m.switch_workspace("none")
        assert pane in m.panes
    finally:
        await m.close()
    assert m.panes == {}


async def test_the_psutil_process_table_matches_proc() -> None:
    """Where there is no /proc (macOS) psutil fills the same table: here both can be read,
    so they are compared on a process holding a real pane's terminal."""
    from wezmp_tui.procfs import psutil_table, read_table

    psutil_table()  # a look before the pane exists: its terminal must still be found after
    m = LocalMux()
    try:
        pane = await m.spawn(workspace="w", argv=["sleep", "30"])
        info = next(p for p in await m.list_panes() if p.pane_id == pane)
        assert info.tty
        pid = m.panes[pane].proc.pid
        tty = os.stat(info.tty).st_rdev

        async def both_see_the_terminal() -> bool:  # a process that just started settles
            return read_table()[pid].tty == psutil_table()[pid].tty == tty

        assert await async_wait_until(both_see_the_terminal)
        ours, theirs = read_table()[pid], psutil_table()[pid]
        assert ours.ppid == theirs.ppid
        assert abs(ours.rss - theirs.rss) <= max(ours.rss // 5, 64)
        assert abs(ours.cpu - theirs.cpu) <= 5
    finally:
        await m.close()


@pytest.mark.parametrize(
    ("env", "config", "flag", "expected"),
    [
        ({}, None, None, "local"),
        ({"TMUX": "/tmp/x,1,0", "PATH": "/usr/bin:/bin"}, None, None, "tmux"),
        ({"WEZTERM_PANE": "3", "PATH": "/nonexistent"}, None, None, "local"),
        ({}, "tmux", None, "tmux"),
        ({}, "auto", None, "local"),
        ({"WEZMP_BACKEND": "wezterm"}, "tmux", None, "wezterm"),
        ({"WEZMP_BACKEND": "wezterm"}, "tmux", "local", "local"),
    ],
)
def test_choose_backend(
    env: dict[str, str], config: str | None, flag: str | None, expected: str
) -> None:
    name, _source, reason = choose_backend(env, config, flag)
    assert name == expected
    assert reason


def test_choose_backend_inside_wezterm(fake_wezterm: Path) -> None:
    import os

    name, _, reason = choose_backend({"WEZTERM_PANE": "1", "PATH": os.environ["PATH"]}, None, None)
    assert (name, "inside WezTerm" in reason) == ("wezterm", True)


def test_unknown_backend_names_the_source() -> None:
    with pytest.raises(InvalidInput, match=r"config\.yaml \(backend: screen\): unknown backend"):
        choose_backend({}, "screen")
    with pytest.raises(InvalidInput):
        create_mux("screen")
    assert create_mux("tmux", tmux_socket="x").name == "tmux"
    assert create_mux("local").name == "local"
    assert create_mux("wezterm").name == "wezterm"


def test_write_to_tty_errors_on_missing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_to_tty(str(tmp_path / "nope"), b"x")


async def test_local_screen_is_rendered_again_only_after_output() -> None:
    m = LocalMux()
    try:
        pane = await m.spawn(workspace="w", argv=["sleep", "30"])
        p = m.panes[pane]
        p.stream.feed(b"first\r\n")
        assert await m.get_text(pane) == "first"
        first = p.text.rows[0]
        assert await m.get_text(pane) == "first" and p.text.rows[0] is first  # not rendered again
        p.stream.feed(b"second")
        assert await m.get_text(pane) == "first\nsecond" and p.text.rows[0] is first
        m.resize(pane, 50, 100)
        assert p.screen.dirty  # a resize redraws too
        assert await m.get_text(pane) == "first\nsecond"
    finally:
        await m.close()


async def test_tmux_spawns_racing_into_a_new_workspace_share_it(tmux_socket: str) -> None:
    import asyncio

    m = TmuxMux(socket_name=tmux_socket)
    await m.spawn(workspace="keeper", argv=["sleep", "30"])
    made = await asyncio.gather(*(m.spawn(workspace="new", argv=["sleep", "30"]) for _ in range(4)))
    panes = [p for p in await m.list_panes() if p.workspace == "new"]
    assert sorted(p.pane_id for p in panes) == sorted(made)
    assert len({p.window_id for p in panes}) == 1
