"""What the control center's tests share: an engine with one workspace (board tests bring
their own, seeded with cards)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from wezmp_tui.engine.facade import Engine


@pytest.fixture
async def engine(make_engine: Any) -> AsyncIterator[Engine]:
    eng = await make_engine("local")
    await eng.invoke("ws.create", {"name": "alpha"})
    yield eng
