from __future__ import annotations

import threading
from typing import Any

import pytest

from wezmp_tui.engine.proctable import ProcessTable


async def test_one_reading_shared_off_the_loop(
    make_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await make_engine("local")
    table = engine.get(ProcessTable)
    assert engine.mux.processes is table  # the backend's pids come from it
    reads: list[int] = []

    def read() -> dict[int, Any]:
        reads.append(threading.get_ident())
        return {}

    monkeypatch.setattr(table.reader, "table", read)
    at, _ = await table.table()
    assert reads and reads[-1] != threading.get_ident()  # a worker thread read it
    # A recent reading is shared: no second pass over /proc.
    assert (await table.table(max_age=60.0))[0] == at and len(reads) == 1
    assert table.get(max_age=60.0)[0] == at and len(reads) == 1
    # Which processes sit on a tty is always read anew.
    await table.table()
    assert len(reads) == 2
