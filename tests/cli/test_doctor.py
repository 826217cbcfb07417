"""`wezmp doctor` as a new user on a machine without WezTerm runs it."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import HAVE_TMUX, wezmp_argv
from wezmp_tui.paths import Paths


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args, "doctor"), capture_output=True, text=True, timeout=30)


def test_without_wezterm_it_explains_the_local_backend() -> None:
    r = doctor()
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("backend:  local (not inside WezTerm or tmux")
    assert "wezterm:  not found" in r.stdout
    assert ("tmux:     tmux " if HAVE_TMUX else "tmux:     not found") in r.stdout
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
