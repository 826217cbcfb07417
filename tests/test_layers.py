"""The layering rules of docs/CONVENTIONS.md, enforced.

- Only `wezmp_tui/tui/` imports Textual.
- Lower layers never import upper ones (model < store/mux/config < engine < interfaces).
- `wezmp exec` and `wezmp hook` import nothing heavy: they run on every agent start and every
  Claude Code hook.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import clean_env

PKG = Path(__file__).resolve().parents[1] / "wezmp_tui"

# Layer of each top-level subpackage; a module may import only its own layer or lower ones.
LAYERS = {
    "model": 0,
    "errors": 0,
    "clock": 0,
    "paths": 0,
    "procgroup": 0,
    "store": 1,
    "mux": 1,
    "config": 1,
    "hooks": 1,
    "engine": 2,
    "ipc": 3,
    "daemon": 3,
    "agentexec": 3,
    "cli": 4,
    "tui": 4,
}


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module name, inside a function or TYPE_CHECKING block) for every import."""
    tree = ast.parse(path.read_text(), str(path))
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = deferred or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = True
            if isinstance(child, ast.Import):
                out.extend((a.name, inner) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                out.append((child.module, inner))
            visit(child, inner)

    visit(tree, False)
    return out


def _layer_of(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if parts[0] != "wezmp_tui" or len(parts) < 2:
        return None
    top = parts[1]
    return (top, LAYERS[top]) if top in LAYERS else None


def test_only_tui_imports_textual() -> None:
    offenders = [
        f"{p.relative_to(PKG.parent)} imports {name}"
        for p in _modules()
        if "tui" not in p.relative_to(PKG).parts[:1]
        for name, _ in _imports(p)
        if name == "textual" or name.startswith("textual.")
    ]
    assert offenders == []


def test_imports_point_downward() -> None:
    offenders = []
    for p in _modules():
        own = _layer_of("wezmp_tui." + ".".join(p.relative_to(PKG).with_suffix("").parts))
        if own is None:
            continue
        for name, deferred in _imports(p):
            target = _layer_of(name)
            if target is None or deferred:
                continue
            if target[1] > own[1]:
                offenders.append(f"{p.relative_to(PKG.parent)} ({own[0]}) imports {name}")
    assert offenders == []


HEAVY = ["textual", "click", "yaml", "psutil", "pyte", "watchfiles", "asyncio", "sqlite3"]


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
