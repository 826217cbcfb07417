"""A git worktree per agent (`worktree: true`), so agents do not edit each other's files.

Each agent gets `<repo>/.wezmp-worktrees/<agent>` on branch `wezmp/<agent>`, started from the
branch the main checkout was on (recorded in the branch's git config as `wezmp-base`). Work in
them is never thrown away behind the user's back: an existing branch is checked out as it is
(never reset), an existing folder is reused as it is, and removing one (prune, merge, `agent
rm --worktree`) first looks for commits no other branch holds and for uncommitted changes,
and refuses, naming them, unless told to discard them.

The folder is hidden from the main checkout's `git status` through `.git/info/exclude`, so
the user's `.gitignore` is never touched. A new worktree gets the untracked files listed in
`worktrees.copy` (such as `.env`) and runs `worktrees.setup` before its agent starts.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

from wezmp_tui.errors import Conflict, InvalidInput

FOLDER = ".wezmp-worktrees"
SHOWN = 10  # commits or changed files named in a refusal


async def _git(cwd: str, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        "git", *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace").strip()


def branch_of(agent: str) -> str:
    return f"wezmp/{agent}"


async def main_checkout(cwd: str) -> str:
    """The top of the repository's main checkout, from anywhere inside it or inside one of
    its linked worktrees (an agent's own worktree included)."""
    code, out = await _git(
        cwd, "rev-parse", "--path-format=absolute", "--show-toplevel", "--git-dir",
        "--git-common-dir",
    )  # fmt: skip
    lines = out.splitlines()
    if code != 0 or len(lines) != 3:
        raise InvalidInput(f"worktree: {cwd} is not inside a git work tree")
    top, git_dir, common = lines
    if os.path.realpath(git_dir) == os.path.realpath(common):
        return top
    code, out = await _git(cwd, "worktree", "list", "--porcelain")
    first = out.splitlines()[0] if code == 0 and out else ""
    if not first.startswith("worktree "):
        raise InvalidInput(f"worktree: cannot find the main checkout of {cwd}")
    return first.removeprefix("worktree ")


async def hide_folder(repo: str) -> None:
    """Add the worktrees folder to `.git/info/exclude` (once)."""
    _, common = await _git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir")
    exclude = os.path.join(common, "info", "exclude")
    line = f"/{FOLDER}/"
    try:
        with open(exclude, encoding="utf-8") as f:
            if line in f.read().splitlines():
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(exclude), exist_ok=True)
    with open(exclude, "a+", encoding="utf-8") as f:
        f.seek(0)
        ends_open = (f.read()[-1:] or "\n") != "\n"
        f.write(("\n" if ends_open else "") + f"# wezmp: agents' worktrees\n{line}\n")


