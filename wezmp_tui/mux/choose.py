"""Which backend to use, and exactly why (the reason is what `wezmp doctor` prints)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from wezmp_tui.errors import InvalidInput
from wezmp_tui.mux.base import Mux

BACKENDS = ("wezterm", "tmux", "local")


def which(name: str, path: str | None) -> str | None:
    """`shutil.which` for a command name or path, without shutil: it imports the compression
    modules and their libraries (0.6 MiB of the daemon's memory, which runs this at start)."""
    if os.sep in name:
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    for folder in (path if path is not None else os.environ.get("PATH", os.defpath)).split(
        os.pathsep
    ):
        candidate = os.path.join(folder or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


class BackendChoice(NamedTuple):
    name: str
    source: str  # "flag", "environment", "config" or "auto"
    reason: str  # for a person: where the choice came from, with the value as written there


def choose_backend(
    env: Mapping[str, str],
    config_backend: str | None = None,
    flag: str | None = None,
    config_where: str = "config.yaml",
) -> BackendChoice:
    """The --backend flag, else WEZMP_BACKEND, else the config's `backend` (`config_where`
    says where the file and line are), else what is around (automatic)."""
    for value, source, label in (
        (flag, "flag", "the --backend flag (--backend "),
        (env.get("WEZMP_BACKEND"), "environment", "the environment (WEZMP_BACKEND="),
        (config_backend, "config", f"{config_where} (backend: "),
    ):
        if value and value != "auto":
            where = f"{label}{value})"
            if value not in BACKENDS:
                raise InvalidInput(
                    f"{where}: unknown backend {value!r} (choose from {', '.join(BACKENDS)})"
                )
            return BackendChoice(value, source, f"chosen by {where}")
    name, why = _automatic(env)
    return BackendChoice(name, "auto", f"automatic: {why}")


def _automatic(env: Mapping[str, str]) -> tuple[str, str]:
    wezterm = which(env.get("WEZMP_WEZTERM") or "wezterm", env.get("PATH"))
    if (env.get("WEZTERM_PANE") or env.get("WEZTERM_UNIX_SOCKET")) and wezterm:
        return "wezterm", "running inside WezTerm (WEZTERM_PANE is set and wezterm is on PATH)"
    if env.get("TMUX") and which("tmux", env.get("PATH")):
        return "tmux", "running inside tmux (TMUX is set)"
    if env.get("WEZTERM_PANE") and not wezterm:
        return "local", "WEZTERM_PANE is set but the wezterm executable is not on PATH"
    return "local", "not inside WezTerm or tmux: using the built-in PTY backend"


def explicit_choice(env: Mapping[str, str], flag: str | None) -> tuple[str, str] | None:
    """(backend, how it was asked for) when the person chose one for this command: the
    --backend flag, else WEZMP_BACKEND. A running daemon must use that one."""
    if flag and flag != "auto":
        return flag, f"--backend {flag}"
    value = env.get("WEZMP_BACKEND")
    if value and value != "auto":
        return value, f"WEZMP_BACKEND={value}"
    return None


def mismatch(running: str, pid: object, wanted: str, asked: str) -> str:
    """What to say when the running daemon uses another backend than the one asked for."""
    ends = " (the built-in backend's panes, and the agents in them, end with it)"
    return (
        f"the running wezmp daemon (pid {pid}) uses the {running} backend, not {wanted} as "
        f"{asked} asks. To switch: wezmp daemon stop{ends if running == 'local' else ''}, then "
        f"run this again; or leave out {asked} to use the running daemon."
    )


def create_mux(
    name: str,
    *,
    wezterm_path: str | None = None,
    wezterm_class: str | None = None,
    tmux_socket: str | None = None,
    feed_root: Path | None = None,
) -> Mux:
    if name == "wezterm":
        import os

        from wezmp_tui.mux.wezterm import WeztermMux
        from wezmp_tui.mux.wezterm_feed import PaneFeed

        feed = None
        if feed_root is not None:
            feed = PaneFeed(feed_root, os.environ.get("WEZTERM_UNIX_SOCKET") or None)
        return WeztermMux(executable=wezterm_path, class_=wezterm_class, feed=feed)
    if name == "tmux":
        from wezmp_tui.mux.tmux import TmuxMux

        return TmuxMux(socket_name=tmux_socket or "wezmp", control=True)
    if name == "local":
        from wezmp_tui.mux.local import LocalMux

        return LocalMux()
    raise InvalidInput(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
