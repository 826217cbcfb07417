"""Layout files: schema errors with file, line and key path; listing; dumping."""

from __future__ import annotations

from pathlib import Path

import pytest

from wezmp_tui.config.layouts import dump_layout, list_layouts, load_layout, parse_layout
from wezmp_tui.errors import ConfigError, NotFound
from wezmp_tui.paths import Paths


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\ntabs:\n  - layout: {split: diagonal, panes: [{}, {}]}\n",
         "l.yaml:3: tabs[0].layout.split: expected one of right, left, top, bottom, got"),
        ("name: x\ntabs:\n  - layout:\n      split: right\n      panes: [{}]\n",
         "l.yaml:5: tabs[0].layout.panes: a split has exactly two panes"),
        ("name: x\ntabs:\n  - layout:\n      split: right\n      size: lots\n"
         "      panes: [{}, {}]\n",
         "l.yaml:5: tabs[0].layout.size: expected a percentage like 30% or a number of cells"),
        ("name: x\ntabs:\n  - layout: {command: [a], agent: {kind: claude}}\n",
         "tabs[0].layout: a pane runs a command or an agent, not both"),
        ("name: x\ntabs:\n  - layout: {comand: [a]}\n",
         "l.yaml:3: tabs[0].layout.comand: unknown key (did you mean 'command'?)"),
        ("name: x\ntabs: []\n", "l.yaml:2: tabs: at least one tab"),
        ("tabs: [{}]\n", "l.yaml:1: name: required key is missing"),
        ("name: x\ntabs:\n  - layout: {panes: [{}, {}]}\n", "needs `split: right|left|top|bottom`"),
        ("name: x\ntabs:\n  - layout: {size: 3}\n", "tabs[0].layout.size: only a split has a size"),
        ("name: [\n", "l.yaml:2: YAML syntax error"),
        ("", "l.yaml:1: empty layout file"),
    ],
)  # fmt: skip
def test_layout_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_layout(text, "l.yaml")
    assert message in err.value.message


def test_shipped_layouts_load_and_user_files_override(wezmp_env: Paths) -> None:
    refs, errors = list_layouts(wezmp_env)
    assert errors == []
    assert {"agent-and-shell", "agents-2x2", "agents-devserver-tests", "review"} <= {
        r.name for r in refs
    }
    wezmp_env.layouts_dir.mkdir(parents=True)
    (wezmp_env.layouts_dir / "mine.yaml").write_text(
        "name: review\ndescription: my own\ntabs: [{layout: {}}]\n"
    )
    (wezmp_env.layouts_dir / "broken.yaml").write_text("name: b\ntabs: nope\n")
    refs, errors = list_layouts(wezmp_env)
    review = next(r for r in refs if r.name == "review")
    assert (review.source, review.description) == ("user", "my own")
    assert errors and errors[0].startswith("broken.yaml:2: tabs:")
    assert load_layout(wezmp_env, "review").description == "my own"
    with pytest.raises(NotFound):
        load_layout(wezmp_env, "nope")


def test_dump_round_trips(wezmp_env: Paths, tmp_path: Path) -> None:
    layout = load_layout(wezmp_env, "agents-2x2")
    text = dump_layout(layout)
    assert "restart: {}" not in text
    path = tmp_path / "copy.yaml"
    path.write_text(text)
    assert load_layout(wezmp_env, str(path)) == layout
