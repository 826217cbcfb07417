"""An agent CLI's version, found from the files beside its executable: no process started.

Standard library only (it runs in `wezmp exec`, on every agent start). It knows the shapes
the agent CLIs install in:
- npm (`npm install [-g] @anthropic-ai/claude-code`, `@openai/codex`, `@google/gemini-cli`):
  the command is a link into the package; its `package.json` holds the version.
- Claude Code's own installer: the link points at `…/versions/<version>`.
- pip, pipx, uv (aider): a console script in an environment's `bin/`; the `*.dist-info`
  declaring that script names the version.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

# How far above the resolved executable a package.json may be (bin/, dist/, bundle/…).
PACKAGE_DEPTH = 3


def agent_version(command: str, path: str | None = None) -> str | None:
    """The version of the program `command` runs (looked up on `path`), or None."""
    exe = shutil.which(command, path=path)
    if exe is None:
        return None
    real = Path(os.path.realpath(exe))
    if real.parent.name == "versions" and real.name[:1].isdigit():
        return real.name
    return _npm_version(real) or _python_version(Path(exe))


def _npm_version(real: Path) -> str | None:
    for directory in list(real.parents)[:PACKAGE_DEPTH]:
        manifest = directory / "package.json"
        if not manifest.is_file():
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        version = data.get("version") if isinstance(data, dict) else None
        return version if isinstance(version, str) and data.get("bin") else None
    return None


def _python_version(script: Path) -> str | None:
    """The dist-info of the environment `script` lives in that declares it."""
    env = script.parent.parent
    for site in sorted(env.glob("lib/python3*/site-packages")):
        for info in site.glob("*.dist-info"):
            entry_points = info / "entry_points.txt"
            try:
                text = entry_points.read_text(encoding="utf-8")
            except OSError:
                continue
            if any(
                line.split("=", 1)[0].strip() == script.name
                for line in text.splitlines()
                if "=" in line
            ):
                return info.name[: -len(".dist-info")].rsplit("-", 1)[-1]
    return None
