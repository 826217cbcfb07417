"""The `Mux` contract every backend implements, and its typed errors.

Everything wezmp does to panes goes through these methods. A backend never lets a bare
`OSError` or `subprocess` error escape: it raises one of the errors below, so the engine can
tell "that pane is gone" from "the multiplexer is not running" from "the command failed".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from wezmp_tui.errors import WezmpError, register_error
from wezmp_tui.model.panes import PaneInfo, SplitDirection, ZoomMode
from wezmp_tui.procfs import ProcessSource


@register_error
class MuxError(WezmpError):
    code = -32030


@register_error
class PaneNotFound(MuxError):
    code = -32031

    def __init__(self, pane_id: str, message: str | None = None) -> None:
        super().__init__(message or f"no such pane {pane_id}", data={"pane_id": pane_id})
        self.pane_id = pane_id


@register_error
class MuxUnavailable(MuxError):
    """The backend cannot be reached at all; the message says what to do about it."""

    code = -32032


@register_error
class MuxCommandFailed(MuxError):
    code = -32033

    def __init__(
        self, argv: Sequence[str], returncode: int, stderr: str, detail: str | None = None
    ) -> None:
        cmd = " ".join(argv)
        if not detail:
            detail = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        detail = detail or f"exit status {returncode}"
        super().__init__(
            f"{cmd}: {detail}",
            data={"argv": list(argv), "returncode": returncode, "stderr": stderr},
        )
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr


@register_error
class NoDomains(MuxError):
    """A domain was named on a backend that has none."""

    code = -32034

    def __init__(self, backend: str, domain: str) -> None:
        super().__init__(
            f"domain {domain!r}: domains are WezTerm's (its SSH, TLS and unix domains); the "
            f"{backend} backend has none. Run wezmp inside WezTerm or with --backend wezterm.",
            data={"backend": backend, "domain": domain},
        )


@runtime_checkable
class Mux(Protocol):
    """Async pane operations. `name` is `wezterm`, `tmux` or `local`."""

    name: str
    # Where the backend gets the process table for `PaneInfo.pids` (the daemon's shared one,
    # or a fresh read each time).
    processes: ProcessSource

    async def list_panes(self) -> list[PaneInfo]:
        """Every pane, in one call to the multiplexer (one `wezterm cli list` per call)."""
        ...

    async def spawn(
        self,
        *,
        workspace: str,
        cwd: str | None = None,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        domain: str | None = None,
    ) -> str:
        """A new tab running `argv` (the default shell when None) in `workspace`, creating the
        workspace (a new window) when it has none yet. Returns the new pane id. `domain` names
        a WezTerm domain (an SSH host, say) to run it in: only the wezterm backend has
        domains; the others raise `NoDomains`."""
        ...

    async def split(
        self,
        pane_id: str,
        *,
        direction: SplitDirection = "right",
        percent: int | None = None,
        cells: int | None = None,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        top_level: bool = False,
    ) -> str:
        """Split `pane_id`; the new pane takes `percent` % (default 50) or `cells` cells on the
        `direction` side. Returns the new pane id."""
        ...

    async def respawn(
        self,
        pane_id: str,
        *,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        """Run `argv` in the pane in place of what runs there (which is ended, as closing the
        pane would end it): an agent started again comes back where it was, never in a new
        tab. Returns the pane id: the same one, or on WezTerm (which cannot restart a pane's
        program) that of the pane that took the old one's place."""
        ...

    async def send_text(
        self, pane_id: str, text: str, *, paste: bool = True, enter: bool = False
    ) -> None:
        """Type `text` into the pane: as a (bracketed, if enabled) paste, or raw keystrokes
        when `paste` is False. `enter` then sends a carriage return on its own, which is what
        submits a prompt in agent UIs (a newline inside a paste does not)."""
        ...

    async def send_keys(self, pane_id: str, keys: Sequence[str]) -> None:
        """Press named keys in the pane, in order: canonical names of `model/keys.py`
        (`Down`, `Enter`, `Esc`, `ctrl-c`, or one character). A lone Esc reaches the program
        apart from what follows it, so it is not read as Alt+key."""
        ...

    async def get_text(self, pane_id: str, *, lines: int | None = None) -> str:
        """Plain text of the pane as a person sees it: the visible screen, or its last `lines`
        lines (reaching into scrollback when `lines` exceeds the screen). Trailing blanks of
        each line are stripped."""
        ...

    async def get_texts(
        self, pane_ids: Sequence[str], *, lines: int | None = None
    ) -> dict[str, str | MuxError]:
        """`get_text` of many panes at once (the state tick's batch): each pane's text, or
        the error reading it gave. tmux answers in one command; the others loop."""
        ...

    async def output_times(self) -> dict[str, float]:
        """When each pane last had output, as wall-clock seconds, for the panes the backend
        knows it of at no cost (a pane missing: unknown); a time no earlier than the output
        (tmux keeps whole seconds: the end of that second). The state tick reads a screen
        again only when it had output since the last read; where that is unknown, when the
        pane's processes wrote something."""
        ...

    async def activate_pane(self, pane_id: str) -> None: ...

    async def kill_pane(self, pane_id: str) -> None: ...

    async def set_tab_title(self, pane_id: str, title: str) -> None: ...

    async def set_pane_title(self, pane_id: str, title: str) -> None:
        """The pane's own title, control characters dropped (tmux `select-pane -T`; elsewhere
        the OSC 2 title escape, which the pane's program may replace later)."""
        ...

    async def rename_workspace(self, old: str, new: str) -> None: ...

    async def zoom_pane(self, pane_id: str, mode: ZoomMode = "zoom") -> None: ...

    async def switch_workspace(self, name: str) -> None:
        """Bring `name` to the front where the backend can: WezTerm has no CLI for it, so the
        wezterm backend writes an OSC 1337 `SetUserVar=wezmp_switch_workspace=<base64 name>`
        to the tty of the pane each GUI has focused and wezmp's Lua module switches; tmux runs
        `switch-client`; local records it as the current workspace."""
        ...

    async def close(self) -> None:
        """Release what the backend holds (the local backend kills its panes)."""
        ...


