"""`wezmp doctor` as a new user on a machine without WezTerm runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import wezmp_argv
from wezmp_tui.paths import Paths


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args, "doctor"), capture_output=True, text=True, timeout=30)


def test_without_wezterm_it_explains_the_local_backend() -> None:
    r = doctor()
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("backend:  local (not inside WezTerm or tmux")
    assert "wezterm:  not found" in r.stdout
    assert "tmux:     tmux " in r.stdout
    data = json.loads(doctor("--json").stdout if False else subprocess.run(
        wezmp_argv("doctor", "--json"), capture_output=True, text=True).stdout)  # fmt: skip
    assert data["backend"] == "local" and data["ok"] is True
    assert data["paths"]["socket"].endswith("wezmp.sock")


def test_problems_exit_non_zero_with_advice(
    wezmp_env: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    wezmp_env.config_dir.mkdir(parents=True)
    wezmp_env.config_file.write_text("backend: [\n")
    r = doctor()
    assert r.returncode == 1
    assert "problem:  config: config.yaml:" in r.stderr
    r = doctor("--backend", "wezterm")
    assert "wezterm chosen but wezterm is not on PATH" in r.stderr


def test_inside_fake_wezterm(fake_wezterm: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEZTERM_PANE", "0")
    r = doctor()
    assert "backend:  wezterm (running inside WezTerm" in r.stdout
    assert "(fake for tests)" in r.stdout


def test_says_when_an_agent_cli_is_not_the_version_its_rules_were_recorded_against(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "node_modules" / "@openai" / "codex"
    (pkg / "bin").mkdir(parents=True)
    (pkg / "bin" / "codex.js").write_text("#!/bin/sh\n")
    (pkg / "bin" / "codex.js").chmod(0o755)
    (pkg / "package.json").write_text(json.dumps({"version": "0.999.0", "bin": {"codex": "x"}}))
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "codex").symlink_to(pkg / "bin" / "codex.js")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    r = doctor()
    assert "codex:    0.999.0 (state rules recorded with 0.171.0)" in r.stdout
    assert "note:     codex 0.999.0: its rules were recorded against 0.171.0" in r.stdout
    out = subprocess.run(wezmp_argv("doctor", "--json"), capture_output=True, text=True).stdout
    assert json.loads(out)["agents"]["codex"]["version"] == "0.999.0"
