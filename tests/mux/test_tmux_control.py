"""The tmux backend's reads through a control-mode client, against a real tmux server."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.helpers import async_wait_until, wait_until
from wezmp_tui.mux import tmux as tmux_module
from wezmp_tui.mux import tmux_control
from wezmp_tui.mux.base import PaneNotFound
from wezmp_tui.mux.tmux import TmuxMux
from wezmp_tui.mux.tmux_control import ControlClient, command_line


@pytest.fixture
async def mux(tmux_socket: str) -> AsyncIterator[TmuxMux]:
    m = TmuxMux(socket_name=tmux_socket, control=True)
    try:
        yield m
    finally:
        await m.close()


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every tmux command the backend runs as a process of its own."""
    ran: list[list[str]] = []
    real = tmux_module.run

    async def spy(argv: list[str], **kw: object) -> tuple[int, str, str]:
        ran.append(list(argv))
        return await real(argv, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(tmux_module, "run", spy)
    return ran


def tmux(socket: str, *args: str) -> str:
    out = subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True,
                         text=True, check=True, timeout=10)  # fmt: skip
    return out.stdout


async def test_reads_go_through_one_client_after_the_first_pane_list(
    mux: TmuxMux, tmux_socket: str, processes: list[list[str]]
) -> None:
    a = await mux.spawn(workspace="w", argv=["sh", "-c", "echo alpha; exec sleep 60"])
    b = await mux.spawn(workspace="w", argv=["sh", "-c", "echo beta; exec sleep 60"])
    exec_view = await TmuxMux(socket_name=tmux_socket).list_panes()
    assert {p.pane_id for p in await mux.list_panes()} == {a, b}  # a process: none attached
    assert mux.control is not None
    processes.clear()
    listed = await mux.list_panes()
    await async_wait_until(lambda: _has(mux, a, "alpha"))
    texts = await mux.get_texts([a, "%999", b], lines=10)
    assert processes == []  # all of it through the control client
    assert mux.control.started == 1 and mux.control.up
    assert [p.pane_id for p in listed] == [p.pane_id for p in exec_view]
    assert [(p.title, p.cwd, p.rows, p.cols) for p in listed] == [
        (p.title, p.cwd, p.rows, p.cols) for p in exec_view
    ]
    assert texts[a] == "alpha" and texts[b] == "beta"
    assert isinstance(texts["%999"], PaneNotFound)  # an error answers its own command only
    with pytest.raises(PaneNotFound):
        await mux.get_text("%999")


async def _has(mux: TmuxMux, pane_id: str, needle: str) -> bool:
    return needle in await mux.get_text(pane_id)


async def test_the_client_is_not_seen_as_a_person_and_stays_out_of_sizes(
    mux: TmuxMux, tmux_socket: str
) -> None:
    await mux.spawn(workspace="w", argv=["sleep", "60"])
    await mux.list_panes()
    await mux.list_panes()
    clients = tmux(tmux_socket, "list-clients", "-F", "#{client_control_mode} #{client_flags}")
    assert "ignore-size" in clients and "no-output" in clients
    assert await mux._person_client() is None
    await mux.switch_workspace("w")  # nobody to switch: not an error, the client untouched
    pane = (await mux.list_panes())[0]
    assert (pane.cols, pane.rows) == (200, 50)


async def test_switch_moves_the_persons_client_not_the_control_client(
    mux: TmuxMux, tmux_socket: str
) -> None:
    await mux.spawn(workspace="one", argv=["sleep", "60"])
    await mux.spawn(workspace="two", argv=["sleep", "60"])
    await mux.list_panes()
    await mux.list_panes()  # the control client attaches
    person = _attach(tmux_socket, "one")
    try:
        next(person)
        fmt = "#{client_control_mode} #{client_session}"
        wait_until(lambda: "0 one" in tmux(tmux_socket, "list-clients", "-F", fmt))
        control_before = [x for x in tmux(tmux_socket, "list-clients", "-F", fmt).split("\n")
                          if x.startswith("1 ")]  # fmt: skip
        await mux.switch_workspace("two")
        wait_until(lambda: "0 two" in tmux(tmux_socket, "list-clients", "-F", fmt))
        after = tmux(tmux_socket, "list-clients", "-F", fmt).split("\n")
        assert [x for x in after if x.startswith("1 ")] == control_before
    finally:
        person.close()


