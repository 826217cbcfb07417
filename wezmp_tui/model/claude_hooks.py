"""Claude Code's hook events as wezmp reads them: which state each one means.

Event names are those of the installed Claude Code's own settings schema (2.1.197). `wezmp
hooks install` installs exactly the events mapped to a state here, so what is installed and
what is understood cannot drift apart. Events left out change no state, and some must never
get a hook that does nothing: `WorktreeCreate` hands worktree creation to its hook.
"""

from __future__ import annotations

from typing import Any

# Event → state; None: the event says nothing about the main agent's state.
HOOK_STATES: dict[str, str | None] = {
    "UserPromptSubmit": "working",
    "UserPromptExpansion": "working",
    "PreToolUse": "working",
    "PostToolUse": "working",  # a tool ran: after a permission prompt, work goes on
    "PostToolUseFailure": "working",  # a tool failed or was denied: the turn goes on
    "PermissionDenied": "working",  # auto mode refused a tool: the turn goes on
    "SubagentStart": "working",
    "PreCompact": "working",
    "ElicitationResult": "working",
    "PermissionRequest": "waiting",  # a permission dialog is on screen
    "Elicitation": "waiting",  # an MCP server asks the person for input
    "Notification": "waiting",  # refined by its notification_type below
    "StopFailure": "waiting",  # the turn ended on an API error: an error, its task goes back
    "Stop": "idle",
    "SessionStart": "idle",  # refined by its source below
    "SubagentStop": None,  # a subagent finishing says nothing about the main agent
    "SessionEnd": None,  # the process exit (from `wezmp exec`) decides
    "PostCompact": None,  # compaction done: the turn (or /compact) goes on to its Stop
}
NOTIFICATION_STATES = {
    "permission_prompt": "waiting",
    "elicitation_dialog": "waiting",
    "idle_prompt": "idle",  # "Claude is waiting for your input": done, ready for more
    "auth_success": "idle",  # signed in: the composer is ready
    "elicitation_complete": "working",
    "elicitation_response": "working",
}

# The schema's other events, and why no hook is installed for them.
LEFT_OUT = {
    "PostToolBatch": "PostToolUse already says a tool ran",
    "Setup": "repository set-up, before any session",
    "TeammateIdle": "a teammate going idle, not this agent",
    "TaskCreated": "a to-do item inside a turn",
    "TaskCompleted": "a to-do item inside a turn",
    "ConfigChange": "settings changed",
    "WorktreeCreate": "its hook must create the worktree itself",
    "WorktreeRemove": "its hook must remove the worktree itself",
    "InstructionsLoaded": "a CLAUDE.md file was read",
    "CwdChanged": "the working directory changed",
    "FileChanged": "a watched file changed",
    "MessageDisplay": "fires while text streams: a process per chunk for no new state",
}

# Events whose hooks take a matcher (a tool name pattern): installed with "*".
WITH_MATCHER = frozenset(
    {"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"}
)
INSTALLED = tuple(e for e, state in HOOK_STATES.items() if state is not None)


def hook_state(event: str, payload: dict[str, Any]) -> tuple[str | None, str, bool]:
    """What one Claude Code hook event says: (state or None, reason, error)."""
    state = HOOK_STATES.get(event)
    reason = f"hook {event}"
    if event == "Notification":
        kind = str(payload.get("notification_type", ""))
        message = str(payload.get("message", ""))
        if not kind and "waiting for your input" in message:
            kind = "idle_prompt"  # versions before notification_type said it in words
        state = NOTIFICATION_STATES.get(kind, "waiting")
        reason = f"hook Notification ({kind or 'untyped'})" + (f": {message}" if message else "")
    elif event == "SessionStart":
        source = str(payload.get("source", ""))
        if source == "compact":
            state = None  # compaction in the middle of a turn: the turn goes on
        reason += f" ({source})" if source else ""
    elif event == "StopFailure":
        error = str(payload.get("error") or "unknown error")
        # Offline, Claude Code 2.1.197 sends no error_details but the message it showed.
        details = str(payload.get("error_details") or payload.get("last_assistant_message") or "")
        details = details.strip()
        reason = f"hook StopFailure: the turn failed: {error}"
        reason += f" ({details})" if details else ""
        return state, reason[:300], True
    return state, reason, False
