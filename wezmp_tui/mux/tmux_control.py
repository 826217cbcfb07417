"""A tmux client in control mode, kept attached, for the reads the daemon makes every tick.

With 256 agents the pane list and the screens took two or three `tmux` processes a second,
about a fifth of the daemon's CPU: a tmux client costs ~3 ms to start, run and reap. A client
in control mode (`tmux -C`) reads command lines on its stdin and answers each between a
`%begin` line and an `%end` (or `%error`) line that carry the same time, number and flags,
so these reads need no process at all.

Control mode needs a session to attach to. The client asks tmux to leave window sizes to
the other clients and to send it no pane output (`-f ignore-size,no-output`); the backend
never lets a `switch-client` move it (it names the person's client). When its session
closes, tmux detaches it and the next read starts another. Where none can start (no server
or no session yet, a tmux before 3.2) the reads run `tmux` as before; a start that failed
is tried again `RETRY_SECONDS` later, not on every read.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence

RETRY_SECONDS = 30.0
ANSWER_TIMEOUT = 10.0  # as long as a tmux process is given
# The longest answer taken; a longer one ends the client (reads fall back to processes).
ANSWER_LIMIT = 1 << 26


def command_line(args: Sequence[str]) -> str:
    """`args` as one line of tmux's command language: every word single-quoted, inside
    which tmux expands nothing (no `$`, `~`, `;` or braces)."""
    return " ".join("'" + a.replace("'", "'\\''") + "'" for a in args)


class ControlClient:
    def __init__(self, argv: Sequence[str], clock: Callable[[], float] = time.monotonic) -> None:
        self.argv = list(argv)  # tmux with its global options, before the command
        self.clock = clock
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: deque[asyncio.Future[tuple[bool, str]]] = deque()
        self._attached = False
        self._retry_at = float("-inf")
        self._starting = asyncio.Lock()
        self.started = 0  # control clients started
        self.ended = 0  # and ended (detached, killed, or never attached)

    @property
    def up(self) -> bool:
        # Its reader, not its exit status: the reader ends as the client's output does,
        # and a command written after that would wait for an answer that never comes.
        return self._reader is not None and not self._reader.done()

    async def run(self, args: Sequence[str]) -> tuple[bool, str] | None:
        """(succeeded, output or error) of one tmux command; None when no control client
        can answer it (the caller runs tmux itself)."""
        if any("\n" in a or "\r" in a for a in args):
            return None  # a newline would end the command line
        proc = await self._ensure()
        if proc is None or proc.stdin is None:
            return None
        answer: asyncio.Future[tuple[bool, str]] = asyncio.get_running_loop().create_future()
        self._waiting.append(answer)
        try:
            proc.stdin.write((command_line(args) + "\n").encode())
            return await asyncio.wait_for(asyncio.shield(answer), ANSWER_TIMEOUT)
        except TimeoutError:
            await self.close()  # stuck: answers would no longer match their commands
            return None
        except (ConnectionError, _Lost):
            return None

    async def _ensure(self) -> asyncio.subprocess.Process | None:
        if self.up:
            return self._proc
        if self.clock() < self._retry_at:
            return None
        async with self._starting:
            if self.up:
                return self._proc
            await self._reap()
            try:
                proc = await asyncio.create_subprocess_exec(
                    *self.argv, "-C", "attach-session", "-f", "ignore-size,no-output",
                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
            except OSError:
                self._retry_at = self.clock() + RETRY_SECONDS
                return None
            self._proc, self._attached = proc, False
            self.started += 1
            self._reader = asyncio.create_task(self._read(proc))
            return proc

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        """Hand each answer to the command waiting for it, in order; skip notifications.
        A screen is hundreds of lines: a block is found whole by its closing guard, not
        read line by line."""
        assert proc.stdout is not None
        buf = bytearray()
        guard: bytes | None = None  # b"time number flags" of the block being read
        ends: tuple[bytes, bytes] = (b"", b"")
        body = 0  # where the block's output starts in `buf`
        try:
            while chunk := await proc.stdout.read(1 << 16):
                buf += chunk
                pos = 0
                while True:
                    if guard is None:
                        nl = buf.find(b"\n", pos)
                        if nl < 0:
                            break
                        line, pos = bytes(buf[pos:nl]), nl + 1
                        if line.startswith(b"%begin "):  # else a notification
                            guard, body = line[7:], pos
                            ends = (b"\n%end " + guard + b"\n", b"\n%error " + guard + b"\n")
                        continue
                    # The guard line closes the block: search from the begin line's end,
                    # so an answer with no output is found too.
                    found = [(i, end) for end in ends if (i := buf.find(end, body - 1)) >= 0]
                    if not found:
                        break
                    at, end = min(found)
                    self._answer(guard, end.startswith(b"\n%end"), bytes(buf[body : at + 1]))
                    guard, pos = None, at + len(end)
                # Keep an open block from the newline before its output: its closing
                # guard is searched for from there.
                cut = pos if guard is None else body - 1
                del buf[:cut]
                body -= cut
                if len(buf) > ANSWER_LIMIT:
                    break  # no answer this long: not a client we understand
        except OSError:
            pass  # the pipe broke: the client is dropped
        finally:
            self.ended += 1
            if not self._attached:
                self._retry_at = self.clock() + RETRY_SECONDS
            self._fail_waiting()
            with contextlib.suppress(ProcessLookupError):
                proc.kill()

    def _answer(self, guard: bytes, ok: bool, output: bytes) -> None:
        if guard.endswith(b" 1"):  # a command of ours
            if self._waiting:
                answer = self._waiting.popleft()
                if not answer.done():
                    answer.set_result((ok, output.decode(errors="replace")))
        else:  # flags 0: the attach itself
            self._attached = ok

    def _fail_waiting(self) -> None:
        waiting, self._waiting = self._waiting, deque()
        for answer in waiting:
            if not answer.done():
                answer.set_exception(_Lost())
                # Nobody may await it any more (a timeout): mark the exception retrieved.
                answer.exception()

    async def _reap(self) -> None:
        proc, self._proc = self._proc, None
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            # Both pipes closed and the process reaped: its transport is done with then,
            # not left for the garbage collector (after the loop, it would fail there).
            if proc.stdin is not None:
                proc.stdin.close()
            if proc.stdout is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(proc.stdout.read(), 2.0)
            await proc.wait()

    async def close(self) -> None:
        """Detach: tmux ends the client when its input closes (no session is touched)."""
        proc = self._proc
        if proc is not None and proc.stdin is not None and proc.returncode is None:
            proc.stdin.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 2.0)
        await self._reap()
        self._fail_waiting()


class _Lost(Exception):
    """The control client ended before it answered."""
