"""Helpers shared by CLI commands: output, error handling, reaching the daemon."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
import msgspec

from wezmp_tui.errors import WezmpError

if TYPE_CHECKING:
    from wezmp_tui.ipc.client import Client

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(fn: F) -> F:
    """Turn a `WezmpError` into a one-line message and exit status 1 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WezmpError as exc:
            raise click.ClickException(exc.message) from None

    return wrapper  # type: ignore[return-value]


def emit_json(value: Any) -> None:
    """Print `value` as indented JSON (Structs, tuples and dicts alike)."""
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(value), indent=2).decode() + "\n")


def backend_option(ctx: click.Context) -> str | None:
    obj = ctx.find_root().obj
    return obj.get("backend") if isinstance(obj, dict) else None


CALL_TIMEOUT = 120.0


def client(autostart: bool = True) -> Client:
    """A connected client of the daemon, starting the daemon when it is not running."""
    from wezmp_tui.ipc.client import connect

    ctx = click.get_current_context(silent=True)
    backend = backend_option(ctx) if ctx else None
    # A person waits for what they asked; a call that starts dozens of panes can take
    # longer than the handshake is allowed to.
    return connect(autostart=autostart, backend=backend, call_timeout=CALL_TIMEOUT)


def call(method: str, **params: Any) -> Any:
    """One request to the daemon (started on demand)."""
    with client() as c:
        return c.call(method, **params)


def hms(seconds: float) -> str:
    """A duration as H:MM:SS, the way timewarrior shows it: seconds stay visible for short
    tasks, hours for long ones."""
    s = round(max(seconds, 0.0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
