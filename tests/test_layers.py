"""`wezmp exec` and `wezmp hook` import nothing heavy: they run on every agent start and every
Claude Code hook. (The layers themselves are import-linter contracts in pyproject.toml.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import clean_env

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
