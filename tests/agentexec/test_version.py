"""An agent CLI's version from the files beside its executable, as each installer lays them
out (npm, Claude Code's installer, pip/pipx/uv), without starting it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from wezmp_tui.agentexec.version import agent_version


def link(bin_dir: Path, name: str, target: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("#!/bin/sh\n")
    target.chmod(0o755)
    (bin_dir / name).symlink_to(os.path.relpath(target, bin_dir))


def test_npm_package_version(tmp_path: Path) -> None:
    pkg = tmp_path / "node_modules" / "@anthropic-ai" / "claude-code"
    link(tmp_path / "node_modules" / ".bin", "claude", pkg / "bin" / "claude.exe")
    (pkg / "package.json").write_text(json.dumps({"version": "2.1.197", "bin": {"claude": "x"}}))
    assert agent_version("claude", str(tmp_path / "node_modules" / ".bin")) == "2.1.197"
    # A package.json that is not the program's own package says nothing.
    (pkg / "package.json").write_text(json.dumps({"version": "1.0.0"}))
    assert agent_version("claude", str(tmp_path / "node_modules" / ".bin")) is None
    (pkg / "package.json").write_text("{not json")
    assert agent_version("claude", str(tmp_path / "node_modules" / ".bin")) is None


def test_native_installer_versions_dir(tmp_path: Path) -> None:
    link(tmp_path / "bin", "claude", tmp_path / "share" / "claude" / "versions" / "2.1.200")
    assert agent_version("claude", str(tmp_path / "bin")) == "2.1.200"


def test_python_console_script(tmp_path: Path) -> None:
    env = tmp_path / "venv"
    (env / "bin").mkdir(parents=True)
    script = env / "bin" / "aider"
    script.write_text("#!/usr/bin/env python3\n")
    script.chmod(0o755)
    site = env / "lib" / "python3.11" / "site-packages"
    (site / "other-1.0.dist-info").mkdir(parents=True)
    (site / "other-1.0.dist-info" / "entry_points.txt").write_text("[console_scripts]\nx = y\n")
    (site / "aider_chat-0.86.2.dist-info").mkdir()
    (site / "aider_chat-0.86.2.dist-info" / "entry_points.txt").write_text(
        "[console_scripts]\naider = aider.main:main\n"
    )
    assert agent_version("aider", str(env / "bin")) == "0.86.2"


def test_unknown_or_missing(tmp_path: Path) -> None:
    assert agent_version("no-such-agent-here", str(tmp_path)) is None
    (tmp_path / "tool").write_text("#!/bin/sh\n")
    (tmp_path / "tool").chmod(0o755)
    assert agent_version("tool", str(tmp_path)) is None
