"""Running a plugin's code off the event loop, with a time limit.

Each plugin has one worker thread, so its hooks see events one at a time and in order, and a
slow plugin delays only itself. Python cannot kill a thread: a call that outlives its limit is
abandoned (the thread is retired and ends whenever the call returns, if ever) and a fresh
thread takes the plugin's next calls. Threads are daemonic, so a hung plugin never keeps the
daemon from exiting.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class HookTimeout(Exception):
    pass


class _Call:
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.started: Future[None] = Future()
        self.done: Future[Any] = Future()


class Worker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._retired: set[threading.Thread] = set()
        self.abandoned = 0  # threads left running a call past its limit

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, name=f"wezmp-plugin-{self.name}", daemon=True
            )
            self._thread.start()

    def _loop(self) -> None:
        me = threading.current_thread()
        while me not in self._retired:
            call = self._queue.get()
            if call is None:
                return
            if not call.started.set_running_or_notify_cancel():
                continue
            call.started.set_result(None)
            try:
                result = call.fn(*call.args)
            except BaseException as exc:
                call.done.set_exception(exc)
            else:
                call.done.set_result(result)

    async def run(self, fn: Callable[..., Any], *args: Any, timeout: float) -> Any:
        """`fn(*args)` in this plugin's thread; raises what it raised, or HookTimeout when
        it ran longer than `timeout` seconds (counted from when it started, not queued)."""
        call = _Call(fn, args)
        self._ensure_thread()
        self._queue.put(call)
        await asyncio.wrap_future(call.started)
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(call.done)), timeout)
        except TimeoutError:
            self._abandon()
            raise HookTimeout(f"still running after {timeout:g}s") from None

    def _abandon(self) -> None:
        if self._thread is not None:
            self._retired.add(self._thread)
            self._thread = None
            self.abandoned += 1
            # The queued calls go to a fresh thread; the stuck one takes no more.
            self._ensure_thread()

    def close(self) -> None:
        """Let the thread end once its queue is drained (it is daemonic: nothing waits)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread = None
