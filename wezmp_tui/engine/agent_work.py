"""What an agent does with the board by itself (through `wezmp mcp`, or a person through the
CLI): comment on a task, claim the next one, report it done or blocked, log time.

Built from the board's and the timer's own operations, so a task an agent claims is moved,
timed and recorded exactly as one a person moves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from wezmp_tui.engine.api import api
from wezmp_tui.engine.board import BoardService
from wezmp_tui.engine.timetrack import TimeService
from wezmp_tui.errors import InvalidInput
from wezmp_tui.model.board import TaskInfo, TimeEntry

if TYPE_CHECKING:
    from wezmp_tui.engine.facade import Engine

BLOCKED_TAG = "blocked"


class AgentWorkService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def board(self) -> BoardService:
        return self.engine.get(BoardService)

    @property
    def timer(self) -> TimeService:
        return self.engine.get(TimeService)

    def _doing(self) -> str:
        return str(getattr(getattr(self.engine.config, "queue", None), "doing_column", "Doing"))

    @api("task.comment")
    async def comment(self, id: int, text: str, by: str | None = None) -> dict[str, Any]:
        """Add a comment to a task's history."""
        if not text.strip():
            raise InvalidInput("text: must not be empty")
        self.board.task(id)  # an unknown task is an error
        self.board.history(id, "comment", text=text.strip(), by=by or "you")
        self.engine.bus.publish("task.changed", {"task_id": id, "fields": ["history"]})
        return {"task_id": id, "text": text.strip(), "by": by or "you"}

    @api("task.claim")
    async def claim(self, agent: str, board: str | None = None) -> TaskInfo | None:
        """The most urgent open task, not yet started, that no other agent is meant for:
        now `agent`'s, in the doing column with its timer running. None when there is none."""
        if not agent.strip():
            raise InvalidInput("agent: must not be empty")
        doing = self._doing()
        for task in await self.board.next_tasks(board, limit=1000):
            columns = self.board.columns(task.board)
            waiting = columns[: columns.index(doing)] if doing in columns else columns[:-1]
            if task.column not in waiting or task.assigned is not None:
                continue
            if task.agent not in (None, "auto", agent):
                continue
            await self.board.edit(task.id, agent=agent)
            await self.board.move(task.id, column=doing)
            await self.timer.start_timer(task.id, note=f"agent {agent}", exclusive=False)
            self.board.history(task.id, "claimed", by=agent)
            return self.board.task(task.id)
        return None

    @api("task.report")
    async def report(
        self,
        id: int,
        outcome: Literal["done", "blocked"],
        note: str = "",
        by: str | None = None,
    ) -> TaskInfo:
        """The task is done (to the last column), or blocked (tagged `blocked`, with the note
        saying on what, where a person sees it); its timer stops either way."""
        self.board.task(id)
        if note.strip():
            await self.comment(id, note, by)
        self.timer.stop_task(id)
        if outcome == "done":
            await self.board.edit(id, remove_tags=[BLOCKED_TAG], note=note.strip())
            return await self.board.done(id)
        return await self.board.edit(id, add_tags=[BLOCKED_TAG], note=note.strip())

    @api("time.log")
    async def log_time(
        self, task_id: int, minutes: float, note: str = "", by: str | None = None
    ) -> TimeEntry:
        """Time spent on a task, ending now (work done outside a running timer)."""
        if not 0 < minutes <= 24 * 60:
            raise InvalidInput(f"minutes: expected more than 0 and at most a day, not {minutes}")
        self.board.task(task_id)
        end = self.engine.clock.now()
        text = note.strip() or (f"agent {by}" if by else "")
        return self.timer.add_entry(task_id, end - minutes * 60, end, text)


