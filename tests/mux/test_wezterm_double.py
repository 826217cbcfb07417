"""The `wezterm` test double follows the real binary: one set of expectations, two targets.

Each test states what a real `wezterm cli` does (learned from a real headless WezTerm) and runs
against the real one where it is built and against the double always, so a difference found
later is fixed in the double with the test that would have caught it.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import wait_until

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(params=["real", "double"])
def cli(request: pytest.FixtureRequest) -> Cli:
    """`cli(*args)` runs `wezterm cli --no-auto-start ARGS…` against a WezTerm of this test."""
    if request.param == "real":
        exe = str(request.getfixturevalue("real_wezterm").bins.wezterm)
    else:
        exe = str(request.getfixturevalue("fake_wezterm") / "wezterm")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, "cli", "--no-auto-start", *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    return run


def panes(cli: Cli) -> dict[str, dict[str, Any]]:
    r = cli("list", "--format", "json")
    assert r.returncode == 0, r.stderr
    return {str(p["pane_id"]): p for p in json.loads(r.stdout)}


def spawn(cli: Cli, *args: str) -> str:
    r = cli("spawn", *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("\n") and r.stdout.strip().isdigit()
    return r.stdout.strip()


def screen(cli: Cli, pane: str, *args: str) -> str:
    r = cli("get-text", "--pane-id", pane, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_each_subcommand_words_a_missing_pane_its_own_way(cli: Cli) -> None:
    expected = {
        ("get-text",): "no such pane 77",
        ("send-text", "x"): "no such pane 77",
        ("kill-pane",): "no such pane 77",
        ("activate-pane",): "pane 77 not found",
        ("split-pane",): "pane_id 77 invalid",
        ("zoom-pane",): "unable to resolve current tab",
        ("set-tab-title", "t"): "unable to resolve current tab",
    }
    for (sub, *rest), wording in expected.items():
        r = cli(sub, "--pane-id", "77", *rest)
        assert (r.returncode, r.stdout) == (1, ""), sub
        assert wording in r.stderr and r.stderr.rstrip().endswith("; terminating"), r.stderr


def test_spawn_flags_as_the_real_parser_takes_them(cli: Cli) -> None:
    # --workspace only with --new-window: an argument error (exit 2), not a mux error.
    r = cli("spawn", "--workspace", "w", "--", "sleep", "30")
    assert r.returncode == 2 and "--new-window" in r.stderr
    # A --pane-id that names no pane is no error: a new window in the default workspace.
    pane = spawn(cli, "--pane-id", "77", "--", "sleep", "30")
    assert panes(cli)[pane]["workspace"] == "default"
    # An unknown domain is refused by the mux, with the names it knows (quotes escaped: the
    # reason is printed with Rust's Debug formatting).
    r = cli("spawn", "--domain-name", "nosuch", "--new-window", "--", "sleep", "30")
    assert r.returncode == 1 and r'domain name \"nosuch\" is invalid' in r.stderr


def test_list_fields_cwd_and_titles(cli: Cli, tmp_path: Path) -> None:
    where = tmp_path / "a dir"
    where.mkdir()
    titled = spawn(cli, "--new-window", "--workspace", "w", "--cwd", str(where), "--",
                   "sh", "-c", r"printf '\033]0;my title\007'; exec sleep 30")  # fmt: skip
    plain = spawn(cli, "--new-window", "--workspace", "v", "--", "sleep", "30")
    wait_until(lambda: panes(cli)[titled]["title"] == "my title")
    listed = panes(cli)
    p = listed[titled]
    assert set(p) >= {
        "window_id", "tab_id", "pane_id", "workspace", "size", "title", "cwd", "cursor_x",
        "cursor_y", "cursor_shape", "cursor_visibility", "left_col", "top_row", "tab_title",
        "window_title", "is_active", "is_zoomed", "tty_name",
    }  # fmt: skip
    assert isinstance(p["pane_id"], int) and isinstance(p["window_id"], int)
    # The cwd is a directory URL with no host, percent-encoded, with a trailing slash.
    assert p["cwd"] == "file://" + str(where.resolve()).replace(" ", "%20") + "/"
    assert p["size"]["cols"] == 80 and p["size"]["rows"] == 24
    assert p["size"]["pixel_width"] > 0 and p["size"]["pixel_height"] > 0
    # OSC 0 names the pane and its window; with none, the foreground process names it.
    assert p["window_title"] == "my title"
    assert listed[plain]["title"] == "sleep"
    assert listed[plain]["tab_title"] == ""
    assert listed[plain]["tty_name"].startswith("/dev/pts/")
    table = cli("list")
    assert table.stdout.split() [:7] == ["WINID", "TABID", "PANEID", "WORKSPACE", "SIZE",
                                         "TITLE", "CWD"]  # fmt: skip


def test_a_program_that_cannot_start_leaves_a_pane_saying_why(cli: Cli) -> None:
    pane = spawn(cli, "--new-window", "--workspace", "w", "--", "/nonexistent/prog")
    # WezTerm's notice is always there; the child's own "Unable to spawn …" only about half
    # the time (WezTerm may see it exit before it reads what it wrote).
    notice = 'Process "/nonexistent/prog" in domain "local" didn\'t exit cleanly'
    wait_until(lambda: notice in screen(cli, pane))
    assert "Exited with code 1." in screen(cli, pane)
    assert panes(cli)[pane]["title"] == "wezterm"


def test_a_cwd_that_does_not_exist_falls_back_to_home(cli: Cli) -> None:
    pane = spawn(cli, "--new-window", "--workspace", "w", "--cwd", "/nonexistent",
                 "--", "sh", "-c", "pwd; exec sleep 30")  # fmt: skip
    printed = wait_until(lambda: screen(cli, pane).strip())
    assert printed != "/nonexistent" and Path(printed).is_dir()


def test_get_text_screen_and_scrollback(cli: Cli) -> None:
    pane = spawn(cli, "--new-window", "--workspace", "w", "--", "sh", "-c",
                 "for i in $(seq 1 40); do echo line$i; done; exec sleep 30")  # fmt: skip
    wait_until(lambda: "line40" in screen(cli, pane))
    # Rows 0..23 are the screen, exactly: line18..line40 and the cursor's empty line.
    rows = screen(cli, pane, "--start-line", "0", "--end-line", "23").split("\n")
    assert rows[:-1] == [f"line{i}" for i in range(18, 41)] + [""]
    back = screen(cli, pane, "--start-line", "-3", "--end-line", "0").split("\n")[:-1]
    assert back == ["line15", "line16", "line17", "line18"]
    top = screen(cli, pane, "--start-line", "-1000", "--end-line", "0").split("\n")[:-1]
    assert top[0] == "line1"  # clamped at the top of the scrollback
    # Without --end-line the answer runs to the bottom of the screen, and (a quirk of the real
    # one) may start a few lines above the asked start: only its end can be relied on.
    tail = screen(cli, pane, "--start-line", "-5").rstrip("\n").split("\n")
    assert tail[-1] == "line40" and "line13" in tail


def test_split_sizes_and_rename_of_a_missing_workspace(cli: Cli) -> None:
    first = spawn(cli, "--new-window", "--workspace", "w", "--", "sleep", "30")
    r = cli("split-pane", "--pane-id", first, "--right", "--percent", "30", "--", "sleep", "30")
    assert r.returncode == 0, r.stderr
    second = r.stdout.strip()
    listed = panes(cli)
    assert (listed[first]["size"]["cols"], listed[second]["size"]["cols"]) == (55, 24)
    # Renaming a workspace nobody has is silently nothing.
    assert cli("rename-workspace", "--workspace", "nope", "--", "new").returncode == 0


def test_paste_is_bracketed_only_when_the_program_asked(cli: Cli) -> None:
    pane = spawn(cli, "--new-window", "--workspace", "w", "--", "sh", "-c",
                 r"printf '\033[?2004h'; exec cat -v")  # fmt: skip
    wait_until(lambda: panes(cli)[pane]["title"] == "cat")
    assert cli("send-text", "--pane-id", pane, "pasted").returncode == 0
    assert cli("send-text", "--pane-id", pane, "--no-paste", "raw\r").returncode == 0
    wait_until(lambda: "^[[200~pasted^[[201~raw" in screen(cli, pane))


class Window:
    """A WezTerm with a GUI window on screen: the real `wezterm-gui` under Xvfb, or the
    double's "GUI". `focus()` gives the window the keyboard focus (a person's click)."""

    def __init__(self, cli: Cli, focus: Callable[[], object], first: str | None) -> None:
        self.cli, self.focus, self.first = cli, focus, first

    def client(self) -> dict[str, Any]:
        r = self.cli("list-clients", "--format", "json")
        assert r.returncode == 0, r.stderr
        (only,) = json.loads(r.stdout)
        return dict(only)


@pytest.fixture(params=["real", "double"])
def window(
    request: pytest.FixtureRequest, short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Window]:
    if request.param == "double":
        monkeypatch.setenv("WEZTERM_FAKE_UNFOCUSED", "1")
        exe = request.getfixturevalue("fake_wezterm") / "wezterm"
        cli = _cli_of(str(exe))
        yield Window(cli, lambda: subprocess.run([exe, "fake-focus"], check=True), None)
        return
    from tests.realgui import SKIP_REASON, GuiSession, find_tools

    tools = find_tools()
    if tools is None:
        pytest.skip(SKIP_REASON)
    session = GuiSession(tools, short_tmp / "gui").start()
    try:
        monkeypatch.setenv("WEZTERM_UNIX_SOCKET", str(session.socket))
        (first,) = session.panes()
        focus = lambda: session.xdotool("windowfocus", "--sync", session.window_id)  # noqa: E731
        yield Window(_cli_of(str(tools.bins.wezterm)), focus, first)
    finally:
        session.stop()


def _cli_of(exe: str) -> Cli:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, "cli", "--no-auto-start", *args], capture_output=True,
                              text=True, timeout=30, check=False)  # fmt: skip

    return run


def test_the_windows_client_and_its_focused_pane(window: Window) -> None:
    """What `list-clients` says of a GUI window (learned from a real one under Xvfb)."""
    cli = window.cli
    first = window.first or spawn(cli, "--new-window", "--", "sleep", "60")
    other = spawn(cli, "--new-window", "--workspace", "other", "--", "sleep", "60")
    right = cli("split-pane", "--pane-id", first, "--right", "--", "sleep", "60").stdout.strip()
    # One client, the GUI itself (`wezterm cli` is not listed); no focused pane until the
    # window first has the keyboard focus, not even after activate-pane.
    client = window.client()
    assert set(client) >= {"username", "hostname", "pid", "connection_elapsed", "idle_time",
                           "workspace", "focused_pane_id", "ssh_auth_sock"}  # fmt: skip
    assert (client["workspace"], client["focused_pane_id"]) == ("default", None)
    assert cli("activate-pane", "--pane-id", first).returncode == 0
    assert window.client()["focused_pane_id"] is None
    window.focus()
    wait_until(lambda: window.client()["focused_pane_id"] == int(first))
    # The focus follows activate-pane in the window on screen; a pane of another workspace
    # is neither focused nor shown.
    assert cli("activate-pane", "--pane-id", right).returncode == 0
    wait_until(lambda: window.client()["focused_pane_id"] == int(right))
    assert cli("activate-pane", "--pane-id", other).returncode == 0
    client = window.client()
    assert (client["workspace"], client["focused_pane_id"]) == ("default", int(right))
    # The focused pane closed: the focus goes to the pane left active in its tab.
    assert cli("kill-pane", "--pane-id", right).returncode == 0
    wait_until(lambda: window.client()["focused_pane_id"] == int(first))
