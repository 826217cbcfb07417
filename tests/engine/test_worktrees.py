"""Agents' git worktrees with real git: created without resetting anything, hidden from the
main checkout, set up, and never removed or merged away with work in them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from wezmp_tui.config.schema import Worktrees
from wezmp_tui.engine import worktrees
from wezmp_tui.errors import Conflict, InvalidInput


def git(cwd: Path | str, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "wezmp test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@wezmp.invalid")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    (r / "app.py").write_text("print(1)\n")
    (r / ".gitignore").write_text("*.log\n")
    git(r, "add", ".")
    git(r, "commit", "-q", "-m", "init")
    return r


def commit(where: Path | str, name: str, text: str, message: str) -> None:
    (Path(where) / name).write_text(text)
    git(where, "add", name)
    git(where, "commit", "-q", "-m", message)


async def test_a_commit_survives_a_deleted_folder_and_the_folder_is_hidden(repo: Path) -> None:
    path = await worktrees.ensure_worktree(str(repo), "a1")
    assert path == str(repo / ".wezmp-worktrees" / "a1")
    assert git(repo, "status", "--porcelain") == ""  # not `?? .wezmp-worktrees/`
    assert "/.wezmp-worktrees/" in (repo / ".git" / "info" / "exclude").read_text()
    assert (repo / ".gitignore").read_text() == "*.log\n"
    commit(path, "work.py", "x = 1\n", "agent work")
    subprocess.run(["rm", "-rf", path], check=True)  # the folder is lost, the branch is not
    again = await worktrees.ensure_worktree(str(repo), "a1")
    assert git(again, "log", "-1", "--format=%s") == "agent work"
    assert (Path(again) / "work.py").exists()
    # From inside the agent's own worktree the main checkout is still the one used.
    assert await worktrees.ensure_worktree(again, "a1") == again
    assert not (Path(again) / ".wezmp-worktrees").exists()
    assert (repo / ".git" / "info" / "exclude").read_text().count("/.wezmp-worktrees/") == 1
    with pytest.raises(InvalidInput, match="not inside a git work tree"):
        await worktrees.ensure_worktree(str(repo.parent), "x")


async def test_copies_untracked_files_and_runs_setup(repo: Path) -> None:
    (repo / ".env").write_text("TOKEN=1\n")
    (repo / "conf").mkdir()
    (repo / "conf" / "local.ini").write_text("[x]\n")
    settings = Worktrees(copy=[".env*", "conf", "app.py", "missing"],
                         setup=["sh", "-c", "cat .env > setup.out"])  # fmt: skip
    path = Path(await worktrees.ensure_worktree(str(repo), "a2", settings))
    assert (path / ".env").read_text() == "TOKEN=1\n"
    assert (path / "conf" / "local.ini").exists()
    assert (path / "setup.out").read_text() == "TOKEN=1\n"
    # Copies identical to the main checkout's are not work; the setup's output is.
    wt = await worktrees.find(str(repo), "a2")
    assert (await worktrees.holdings(wt)).changes == ["?? setup.out"]
    failing = Worktrees(setup=["sh", "-c", "echo no network; exit 3"])
    with pytest.raises(InvalidInput) as err:
        await worktrees.ensure_worktree(str(repo), "a3", failing)
    assert err.value.message == (
        f"worktree setup sh -c echo no network; exit 3 failed with exit 3 in "
        f"{repo}/.wezmp-worktrees/a3 (the worktree is kept): no network"
    )


async def test_removal_refuses_dirty_and_ahead_trees_saying_what(repo: Path) -> None:
    path = await worktrees.ensure_worktree(str(repo), "a4")
    wt = await worktrees.find(str(repo), "a4")
    assert wt.base == "main" and not await worktrees.holdings(wt)
    (Path(path) / "app.py").write_text("print(2)\n")
    (Path(path) / "notes.md").write_text("todo\n")
    with pytest.raises(Conflict) as err:
        await worktrees.remove(wt)
    assert "2 uncommitted change(s): M app.py, ?? notes.md" in err.value.message
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "agent: print 2")
    sha = git(path, "rev-parse", "--short", "HEAD")
    with pytest.raises(Conflict) as err:
        await worktrees.remove(wt)
    assert f"1 commit(s) on no other branch: {sha} agent: print 2" in err.value.message
    assert "wezmp worktree merge a4" in err.value.message
    assert os.path.isdir(path) and git(repo, "branch", "--list", "wezmp/a4")
    # Once another branch holds the commit, nothing would be lost.
    git(repo, "branch", "keep", "wezmp/a4")
    assert await worktrees.remove(wt) == f"removed {path}; deleted branch wezmp/a4"
    assert git(repo, "log", "-1", "--format=%s", "keep") == "agent: print 2"
    path = await worktrees.ensure_worktree(str(repo), "a5")
    (Path(path) / "scratch").write_text("x")
    done = await worktrees.remove(await worktrees.find(str(repo), "a5"), force=True)
    assert done.endswith("discarded 1 uncommitted change(s): ?? scratch")
    assert not os.path.exists(path) and not git(repo, "branch", "--list", "wezmp/a5")


async def test_merge_brings_the_branch_back_or_changes_nothing(repo: Path) -> None:
    path = await worktrees.ensure_worktree(str(repo), "m1")
    commit(path, "feature.py", "f = 1\n", "feature")
    (Path(path) / "wip.py").write_text("")
    wt = await worktrees.find(str(repo), "m1")
    with pytest.raises(Conflict, match=r"1 uncommitted change\(s\): \?\? wip.py; commit or"):
        await worktrees.merge(wt)
    os.unlink(Path(path) / "wip.py")
    git(repo, "checkout", "-q", "-b", "other")
    with pytest.raises(Conflict, match=r"started from main, but the main checkout .* is on other"):
        await worktrees.merge(wt)
    git(repo, "checkout", "-q", "main")
    result = await worktrees.merge(wt)
    assert (result["merged"], result["into"]) == (1, "main")
    assert (repo / "feature.py").exists() and not os.path.exists(path)
    assert not git(repo, "branch", "--list", "wezmp/m1")
    # A conflicting merge is undone and the worktree kept.
    path = await worktrees.ensure_worktree(str(repo), "m2")
    commit(path, "app.py", "print('agent')\n", "agent edit")
    commit(repo, "app.py", "print('me')\n", "my edit")
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(Conflict) as err:
        await worktrees.merge(await worktrees.find(str(repo), "m2"))
    assert err.value.message == (
        "merging wezmp/m2 into main: conflicts in app.py; nothing was changed and the "
        "worktree is kept"
    )
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""
    assert os.path.isdir(path)
