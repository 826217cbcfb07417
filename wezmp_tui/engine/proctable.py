"""The process table, one for the whole daemon: the pane tick reads it each tick (which
processes sit on each pane's tty), and the metrics sampler and the pane service take that
same reading when it is recent (reading /proc is most of an idle daemon's CPU).

Every read of the table runs in a worker thread, never on the event loop. The multiplexer
backend asks this service for its tables (it is put in `engine.mux.processes`). The state
tick reads its panes' write counts here too: one reader keeps every /proc file it reads open
between ticks.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wezmp_tui.procfs import ProcReader, Table

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine


class ProcessTable:
    def __init__(self, engine: Engine) -> None:
        self._at = -1e9  # monotonic time of the last read (real time: it times CPU use)
        self._table: Table = {}
        self._lock = threading.Lock()  # a read from the loop's thread and one from a worker
        self.reader = ProcReader()
        engine.mux.processes = self

    async def stop(self) -> None:
        with self._lock:
            self.reader.close()

    def write_counts(self, pids: Iterable[int]) -> tuple[tuple[int, int], ...] | None:
        """Bytes each process has written (`procfs.write_counts`); on the event loop."""
        return self.reader.write_counts(pids)

    def sweep(self) -> None:
        """Forget the write counts of processes not asked for since the last sweep."""
        self.reader.sweep()

    def get(self, max_age: float = 0.0) -> tuple[float, Table]:
        """The table read at most `max_age` seconds ago (0: now). Blocking: for worker
        threads (the sampler); the event loop uses `table`."""
        with self._lock:
            if max_age <= 0 or time.monotonic() - self._at > max_age:
                self._table = self.reader.table()
                self._at = time.monotonic()
            return self._at, self._table

    async def table(self, max_age: float = 0.0) -> tuple[float, Table]:
        if max_age > 0 and time.monotonic() - self._at <= max_age:
            return self._at, self._table
        return await asyncio.to_thread(self.get, max_age)

    def cached(self) -> Table:
        return self._table