async def ensure_worktree(cwd: str, agent: str, settings: Any = None) -> str:
    """The agent's worktree, created when missing. `settings` is the config's `worktrees`
    section (files to copy, a setup command)."""
    repo = await main_checkout(cwd)
    path = os.path.join(repo, FOLDER, agent)
    await hide_folder(repo)
    if os.path.isdir(path):
        return path
    branch = branch_of(agent)
    # A worktree whose folder was deleted is still registered; forget it (nothing of it is
    # left to lose) so the branch can be checked out again.
    await _git(repo, "worktree", "prune")
    code, _ = await _git(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}")
    if code == 0:
        code, out = await _git(repo, "worktree", "add", path, branch)
    else:
        _, base = await _git(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
        if not base:
            _, base = await _git(repo, "rev-parse", "HEAD")
        code, out = await _git(repo, "worktree", "add", "-b", branch, path, "HEAD")
        if code == 0:
            await _git(repo, "config", f"branch.{branch}.wezmp-base", base)
    if code != 0:
        last = out.splitlines()[-1] if out else "git failed"
        raise InvalidInput(f"worktree for {agent}: {last}")
    copy_untracked(repo, path, list(getattr(settings, "copy", []) or []))
    setup = getattr(settings, "setup", None)
    if setup:
        await run_setup(path, list(setup), float(getattr(settings, "setup_timeout", 600.0)))
    return path


def copy_untracked(repo: str, path: str, patterns: list[str]) -> list[str]:
    """Copy files matching `patterns` (relative to the main checkout, globs allowed) into a
    new worktree; files the worktree already has (tracked ones) are left alone."""
    # Imported here: shutil brings the compression modules, which the daemon needs nowhere.
    import glob
    import shutil

    copied = []
    for pattern in patterns:
        for source in sorted(glob.glob(os.path.join(repo, pattern), include_hidden=True)):
            rel = os.path.relpath(source, repo)
            if rel.split(os.sep)[0] in (FOLDER, ".git"):
                continue
            target = os.path.join(path, rel)
            if os.path.lexists(target):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.isdir(source):
                shutil.copytree(source, target, symlinks=True)
            else:
                shutil.copy2(source, target, follow_symlinks=False)
            copied.append(rel)
    return copied


async def run_setup(path: str, argv: list[str], timeout: float) -> None:
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    except OSError as exc:
        raise InvalidInput(f"worktree setup {argv[0]}: {exc.strerror}") from None
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise InvalidInput(
            f"worktree setup {' '.join(argv)} did not finish within {timeout:.0f}s in {path}"
            " (the worktree is kept)"
        ) from None
    if proc.returncode:
        lines = out.decode(errors="replace").strip().splitlines()
        raise InvalidInput(
            f"worktree setup {' '.join(argv)} failed with exit {proc.returncode} in {path}"
            f" (the worktree is kept){': ' + lines[-1] if lines else ''}"
        )


@dataclass
class Holdings:
    """What removing a worktree and its branch would lose."""

    commits: list[str] = field(default_factory=list)  # "abc1234 subject", newest first
    changes: list[str] = field(default_factory=list)  # `git status --porcelain` lines

    def __bool__(self) -> bool:
        return bool(self.commits or self.changes)

    def describe(self) -> str:
        parts = []
        if self.commits:
            n = len(self.commits)
            parts.append(f"{n} commit(s) on no other branch: " + _some(self.commits))
        if self.changes:
            parts.append(f"{len(self.changes)} uncommitted change(s): " + _some(self.changes))
        return "; ".join(parts)


def _some(items: list[str]) -> str:
    more = f", and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


@dataclass
class Worktree:
    agent: str
    repo: str
    path: str
    branch: str
    base: str = ""
    exists: bool = True
    branch_exists: bool = True


async def find(repo: str, agent: str) -> Worktree:
    branch = branch_of(agent)
    path = os.path.join(repo, FOLDER, agent)
    code, _ = await _git(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}")
    _, base = await _git(repo, "config", "--get", f"branch.{branch}.wezmp-base")
    return Worktree(agent, repo, path, branch, base, os.path.isdir(path), code == 0)


async def in_repo(repo: str) -> list[Worktree]:
    """The agents' worktrees (folders or branches) of one repository."""
    names = set()
    folder = os.path.join(repo, FOLDER)
    if os.path.isdir(folder):
        names |= {n for n in os.listdir(folder) if os.path.isdir(os.path.join(folder, n))}
    _, out = await _git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/wezmp/")
    names |= {line.removeprefix("wezmp/") for line in out.splitlines() if line}
    return [await find(repo, n) for n in sorted(names)]


async def holdings(wt: Worktree) -> Holdings:
    """Commits of the branch that no other branch, tag or remote holds, and uncommitted
    changes in the folder (untracked files included, except those identical to the main
    checkout's file of the same name, such as the copies `worktrees.copy` made)."""
    found = Holdings()
    if wt.branch_exists:
        ref = f"refs/heads/{wt.branch}"
        # --single-worktree: the agent's own worktree HEAD must not count as "another ref".
        _, out = await _git(
            wt.repo, "rev-list", "--format=%h %s", "--no-commit-header", ref, "--not",
            "--single-worktree", f"--exclude={ref}", "--all",
        )  # fmt: skip
        found.commits = [line for line in out.splitlines() if line]
    if wt.exists:
        code, out = await _git(wt.path, "status", "--porcelain=v1", "--untracked-files=all")
        if code != 0:
            raise Conflict(f"worktree {wt.path}: git status failed: {out}")
        for line in out.splitlines():
            if line.startswith("?? ") and _same_as_main(wt, line[3:]):
                continue
            found.changes.append(line.strip())
    return found


def _same_as_main(wt: Worktree, rel: str) -> bool:
    import filecmp

    source, target = os.path.join(wt.repo, rel), os.path.join(wt.path, rel)
    try:
        return os.path.isfile(source) and filecmp.cmp(source, target, shallow=False)
    except OSError:
        return False


async def remove(wt: Worktree, *, force: bool = False) -> str:
    """Remove the folder and the branch. Refuses (Conflict, naming what) when they hold
    work, unless `force`. Returns what was done."""
    held = await holdings(wt)
    if held and not force:
        raise Conflict(
            f"the worktree of {wt.agent} holds work that removing it would lose — "
            f"{held.describe()}. Merge it (wezmp worktree merge {wt.agent}) or discard it "
            "(--force)"
        )
    done = []
    if wt.exists:
        # Checked above (copies of the main checkout's files aside), hence --force here.
        code, out = await _git(wt.repo, "worktree", "remove", "--force", wt.path)
        if code != 0:
            raise Conflict(f"git worktree remove {wt.path}: {out}")
        done.append(f"removed {wt.path}")
    if wt.branch_exists:
        code, out = await _git(wt.repo, "branch", "-D", wt.branch)
        if code != 0:
            raise Conflict(f"git branch -D {wt.branch}: {out}")
        done.append(f"deleted branch {wt.branch}")
    if held:
        done.append(f"discarded {held.describe()}")
    return "; ".join(done) or "nothing to remove"


async def merge(wt: Worktree) -> dict[str, Any]:
    """Merge the agent's branch into the branch it started from (checked out in the main
    checkout), then remove the worktree and the branch. Nothing is removed unless the merge
    went through cleanly."""
    held = await holdings(wt)
    if held.changes:
        raise Conflict(
            f"the worktree of {wt.agent} has {len(held.changes)} uncommitted change(s): "
            f"{_some(held.changes)}; commit or discard them first"
        )
    merged = 0
    if held.commits:
        _, current = await _git(wt.repo, "symbolic-ref", "--quiet", "--short", "HEAD")
        target = wt.base or current
        if not current or current != target:
            raise Conflict(
                f"{wt.branch} started from {target or 'a detached HEAD'}, but the main checkout"
                f" {wt.repo} is on {current or 'a detached HEAD'}: check out {target} there first"
            )
        code, out = await _git(wt.repo, "merge", "--no-edit", wt.branch)
        if code != 0:
            conflicted = await _conflicted(wt.repo)
            if (await _git(wt.repo, "rev-parse", "-q", "--verify", "MERGE_HEAD"))[0] == 0:
                await _git(wt.repo, "merge", "--abort")
            said = " ".join(x.strip() for x in out.splitlines() if x.strip() != "Aborting")
            what = f"conflicts in {_some(conflicted)}" if conflicted else said
            raise Conflict(
                f"merging {wt.branch} into {target}: {what}; nothing was changed and the "
                "worktree is kept"
            )
        merged = len(held.commits)
    done = await remove(wt)
    return {"agent": wt.agent, "merged": merged, "into": wt.base, "done": done}


async def _conflicted(repo: str) -> list[str]:
    _, out = await _git(repo, "diff", "--name-only", "--diff-filter=U")
    return [line for line in out.splitlines() if line]
