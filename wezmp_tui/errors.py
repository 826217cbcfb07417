"""The error types every layer raises and every interface knows how to show.

Each carries a `code` that the IPC layer sends as the JSON-RPC error code, so a client gets the
same type back (`ipc.client` maps codes to these classes) and the CLI prints the message alone.
"""

from __future__ import annotations

from typing import Any, ClassVar


class WezmpError(Exception):
    """Base class: an error whose message is meant for the user, as is."""

    code: ClassVar[int] = -32000

    def __init__(self, message: str, *, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class NotFound(WezmpError):
    code = -32004


class InvalidInput(WezmpError):
    """Bad names, values or files given by the user; the message says what and where."""

    code = -32005


class Conflict(WezmpError):
    """The request is valid but the current state forbids it (agents still running...)."""

    code = -32009


class ConfigError(InvalidInput):
    """A config, layout, theme or rule file that does not load; message names file:line: key."""

    code = -32010


class DaemonUnavailable(WezmpError):
    code = -32020


class ProtocolMismatch(DaemonUnavailable):
    """The running daemon and this client speak different protocols."""

    code = -32021

    @classmethod
    def between(cls, daemon: int, client: int) -> ProtocolMismatch:
        return cls(
            f"the running daemon speaks protocol {daemon}, this client {client}: "
            "run `wezmp daemon restart`",
            data={"protocol": daemon},
        )


class MethodNotFound(NotFound):
    code = -32601


class InvalidParams(InvalidInput):
    code = -32602


ERROR_TYPES: dict[int, type[WezmpError]] = {
    cls.code: cls
    for cls in (
        WezmpError,
        NotFound,
        InvalidInput,
        Conflict,
        ConfigError,
        DaemonUnavailable,
        ProtocolMismatch,
        MethodNotFound,
        InvalidParams,
    )
}


def register_error(cls: type[WezmpError]) -> type[WezmpError]:
    """Let a subclass defined in another module travel over IPC under its own code."""
    ERROR_TYPES[cls.code] = cls
    return cls
