"""`wezmp doctor` as a new user on a machine without WezTerm runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import HAVE_TMUX, wezmp_argv
from wezmp_tui.paths import Paths


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args, "doctor"), capture_output=True, text=True, timeout=30)


def test_without_wezterm_it_explains_the_local_backend() -> None:
    r = doctor()
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("backend:  local (automatic: not inside WezTerm or tmux")
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
    assert "backend:  wezterm (automatic: running inside WezTerm" in r.stdout
    assert "(fake for tests)" in r.stdout


@pytest.mark.parametrize(
    ("args", "env", "config", "reason"),
    [
        (["--backend", "tmux"], {"WEZMP_BACKEND": "local"}, "backend: local\n",
         "tmux (chosen by the --backend flag (--backend tmux))"),
        ([], {"WEZMP_BACKEND": "tmux"}, "backend: local\n",
         "tmux (chosen by the environment (WEZMP_BACKEND=tmux))"),
        ([], {}, "# mine\nbackend: tmux\n", "tmux (chosen by {config}:2 (backend: tmux))"),
        (["--backend", "auto"], {}, "", "local (automatic: not inside WezTerm or tmux"),
    ],
)  # fmt: skip
def test_it_says_exactly_where_the_backend_was_chosen(
    args: list[str],
    env: dict[str, str],
    config: str,
    reason: str,
    wezmp_env: Paths,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    wezmp_env.config_dir.mkdir(parents=True)
    wezmp_env.config_file.write_text(config)
    r = doctor(*args)
    assert r.stdout.startswith("backend:  " + reason.format(config=wezmp_env.config_file))
    data = json.loads(subprocess.run(wezmp_argv(*args, "doctor", "--json"), capture_output=True,
                                     text=True).stdout)  # fmt: skip
    source = "flag" if args[:1] == ["--backend"] and args[1] != "auto" else None
    assert data["source"] == source or (source is None and data["source"] != "flag")


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
