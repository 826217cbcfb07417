"""Choices made in the app (the theme picked in the palette...), kept apart from the
hand-written config.yaml so wezmp never rewrites a file a person edits."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def load_settings(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_setting(path: Path, key: str, value: Any) -> None:
    data = load_settings(path)
    data[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
