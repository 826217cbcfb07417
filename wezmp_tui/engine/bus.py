"""The event bus: services publish, subscribers (IPC connections, the status file writer,
the supervisor) read from bounded queues.

A slow subscriber never slows the engine: when its queue is full the oldest events are dropped
and it receives a `bus.overflow` event, after which it should re-read state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from wezmp_tui.clock import Clock, SystemClock
from wezmp_tui.model.events import Event


class Subscription:
    def __init__(self, bus: EventBus, prefixes: Sequence[str], maxsize: int) -> None:
        self._bus = bus
        self.prefixes = tuple(prefixes) or ("",)
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self.dropped = 0

    def wants(self, topic: str) -> bool:
        return any(topic.startswith(p) for p in self.prefixes)

    def _offer(self, event: Event) -> None:
        if self.queue.full():
            try:
                self.queue.get_nowait()
            except asyncio.QueueEmpty:  # pragma: no cover - races are impossible single-threaded
                pass
            self.dropped += 1
        self.queue.put_nowait(event)

    async def get(self) -> Event:
        return await self.queue.get()

    def get_nowait(self) -> Event | None:
        try:
            return self.queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def close(self) -> None:
        self._bus._subs.discard(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()


class EventBus:
    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._subs: set[Subscription] = set()
        self._listeners: list[tuple[tuple[str, ...], Callable[[Event], None]]] = []
        self._seq = 0

    def subscribe(self, prefixes: Sequence[str] = ("",), maxsize: int = 1000) -> Subscription:
        sub = Subscription(self, prefixes, maxsize)
        self._subs.add(sub)
        return sub

    def listen(self, prefixes: Sequence[str], callback: Callable[[Event], None]) -> None:
        """Call `callback` synchronously for each matching event (for in-engine reactions,
        such as the queue moving a card when an agent goes idle). It must not block."""
        self._listeners.append((tuple(prefixes) or ("",), callback))

    def publish(self, topic: str, data: Any = None) -> Event:
        self._seq += 1
        event = Event(seq=self._seq, ts=self._clock.now(), topic=topic, data=data)
        # Subscribers first: an event a listener publishes in reaction then reaches them
        # after the one it reacts to, so every queue stays in `seq` order.
        for sub in list(self._subs):
            if sub.wants(topic):
                sub._offer(event)
        for prefixes, cb in list(self._listeners):
            if any(topic.startswith(p) for p in prefixes):
                cb(event)
        return event

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)
