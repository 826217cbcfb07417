"""Clients of the daemon: `Client` (blocking, tiny imports) and `AsyncClient` (the TUI's).

`Client` is what `wezmp hook` and `wezmp exec` use on every agent start and every Claude Code
hook, so importing this module pulls in only the standard library's socket and json: no
asyncio, click, msgspec, psutil or yaml (a test enforces it).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from wezmp_tui.errors import DaemonUnavailable
from wezmp_tui.ipc.protocol import MAX_FRAME, PROTOCOL_VERSION, mismatch_of, raise_for, request
from wezmp_tui.paths import Paths, resolve

if TYPE_CHECKING:
    import asyncio

    from wezmp_tui.model.events import Event



class Client:
    """One connection to the daemon; `call` blocks until the answer arrives."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self.sock = sock
        self.sock.settimeout(timeout)
        self._buf = b""
        self._next_id = 0
        self.server: dict[str, Any] = {}

    def call(self, method: str, /, **params: Any) -> Any:
        self._next_id += 1
        req_id = self._next_id
        try:
            self.sock.sendall(request(req_id, method, params))
            while True:
                frame = self._read_frame()
                if frame.get("id") != req_id:
                    continue  # an event notification or a stale answer
                if "error" in frame:
                    raise_for(frame["error"])
                return frame.get("result")
        except (OSError, ValueError) as exc:
            raise DaemonUnavailable(f"lost the connection to the wezmp daemon: {exc}") from None

    def _read_frame(self) -> dict[str, Any]:
        while b"\n" not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the daemon closed the connection")
            self._buf += chunk
            if len(self._buf) > MAX_FRAME * 4:
                raise ValueError("answer too large")
        line, self._buf = self._buf.split(b"\n", 1)
        frame: dict[str, Any] = json.loads(line)
        return frame

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _open(path: str, timeout: float) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return None
    return sock


def try_connect(paths: Paths, timeout: float = 5.0, client: str = "cli") -> Client | None:
    """A client after a successful `hello`, or None when no daemon answers. Raises
    ProtocolMismatch when the daemon that answers speaks another protocol."""
    sock = _open(str(paths.socket), timeout)
    if sock is None:
        return None
    c = Client(sock, timeout)
    try:
        c.server = c.call("hello", protocol=PROTOCOL_VERSION, client=client)
    except Exception as exc:
        c.close()
        mismatch = mismatch_of(exc, PROTOCOL_VERSION)
        if mismatch is not None:
            raise mismatch from None
        return None
    return c


# Starting the daemon on demand (as tmux starts its server), and waiting until it answers.
START_TIMEOUT = 15.0


def daemon_argv(backend: str | None = None) -> list[str]:
    import sys

    argv = [sys.executable, "-m", "wezmp_tui"]
    if backend:
        argv += ["--backend", backend]
    return [*argv, "daemon", "run"]


def start_daemon(
    paths: Paths, *, backend: str | None = None, timeout: float = START_TIMEOUT
) -> int:
    """Start a detached daemon and wait (bounded) until it answers `hello`. Returns its pid.

    Two clients racing here start two processes, but the daemon's lock lets only one live:
    the loser exits at once and both clients connect to the winner."""
    import subprocess
    import time

    paths.ensure_runtime_dir()
    paths.log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(paths.log_file, "ab") as log:
        proc = subprocess.Popen(
            daemon_argv(backend),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            env=dict(os.environ),
        )
    deadline = time.monotonic() + timeout
    delay = 0.01
    while time.monotonic() < deadline:
        c = try_connect(paths, timeout=1.0)
        if c is not None:
            pid = int(c.server.get("pid", proc.pid))
            c.close()
            return pid
        if proc.poll() not in (None, 0):
            break
        time.sleep(delay)  # waiting for another process, not for test state
        delay = min(delay * 2, 0.1)
    raise DaemonUnavailable(f"the wezmp daemon did not start; see {paths.log_file}")


