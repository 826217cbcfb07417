"""`wezmp hooks install --mcp`: `wezmp mcp` registered where Claude Code reads it, and read
back by the real Claude Code where it is installed."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import wezmp_argv
from wezmp_tui.errors import ConfigError
from wezmp_tui.hooks import claude_mcp


def wezmp(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60, cwd=cwd)


def test_user_scope_keeps_the_rest_and_the_mode(wezmp_env: object) -> None:
    home = Path(os.environ["HOME"])
    state = home / ".claude.json"
    state.write_text(json.dumps({"numStartups": 3, "mcpServers": {"mine": {"command": "x"}}}))
    state.chmod(0o600)
    r = wezmp("hooks", "install", "--mcp")
    assert r.stdout.startswith(f"installed in {state} (backup: "), r.stderr
    data = json.loads(state.read_text())
    assert data["numStartups"] == 3 and data["mcpServers"]["mine"] == {"command": "x"}
    assert data["mcpServers"]["wezmp"]["args"] == ["mcp"]
    assert data["mcpServers"]["wezmp"]["type"] == "stdio"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert wezmp("hooks", "install", "--mcp").stdout.startswith("already installed")
    assert "MCP server registered" in wezmp("hooks", "status").stdout
    assert json.loads(wezmp("hooks", "status", "--json").stdout)["mcp"] is True
    assert wezmp("hooks", "uninstall", "--mcp").stdout.startswith("removed 1 hook(s)")
    assert json.loads(state.read_text())["mcpServers"] == {"mine": {"command": "x"}}
    assert wezmp("hooks", "uninstall", "--mcp").stdout.startswith("removed 0")


def test_broken_files_are_left_alone(tmp_path: Path) -> None:
    bad = tmp_path / ".mcp.json"
    bad.write_text('{"mcpServers": [1]}')
    with pytest.raises(ConfigError, match=r"\.mcp\.json: mcpServers: expected an object"):
        claude_mcp.install(bad)
    bad.write_text("{oops")
    r = wezmp("hooks", "install", "--mcp", "--project", str(tmp_path))
    assert r.returncode == 1 and ".mcp.json:1: not valid JSON" in r.stderr
    assert bad.read_text() == "{oops"


def test_claude_code_reads_and_connects(tmp_path: Path) -> None:
    where = os.environ.get("WEZMP_AGENTS_DIR")
    claude = shutil.which("claude", path=where) if where else shutil.which("claude")
    if claude is None:
        pytest.skip("claude not installed (set WEZMP_AGENTS_DIR or put it on PATH)")
    project = tmp_path / "proj"
    project.mkdir()
    assert wezmp("hooks", "install", "--mcp", "--project", str(project)).returncode == 0
    assert wezmp("hooks", "install", "--mcp").returncode == 0
    listed = subprocess.run([claude, "mcp", "list"], capture_output=True, text=True,
                            timeout=120, cwd=project)  # fmt: skip
    line = next(x for x in listed.stdout.splitlines() if x.startswith("wezmp: "))
    assert line.endswith("Connected"), listed.stdout  # it started `wezmp mcp` and spoke MCP
    got = subprocess.run([claude, "mcp", "get", "wezmp"], capture_output=True, text=True,
                         timeout=120, cwd=project)  # fmt: skip
    assert "mcp" in got.stdout and "stdio" in got.stdout.lower(), got.stdout
