"""Theme files: errors, merging, and their Textual form."""

from __future__ import annotations

import pytest

from wezmp_tui.config.themes import get_theme, list_themes, load_themes, parse_theme
from wezmp_tui.errors import ConfigError, NotFound
from wezmp_tui.paths import Paths


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: t\nprimary: '#12345'\n", "t.yaml:2: primary: '#12345' is not a colour"),
        ("name: t\nprimary: red\nstates:\n  waiting: blurple\n",
         "t.yaml:4: states.waiting: 'blurple' is not a colour"),
        ("name: t\nprimary: red\nprimry: blue\n",
         "t.yaml:3: primry: unknown key (did you mean 'primary'?)"),
        ("name: t\n", "t.yaml:1: primary: required key is missing"),
        ("name: t\nprimary: red\ndark: maybe\n", 't.yaml:3: dark: expected bool, got "maybe"'),
        ("", "t.yaml:1: empty theme file"),
    ],
)  # fmt: skip
def test_theme_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_theme(text, "t.yaml")
    assert err.value.message == message


def test_shipped_themes_and_user_overrides(wezmp_env: Paths) -> None:
    themes, errors = load_themes(wezmp_env)
    assert errors == []
    assert {"wezmp-dark", "wezmp-light", "wezmp-high-contrast", "terminal-dark"} <= set(themes)
    assert themes["terminal-dark"].ansi is True
    wezmp_env.themes_dir.mkdir(parents=True)
    (wezmp_env.themes_dir / "mine.yaml").write_text("name: wezmp-dark\nprimary: '#ff0000'\n")
    (wezmp_env.themes_dir / "bad.yaml").write_text("name: b\nprimary: nope\n")
    themes, errors = load_themes(wezmp_env)
    assert themes["wezmp-dark"].primary == "#ff0000"
    assert errors == ["bad.yaml:2: primary: 'nope' is not a colour"]
    assert [r.source for r in list_themes(wezmp_env) if r.name == "wezmp-dark"] == ["user"]
    assert get_theme(wezmp_env, "wezmp-light").dark is False
    with pytest.raises(NotFound):
        get_theme(wezmp_env, "nope")
