"""The `Engine`: one object that owns the services and exposes their `@api` methods.

Interfaces never reach into services directly; they call `engine.invoke(name, params)` (the
IPC server does exactly that for each request) so the in-process client used by tests and the
socket client behave the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from wezmp_tui import __version__
from wezmp_tui.clock import Clock, SystemClock
from wezmp_tui.config.schema import Config
from wezmp_tui.engine.api import ApiMethod, api, collect
from wezmp_tui.engine.bus import EventBus
from wezmp_tui.errors import MethodNotFound
from wezmp_tui.mux.base import Mux
from wezmp_tui.paths import Paths
from wezmp_tui.store.db import Database

T = TypeVar("T")
log = logging.getLogger("wezmp.engine")


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Engine:
    def __init__(
        self,
        *,
        paths: Paths,
        mux: Mux,
        db: Database,
        config: Config | None = None,
        clock: Clock | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.paths = paths
        self.mux = mux
        self.db = db
        # Read where used, never kept: `config.reload` replaces it.
        self.config = config or Config()
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus(self.clock)
        self.started_at = self.clock.now()
        self.services: list[Any] = [SystemService(self)]
        self._tasks: set[asyncio.Task[None]] = set()
        self._methods: dict[str, ApiMethod] | None = None
        self.backend_reason = ""
        # Services run their periodic loops (pane tick, sampler...) only when this is true;
        # tests leave it False and call each service's `tick()` themselves.
        self.loops = False
        self.config_error: str | None = None
        # Set by the daemon; `system.shutdown` sets it to stop serving.
        self.shutdown_event: asyncio.Event | None = None

    def add(self, factory: Callable[[Engine], Any]) -> Any:
        """Create a service bound to this engine and register its API methods."""
        svc = factory(self)
        self.services.append(svc)
        self._methods = None
        return svc

    def get(self, cls: type[T]) -> T:
        """The service of type `cls` (raises LookupError when it is not running)."""
        for svc in self.services:
            if isinstance(svc, cls):
                return svc
        raise LookupError(f"service {cls.__name__} is not running")

    def add_standard_services(self, names: list[str] | None = None) -> None:
        """Add every service listed in `engine.services.SERVICES` (or `names`) whose module
        is present."""
        import importlib
        import importlib.util

        from wezmp_tui.engine.services import SERVICES

        for target in SERVICES if names is None else names:
            module, attr = target.split(":")
            if importlib.util.find_spec(module) is None:
                continue
            self.add(getattr(importlib.import_module(module), attr))

    @property
    def methods(self) -> dict[str, ApiMethod]:
        if self._methods is None:
            self._methods = collect(self.services)
        return self._methods

    async def invoke(self, name: str, params: Any = None) -> Any:
        method = self.methods.get(name)
        if method is None:
            raise MethodNotFound(f"unknown method {name!r}")
        return await method.invoke(params)

    async def start(self) -> None:
        for svc in self.services:
            start = getattr(svc, "start", None)
            if start is not None:
                await start()

    def every(self, name: str, interval: Callable[[], float], fn: Callable[[], Any]) -> None:
        """Run `await fn()` every `interval()` seconds while the engine runs (when `loops`).

        An exception is logged and published as an `error` event once per kind, and the loop
        goes on: one bad tick must not stop supervision."""
        if not self.loops:
            return

        async def loop() -> None:
            last_error = ""
            while True:
                try:
                    await fn()
                    last_error = ""
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    text = f"{name}: {type(exc).__name__}: {exc}"
                    if text != last_error:
                        log.warning("%s", text)
                        self.bus.publish("error", {"source": name, "message": str(exc)})
                    last_error = text
                await asyncio.sleep(interval())

        task = asyncio.create_task(loop(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for svc in reversed(self.services):
            stop = getattr(svc, "stop", None)
            if stop is not None:
                await stop()


class SystemService:
    """Facts about the daemon itself."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The last loss of the multiplexer's server while it lasts: the snapshot service,
        # above this one, puts here how to know it.
        self.mux_lost: Callable[[], dict[str, Any] | None] = lambda: None

    @api("system.status")
    async def status(self) -> dict[str, Any]:
        """Version, backend, pid and uptime of the daemon."""
        e = self.engine
        return {
            "version": __version__,
            "backend": e.mux.name,
            "pid": os.getpid(),
            "uptime": round(e.clock.now() - e.started_at, 3),
            "subscribers": e.bus.subscriber_count,
            "backend_reason": e.backend_reason,
            "socket": str(e.paths.socket),
            "config_error": e.config_error,
            "mux_lost": self.mux_lost(),
        }

    @api("system.shutdown")
    async def shutdown(self) -> dict[str, Any]:
        """Stop the daemon (agents in panes keep running and are adopted by the next one)."""
        if self.engine.shutdown_event is None:
            return {"stopping": False}
        # Let this answer reach the client before connections close.
        asyncio.get_running_loop().call_later(0.05, self.engine.shutdown_event.set)
        return {"stopping": True, "pid": os.getpid()}

    @api("system.methods")
    async def list_methods(self) -> list[dict[str, str]]:
        """Every API method with its one-line description."""
        return [
            {"name": m.name, "doc": m.doc.splitlines()[0] if m.doc else ""}
            for m in sorted(self.engine.methods.values(), key=lambda m: m.name)
        ]
