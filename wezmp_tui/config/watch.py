"""Hot reload: watch the config directory (not single files: editors save by writing a new
file and renaming it over the old one) and report what kind of file changed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

from wezmp_tui.config.schema import Config
from wezmp_tui.paths import Paths

Kind = Literal["config", "layout", "theme", "rules"]
Callback = Callable[[dict[Kind, list[Path]]], Awaitable[None]]


def enabled(config: Config, env: dict[str, str] | None = None) -> bool:
    """Watchers run unless `watch: false` in config.yaml or WEZMP_WATCH=0 (tests)."""
    env = dict(os.environ) if env is None else env
    return config.watch and env.get("WEZMP_WATCH", "1") != "0"


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
    """Call `callback({kind: [paths]})` for each debounced burst of changes until `stop`
    (or until cancelled).

    watchfiles' blocking `watch` runs in a thread of its own and hands each burst to the
    loop. Its `awatch` would do the same through anyio, whose asyncio backend loads OpenSSL:
    4 MiB of resident memory in a daemon that never speaks TLS."""
    from watchfiles import watch as watch_blocking

    # Create the subdirectories first: a directory made later can lose the first file
    # written into it before its own watch is in place.
    for d in (paths.config_dir, paths.layouts_dir, paths.themes_dir, paths.rules_dir):
        d.mkdir(parents=True, exist_ok=True)
    stop = stop or asyncio.Event()
    halt = threading.Event()
    loop = asyncio.get_running_loop()
    bursts: asyncio.Queue[set[tuple[Any, str]] | BaseException | None] = asyncio.Queue()

    def hand_over(item: set[tuple[Any, str]] | BaseException | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed first: nobody to tell
            loop.call_soon_threadsafe(bursts.put_nowait, item)

    def run() -> None:
        first = True
        try:
            for changes in watch_blocking(
                paths.config_dir, stop_event=halt, debounce=debounce_ms, step=50,
                recursive=True, yield_on_timeout=True, rust_timeout=1000, raise_interrupt=False,
            ):  # fmt: skip
                if changes or first:  # the first (maybe empty) one says the watch is on
                    hand_over(changes)
                    first = False
        except BaseException as exc:  # handed to the loop and raised there
            hand_over(exc)
        hand_over(None)

    thread = threading.Thread(target=run, name="wezmp-watch", daemon=True)
    thread.start()
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while True:
            got = asyncio.ensure_future(bursts.get())
            await asyncio.wait({got, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not got.done():
                got.cancel()
                return
            changes = got.result()
            if changes is None:
                return
            if isinstance(changes, BaseException):
                raise changes
            if ready is not None:
                ready.set()
            grouped: dict[Kind, list[Path]] = {}
            for _change, raw in changes:
                kind = classify(paths, Path(raw))
                if kind is not None and kind in kinds:
                    grouped.setdefault(kind, []).append(Path(raw))
            if grouped:
                await callback(grouped)
    finally:
        halt.set()  # the thread sees it within one step
        stopped.cancel()
