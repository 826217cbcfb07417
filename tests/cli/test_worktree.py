"""`wezmp worktree …` and `wezmp agent rm --worktree` against a real daemon, real git and a
real agent on tmux: work in an agent's worktree is refused removal, then merged back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from wezmp_tui.paths import Paths


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def git(cwd: Path | str, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.fixture(autouse=True)
def repo(wezmp_env: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository and a config that copies its `.env` into new worktrees (set before the
    daemon starts, which the `daemon` fixture does after the autouse ones)."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "wezmp test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@wezmp.invalid")
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    (r / "README").write_text("hi\n")
    (r / ".env").write_text("KEY=1\n")
    git(r, "add", "README")
    git(r, "commit", "-q", "-m", "init")
    wezmp_env.config_dir.mkdir(parents=True)
    wezmp_env.config_file.write_text("worktrees:\n  copy: [.env]\n")
    return r


def agent(name: str) -> dict[str, object]:
    return json.loads(wezmp("agent", "show", name, "--json").stdout)["agent"]  # type: ignore[no-any-return]


def test_work_in_a_worktree_is_kept_until_merged(daemon: Paths, repo: Path, tmp_path: Path) -> None:
    spec = tmp_path / "a.yaml"
    spec.write_text(
        f"name: coder\ncommand: [sh, -c, 'exec sleep 60']\ncwd: {repo}\nworkspace: w\n"
        "worktree: true\nrestart: {policy: 'no'}\n"
    )
    assert wezmp("agent", "define", str(spec)).returncode == 0
    assert wezmp("agent", "start", "coder").returncode == 0
    wait_until(lambda: agent("coder")["pid"], timeout=20)
    path = repo / ".wezmp-worktrees" / "coder"
    assert agent("coder")["cwd"] == str(path)
    assert (path / ".env").read_text() == "KEY=1\n"
    assert git(repo, "status", "--porcelain") == "?? .env"
    refused = wezmp("agent", "rm", "coder", "--worktree")
    assert refused.returncode == 1 and "agent coder is running; stop it first" in refused.stderr
    assert wezmp("agent", "stop", "coder").returncode == 0
    (path / "feature.txt").write_text("done\n")
    git(path, "add", "feature.txt")
    git(path, "commit", "-q", "-m", "add the feature")
    sha = git(path, "rev-parse", "--short", "HEAD")
    refused = wezmp("agent", "rm", "coder", "--worktree")
    assert refused.returncode == 1
    assert f"1 commit(s) on no other branch: {sha} add the feature" in refused.stderr
    assert path.is_dir() and "coder" in wezmp("agent", "list").stdout
    listed = json.loads(wezmp("worktree", "list", "--json").stdout)
    assert [(w["agent"], w["base"], len(w["commits"]), w["changes"]) for w in listed] == [
        ("coder", "main", 1, [])
    ]
    assert "1 commit(s), 0 change(s)" in wezmp("worktree", "list").stdout
    pruned = wezmp("worktree", "prune").stdout
    assert pruned.startswith("kept coder: 1 commit(s) on no other branch")
    merged = wezmp("worktree", "merge", "coder")
    assert merged.stdout.strip() == (
        f"coder: merged 1 commit(s) into main; removed {path}; deleted branch wezmp/coder"
    ), merged.stderr
    assert (repo / "feature.txt").read_text() == "done\n" and not path.exists()
    assert wezmp("worktree", "list").stdout.strip() == "no agent worktrees"
    gone = wezmp("agent", "rm", "coder", "--worktree")
    assert gone.stdout.strip() == "removed coder: it had no worktree", gone.stderr
    assert wezmp("agent", "list").stdout.startswith("no agents")


def test_agent_rm_on_a_terminal_asks_before_discarding(
    daemon: Paths, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import types

    from click.testing import CliRunner

    from wezmp_tui.cli import agent as agent_cmd
    from wezmp_tui.cli.main import cli
    from wezmp_tui.engine.worktrees import ensure_worktree

    spec = tmp_path / "b.yaml"
    spec.write_text(f"name: scratch\ncommand: [sleep, '60']\ncwd: {repo}\nworktree: true\n")
    assert wezmp("agent", "define", str(spec)).returncode == 0
    path = Path(asyncio.run(ensure_worktree(str(repo), "scratch")))
    (path / "draft.md").write_text("half done\n")
    # As on a terminal (the runner's stdin is not one).
    terminal = types.SimpleNamespace(stdin=types.SimpleNamespace(isatty=lambda: True))
    monkeypatch.setattr(agent_cmd, "sys", terminal)
    runner = CliRunner()
    kept = runner.invoke(cli, ["agent", "rm", "scratch", "--worktree"], input="n\n")
    assert kept.exit_code == 1 and "1 uncommitted change(s): ?? draft.md" in kept.output
    assert "nothing removed" in kept.output and (path / "draft.md").exists()
    gone = runner.invoke(cli, ["agent", "rm", "scratch", "--worktree"], input="y\n")
    assert gone.exit_code == 0, gone.output
    assert "discarded 1 uncommitted change(s): ?? draft.md" in gone.output
    assert not path.exists() and "scratch" not in wezmp("agent", "list").stdout
