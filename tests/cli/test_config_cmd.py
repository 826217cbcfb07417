"""`wezmp config …` and `wezmp theme …`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from wezmp_tui.cli.main import cli
from wezmp_tui.paths import Paths


def test_config_path_init_check_show(wezmp_env: Paths) -> None:
    r = CliRunner()
    assert r.invoke(cli, ["config", "path"]).output.strip() == str(wezmp_env.config_file)
    assert "not present" in r.invoke(cli, ["config", "check"]).output
    assert r.invoke(cli, ["config", "init"]).output.startswith("wrote ")
    assert r.invoke(cli, ["config", "init"]).exit_code == 1
    assert r.invoke(cli, ["config", "check"]).output.strip().endswith(": ok")
    shown = json.loads(r.invoke(cli, ["config", "show", "--json"]).output)
    assert shown["backend"] == "auto" and shown["board"]["columns"][0] == "Backlog"
    assert "refresh_interval: 1.0" in r.invoke(cli, ["config", "show"]).output
    wezmp_env.config_file.write_text("theme: 3\n")
    bad = r.invoke(cli, ["config", "check"])
    assert bad.exit_code == 1 and "config.yaml:1: theme: expected str, got 3" in bad.output


def test_theme_list_show_check(wezmp_env: Paths, tmp_path: Path) -> None:
    r = CliRunner()
    assert "wezmp-dark" in r.invoke(cli, ["theme", "list"]).output
    listed = json.loads(r.invoke(cli, ["theme", "list", "--json"]).output)
    assert "terminal-dark" in [t["name"] for t in listed["themes"]]
    assert json.loads(r.invoke(cli, ["theme", "show", "wezmp-light"]).output)["dark"] is False
    f = tmp_path / "t.yaml"
    f.write_text("name: t\nprimary: '#zzzzzz'\n")
    bad = r.invoke(cli, ["theme", "check", str(f)])
    assert bad.exit_code == 1 and f"{f}:2: primary: '#zzzzzz' is not a colour" in bad.output
    f.write_text("name: t\nprimary: '#abcdef'\n")
    assert r.invoke(cli, ["theme", "check", str(f)]).output.strip() == f"{f}: ok (theme t)"
    wezmp_env.themes_dir.mkdir(parents=True)
    (wezmp_env.themes_dir / "x.yaml").write_text("name: x\n")
    assert "broken: x.yaml:1: primary" in r.invoke(cli, ["theme", "list"]).output


def test_config_check_reports_an_unknown_keymap_id(wezmp_env: Paths) -> None:
    wezmp_env.config_dir.mkdir(parents=True)
    wezmp_env.config_file.write_text("keymap:\n  board.nwe: N\n")
    bad = CliRunner().invoke(cli, ["config", "check"])
    assert bad.exit_code == 1
    assert "config.yaml:2: keymap.board.nwe: unknown binding id (did you mean 'board.new'?)" in (
        bad.output
    )
