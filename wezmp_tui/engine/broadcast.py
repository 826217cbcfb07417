"""Many panes at once: broadcast a line, named pane groups, and pane-to-pane copies.

Targets are resolved from the pane tick's view and the supervisor's agents. Every send goes out
concurrently and a failure on one pane is reported, never allowed to stop the others.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import msgspec

from wezmp_tui.engine.api import api
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import InvalidInput, NotFound
from wezmp_tui.store.groups import PaneGroupStore

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

# A line that looks like a shell prompt, for "the output of the last command" when the shell
# does not mark it: an optional `(venv) `, then `user@host:path`, a word and a space, or a bare
# word right before `$`/`#`, then the prompt character and a space (or the line's end).
# Output such as "50% done" must not match. Callers can pass their own regex.
DEFAULT_PROMPT = (
    r"^(?:\([^)]*\)\s)?(?:[\w.-]+@[\w.-]+(?::\S*)?\s?|\S*\s|[\w.-]+(?=[$#]))?"
    r"[$#%❯➜»](?: |$)"
)
MAX_SEND_LINES = 2000


class SendFailure(msgspec.Struct, kw_only=True):
    pane_id: str
    error: str


class BroadcastResult(msgspec.Struct, kw_only=True):
    sent: list[str]
    failed: list[SendFailure]


class CopyResult(msgspec.Struct, kw_only=True):
    source: str
    target: str
    lines: int
    chars: int


class BroadcastService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.groups = PaneGroupStore(engine.db)
        self.panes = engine.get(PaneService)
        self.supervisor = engine.get(Supervisor)

    # -- groups -------------------------------------------------------------------------

    @api("group.add")
    async def group_add(self, group: str, panes: list[str], workspace: str = "") -> list[str]:
        """Put panes in a named group (layouts do this for panes with `group:`)."""
        if not group.strip():
            raise InvalidInput("a group needs a name")
        self.groups.add(group, panes, workspace)
        return self.groups.panes(group)

    @api("group.remove")
    async def group_remove(self, group: str, panes: list[str] | None = None) -> list[str]:
        """Take panes out of a group (all of them when `panes` is omitted)."""
        self.groups.remove(group, panes)
        return self.groups.panes(group)

    @api("group.list")
    async def group_list(self) -> dict[str, list[str]]:
        """Every group with its pane ids."""
        return self.groups.groups()

    # -- broadcast ----------------------------------------------------------------------

    @api("broadcast.send")
    async def broadcast(
        self,
        text: str,
        workspace: str | None = None,
        group: str | None = None,
        agents_only: bool = False,
        panes: list[str] | None = None,
        exclude: list[str] | None = None,
        enter: bool = True,
    ) -> BroadcastResult:
        """Send a line to a set of panes: paste, then Enter, per pane. Reports failures."""
        targets = await self.targets(
            workspace=workspace, group=group, agents_only=agents_only, panes=panes
        )
        targets = [p for p in targets if p not in set(exclude or ())]
        if not targets:
            raise NotFound(_no_target_message(workspace, group, agents_only))
        result = await self.send_many(targets, text, paste=True, enter=enter)
        self.engine.bus.publish(
            "broadcast.sent",
            {"panes": result.sent, "failed": [f.pane_id for f in result.failed]},
        )
        return result

    @api("broadcast.keys")
    async def keys(self, panes: list[str], text: str) -> BroadcastResult:
        """Raw keystrokes to several panes (the TUI's sync-input mode)."""
        return await self.send_many(panes, text, paste=False, enter=False)

    async def send_many(
        self, panes: Iterable[str], text: str, *, paste: bool, enter: bool
    ) -> BroadcastResult:
        panes = list(dict.fromkeys(panes))
        mux = self.engine.mux

        async def one(pane_id: str) -> str | None:
            try:
                await mux.send_text(pane_id, text, paste=paste, enter=enter)
            except Exception as exc:  # every failure is reported per pane
                return str(exc) or type(exc).__name__
            return None

        errors = await asyncio.gather(*(one(p) for p in panes))
        return BroadcastResult(
            sent=[p for p, e in zip(panes, errors, strict=True) if e is None],
            failed=[
                SendFailure(pane_id=p, error=e)
                for p, e in zip(panes, errors, strict=True)
                if e is not None
            ],
        )

    async def targets(
        self,
        *,
        workspace: str | None = None,
        group: str | None = None,
        agents_only: bool = False,
        panes: list[str] | None = None,
    ) -> list[str]:
        """Pane ids matching every filter given (all panes when none is)."""
        live = await self.panes.list_panes()
        chosen = [p.pane_id for p in live]
        if panes is not None:
            wanted = set(panes)
            chosen = [p for p in chosen if p in wanted]
        if workspace is not None:
            in_ws = {p.pane_id for p in live if p.workspace == workspace}
            chosen = [p for p in chosen if p in in_ws]
        if group is not None:
            members = set(self.groups.panes(group))
            if not members:
                raise NotFound(f"no pane group named {group!r}")
            chosen = [p for p in chosen if p in members]
        if agents_only:
            agent_panes = {a.pane_id for a in self.supervisor.agents_in(None) if a.pane_id}
            chosen = [p for p in chosen if p in agent_panes]
        return chosen

    # -- pane to pane -------------------------------------------------------------------

    @api("send.copy")
    async def copy(
        self,
        source: str,
        target: str,
        lines: int | None = None,
        last_output: bool = False,
        prompt_regex: str | None = None,
        enter: bool = False,
    ) -> CopyResult:
        """Paste a pane's text (last N lines, or its last command's output) into another pane.

        `source` and `target` are pane ids or agent names."""
        if lines is not None and not 0 < lines <= MAX_SEND_LINES:
            raise InvalidInput(f"lines must be between 1 and {MAX_SEND_LINES}")
        src = await self.resolve_pane(source)
        dst = await self.resolve_pane(target)
        if src == dst:
            raise InvalidInput("source and target are the same pane")
        grab = lines if lines is not None else 200
        text = await self.engine.mux.get_text(src, lines=grab)
        body = text.splitlines()
        if last_output:
            try:
                prompt = re.compile(prompt_regex or DEFAULT_PROMPT)
            except re.error as exc:
                raise InvalidInput(f"prompt_regex: {exc}") from None
            body = last_command_output(body, prompt)
        while body and not body[-1].strip():
            body.pop()
        if not body:
            raise NotFound(f"pane {source} has no text to send")
        payload = "\n".join(body)
        await self.engine.mux.send_text(dst, payload, paste=True, enter=enter)
        return CopyResult(source=src, target=dst, lines=len(body), chars=len(payload))

    async def resolve_pane(self, ref: str) -> str:
        """A pane id for `ref`, which is a live pane id or an agent's name."""
        agent = self.supervisor.agents.get(ref)
        if agent is not None:
            if not agent.info.pane_id:
                raise NotFound(f"agent {ref} has no pane (is it running?)")
            return agent.info.pane_id
        if ref in {p.pane_id for p in await self.panes.list_panes()}:
            return ref
        raise NotFound(f"no pane or agent named {ref!r}")


def last_command_output(lines: list[str], prompt: re.Pattern[str]) -> list[str]:
    """The lines between the last two prompt lines (the last command's output).

    The final prompt is usually the empty one waiting for input; the one before it holds the
    command whose output we want. With a single prompt line, everything after it."""
    marks = [i for i, line in enumerate(lines) if prompt.match(line.rstrip())]
    if not marks:
        return lines
    last = marks[-1]
    if (
        last == len(lines) - 1
        or not lines[last + 1 :]
        or all(not s.strip() for s in lines[last + 1 :])
    ):
        # Trailing prompt: output sits between the previous prompt and this one.
        if len(marks) >= 2:
            return lines[marks[-2] + 1 : last]
        return lines[:last]
    return lines[last + 1 :]


def _no_target_message(workspace: str | None, group: str | None, agents_only: bool) -> str:
    parts = []
    if agents_only:
        parts.append("agent panes")
    else:
        parts.append("panes")
    if workspace:
        parts.append(f"in workspace {workspace}")
    if group:
        parts.append(f"in group {group}")
    return "no " + " ".join(parts) + " to send to"