def connect(
    paths: Paths | None = None,
    *,
    autostart: bool = True,
    backend: str | None = None,
    timeout: float = 5.0,
    client: str = "cli",
    call_timeout: float | None = None,
) -> Client:
    """A connected client; starts the daemon first when `autostart` and none answers.

    `timeout` bounds connecting and the handshake; `call_timeout` (default: the same) bounds
    each later call, which may be long (starting 64 agents, applying a big layout)."""
    paths = paths or resolve(os.environ)
    c = try_connect(paths, timeout, client)
    if c is None:
        if not autostart:
            raise DaemonUnavailable(
                "the wezmp daemon is not running (start it: wezmp daemon start)"
            )
        start_daemon(paths, backend=backend)
        c = try_connect(paths, timeout, client)
        if c is None:
            raise DaemonUnavailable(f"the wezmp daemon did not answer; see {paths.log_file}")
    try:
        check_backend(c.server, backend)
    except Exception:
        c.close()
        raise
    c.sock.settimeout(call_timeout or timeout)
    return c


def check_backend(server: dict[str, Any], flag: str | None) -> None:
    """A daemon cannot change backends while it runs: when this command asks for one (the
    --backend flag, else WEZMP_BACKEND) that the running daemon does not use, that is an
    error naming both and how to switch, not a silent use of the other one."""
    if not flag and not os.environ.get("WEZMP_BACKEND"):
        return
    from wezmp_tui.errors import Conflict
    from wezmp_tui.mux.choose import explicit_choice, mismatch

    asked = explicit_choice(os.environ, flag)
    running = server.get("backend")
    if asked is not None and running and running != asked[0]:
        raise Conflict(mismatch(running, server.get("pid"), *asked))


class AsyncClient:
    """The `AsyncApi` over the socket: concurrent calls, and event notifications."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        import asyncio

        self._reader = reader
        self._writer = writer
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._read_loop())
        self.server: dict[str, Any] = {}
        self.closed = False

    async def _read_loop(self) -> None:
        from wezmp_tui.model.events import Event

        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                frame = json.loads(line)
                if "id" not in frame and frame.get("method") == "event":
                    p = frame["params"]
                    self._events.put_nowait(
                        Event(seq=p["seq"], ts=p["ts"], topic=p["topic"], data=p["data"])
                    )
                    continue
                fut = self._pending.pop(frame.get("id"), None)
                if fut is not None and not fut.done():
                    fut.set_result(frame)
        except (OSError, ValueError):
            pass
        finally:
            self.closed = True
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(DaemonUnavailable("lost the connection to the daemon"))
            self._pending.clear()
            self._events.put_nowait(None)

    async def call(self, method: str, /, **params: Any) -> Any:
        import asyncio

        if self.closed:
            raise DaemonUnavailable("not connected to the daemon")
        self._next_id += 1
        req_id = self._next_id
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = fut
        try:
            self._writer.write(request(req_id, method, params))
            await self._writer.drain()
        except OSError as exc:
            self._pending.pop(req_id, None)
            raise DaemonUnavailable(f"lost the connection to the daemon: {exc}") from None
        frame = await fut
        if "error" in frame:
            raise_for(frame["error"])
        return frame.get("result")

    async def subscribe(self, topics: Sequence[str] = ("",)) -> None:
        await self.call("subscribe", topics=list(topics))

    async def events(self) -> AsyncIterator[Event]:
        while True:
            ev = await self._events.get()
            if ev is None:
                raise DaemonUnavailable("lost the connection to the daemon")
            yield ev

    async def close(self) -> None:
        self._writer.close()
        self._task.cancel()
        self.closed = True


async def connect_async(
    paths: Paths | None = None,
    *,
    autostart: bool = True,
    backend: str | None = None,
    timeout: float = 5.0,
    client: str = "tui",
) -> AsyncClient:
    import asyncio

    from wezmp_tui.ipc.protocol import MAX_FRAME as limit

    paths = paths or resolve(os.environ)

    async def attempt() -> AsyncClient | None:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_unix_connection(str(paths.socket), limit=limit * 2), timeout
            )
        except (OSError, TimeoutError):
            return None
        c = AsyncClient(reader, writer)
        try:
            c.server = await asyncio.wait_for(
                c.call("hello", protocol=PROTOCOL_VERSION, client=client), timeout
            )
        except Exception as exc:
            await c.close()
            mismatch = mismatch_of(exc, PROTOCOL_VERSION)
            if mismatch is not None:
                raise mismatch from None
            return None
        return c

    c = await attempt()
    if c is None:
        if not autostart:
            raise DaemonUnavailable("the wezmp daemon is not running")
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: start_daemon(paths, backend=backend)
        )
        c = await attempt()
        if c is None:
            raise DaemonUnavailable(f"the wezmp daemon did not answer; see {paths.log_file}")
    try:
        check_backend(c.server, backend)
    except Exception:
        await c.close()
        raise
    return c
