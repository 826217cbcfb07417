"""The `Engine`: one object that owns the services and exposes their `@api` methods.

Interfaces never reach into services directly; they call `engine.invoke(name, params)` (the
IPC server does exactly that for each request) so the in-process client used by tests and the
socket client behave the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from wezmp_tui import __version__
from wezmp_tui.clock import Clock, SystemClock
from wezmp_tui.engine.api import ApiMethod, api, collect
from wezmp_tui.engine.bus import EventBus
from wezmp_tui.errors import NotFound
from wezmp_tui.mux.base import Mux
from wezmp_tui.paths import Paths
from wezmp_tui.store.db import Database

T = TypeVar("T")


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
        config: Any = None,
        clock: Clock | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self.paths = paths
        self.mux = mux
        self.db = db
        self.config = config
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus(self.clock)
        self.started_at = self.clock.now()
        self.services: list[Any] = [SystemService(self)]
        self._methods: dict[str, ApiMethod] | None = None

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

    async def stop(self) -> None:
        for svc in reversed(self.services):
            stop = getattr(svc, "stop", None)
            if stop is not None:
                await stop()


class MethodNotFound(NotFound):
    code = -32601


class SystemService:
    """Facts about the daemon itself."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
        }

    @api("system.methods")
    async def list_methods(self) -> list[dict[str, str]]:
        """Every API method with its one-line description."""
        return [
            {"name": m.name, "doc": m.doc.splitlines()[0] if m.doc else ""}
            for m in sorted(self.engine.methods.values(), key=lambda m: m.name)
        ]
