"""Finding plugins: installed packages (entry-point group `wezmp.plugins`) and `*.py` files
in the config dir's `plugins/`. Finding imports nothing; `Found.load()` imports one plugin,
and a failure is kept with its traceback, never raised: the others load all the same."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from wezmp_tui.plugins.entry_points import entry_points
from wezmp_tui.plugins.spec import SPEC_VERSION

GROUP = "wezmp.plugins"
SHIPPED = "wezmp_tui.plugins.shipped."
Source = Literal["package", "file"]


@dataclass
class Found:
    name: str
    source: Source
    origin: str  # the entry point (`pkg.module:attr`) or the file's path
    importer: Callable[[], Any]
    obj: Any = None
    error: str = ""  # why it cannot be used: a traceback, or a sentence
    mtime: float = 0.0  # a file's modification time when found
    # The plugins wezmp ships are off until enabled; every one you install or drop in is on.
    default_enabled: bool = True
    meta: dict[str, str] = field(default_factory=dict)

    def load(self) -> None:
        """Import it (in the caller's thread: the daemon calls this off its loop)."""
        if self.error:
            return
        try:
            obj = self.importer()
            wanted = getattr(obj, "WEZMP_PLUGIN_API", 1)
            if not isinstance(wanted, int) or wanted > SPEC_VERSION:
                raise RuntimeError(
                    f"needs plugin API version {wanted!r}; this wezmp has version {SPEC_VERSION}"
                )
        except Exception:
            self.error = _trace(sys.exc_info(), self.origin if self.source == "file" else None)
            return
        self.obj = obj


def discover(plugins_dir: Path) -> list[Found]:
    """Every plugin, packages first; a file named like a package plugin is reported, not
    loaded."""
    found = from_packages()
    taken = {f.name for f in found}
    for f in from_dir(plugins_dir):
        if f.name in taken:
            f.error = f"a package plugin is already called {f.name!r}; rename the file"
        found.append(f)
    return found


def from_packages() -> list[Found]:
    out = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        found = Found(name=ep.name, source="package", origin=ep.value, importer=ep.load,
                      default_enabled=not ep.value.startswith(SHIPPED))  # fmt: skip
        found.meta = {"dist": ep.dist, "version": ep.version}
        out.append(found)
    return out


def from_dir(plugins_dir: Path) -> list[Found]:
    if not plugins_dir.is_dir():
        return []
    return [file_plugin(p) for p in sorted(plugins_dir.glob("*.py")) if not p.name.startswith(".")]


def file_plugin(path: Path) -> Found:
    def importer() -> Any:
        # A fresh module each time: a changed file is never served from a stale cache.
        module_name = f"wezmp_plugin_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{path.name}: not a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules.pop(module_name, None)
        spec.loader.exec_module(module)
        return module

    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return Found(name=path.stem, source="file", origin=str(path), importer=importer, mtime=mtime)


def _trace(info: Any, path: str | None) -> str:
    """The traceback without wezmp's own import machinery in it: the plugin's lines."""
    _, exc, tb = info
    frames = traceback.extract_tb(tb)
    if path is not None:
        # None of its own lines ran for a syntax error: the message names file and line.
        frames = traceback.StackSummary.from_list([f for f in frames if f.filename == path])
    lines = ["Traceback (most recent call last):\n", *frames.format()] if frames else []
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(lines).rstrip()
