"""The pane feed's reader: files as the Lua module writes them (the module itself is tested
against a real WezTerm in tests/wezterm_real/test_feed.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from wezmp_tui.mux.wezterm_feed import FRESH_SECONDS, WANT_LINES, PaneFeed, feed_name

SOCK = "/run/user/1000/wezterm/gui-sock-4242"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def write(path: Path, text: str, at: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (at, at))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def feed(tmp_path: Path, clock: Clock) -> PaneFeed:
    return PaneFeed(tmp_path, SOCK, clock=clock)


def beat(feed: PaneFeed, clock: Clock, seq: int) -> Path:
    d = feed.root / feed_name(SOCK)
    write(d / "beat", str(seq), clock.now)
    return d


PANES = [{"pane_id": 3, "tab_id": 1, "window_id": 0, "workspace": "w", "title": "sh"}]


def test_the_directory_is_named_after_the_socket_as_lua_spells_it() -> None:
    assert feed_name(SOCK) == "_run_user_1000_wezterm_gui-sock-4242"
    assert feed_name("/a b/ç") == "_a_b___"  # ç is two bytes, as Lua sees it


def test_panes_only_while_the_beat_is_fresh(feed: PaneFeed, clock: Clock) -> None:
    assert feed.panes() is None  # nothing written yet
    d = beat(feed, clock, 1)
    write(d / "panes.json", json.dumps(PANES), clock.now)
    assert feed.panes() == PANES
    clock.now += FRESH_SECONDS + 0.1
    assert feed.panes() is None  # WezTerm (or the module) stopped
    beat(feed, clock, 2)
    assert feed.panes() == PANES


def test_a_change_through_the_cli_waits_for_two_beats(feed: PaneFeed, clock: Clock) -> None:
    d = beat(feed, clock, 7)
    write(d / "panes.json", json.dumps(PANES), clock.now)
    feed.changed()
    assert feed.panes() is None
    beat(feed, clock, 8)  # this pass may have begun before the change
    assert feed.panes() is None
    beat(feed, clock, 9)
    assert feed.panes() == PANES


def test_bad_files_fall_back_to_the_cli(feed: PaneFeed, clock: Clock) -> None:
    d = beat(feed, clock, 1)
    write(d / "panes.json", "{not json", clock.now)
    assert feed.panes() is None
    write(d / "panes.json", '{"a": 1}', clock.now + 1)
    assert feed.panes() is None
    write(d / "beat", "garbage", clock.now)
    assert feed.text("3") is None


def test_texts_are_read_again_only_when_rewritten(feed: PaneFeed, clock: Clock) -> None:
    d = beat(feed, clock, 1)
    assert feed.text("3") is None
    write(d / "pane-3.txt", "one", clock.now)
    assert feed.text("3") == "one"
    (d / "pane-3.txt").write_text("two")
    os.utime(d / "pane-3.txt", (clock.now, clock.now))  # same mtime: the cached text
    assert feed.text("3") == "one"
    write(d / "pane-3.txt", "three", clock.now + 0.5)
    assert feed.text("3") == "three"


def test_want_accumulates_and_forgets_gone_panes(feed: PaneFeed, clock: Clock) -> None:
    d = beat(feed, clock, 1)
    feed.want(["3", "12"])
    asked = json.loads((d / "want.json").read_text())
    assert asked == {"lines": WANT_LINES, "panes": ["3", "12"]}
    mtime = (d / "want.json").stat().st_mtime_ns
    feed.want(["3"])  # nothing new: not rewritten
    assert (d / "want.json").stat().st_mtime_ns == mtime
    feed.want(["4"], alive=["3", "4"])
    assert json.loads((d / "want.json").read_text())["panes"] == ["3", "4"]


def test_without_a_socket_the_only_live_feed_is_used(tmp_path: Path, clock: Clock) -> None:
    feed = PaneFeed(tmp_path, None, clock=clock)
    assert feed.directory() is None
    write(tmp_path / "gui-1" / "beat", "1", clock.now)
    write(tmp_path / "old" / "beat", "1", clock.now - 60)
    assert feed.directory() == tmp_path / "gui-1"
    write(tmp_path / "gui-2" / "beat", "1", clock.now)
    assert feed.directory() is None  # two live WezTerms: ask the CLI
    feed.want(["1"])  # nowhere to write: nothing happens
