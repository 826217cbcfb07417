"""config.yaml: typed, validated, all-or-nothing, with file:line: key-path errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from wezmp_tui.config.loader import ConfigHolder, load_config
from wezmp_tui.config.schema import Config
from wezmp_tui.config.yamlpos import format_path, load_file, parse_yaml
from wezmp_tui.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(text)
    return p


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    return err.value.message


def test_missing_or_empty_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.yaml") == Config()
    assert load_config(write(tmp_path, "# nothing\n")) == Config()


def test_wrong_type_names_file_line_and_key_path(tmp_path: Path) -> None:
    text = """\
backend: tmux
agents:
  - name: a
  - name: b
  - name: c
    restart:
      policy: always
      max_restarts: three
"""
    assert error_of(tmp_path, text) == (
        'config.yaml:8: agents[2].restart.max_restarts: expected int, got "three"'
    )


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    assert error_of(tmp_path, "refresh_interval: 1\nbakend: tmux\n") == (
        "config.yaml:2: bakend: unknown key (did you mean 'backend'?)"
    )
    assert error_of(tmp_path, "agents:\n  - name: a\n    restart: {polcy: no}\n") == (
        "config.yaml:3: agents[0].restart.polcy: unknown key (did you mean 'policy'?)"
    )


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "backend: tmux\nagents: [\n  {name: a\n")
    assert msg.startswith("config.yaml:")
    assert "YAML syntax error (column" in msg


def test_missing_required_and_bad_literal(tmp_path: Path) -> None:
    assert error_of(tmp_path, "agents:\n  - kind: claude\n") == (
        "config.yaml:2: agents[0].name: required key is missing"
    )
    assert error_of(tmp_path, "backend: screen\n") == (
        "config.yaml:1: backend: expected one of auto, wezterm, tmux, local, got 'screen'"
    )


def test_cross_field_checks(tmp_path: Path) -> None:
    assert error_of(tmp_path, "agents:\n  - {name: a, depends_on: {zz: started}}\n") == (
        "config.yaml:2: agents[0].depends_on.zz: unknown agent 'zz'"
    )
    dup = error_of(tmp_path, "agents:\n  - name: a\n  - name: a\n")
    assert dup == "config.yaml:3: agents[1].name: duplicate agent name 'a'"
    assert "bad regex" in error_of(tmp_path, "agents:\n  - {name: a, log_ready: '('}\n")
    assert "cannot depend on itself" in error_of(
        tmp_path, "agents:\n  - {name: a, depends_on: {a: started}}\n"
    )


def test_yaml_1_2_booleans_make_policy_no_work(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "agents:\n  - name: a\n    restart: {policy: no}\n"))
    assert cfg.agents[0].restart.policy == "no"
    assert "expected bool" in error_of(tmp_path, "watch: yes\n")


def test_holder_keeps_the_last_good_config(tmp_path: Path) -> None:
    path = write(tmp_path, "refresh_interval: 2.5\n")
    holder = ConfigHolder(path)
    assert holder.config.refresh_interval == 2.5 and holder.error is None
    path.write_text("refresh_interval: [\n")
    result = holder.reload()
    assert isinstance(result, ConfigError)
    assert holder.config.refresh_interval == 2.5
    assert holder.error is not None and holder.error.startswith("config.yaml:")
    path.write_text("refresh_interval: 0.5\n")
    assert holder.reload() == holder.config
    assert holder.config.refresh_interval == 0.5 and holder.error is None


def test_holder_starts_with_defaults_on_a_broken_file(tmp_path: Path) -> None:
    holder = ConfigHolder(write(tmp_path, "nope: 1\n"))
    assert holder.config == Config()
    assert holder.error is not None
    assert holder.error.startswith("config.yaml:1: nope: unknown key (known keys: backend, ")


def test_helpers(tmp_path: Path) -> None:
    assert format_path(("agents", 2, "restart")) == "agents[2].restart"
    data, lines = parse_yaml("a:\n  b: [1, 2]\n", "x.yaml")
    assert data == {"a": {"b": [1, 2]}}
    assert lines[("a", "b")] == 2
    bad = tmp_path / "bin.yaml"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_file(bad, Config)
    with pytest.raises(ConfigError, match="cannot read"):
        load_file(tmp_path / "missing.yaml", Config)


def test_unknown_keymap_id_kind_or_priority_is_an_error_with_its_line(tmp_path: Path) -> None:
    assert error_of(tmp_path, "theme: wezmp-dark\nkeymap:\n  ws.creat: ctrl+n\n") == (
        "config.yaml:3: keymap.ws.creat: unknown binding id (did you mean 'ws.create'?)"
    )
    assert error_of(tmp_path, "keymap: {zzzz: x}\n") == (
        "config.yaml:1: keymap.zzzz: unknown binding id "
        "(press ? in the control center for every id)"
    )
    assert error_of(tmp_path, "agent_kinds:\n  cluade: [claude]\n") == (
        "config.yaml:2: agent_kinds.cluade: unknown agent kind (did you mean 'claude'?)"
    )
    assert error_of(tmp_path, "board:\n  urgency:\n    priority: {X: 1}\n") == (
        "config.yaml:3: board.urgency.priority.X: unknown priority (known: H, L, M)"
    )
    cfg = load_config(write(tmp_path, "keymap: {ws.create: ctrl+n, board.new: N}\n"))
    assert cfg.keymap == {"ws.create": "ctrl+n", "board.new": "N"}
