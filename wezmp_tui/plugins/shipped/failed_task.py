"""failed-task: when an agent fails, a task on the board says so, with its last lines.

Options (`plugins.options.failed-task` in config.yaml): `board` (default: the default
board), `column` (default: the board's first), `lines` (last output lines kept, default 20),
`tags` (default [agent-failed]).
"""

from __future__ import annotations

from wezmp_tui.plugins.api import AgentStateChanged, Host, hookimpl

_host: Host | None = None


@hookimpl
def wezmp_plugin_start(host: Host) -> None:
    global _host
    _host = host


def description(event: AgentStateChanged, last_lines: list[str]) -> str:
    parts = [f"Agent {event.agent} failed" + (f" in {event.workspace}" if event.workspace else "")]
    if event.reason:
        parts.append(f"Why: {event.reason}")
    if last_lines:
        parts.append("Last lines:\n```\n" + "\n".join(last_lines) + "\n```")
    return "\n\n".join(parts)


@hookimpl
def wezmp_agent_state(event: AgentStateChanged) -> None:
    if event.state != "failed" or _host is None:
        return
    options = _host.options()
    keep = int(options.get("lines", 20))
    shown = _host.call("agent.show", name=event.agent)
    output = [str(line) for line in shown["agent"].get("last_output") or []]
    params = {
        "title": f"Agent {event.agent} failed",
        "description": description(event, output[-keep:] if keep > 0 else []),
        "tags": list(options.get("tags", ["agent-failed"])),
        "workspace": event.workspace or None,
    }
    for key in ("board", "column"):
        if options.get(key):
            params[key] = str(options[key])
    task = _host.call("task.add", **params)
    _host.log.info("task #%s opened for the failure of %s", task["id"], event.agent)
