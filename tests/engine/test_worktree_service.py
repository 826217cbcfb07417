"""`worktree.*` through the engine: which worktrees are found, pruned or kept."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from wezmp_tui.engine import worktrees
from wezmp_tui.errors import Conflict, NotFound


def git(cwd: Path | str, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


async def test_prune_removes_empty_worktrees_and_keeps_work(
    make_engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "t")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "t@wezmp.invalid")
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "init")
    engine = await make_engine("local")
    await engine.invoke("ws.create", {"name": "w", "cwd": str(repo)})
    for name in ("empty", "busy"):
        spec = {"name": name, "workspace": "w", "worktree": True, "command": ["true"]}
        await engine.invoke("agent.define", {"spec": spec})
        await worktrees.ensure_worktree(str(repo), name)
    (repo / ".wezmp-worktrees" / "busy" / "draft.md").write_text("x")
    dry = await engine.invoke("worktree.prune", {"dry_run": True})
    assert dry["removed"] == [{"agent": "empty", "path": f"{repo}/.wezmp-worktrees/empty"}]
    assert (repo / ".wezmp-worktrees" / "empty").is_dir()
    done = await engine.invoke("worktree.prune")
    assert [r["agent"] for r in done["removed"]] == ["empty"]
    assert done["kept"] == [{"agent": "busy", "path": f"{repo}/.wezmp-worktrees/busy",
                             "reason": "1 uncommitted change(s): ?? draft.md"}]  # fmt: skip
    assert not (repo / ".wezmp-worktrees" / "empty").exists()
    with pytest.raises(NotFound, match="no worktree for agent 'empty'"):
        await engine.invoke("worktree.merge", {"name": "empty"})
    dep = {"name": "dep", "depends_on": {"busy": "started"}}
    await engine.invoke("agent.define", {"spec": dep})
    with pytest.raises(Conflict, match="other agents depend on busy: dep"):
        await engine.invoke("worktree.remove", {"name": "busy", "forget": True})
    with pytest.raises(Conflict, match="holds work"):
        await engine.invoke("worktree.remove", {"name": "busy"})
    removed = await engine.invoke("worktree.remove", {"name": "busy", "force": True})
    assert removed["done"].endswith("discarded 1 uncommitted change(s): ?? draft.md")
