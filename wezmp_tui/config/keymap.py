"""The ids of the control center's key bindings, which `keymap:` in config.yaml remaps.

Kept here (not read from the TUI's classes) so `wezmp config check` and the daemon can name
an unknown id without importing Textual; a test holds this list equal to the TUI's bindings.
"""

from __future__ import annotations

BINDING_IDS: frozenset[str] = frozenset(
    {
        # app
        "app.help", "app.quit", "mode.board", "mode.dashboard", "mode.reports",
        # dashboard
        "agent.attach", "agent.explain", "agent.keys", "agent.next_waiting", "agent.restart",
        "agent.send", "agent.start", "agent.stop", "agents.search", "agents.sort",
        "broadcast.send", "layout.apply", "pane.focus", "send.copy", "sync.toggle", "ws.create",
        "ws.delete", "ws.rename", "ws.switch", "attach.leave", "agent.logs",
        # an agent's log
        "log.close", "log.follow", "log.search", "log.next", "log.previous", "log.top",
        "log.bottom",
        # board
        "board.delete", "board.details", "board.dispatch", "board.down", "board.edit",
        "board.edit_description", "board.filter", "board.left", "board.move_left",
        "board.move_right", "board.new", "board.priority", "board.queue", "board.reorder_down",
        "board.reorder_up", "board.right", "board.tags", "board.timer", "board.up",
        "board.clear_filter", "board.quit_hint", "task-details.close", "task-form.cancel",
        "task-form.save", "task-form.next", "task-form.previous", "queue-prompt.yes",
        "queue-prompt.no",
        # reports
        "reports.export_csv", "reports.export_json", "reports.group", "reports.period",
        "reports.earlier", "reports.later",
        # dialogs
        "choice.cancel", "help.close", "modal.cancel", "modal.no", "modal.yes", "text.close",
    }
)  # fmt: skip
