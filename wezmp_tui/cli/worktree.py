"""`wezmp worktree list|prune|merge`: the agents' git worktrees."""

from __future__ import annotations

import click

from wezmp_tui.cli.common import call, emit_json, handle_errors


@click.group()
def worktree() -> None:
    """Agents' git worktrees (agents with `worktree: true`)."""


@worktree.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def list_(as_json: bool) -> None:
    """Every agent worktree and the work it holds."""
    items = call("worktree.list")
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("no agent worktrees")
        return
    for w in items:
        held = f"{len(w['commits'])} commit(s), {len(w['changes'])} change(s)"
        where = w["path"] if w["exists"] else "(no folder)"
        click.echo(f"{w['agent']:<16} {w['branch'] or '-':<24} from {w['base'] or '?':<12} "
                   f"{held:<26} {where}")  # fmt: skip


@worktree.command()
@click.option("--dry-run", is_flag=True, help="Say what would be removed.")
@handle_errors
def prune(dry_run: bool) -> None:
    """Remove the worktrees of stopped agents that hold no work; keep the others."""
    result = call("worktree.prune", dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for r in result["removed"]:
        click.echo(f"{verb} {r['agent']}: {r['path']}")
    for k in result["kept"]:
        click.echo(f"kept {k['agent']}: {k['reason']}")
    if not result["removed"] and not result["kept"]:
        click.echo("no agent worktrees")


@worktree.command()
@click.argument("agent")
@handle_errors
def merge(agent: str) -> None:
    """Merge a stopped agent's branch into the branch it started from, then remove its
    worktree (only when the merge is clean)."""
    r = call("worktree.merge", name=agent)
    what = f"merged {r['merged']} commit(s) into {r['into']}" if r["merged"] else "nothing to merge"
    click.echo(f"{agent}: {what}; {r['done']}")
