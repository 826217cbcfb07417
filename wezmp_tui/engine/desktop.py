"""Desktop notifications over D-Bus (org.freedesktop.Notifications), sent with the tools a
desktop already has: `notify-send`, else `gdbus`. Found once, off the event loop; a machine
with no session bus or no notification service gets none, and says why."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from wezmp_tui.mux.choose import which  # not shutil's: see there

APP = "wezmp"
TIMEOUT = 5.0  # seconds any of these commands may take


@dataclass(frozen=True)
class Desktop:
    """How to send one: `argv(title, body)`, or why not (`reason`)."""

    sender: str | None  # "notify-send" | "gdbus" | None
    reason: str

    def argv(self, title: str, body: str) -> list[str]:
        if self.sender == "notify-send":
            return ["notify-send", f"--app-name={APP}", "--", title, body]
        return [
            "gdbus", "call", "--session", "--dest", "org.freedesktop.Notifications",
            "--object-path", "/org/freedesktop/Notifications",
            "--method", "org.freedesktop.Notifications.Notify",
            APP, "0", "", title, body, "[]", "{}", "-1",
        ]  # fmt: skip


def detect(env: Mapping[str, str] | None = None) -> Desktop:
    """What this machine offers. Blocking (it may ask the bus): call it off the loop."""
    env = os.environ if env is None else env
    path = env.get("PATH")
    notify_send = which("notify-send", path)
    gdbus = which("gdbus", path)
    if not notify_send and not gdbus:
        return Desktop(None, "neither notify-send nor gdbus is installed")
    if not _has_session_bus(env):
        return Desktop(None, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    if gdbus:
        running = _service_running(gdbus, env)
        if running is False:
            return Desktop(None, "no notification service on the session bus")
    sender = "notify-send" if notify_send else "gdbus"
    return Desktop(sender, f"sent with {sender}")


def _has_session_bus(env: Mapping[str, str]) -> bool:
    if env.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = env.get("XDG_RUNTIME_DIR")
    return bool(runtime) and os.path.exists(os.path.join(str(runtime), "bus"))


def _service_running(gdbus: str, env: Mapping[str, str]) -> bool | None:
    """Whether the bus has a notification service (None: could not ask)."""
    argv = [
        gdbus, "call", "--session", "--dest", "org.freedesktop.DBus",
        "--object-path", "/org/freedesktop/DBus",
        "--method", "org.freedesktop.DBus.NameHasOwner", "org.freedesktop.Notifications",
    ]  # fmt: skip
    try:
        out = subprocess.run(
            argv, capture_output=True, text=True, timeout=TIMEOUT, env=dict(env), check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return "true" in out.stdout
