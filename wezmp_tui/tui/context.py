"""What screens and widgets may use of the app, as a protocol: they depend on this, not on
the app module, so the app can import every screen without an import cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from wezmp_tui.clock import Clock
    from wezmp_tui.tui.state import DaemonState


class ControlCenter(Protocol):
    state: DaemonState
    clock: Clock
    config: Any
    paths: Any
    backend: str
    connected: bool

    async def call(self, method: str, /, **params: Any) -> Any: ...

    async def call_or_notify(self, method: str, /, **params: Any) -> Any: ...

    def state_colors(self) -> dict[str, str]: ...

    def theme_color(self, variable: str, fallback: str) -> str: ...

    def report_error(self, exc: BaseException, doing: str) -> None: ...


def center(node: DOMNode) -> ControlCenter:
    """The running app, as the protocol screens use."""
    return cast("ControlCenter", node.app)
