"""The IPC server over a real socket: every bad input gets an error or a clean close, and
the daemon goes on answering."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wezmp_tui.engine.facade import Engine
from wezmp_tui.errors import DaemonUnavailable, NotFound
from wezmp_tui.ipc import server as server_mod
from wezmp_tui.ipc.client import AsyncClient, connect_async
from wezmp_tui.ipc.protocol import MAX_FRAME
from wezmp_tui.ipc.server import IpcServer, peer_uid
from wezmp_tui.paths import Paths


@pytest.fixture
async def served(make_engine: Any) -> AsyncIterator[Engine]:
    engine = await make_engine("local")
    srv = IpcServer(engine)
    await srv.start()
    engine.ipc_server = srv  # type: ignore[attr-defined]
    yield engine
    await srv.stop()


async def raw(paths: Paths) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_unix_connection(str(paths.socket), limit=4 * MAX_FRAME)


async def roundtrip(paths: Paths, data: bytes) -> dict[str, Any] | None:
    reader, writer = await raw(paths)
    writer.write(data)
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return json.loads(line) if line else None


async def still_answers(paths: Paths) -> None:
    c = await connect_async(paths, autostart=False)
    try:
        status = await c.call("system.status")
        assert status["backend"] == "local"
    finally:
        await c.close()


async def test_socket_and_directory_permissions(served: Engine) -> None:
    paths = served.paths
    assert stat.S_IMODE(os.stat(paths.runtime_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(paths.socket).st_mode) == 0o600


async def test_hello_calls_and_errors_map_to_types(served: Engine) -> None:
    c = await connect_async(served.paths, autostart=False)
    assert c.server["protocol"] == 1 and c.server["pid"] == os.getpid()
    assert "ws.create" in {m["name"] for m in await c.call("system.methods")}
    with pytest.raises(NotFound, match="no workspace named 'nope'"):
        await c.call("ws.show", name="nope")
    with pytest.raises(NotFound, match="unknown method"):
        await c.call("no.such.method")
    await c.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"{not json\n", -32700),
        (b"[1, 2]\n", -32600),
        (b'{"jsonrpc": "2.0", "id": 1}\n', -32600),
        (b'{"jsonrpc": "1.0", "id": 1, "method": "system.status"}\n', -32600),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "nope"}\n', -32601),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "ws.show", "params": [1]}\n', -32602),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "ws.show", "params": {"name": 5}}\n', -32602),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "ws.show", "params": {}}\n', -32602),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "hello", "params": {"protocol": 9}}\n', -32021),
    ],
)
async def test_bad_frames_get_json_rpc_errors(served: Engine, frame: bytes, code: int) -> None:
    answer = await roundtrip(served.paths, frame)
    assert answer is not None and answer["error"]["code"] == code
    assert answer["error"]["message"]
    await still_answers(served.paths)


async def test_frame_over_one_mib_is_refused_and_closed(served: Engine) -> None:
    reader, writer = await raw(served.paths)
    writer.write(b'{"x": "' + b"a" * (MAX_FRAME + 10) + b'"}\n')
    await writer.drain()
    answer = json.loads(await asyncio.wait_for(reader.readline(), 10))
    assert answer["error"]["code"] == -32600 and "too large" in answer["error"]["message"]
    assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()
    await still_answers(served.paths)


async def test_internal_errors_are_reported_and_survived(
    served: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom() -> None:
        raise RuntimeError("kaput")

    system = served.services[0]
    monkeypatch.setattr(system, "status", boom)
    served._methods = None
    answer = await roundtrip(served.paths, b'{"jsonrpc":"2.0","id":7,"method":"system.status"}\n')
    assert answer is not None and answer["error"]["code"] == -32603
    assert "kaput" in answer["error"]["message"]


async def test_notifications_get_no_answer_and_subscriptions_deliver_events(
    served: Engine,
) -> None:
    c = await connect_async(served.paths, autostart=False)
    await c.subscribe(["workspace."])
    reader, writer = await raw(served.paths)
    writer.write(b'{"jsonrpc":"2.0","method":"system.status"}\n')
    writer.write(b'{"jsonrpc":"2.0","id":2,"method":"system.status"}\n')
    await writer.drain()
    first = json.loads(await reader.readline())
    assert first["id"] == 2  # the notification (no id) got no answer
    writer.close()
    await c.call("ws.create", name="evt", cwd="/tmp")
    events = c.events()
    ev = await asyncio.wait_for(events.__anext__(), 10)
    assert ev.topic == "workspace.created" and ev.data["workspace"] == "evt"
    await c.call("unsubscribe")
    await c.close()


async def test_a_client_that_never_reads_is_dropped_not_waited_for(
    served: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_mod, "OUT_QUEUE", 4)
    reader, writer = await raw(served.paths)
    writer.write(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topics":[""]}}\n')
    await writer.drain()
    await asyncio.sleep(0)  # let the server register the subscription
    for i in range(3000):
        served.bus.publish("flood", {"i": i, "pad": "x" * 2000})
        if i % 100 == 0:
            await asyncio.sleep(0)
    await still_answers(served.paths)
    # The server gave up on it: after what was already buffered, the stream ends.
    rest = await asyncio.wait_for(reader.read(), 10)
    assert rest.count(b"\n") < 3000
    writer.close()


async def test_vanished_clients_are_cleaned_up(served: Engine) -> None:
    srv: IpcServer = served.ipc_server  # type: ignore[attr-defined]
    for _ in range(20):
        _, writer = await raw(served.paths)
        writer.write(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{}}\n')
        writer.transport.abort()
    for _ in range(200):
        if not srv.connections:
            break
        await asyncio.sleep(0.01)
    assert not srv.connections
    assert served.bus.subscriber_count == 0


async def test_one_thousand_concurrent_clients(served: Engine) -> None:
    async def one(i: int) -> int:
        reader, writer = await raw(served.paths)
        writer.write(b'{"jsonrpc":"2.0","id":%d,"method":"system.status"}\n' % i)
        await writer.drain()
        answer = json.loads(await reader.readline())
        writer.close()
        return int(answer["id"])

    ids = await asyncio.gather(*(one(i) for i in range(1000)))
    assert sorted(ids) == list(range(1000))


async def test_async_client_fails_cleanly_when_the_daemon_goes(served: Engine) -> None:
    c: AsyncClient = await connect_async(served.paths, autostart=False)
    await served.ipc_server.stop()  # type: ignore[attr-defined]
    with pytest.raises(DaemonUnavailable):
        for _ in range(50):
            await c.call("system.status")
            await asyncio.sleep(0.01)
    with pytest.raises(DaemonUnavailable):
        await connect_async(served.paths, autostart=False)


def test_peer_uid_of_a_socket_pair() -> None:
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        assert peer_uid(a) == os.getuid()


async def test_other_uid_is_refused(served: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # The check compares the peer's uid with the daemon's; pretend the daemon is someone else.
    monkeypatch.setattr(served.ipc_server, "uid", os.getuid() + 1)  # type: ignore[attr-defined]
    answer = await roundtrip(served.paths, b'{"jsonrpc":"2.0","id":1,"method":"system.status"}\n')
    assert answer is not None and "wrong user" in answer["error"]["message"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(frames=st.lists(st.binary(min_size=0, max_size=300), min_size=1, max_size=5))
def test_random_frames_never_hurt_the_daemon(served_sync: Paths, frames: list[bytes]) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(served_sync.socket))
        for f in frames:
            s.sendall(f.replace(b"\n", b" ") + b"\n")
    from wezmp_tui.ipc.client import connect

    with connect(served_sync, autostart=False) as c:
        assert c.call("system.status")["pid"]


@pytest.fixture
def served_sync(wezmp_env: Paths, some_backend: str) -> Any:
    """A real daemon process (for synchronous tests)."""
    from wezmp_tui.ipc.client import connect, start_daemon

    start_daemon(wezmp_env)
    yield wezmp_env
    with connect(wezmp_env, autostart=False) as c:
        c.call("system.shutdown")
