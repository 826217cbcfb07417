"""A git worktree per agent (`worktree: true`), so agents do not edit each other's files."""

from __future__ import annotations

import asyncio
import os

from wezmp_tui.errors import InvalidInput


async def _git(cwd: str, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        "git", *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace").strip()


async def ensure_worktree(cwd: str, agent: str) -> str:
    """`<repo>/.wezmp-worktrees/<agent>` on branch `wezmp/<agent>`, created when missing
    (an existing one is reused as it is, uncommitted work included)."""
    code, top = await _git(cwd, "rev-parse", "--show-toplevel")
    if code != 0:
        raise InvalidInput(f"worktree: {cwd} is not inside a git repository")
    path = os.path.join(top, ".wezmp-worktrees", agent)
    if os.path.isdir(path):
        return path
    code, out = await _git(top, "worktree", "add", "-B", f"wezmp/{agent}", path)
    if code != 0:
        raise InvalidInput(f"worktree for {agent}: {out.splitlines()[-1] if out else 'git failed'}")
    return path