def _attach(socket: str, session: str) -> Iterator[None]:
    """A person's tmux client on a terminal, attached to `session` while the generator lives."""
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    proc = subprocess.Popen(
        ["tmux", "-L", socket, "-f", "/dev/null", "attach-session", "-t", f"={session}"],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    try:
        yield
    finally:
        proc.kill()
        proc.wait(timeout=10)
        os.close(master)


async def test_a_closed_session_detaches_the_client_and_the_next_read_attaches_again(
    mux: TmuxMux, tmux_socket: str, processes: list[list[str]]
) -> None:
    await mux.spawn(workspace="one", argv=["sleep", "60"])
    two = await mux.spawn(workspace="two", argv=["sleep", "60"])
    await mux.list_panes()
    await mux.list_panes()
    assert mux.control is not None and mux.control.started == 1
    attached = tmux(tmux_socket, "list-clients", "-F", "#{client_session}").strip()
    tmux(tmux_socket, "kill-session", "-t", f"={attached}")
    await async_wait_until(lambda: _down(mux.control))  # type: ignore[arg-type]
    panes = await mux.list_panes()
    assert panes and all(p.workspace != attached for p in panes)
    await mux.list_panes()
    assert mux.control.started == 2 and mux.control.up
    if attached == "one":
        assert [p.pane_id for p in panes] == [two]


async def _down(client: ControlClient) -> bool:
    return not client.up


async def test_no_client_without_a_server_or_sessions(mux: TmuxMux, tmux_socket: str) -> None:
    assert await mux.list_panes() == []
    texts = await mux.get_texts(["%1", "%2"])
    assert all(isinstance(t, PaneNotFound) for t in texts.values()) and len(texts) == 2
    assert mux.control is not None and mux.control.started == 0
    pane = await mux.spawn(workspace="w", argv=["sleep", "60"])
    await mux.list_panes()
    await mux.list_panes()
    assert mux.control.started == 1
    await mux.kill_pane(pane)  # the last session: the server exits
    await async_wait_until(lambda: _empty(mux))
    assert await mux.list_panes() == []
    assert mux.control.started == 1  # not started again against no server


async def _empty(mux: TmuxMux) -> bool:
    return await mux.list_panes() == []


async def test_close_detaches_and_leaves_the_session(mux: TmuxMux, tmux_socket: str) -> None:
    pane = await mux.spawn(workspace="w", argv=["sleep", "60"])
    await mux.list_panes()
    await mux.list_panes()
    assert mux.control is not None and mux.control.up
    await mux.close()
    assert not mux.control.up
    assert tmux(tmux_socket, "list-clients") == ""
    assert [p.pane_id for p in await mux.list_panes()] == [pane]


async def test_words_reach_tmux_as_written(mux: TmuxMux) -> None:
    await mux.spawn(workspace="w", argv=["sleep", "60"])
    await mux.list_panes()
    assert mux.control is not None
    word = "it's $HOME ~ {a} ; %if \\n é \"q\" \x1f #{session_name}"
    answer = await mux.control.run(["display-message", "-p", word])
    assert answer == (True, word.replace("#{session_name}", "w") + "\n")
    assert await mux.control.run(["display-message", "-p", "two\nlines"]) is None
    assert command_line(["a b", "c'd"]) == "'a b' 'c'\\''d'"


async def test_a_client_that_never_attaches_is_tried_again_only_later() -> None:
    now = [0.0]
    script = "echo '%begin 1 2 0'; echo 'no sessions'; echo '%error 1 2 0'; echo %exit"
    client = ControlClient(["sh", "-c", script], clock=lambda: now[0])
    assert await client.run(["list-panes"]) is None
    assert await client.run(["list-panes"]) is None
    assert client.started == 1
    now[0] = tmux_control.RETRY_SECONDS + 1
    assert await client.run(["list-panes"]) is None
    assert client.started == 2
    await client.close()


async def test_a_client_that_never_answers_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tmux_control, "ANSWER_TIMEOUT", 0.2)
    client = ControlClient(["sh", "-c", "exec cat > /dev/null"])
    assert await client.run(["list-panes"]) is None
    assert not client.up
    await client.close()


async def test_answers_follow_their_commands_between_notifications() -> None:
    script = (
        "read a; echo '%begin 5 1 0'; echo '%end 5 1 0'; echo '%session-changed $0 w';"
        "echo '%begin 5 2 1'; echo '%end 5 2 0 not the guard'; echo '%layout-change @1';"
        "echo '%end 5 2 1'; read b; echo '%begin 5 3 1'; echo oops; echo '%error 5 3 1';"
        "exec cat > /dev/null"
    )
    client = ControlClient(["sh", "-c", script])
    assert await client.run(["first"]) == (True, "%end 5 2 0 not the guard\n%layout-change @1\n")
    assert await client.run(["second"]) == (False, "oops\n")
    await client.close()


async def test_an_answer_split_across_reads_is_put_together() -> None:
    script = (
        "read a; printf '%%begin 5 1 0\\n%%end 5 1 0\\n%%begin 5 2 1\\nline one\\n%%en';"
        "sleep 0.1; printf 'd 5 2 0\\nline two\\n%%end 5 2'; sleep 0.1; printf ' 1\\n';"
        "exec cat > /dev/null"
    )
    client = ControlClient(["sh", "-c", script])
    assert await client.run(["first"]) == (True, "line one\n%end 5 2 0\nline two\n")
    await client.close()


async def test_output_times_of_panes_alone_in_their_window(mux: TmuxMux) -> None:
    import time

    start = time.time()
    alone = await mux.spawn(workspace="w", argv=["sh", "-c", "echo hi; exec sleep 60"])
    shared = await mux.spawn(workspace="w", argv=["sleep", "60"])
    await mux.split(shared, argv=["sleep", "60"])
    assert await mux.output_times() == {}  # no control client: unknown, not a process
    await mux.list_panes()
    await mux.list_panes()
    times = await mux.output_times()
    assert set(times) == {alone}  # tmux stamps windows: two panes share that one
    assert int(start) < times[alone] <= time.time() + 1.0  # the end of the output's second
