"""The wire format: newline-delimited JSON-RPC 2.0, one frame per line, at most 1 MiB.

Kept free of asyncio and msgspec so the sync client (used by `wezmp hook` and `wezmp exec`,
which must start in milliseconds) can share it.
"""

from __future__ import annotations

import json
from typing import Any

MAX_FRAME = 1 << 20
# What `hello` says; a daemon answers a client of another protocol with ProtocolMismatch.
PROTOCOL_VERSION = 1

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603


def request(req_id: int, method: str, params: dict[str, Any] | None = None) -> bytes:
    frame: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "method": method}
    if params:
        frame["params"] = params
    return json.dumps(frame, separators=(",", ":")).encode() + b"\n"


def error_frame(
    req_id: Any, code: int, message: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": "2.0", "id": req_id, "error": err}


def raise_for(error: dict[str, Any]) -> None:
    """Raise the `WezmpError` subclass matching a JSON-RPC error object."""
    from wezmp_tui.errors import ERROR_TYPES, WezmpError

    code = error.get("code", -32000)
    data = error.get("data") or {}
    cls = ERROR_TYPES.get(code)
    if cls is None:
        # Codes registered by modules the client has not imported (mux errors, ...).
        _import_error_modules()
        cls = ERROR_TYPES.get(code, WezmpError)
    exc = WezmpError.__new__(cls)
    WezmpError.__init__(exc, str(error.get("message", "error")), data=data)
    raise exc


def mismatch_of(exc: Exception, client: int) -> Exception | None:
    """The ProtocolMismatch a failed `hello` means, if it means one: said by this daemon, or
    by a daemon from before there was a ProtocolMismatch (InvalidParams "... this daemon
    speaks N")."""
    import re

    from wezmp_tui.errors import InvalidParams, ProtocolMismatch

    if isinstance(exc, ProtocolMismatch):
        data = exc.data if isinstance(exc.data, dict) else {}
        return ProtocolMismatch.between(int(data.get("protocol", -1)), client)
    if isinstance(exc, InvalidParams):
        m = re.search(r"this daemon speaks (\d+)", exc.message)
        if m:
            return ProtocolMismatch.between(int(m.group(1)), client)
    return None


def _import_error_modules() -> None:
    import importlib

    for mod in ("wezmp_tui.mux.base",):
        importlib.import_module(mod)