@runtime_checkable
class OutputCapture(Protocol):
    """A backend that can keep everything a pane's program writes, as it is written."""

    async def capture_output(self, pane_id: str, path: Path | None) -> None:
        """Append the pane's output to `path` from now on, instead of any earlier file; None
        stops."""


def printable(title: str) -> str:
    """A title without control characters (they could end or start an escape sequence)."""
    return "".join(ch for ch in title if ch.isprintable())


# Pause after a lone Esc so the program reads it apart from the next key.
ESC_GAP = 0.05


def key_chunks(keys: Sequence[str]) -> list[list[str]]:
    """Keys split after each Esc: each chunk goes to the pane in one write."""
    chunks: list[list[str]] = [[]]
    for k in keys:
        chunks[-1].append(k)
        if k == "Esc":
            chunks.append([])
    return [c for c in chunks if c]


def tidy_text(raw: str, lines: int | None) -> str:
    """A pane's captured text as `get_text` promises it: trailing blanks of each line and
    trailing blank lines stripped, then its last `lines` lines."""
    rows = [r.rstrip() for r in raw.split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    if lines is not None:
        rows = rows[-lines:]
    return "\n".join(rows)


async def get_each(
    mux: Mux, pane_ids: Sequence[str], lines: int | None
) -> dict[str, str | MuxError]:
    """`get_texts` for a backend with no batch command: one `get_text` per pane, at once."""
    import asyncio

    async def one(pane_id: str) -> str | MuxError:
        try:
            return await mux.get_text(pane_id, lines=lines)
        except MuxError as exc:
            return exc

    texts = await asyncio.gather(*(one(p) for p in pane_ids))
    return dict(zip(pane_ids, texts, strict=True))
