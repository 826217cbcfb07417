"""The daemon's Unix-socket server: JSON-RPC requests mapped 1:1 to engine methods.

Nothing a client sends can hurt the daemon or other clients: bad frames get an error answer,
a frame over 1 MiB gets an error and a close, a client that stops reading is dropped once its
outgoing queue is full (the daemon never blocks on it), and another uid is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
from typing import Any

import msgspec

from wezmp_tui import __version__
from wezmp_tui.engine.bus import Subscription
from wezmp_tui.engine.facade import Engine
from wezmp_tui.errors import InvalidParams, ProtocolMismatch, WezmpError
from wezmp_tui.ipc.protocol import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    MAX_FRAME,
    PARSE_ERROR,
    PROTOCOL_VERSION,
    error_frame,
)

log = logging.getLogger("wezmp.ipc")
OUT_QUEUE = 1024  # frames waiting for a client that does not read; then it is dropped
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end (Linux SO_PEERCRED)."""
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", raw)
    return int(uid)


class Connection:
    def __init__(
        self, server: IpcServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.out: asyncio.Queue[bytes | None] = asyncio.Queue(OUT_QUEUE)
        self.sub: Subscription | None = None
        self.pump: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.client = "?"
        self.dropped = False

    def send(self, frame: dict[str, Any]) -> None:
        if self.dropped:
            return
        try:
            self.out.put_nowait(_encoder.encode(frame) + b"\n")
        except asyncio.QueueFull:
            log.warning("dropping client %s: it does not read its answers", self.client)
            self.drop()

    def drop(self) -> None:
        self.dropped = True
        self.writer.transport.abort()

    async def write_loop(self) -> None:
        try:
            while (data := await self.out.get()) is not None:
                self.writer.write(data)
                await self.writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.dropped = True

    async def run(self) -> None:
        writer_task = asyncio.create_task(self.write_loop())
        try:
            sock = self.writer.get_extra_info("socket")
            uid = peer_uid(sock) if sock is not None else None
            if uid is not None and uid != self.server.uid:
                log.warning("refused a connection from uid %s", uid)
                self.send(error_frame(None, INVALID_REQUEST, "connection refused: wrong user"))
                return
            await self.read_loop()
        finally:
            for t in self.tasks:
                t.cancel()
            if self.sub is not None:
                self.sub.close()
            if self.pump is not None:
                self.pump.cancel()
            with contextlib.suppress(asyncio.QueueFull):
                self.out.put_nowait(None)
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(writer_task, 2.0)
            writer_task.cancel()
            self.writer.close()

    async def read_loop(self) -> None:
        while not self.dropped:
            try:
                line = await self.reader.readline()
            except (ValueError, asyncio.LimitOverrunError):
                self.send(
                    error_frame(None, INVALID_REQUEST, f"frame too large (max {MAX_FRAME} bytes)")
                )
                return
            except (ConnectionError, OSError):
                return
            if not line:
                return
            if not line.strip():
                continue
            try:
                frame = _decoder.decode(line)
            except msgspec.DecodeError as exc:
                self.send(error_frame(None, PARSE_ERROR, f"parse error: {exc}"))
                continue
            if isinstance(frame, list):
                self.send(error_frame(None, INVALID_REQUEST, "batch requests are not supported"))
                continue
            task = asyncio.create_task(self.handle(frame))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def handle(self, frame: Any) -> None:
        req_id = frame.get("id") if isinstance(frame, dict) else None
        if (
            not isinstance(frame, dict)
            or frame.get("jsonrpc") != "2.0"
            or not isinstance(frame.get("method"), str)
            or not isinstance(req_id, int | str | None)
        ):
            self.send(
                error_frame(
                    req_id,
                    INVALID_REQUEST,
                    "invalid request: expected a JSON-RPC 2.0 object with a method",
                )
            )
            return
        method: str = frame["method"]
        params = frame.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            self.send(error_frame(req_id, INVALID_PARAMS, "params must be an object"))
            return
        try:
            result = await self.dispatch(method, params)
        except WezmpError as exc:
            data = {"type": type(exc).__name__}
            if isinstance(exc.data, dict):
                data.update(exc.data)
            self.send(error_frame(req_id, exc.code, exc.message, data))
            return
        except Exception as exc:
            log.exception("internal error in %s", method)
            self.send(
                error_frame(
                    req_id,
                    INTERNAL_ERROR,
                    f"internal error: {type(exc).__name__}: {exc}",
                    {"type": type(exc).__name__},
                )
            )
            return
        if req_id is not None:  # a notification gets no answer
            # Encoded as it is (msgspec writes Structs directly): converting to dicts first
            # held a second copy of a big answer, and the daemon kept the memory.
            self.send({"jsonrpc": "2.0", "id": req_id, "result": result})

    async def dispatch(self, method: str, params: dict[str, Any]) -> Any:
        if method == "hello":
            proto = params.get("protocol", PROTOCOL_VERSION)
            if proto != PROTOCOL_VERSION:
                raise ProtocolMismatch.between(PROTOCOL_VERSION, proto)
            self.client = str(params.get("client", "?"))
            engine = self.server.engine
            return {
                "protocol": PROTOCOL_VERSION,
                "version": __version__,
                "backend": engine.mux.name,
                "pid": os.getpid(),
            }
        if method == "subscribe":
            topics = params.get("topics", [""])
            if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
                raise InvalidParams("topics must be a list of strings")
            if self.sub is not None:
                self.sub.close()
            if self.pump is not None:
                self.pump.cancel()
            self.sub = self.server.engine.bus.subscribe(topics)
            self.pump = asyncio.create_task(self.pump_events(self.sub))
            return {"topics": topics}
        if method == "unsubscribe":
            if self.sub is not None:
                self.sub.close()
                self.sub = None
            return {}
        return await self.server.engine.invoke(method, params)

    async def pump_events(self, sub: Subscription) -> None:
        while True:
            ev = await sub.get()
            self.send({"jsonrpc": "2.0", "method": "event", "params": msgspec.to_builtins(ev)})


class IpcServer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.uid = os.getuid()
        self.connections: set[Connection] = set()
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        paths = self.engine.paths
        paths.ensure_runtime_dir()
        path = str(paths.socket)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # stale: the caller holds the daemon lock, so nobody owns it
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._accept, path, limit=MAX_FRAME + 1, backlog=1024
            )
        finally:
            os.umask(old)
        os.chmod(path, 0o600)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = Connection(self, reader, writer)
        self.connections.add(conn)
        try:
            await conn.run()
        finally:
            self.connections.discard(conn)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for conn in list(self.connections):
                conn.drop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.engine.paths.socket)
