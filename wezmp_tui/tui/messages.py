"""App-wide messages: what the client-side mirror of the daemon (`state.DaemonState`) tells
every screen, whether it is in front or not, so a mode is current the moment it is shown."""

from __future__ import annotations

from textual.message import Message

from wezmp_tui.model.events import Event


class DaemonEvent(Message):
    """One event as the daemon sent it, for screens that keep data of their own (the board,
    the reports): every topic but those the mirror keeps (`state.MIRRORED`), which reach
    the screens as their own messages. Sent after the mirror has applied it."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class Resynced(Message):
    """The whole picture was fetched again (first connect, reconnect): redraw everything and
    reload whatever a screen keeps of its own."""


class LayoutChanged(Message):
    """Workspaces, tabs or panes were added, removed or moved."""


class PaneChanged(Message):
    """A pane's title, directory, focus or size changed in place."""

    def __init__(self, pane_id: str) -> None:
        super().__init__()
        self.pane_id = pane_id


class AgentsChanged(Message):
    """Agent records changed (state, process, restarts); `names` empty: possibly all."""

    def __init__(self, names: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.names = names


class MetricsTicked(Message):
    """New samples of the machine's and the agents' CPU and memory. A screen busy with a
    burst needs only the last one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetricsTicked)


class ThemeChanged(Message):
    """Another theme is in force: redraw what was drawn in the old one's colours (nothing is
    fetched again)."""


class ConnectionChanged(Message):
    def __init__(self, connected: bool) -> None:
        super().__init__()
        self.connected = connected
