"""The process table, one for the whole daemon: the pane tick reads it each tick (which
processes sit on each pane's tty), and the metrics sampler and the pane service take that
same reading when it is recent (reading /proc is most of an idle daemon's CPU).

Every read runs in a worker thread, never on the event loop. The multiplexer backend asks
this service for its tables (it is put in `engine.mux.processes`).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING

from wezmp_tui.procfs import Table, read_table

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine


class ProcessTable:
    def __init__(self, engine: Engine) -> None:
        self._at = -1e9  # monotonic time of the last read (real time: it times CPU use)
        self._table: Table = {}
        self._lock = threading.Lock()  # a read from the loop's thread and one from a worker
        engine.mux.processes = self

    def get(self, max_age: float = 0.0) -> tuple[float, Table]:
        """The table read at most `max_age` seconds ago (0: now). Blocking: for worker
        threads (the sampler); the event loop uses `table`."""
        with self._lock:
            if max_age <= 0 or time.monotonic() - self._at > max_age:
                self._table = read_table()
                self._at = time.monotonic()
            return self._at, self._table

    async def table(self, max_age: float = 0.0) -> tuple[float, Table]:
        if max_age > 0 and time.monotonic() - self._at <= max_age:
            return self._at, self._table
        return await asyncio.to_thread(self.get, max_age)

    def cached(self) -> Table:
        return self._table
