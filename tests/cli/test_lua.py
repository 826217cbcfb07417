"""`wezmp lua`: the snippet the README shows loads in real Lua and binds the documented keys."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wezmp_tui.cli.lua import lua, module_dir
from wezmp_tui.paths import Paths

REPO = Path(__file__).resolve().parents[2]
# Lua 5.4 itself where installed, else the same Lua embedded through lupa.
_LUA = shutil.which("lua5.4")
LUA = [_LUA] if _LUA else [sys.executable, str(REPO / "tests" / "lua" / "lupa_lua.py")]


def test_path_points_at_the_module() -> None:
    out = CliRunner().invoke(lua, ["path"]).output.strip()
    assert Path(out) == module_dir()
    assert (Path(out) / "wezmp.lua").is_file()


@pytest.mark.parametrize("bare", [False, True])
def test_snippet_loads_in_an_empty_wezterm_lua(
    tmp_path: Path, wezmp_env: Paths, bare: bool
) -> None:
    args = ["snippet", "--bare"] if bare else ["snippet"]
    text = CliRunner().invoke(lua, args).output
    assert str(wezmp_env.status_file) in text
    if bare:
        # What a user with an existing config does: paste between their own lines.
        text = "local wezterm = require 'wezterm'\nlocal config = {}\n" + text + "return config\n"
    cfg = tmp_path / "wezterm.lua"
    cfg.write_text(text)
    proc = subprocess.run(
        [*LUA, "tests/lua/load_config.lua", str(cfg)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = set(proc.stdout.splitlines())
    for key in ("m", "w", "W", "b", "n"):
        assert f"LEADER {key}" in lines
    assert "event user-var-changed 1" in lines
    assert "event update-status 1" in lines


def test_snippet_quotes_odd_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from wezmp_tui.cli import lua as mod

    monkeypatch.setattr(mod, "module_dir", lambda: Path("/opt/it's\\here"))
    assert "'/opt/it\\'s\\\\here'" in mod.snippet()


def test_the_modules_argv_keeps_text_that_looks_like_an_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Lua module puts `--` before what a person typed (LEADER b's line, LEADER W's
    name): the CLI takes it as text, not as an option it does not know."""
    from wezmp_tui.cli import agent as agent_cli
    from wezmp_tui.cli import ws as ws_cli
    from wezmp_tui.cli.main import cli

    calls: list[tuple[str, dict[str, Any]]] = []

    def call(method: str, **params: Any) -> Any:
        calls.append((method, params))
        if method == "agent.send":
            return {"sent": ["a"], "failed": []}
        return {"name": params["name"], "root": params["cwd"], "pane_count": 1}

    monkeypatch.setattr(agent_cli, "call", call)
    monkeypatch.setattr(ws_cli, "call", call)
    sent = CliRunner().invoke(cli, ["agent", "send", "--workspace", "w", "--", "-n hi"])
    assert sent.exit_code == 0, sent.output
    created = CliRunner().invoke(cli, ["ws", "create", "--cwd", "/srv", "--", "-web"])
    assert created.exit_code == 0, created.output
    assert calls[0] == ("agent.send", {"name": None, "workspace": "w", "text": "-n hi",
                                       "enter": True})  # fmt: skip
    assert calls[1][0] == "ws.create" and calls[1][1]["name"] == "-web"
    # Without `--` the line would be refused as an unknown option.
    assert CliRunner().invoke(cli, ["agent", "send", "-w", "w", "-n hi"]).exit_code == 2
