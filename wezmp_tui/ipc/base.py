"""The client interface the TUI (and anything async) codes against.

Two implementations: `ipc.client.AsyncClient` over the socket, and `InProcessClient` here,
which calls an `Engine` in the same process (tests, snapshots, benchmarks). Both return the
same wire-shaped values (plain dicts and lists, as JSON would give) so the TUI cannot come to
depend on in-process objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from wezmp_tui.model.events import Event

if TYPE_CHECKING:
    from wezmp_tui.engine.bus import Subscription
    from wezmp_tui.engine.facade import Engine


class AsyncApi(Protocol):
    async def call(self, method: str, /, **params: Any) -> Any: ...

    async def subscribe(self, topics: Sequence[str] = ("",)) -> None: ...

    def events(self) -> AsyncIterator[Event]: ...

    async def close(self) -> None: ...


class InProcessClient:
    """An `AsyncApi` bound directly to an engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sub: Subscription | None = None

    async def call(self, method: str, /, **params: Any) -> Any:
        result = await self.engine.invoke(method, params)
        # Round-trip through JSON so callers see exactly what a socket client sees.
        return msgspec.json.decode(msgspec.json.encode(result))

    async def subscribe(self, topics: Sequence[str] = ("",)) -> None:
        if self._sub is not None:
            self._sub.close()
        self._sub = self.engine.bus.subscribe(list(topics))

    async def events(self) -> AsyncIterator[Event]:
        if self._sub is None:
            await self.subscribe()
        assert self._sub is not None
        while True:
            ev = await self._sub.get()
            yield msgspec.json.decode(msgspec.json.encode(ev), type=Event)

    async def close(self) -> None:
        if self._sub is not None:
            self._sub.close()
            self._sub = None
