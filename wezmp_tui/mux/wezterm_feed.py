"""The pane feed: what wezmp's Lua module, running inside WezTerm, writes about its panes.

Every `wezterm cli` call is a process that costs about 16 ms of CPU (measured on a real
WezTerm 20250223): one `list` and a few `get-text` per second at 16 agents is over 12 % of a
core, four times the budget. WezTerm has no batch command and its wire protocol carries whole
cell attributes, so wezmp asks WezTerm itself instead: the Lua module (loaded through the
README's snippet) writes, every half second, the pane list (`panes.json`, the fields of
`wezterm cli list --format json`) and the last lines of the panes the daemon names in
`want.json` (`pane-ID.txt`, rewritten only when they change), then a `beat` counter.

The backend uses the feed when its beat is fresh and otherwise falls back to `wezterm cli`, so
a WezTerm without the module, or with a broken one, still works, only dearer.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# A beat older than this means the module is not running (WezTerm gone, the module not
# loaded, or an older one without the feed).
FRESH_SECONDS = 3.0
# Lines kept for each wanted pane: the longest rule region plus room.
WANT_LINES = 60


def feed_name(socket: str) -> str:
    """The directory name for a WezTerm socket path, as the Lua module spells it: byte by
    byte, as Lua's patterns see a string, so a non-ASCII path gives the same name."""
    return re.sub(rb"[^A-Za-z0-9\-_.]", b"_", os.fsencode(socket)).decode("ascii")


class PaneFeed:
    def __init__(
        self,
        root: Path,
        socket: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root
        self.socket = socket
        self.clock = clock
        self._want: tuple[str, ...] = ()
        self._texts: dict[str, tuple[int, str]] = {}  # pane id -> (mtime_ns, text)
        self._listing: tuple[int, list[dict[str, Any]]] | None = None
        self._trust_from: int = 0  # first beat that saw our last change

    # -- where -------------------------------------------------------------------------

    def directory(self) -> Path | None:
        """This WezTerm's feed directory: named after its socket, or, where the socket is not
        known (a daemon started outside WezTerm), the only feed that is alive."""
        if self.socket:
            return self.root / feed_name(self.socket)
        try:
            alive = [d for d in self.root.iterdir() if self._fresh(d)]
        except OSError:
            return None
        return alive[0] if len(alive) == 1 else None

    def _fresh(self, d: Path) -> bool:
        try:
            return self.clock() - (d / "beat").stat().st_mtime < FRESH_SECONDS
        except OSError:
            return False

    def _beat(self, d: Path) -> int | None:
        """The beat counter, when it is fresh."""
        try:
            if self.clock() - (d / "beat").stat().st_mtime >= FRESH_SECONDS:
                return None
            return int((d / "beat").read_text() or "0")
        except (OSError, ValueError):
            return None

    # -- what changed through the CLI ---------------------------------------------------

    def changed(self) -> None:
        """wezmp just changed panes through `wezterm cli`: the listing is trusted again only
        from a beat two past the current one (the next might have begun before the change)."""
        d = self.directory()
        beat = self._beat(d) if d else None
        self._trust_from = (beat or 0) + 2

    # -- reading -----------------------------------------------------------------------

    def panes(self) -> list[dict[str, Any]] | None:
        """The pane list as `wezterm cli list --format json` gives it, or None (use the CLI)."""
        d = self.directory()
        beat = self._beat(d) if d else None
        if d is None or beat is None or beat < self._trust_from:
            return None
        path = d / "panes.json"
        try:
            mtime = path.stat().st_mtime_ns
            if self._listing is None or self._listing[0] != mtime:
                data = json.loads(path.read_text())
                if not isinstance(data, list):
                    return None
                self._listing = (mtime, data)
        except (OSError, ValueError):
            return None
        return self._listing[1]

    def text(self, pane_id: str) -> str | None:
        """The last lines of a wanted pane, or None (use the CLI)."""
        d = self.directory()
        if d is None or self._beat(d) is None:
            return None
        path = d / f"pane-{pane_id}.txt"
        try:
            mtime = path.stat().st_mtime_ns
            cached = self._texts.get(pane_id)
            if cached is not None and cached[0] == mtime:
                return cached[1]
            text = path.read_text(errors="replace")
        except OSError:
            return None
        self._texts[pane_id] = (mtime, text)
        return text

    # -- asking ------------------------------------------------------------------------

    def want(self, pane_ids: Iterable[str], alive: Iterable[str] | None = None) -> None:
        """Ask for these panes' screens from now on (on top of those asked before, less any
        not in `alive`)."""
        wanted = set(self._want) | set(pane_ids)
        if alive is not None:
            wanted &= set(alive)
        ordered = tuple(sorted(wanted, key=lambda p: (len(p), p)))
        if ordered == self._want:
            return
        d = self.directory()
        if d is None:
            return
        self._want = ordered
        for gone in set(self._texts) - wanted:
            self._texts.pop(gone, None)
        try:
            d.mkdir(parents=True, exist_ok=True)
            tmp = d / f".want.{os.getpid()}.tmp"
            tmp.write_text(json.dumps({"lines": WANT_LINES, "panes": list(ordered)}))
            os.replace(tmp, d / "want.json")
        except (OSError, ValueError):
            self._want = ()
