"""Entry points of installed distributions, read from their `entry_points.txt` files.

`importlib.metadata` would do it, but importing it (with the `email` package it parses
metadata with) costs the daemon over 2 MiB of resident memory for good; this reads only the
files it needs. Like `importlib.metadata`, the first distribution of a name on `sys.path`
wins.
"""

from __future__ import annotations

import configparser
import importlib
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EntryPoint:
    name: str
    value: str  # "package.module" or "package.module:attribute"
    dist: str
    version: str

    def load(self) -> Any:
        module, _, attr = self.value.partition(":")
        obj: Any = importlib.import_module(module.strip())
        for part in filter(None, attr.strip().split(".")):
            obj = getattr(obj, part)
        return obj


def entry_points(group: str, path: Iterable[str] | None = None) -> list[EntryPoint]:
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for entry in sys.path if path is None else path:
        folder = Path(entry or ".")
        if not folder.is_dir():
            continue
        for info in sorted([*folder.glob("*.dist-info"), *folder.glob("*.egg-info")]):
            name, version = _name_version(info)
            key = re.sub(r"[-_.]+", "-", name).lower()
            if key in seen:
                continue
            seen.add(key)
            found.extend(_read(info / "entry_points.txt", group, name, version))
    return found


def _name_version(info: Path) -> tuple[str, str]:
    """From the METADATA (PKG-INFO) headers, else from the directory's name."""
    fields: dict[str, str] = {}
    for meta in (info / "METADATA", info / "PKG-INFO"):
        try:
            with meta.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not line.strip():
                        break
                    key, _, value = line.partition(":")
                    if key in ("Name", "Version"):
                        fields.setdefault(key, value.strip())
            break
        except OSError:
            continue
    stem = info.name.rsplit(".", 1)[0]
    base_name, _, base_version = stem.partition("-")
    return fields.get("Name", base_name), fields.get("Version", base_version)


def _read(path: Path, group: str, dist: str, version: str) -> list[EntryPoint]:
    if not path.is_file():
        return []
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    if not parser.has_section(group):
        return []
    return [EntryPoint(n, v, dist, version) for n, v in parser.items(group)]
