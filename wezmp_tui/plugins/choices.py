"""Which plugins the user turned on or off (`wezmp plugin enable|disable`), and which wezmp
turned off after repeated failures, kept in the data dir (never in the user's config.yaml,
whose comments we do not rewrite). The CLI reads it to know which plugins add commands."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class Choices:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.enabled: set[str] = set()
        self.disabled: dict[str, str] = {}  # name -> why ("by you" or the failure)
        self.load()

    def load(self) -> None:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        self.enabled = {str(n) for n in data.get("enabled", [])}
        self.disabled = {str(k): str(v) for k, v in dict(data.get("disabled", {})).items()}

    def is_enabled(self, name: str, default: bool) -> bool:
        if name in self.disabled:
            return False
        return name in self.enabled or default

    def enable(self, name: str) -> None:
        self.disabled.pop(name, None)
        self.enabled.add(name)
        self.save()

    def disable(self, name: str, why: str) -> None:
        self.enabled.discard(name)
        self.disabled[name] = why
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        data = {"enabled": sorted(self.enabled), "disabled": dict(sorted(self.disabled.items()))}
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)


def choices_file(data_dir: Path) -> Path:
    return data_dir / "plugins.json"
