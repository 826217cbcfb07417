"""`wezmp hook EVENT`: Claude Code calls this on every hook; it tells the daemon.

It must never slow down or break the agent: standard library only at import, a short timeout,
no daemon autostart, nothing on stdout (Claude Code reads hook stdout), exit status 0 always.
"""

from __future__ import annotations

import json
import os
import sys

TIMEOUT = 0.5


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        sys.stderr.write("usage: wezmp hook EVENT < hook-json\n")
        return 0
    event = argv[0]
    try:
        raw = sys.stdin.read() if not sys.stdin.isatty() else ""
        payload = json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        payload = {}
    if not isinstance(payload, dict):
        payload = {"value": payload}
    params = {
        "event": event,
        "payload": payload,
        "agent": os.environ.get("WEZMP_AGENT_ID"),
        "pane_id": os.environ.get("WEZMP_PANE_ID")
        or os.environ.get("WEZTERM_PANE")
        or os.environ.get("TMUX_PANE"),
        "cwd": os.getcwd(),
    }
    try:
        from wezmp_tui.ipc.client import try_connect
        from wezmp_tui.paths import resolve

        client = try_connect(resolve(os.environ), timeout=TIMEOUT, client="hook")
        if client is None:
            return 0  # no daemon: nothing to tell, and never an error for the agent
        with client:
            client.call("hook.event", **params)
    except Exception as exc:  # never fail the agent
        sys.stderr.write(f"wezmp hook: {exc}\n")
    return 0
