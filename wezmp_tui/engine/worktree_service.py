"""`worktree.*`: the agents' git worktrees listed, pruned, merged back and removed, never
losing a commit or an uncommitted change without being told to."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any

from wezmp_tui.engine import worktrees
from wezmp_tui.engine.api import api
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.engine.workspaces import WorkspaceService
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.model.agents import STOPPED_STATES

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine


class WorktreeService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.supervisor = engine.get(Supervisor)
        self.workspaces = engine.get(WorkspaceService)

    def _places(self, name: str | None = None) -> list[str]:
        """Directories an agent's repository may be found from: where it runs, its cwd, its
        workspace's root (every agent's, or one's)."""
        roots = {w.name: w.root for w in self.workspaces.records()}
        places = []
        for agent in self.supervisor.agents.values():
            if name is not None and agent.name != name:
                continue
            spec, info = agent.spec, agent.info
            places += [info.cwd, spec.cwd or ""]
            places.append(roots.get(spec.workspace or info.workspace, ""))
        if name is None:
            places += list(roots.values())
        return [os.path.expanduser(p) for p in dict.fromkeys(places) if p and os.path.isdir(p)]

    async def _repos(self, name: str | None = None) -> list[str]:
        repos = []
        for place in self._places(name):
            with contextlib.suppress(InvalidInput):
                repos.append(await worktrees.main_checkout(place))
        return list(dict.fromkeys(repos))

    async def _find(self, name: str) -> worktrees.Worktree:
        for repo in await self._repos(name) + await self._repos():
            wt = await worktrees.find(repo, name)
            if wt.exists or wt.branch_exists:
                return wt
        raise NotFound(f"no worktree for agent {name!r} (see: wezmp worktree list)")

    def _running(self, name: str) -> bool:
        agent = self.supervisor.agents.get(name)
        return agent is not None and agent.info.state not in STOPPED_STATES

    @api("worktree.list")
    async def list_worktrees(self) -> list[dict[str, Any]]:
        """Every agent worktree: folder, branch, the branch it started from, and how many
        commits (on no other branch) and uncommitted changes it holds."""
        out = []
        for repo in await self._repos():
            for wt in await worktrees.in_repo(repo):
                held = await worktrees.holdings(wt)
                agent = self.supervisor.agents.get(wt.agent)
                out.append(
                    {
                        "agent": wt.agent, "repo": wt.repo, "path": wt.path,
                        "branch": wt.branch if wt.branch_exists else None, "base": wt.base,
                        "exists": wt.exists, "commits": held.commits, "changes": held.changes,
                        "agent_state": agent.info.state if agent else None,
                    }
                )  # fmt: skip
        return out

    @api("worktree.prune")
    async def prune(self, dry_run: bool = False) -> dict[str, Any]:
        """Remove the worktrees (and branches) of stopped or forgotten agents that hold
        nothing; keep the others, saying why."""
        removed, kept = [], []
        for repo in await self._repos():
            for wt in await worktrees.in_repo(repo):
                if self._running(wt.agent):
                    kept.append({"agent": wt.agent, "path": wt.path, "reason": "its agent runs"})
                    continue
                held = await worktrees.holdings(wt)
                if held:
                    kept.append({"agent": wt.agent, "path": wt.path, "reason": held.describe()})
                    continue
                if not dry_run:
                    await worktrees.remove(wt)
                removed.append({"agent": wt.agent, "path": wt.path})
        return {"removed": removed, "kept": kept, "dry_run": dry_run}

    @api("worktree.merge")
    async def merge(self, name: str) -> dict[str, Any]:
        """Merge a stopped agent's branch into the branch it started from and remove its
        worktree, in one step; nothing is removed unless the merge is clean."""
        if self._running(name):
            raise Conflict(f"agent {name} is running; stop it before merging its work")
        return await worktrees.merge(await self._find(name))

    @api("worktree.remove")
    async def remove(self, name: str, force: bool = False, forget: bool = False) -> dict[str, Any]:
        """Remove a stopped agent's worktree and branch (refused, naming what would be lost,
        when they hold work, unless `force`); `forget` also removes the agent's definition."""
        if self._running(name):
            raise Conflict(f"agent {name} is running; stop it first")
        if forget:
            self.supervisor.get(name)
            every = self.supervisor.agents.values()
            dependents = sorted(a.name for a in every if name in a.spec.depends_on)
            if dependents:
                raise Conflict(f"other agents depend on {name}: {', '.join(dependents)}")
        try:
            done = await worktrees.remove(await self._find(name), force=force)
        except NotFound:
            if not forget:
                raise
            done = "it had no worktree"
        if forget:
            await self.supervisor.remove(name)
        return {"agent": name, "done": done, "forgotten": forget}
