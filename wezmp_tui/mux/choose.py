"""Which backend to use, and why (the reason is what `wezmp doctor` prints)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from wezmp_tui.errors import InvalidInput
from wezmp_tui.mux.base import Mux

BACKENDS = ("wezterm", "tmux", "local")


def choose_backend(
    env: Mapping[str, str], config_backend: str | None = None, flag: str | None = None
) -> tuple[str, str]:
    """(backend name, human reason): --backend flag > WEZMP_BACKEND > config > automatic."""
    for value, source in (
        (flag, "the --backend flag"),
        (env.get("WEZMP_BACKEND"), "WEZMP_BACKEND"),
        (config_backend, "config.yaml"),
    ):
        if value and value != "auto":
            if value not in BACKENDS:
                raise InvalidInput(
                    f"{source}: unknown backend {value!r} (choose from {', '.join(BACKENDS)})"
                )
            return value, f"chosen by {source}"
    wezterm = shutil.which(env.get("WEZMP_WEZTERM") or "wezterm", path=env.get("PATH"))
    if (env.get("WEZTERM_PANE") or env.get("WEZTERM_UNIX_SOCKET")) and wezterm:
        return "wezterm", "running inside WezTerm (WEZTERM_PANE is set and wezterm is on PATH)"
    if env.get("TMUX") and shutil.which("tmux", path=env.get("PATH")):
        return "tmux", "running inside tmux (TMUX is set)"
    if env.get("WEZTERM_PANE") and not wezterm:
        return "local", "WEZTERM_PANE is set but the wezterm executable is not on PATH"
    return "local", "not inside WezTerm or tmux: using the built-in PTY backend"


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

        return TmuxMux(socket_name=tmux_socket or "wezmp")
    if name == "local":
        from wezmp_tui.mux.local import LocalMux

        return LocalMux()
    raise InvalidInput(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
