"""`wezmp exec` and `wezmp hook` import nothing heavy: they run on every agent start and every
Claude Code hook. (The layers themselves are import-linter contracts in pyproject.toml.)"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import clean_env

HEAVY = [
    "textual", "click", "yaml", "psutil", "pyte", "watchfiles", "asyncio", "sqlite3", "pluggy",
]


@pytest.mark.parametrize(
    "module", ["wezmp_tui.cli.hook", "wezmp_tui.agentexec.main", "wezmp_tui.ipc.client"]
)
def test_fast_path_imports_nothing_heavy(module: str) -> None:
    code = (
        "import sys, json, importlib\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env(),
    )
    if "ModuleNotFoundError" in proc.stderr and module in proc.stderr:
        pytest.fail(f"{module} is missing")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


PKG = Path(__file__).resolve().parents[1] / "wezmp_tui"


def _imports(path: Path) -> list[tuple[str, int]]:
    """(module, line) of every absolute import, at any depth (inside functions too)."""
    tree = ast.parse(path.read_text(), str(path))
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
    return out


def test_the_tui_is_a_client_of_the_daemon_only() -> None:
    """No TUI module imports the engine (it learns everything over the API), and none but
    the app's own entry imports the app module: screens reach the app through
    `tui/context.py`, so the app can import every screen without a cycle."""
    offenders = []
    for path in sorted((PKG / "tui").rglob("*.py")):
        for name, _ in _imports(path):
            rel = path.relative_to(PKG.parent)
            if name.startswith("wezmp_tui.engine") or (
                name == "wezmp_tui.tui.app" and path.name != "app.py"
            ):
                offenders.append(f"{rel}: {name}")
    assert offenders == []
