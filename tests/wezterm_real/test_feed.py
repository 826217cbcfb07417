"""The pane feed on a real WezTerm: the Lua module, loaded as the README says, writes what
`wezterm cli list` and `get-text` would say, and with it alive a tick starts no process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers import async_wait_until
from tests.realwezterm import SKIP_REASON, MuxServer, find_binaries, module_config
from wezmp_tui.mux.wezterm import WeztermMux
from wezmp_tui.mux.wezterm_feed import PaneFeed
from wezmp_tui.paths import Paths


@pytest.fixture
async def fed(
    wezmp_env: Paths, short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[MuxServer, WeztermMux, WeztermMux]]:
    """A real WezTerm with the module, a backend reading its feed, and one that never does."""
    bins = find_binaries()
    if bins is None:
        pytest.skip(SKIP_REASON)
    server = MuxServer(bins, short_tmp / "wez", extra_config=module_config()).start()
    for key, value in server.client_env().items():
        monkeypatch.setenv(key, value)
    feed = PaneFeed(wezmp_env.runtime_dir / "wezterm-feed", str(server.socket))
    try:
        yield server, WeztermMux(feed=feed), WeztermMux()
    finally:
        server.stop()


def sh(script: str) -> list[str]:
    return ["sh", "-c", script]


async def test_the_feed_says_what_the_cli_says(
    fed: tuple[MuxServer, WeztermMux, WeztermMux], tmp_path: Path
) -> None:
    _, mux, cli = fed
    a = await mux.spawn(workspace="w", cwd=str(tmp_path), argv=sh("echo one; exec sleep 60"))
    b = await mux.split(a, direction="right", percent=30, argv=sh("echo two; exec sleep 60"))
    await mux.set_tab_title(a, "agents")
    assert mux.feed is not None

    async def feeding() -> bool:
        return mux.feed is not None and mux.feed.panes() is not None

    assert await async_wait_until(feeding)
    calls = mux.cli_calls
    by_feed = {p.pane_id: p for p in await mux.list_panes()}
    assert mux.cli_calls == calls  # the list came from the feed
    by_cli = {p.pane_id: p for p in await cli.list_panes()}
    assert by_feed.keys() == by_cli.keys() == {a, b}
    for pane in (a, b):
        f, c = by_feed[pane], by_cli[pane]
        assert (f.workspace, f.tab_id, f.window_id, f.tty, f.rows, f.cols) == (
            c.workspace, c.tab_id, c.window_id, c.tty, c.rows, c.cols,
        )  # fmt: skip
        assert (f.title, f.cwd, f.tab_title, f.is_active, f.is_zoomed) == (
            c.title, c.cwd, c.tab_title, c.is_active, c.is_zoomed,
        )  # fmt: skip
        assert f.pids == c.pids

    # Screens: the first batch asks the feed for them and is read through the CLI; once the
    # module has written them, they come from the feed and say the same.
    first = await mux.get_texts([a, b], lines=5)
    assert first == {a: "one", b: "two"}

    async def texts_fed() -> bool:
        return mux.feed is not None and all(mux.feed.text(p) is not None for p in (a, b))

    assert await async_wait_until(texts_fed)
    calls = mux.cli_calls
    assert await mux.get_texts([a, b], lines=5) == first
    assert mux.cli_calls == calls


async def test_a_change_through_the_cli_is_seen_before_the_feed_is_trusted_again(
    fed: tuple[MuxServer, WeztermMux, WeztermMux],
) -> None:
    _, mux, _ = fed
    a = await mux.spawn(workspace="w", argv=sh("exec sleep 60"))

    async def feeding() -> bool:
        return mux.feed is not None and mux.feed.panes() is not None

    assert await async_wait_until(feeding)
    # Right after a spawn the feed has not seen the new pane: the list comes from the CLI.
    b = await mux.spawn(workspace="w", argv=sh("exec sleep 60"))
    assert {p.pane_id for p in await mux.list_panes()} == {a, b}
    await mux.kill_pane(b)
    assert {p.pane_id for p in await mux.list_panes()} == {a}
    # And once the module has written twice since, the feed is trusted again.
    assert await async_wait_until(feeding)
    assert {p.pane_id for p in await mux.list_panes()} == {a}


async def test_screens_follow_output_through_the_feed(
    fed: tuple[MuxServer, WeztermMux, WeztermMux],
) -> None:
    _, mux, _ = fed
    pane = await mux.spawn(workspace="w", argv=["sh"])
    await mux.get_texts([pane], lines=5)  # ask for it
    await mux.send_text(pane, "echo feed-$((40+2))", paste=False, enter=True)

    async def fed_text() -> bool:
        assert mux.feed is not None
        return "feed-42" in (mux.feed.text(pane) or "")

    assert await async_wait_until(fed_text)
    assert (await mux.get_text(pane, lines=2)).splitlines()[0].endswith("feed-42")
