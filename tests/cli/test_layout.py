"""`wezmp layout …` and `wezmp restore` against a real daemon on tmux."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import wezmp_argv
from wezmp_tui.paths import Paths


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def test_layout_commands(daemon: Paths, tmp_path: Path) -> None:
    assert "review" in wezmp("layout", "list").stdout
    assert "agents-2x2" in [
        x["name"] for x in json.loads(wezmp("layout", "list", "--json").stdout)["layouts"]
    ]
    assert wezmp("layout", "show", "review").stdout.startswith("name: review")
    f = tmp_path / "two.yaml"
    f.write_text(
        "name: two\ntabs:\n  - layout:\n      split: bottom\n      panes:\n"
        "        - {command: [sleep, '300']}\n        - {command: [sleep, '301']}\n"
    )
    r = wezmp("layout", "apply", str(f), "--cwd", str(tmp_path))
    assert r.stdout.strip() == "built two: 2 pane(s)", r.stderr
    out = tmp_path / "frozen.yaml"
    assert wezmp("layout", "freeze", "two", "-o", str(out)).stdout.strip() == f"wrote {out}"
    assert "split: bottom" in out.read_text()
    assert "sleep" in wezmp("layout", "freeze", "two").stdout
    r = wezmp("layout", "apply", str(out), "--workspace", "copy", "--cwd", str(tmp_path))
    assert r.stdout.strip() == "built copy: 2 pane(s)"
    assert wezmp("restore", "--save").stdout.startswith("saved ")
    assert "two" in wezmp("restore", "--list").stdout
    assert "already running: copy, two" in wezmp("restore").stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntabs:\n  - layout: {split: up, panes: [{}, {}]}\n")
    r = wezmp("layout", "apply", str(bad))
    assert r.returncode == 1
    assert f"{bad}:3: tabs[0].layout.split: expected one of right, left, top, bottom" in r.stderr
    assert wezmp("layout", "apply", "no-such-layout").stderr.strip() == (
        "Error: no layout named 'no-such-layout' (see: wezmp layout list)"
    )
