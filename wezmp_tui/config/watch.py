"""Hot reload: watch the config directory (not single files: editors save by writing a new
file and renaming it over the old one) and report what kind of file changed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

from wezmp_tui.paths import Paths

Kind = Literal["config", "layout", "theme", "rules"]
Callback = Callable[[dict[Kind, list[Path]]], Awaitable[None]]


def enabled(config: Any, env: dict[str, str] | None = None) -> bool:
    """Watchers run unless `watch: false` in config.yaml or WEZMP_WATCH=0 (tests)."""
    env = dict(os.environ) if env is None else env
    return bool(getattr(config, "watch", True)) and env.get("WEZMP_WATCH", "1") != "0"


def classify(paths: Paths, path: Path) -> Kind | None:
    if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
        return None
    parent = path.parent
    if path == paths.config_file:
        return "config"
    if parent == paths.layouts_dir:
        return "layout"
    if parent == paths.themes_dir:
        return "theme"
    if parent == paths.rules_dir:
        return "rules"
    return None


async def watch(
    paths: Paths,
    callback: Callback,
    *,
    stop: asyncio.Event | None = None,
    kinds: tuple[Kind, ...] = ("config", "layout", "theme", "rules"),
    debounce_ms: int = 150,
    ready: asyncio.Event | None = None,
) -> None:
    """Call `callback({kind: [paths]})` for each debounced burst of changes until `stop`."""
    from watchfiles import awatch

    # Create the subdirectories first: a directory made later can lose the first file
    # written into it before its own watch is in place.
    for d in (paths.config_dir, paths.layouts_dir, paths.themes_dir, paths.rules_dir):
        d.mkdir(parents=True, exist_ok=True)
    stop = stop or asyncio.Event()
    watcher = awatch(
        paths.config_dir, stop_event=stop, debounce=debounce_ms, step=20, recursive=True,
        yield_on_timeout=True, rust_timeout=100,
    )  # fmt: skip
    async for changes in watcher:
        if ready is not None:
            ready.set()
        grouped: dict[Kind, list[Path]] = {}
        for _change, raw in changes:
            kind = classify(paths, Path(raw))
            if kind is not None and kind in kinds:
                grouped.setdefault(kind, []).append(Path(raw))
        if grouped:
            await callback(grouped)
