"""The `Mux` contract over tmux: workspace = session, tab = window, pane = pane.

Every command runs as `tmux -L SOCKET -f /dev/null …`: wezmp's tmux server has its own socket,
so it never touches the user's own tmux sessions, and the user's tmux.conf cannot change the
behaviour the contract promises.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from wezmp_tui.model.keys import tmux_key
from wezmp_tui.model.panes import PaneInfo, SplitDirection, ZoomMode
from wezmp_tui.mux.base import (
    ESC_GAP,
    MuxCommandFailed,
    MuxError,
    MuxUnavailable,
    NoDomains,
    PaneNotFound,
    get_each,
    key_chunks,
    printable,
    tidy_text,
)
from wezmp_tui.mux.proc import run
from wezmp_tui.mux.tmux_control import ControlClient
from wezmp_tui.procfs import FreshTable, ProcessSource, pids_by_tty

# Unit separator: cannot appear in titles or paths typed by a person.
SEP = "\x1f"
FIELDS = (
    "pane_id",
    "window_id",
    "session_name",
    "pane_title",
    "pane_current_path",
    "pane_tty",
    "pane_height",
    "pane_width",
    "pane_active",
    "window_active",
    "window_zoomed_flag",
    "window_name",
    "session_id",
    "pane_left",
    "pane_top",
    "automatic-rename",
)
FORMAT = SEP.join("#{" + f + "}" for f in FIELDS)
_NO_SERVER = re.compile(r"no server running|error connecting to|failed to connect", re.I)
# A server whose last session just closed answers these while it exits: no panes either.
_NO_SESSIONS = re.compile(r"no current target|server exited unexpectedly|lost server", re.I)
_NO_PANE = re.compile(r"can't find pane|can't find window|can't find session", re.I)
# Bytes of arguments in one batched tmux command: tmux refuses a command line over 16 KiB
# (its imsg limit, argument framing included); this leaves room for the framing.
_BATCH_BYTES = 12_000
ADVICE = "Install tmux (apt-get install tmux) or choose another backend."
# Commands that only read, sent through the control client when one is attached.
CONTROL_READS = frozenset({"list-panes", "capture-pane"})


class TmuxMux:
    name = "tmux"

    def __init__(
        self, socket_name: str = "wezmp", executable: str = "tmux", *, control: bool = False
    ) -> None:
        """`control`: the pane list and screens are read through one tmux client in control
        mode (`tmux_control`), not a tmux process each; the daemon's backend has it."""
        self.socket_name = socket_name
        self.executable = executable
        self.processes: ProcessSource = FreshTable()
        self._current: str | None = None
        self.control = ControlClient(self._argv()) if control else None
        # The last pane list had panes: a control client has a session to attach to. After
        # a client ends, a tmux process lists them first (the server may be gone: a client
        # started then would start a server of its own only to fail).
        self._has_panes = False
        self._ended_seen = 0

    def _argv(self, *args: str) -> list[str]:
        return [self.executable, "-L", self.socket_name, "-f", "/dev/null", *args]

    async def _run(self, args: Sequence[str]) -> tuple[int, str, str]:
        """(status, stdout, stderr) of one tmux command: a read through the control client
        when one is attached or can be, anything else (or a read it cannot answer) by a
        tmux process."""
        control = self.control
        if control is not None and control.ended != self._ended_seen:
            self._ended_seen, self._has_panes = control.ended, False
        if control is not None and self._has_panes and args[0] in CONTROL_READS:
            answer = await control.run(args)
            if answer is not None:
                ok, text = answer
                return (0, text, "") if ok else (1, "", text)
        return await run(self._argv(*args), missing_advice=ADVICE)

    async def _tmux(self, *args: str, pane_id: str | None = None) -> str:
        argv = self._argv(*args)
        status, out, err = await self._run(args)
        if status != 0:
            if pane_id is not None and (_NO_PANE.search(err) or _NO_SERVER.search(err)):
                raise PaneNotFound(pane_id)
            if _NO_SERVER.search(err):
                raise MuxUnavailable(f"the wezmp tmux server ({self.socket_name}) is not running")
            raise MuxCommandFailed(argv, status, err)
        return out

    async def list_panes(self) -> list[PaneInfo]:
        args = ("list-panes", "-a", "-F", FORMAT)
        status, out, err = await self._run(args)
        if status != 0:
            if _NO_SERVER.search(err) or _NO_SESSIONS.search(err):
                self._has_panes = False
                return []  # no server (yet): no panes, not an error
            raise MuxCommandFailed(self._argv(*args), status, err)
        rows = [line.split(SEP) for line in out.splitlines() if line]
        self._has_panes = bool(rows)
        ttys = await pids_by_tty([r[5] for r in rows if len(r) == len(FIELDS)], self.processes)
        panes = []
        for r in rows:
            if len(r) != len(FIELDS):
                continue
            panes.append(
                PaneInfo(
                    pane_id=r[0],
                    # A WezTerm window holds one workspace's tabs: a tmux session.
                    window_id=r[12],
                    tab_id=r[1],
                    workspace=r[2],
                    title=r[3],
                    cwd=r[4],
                    tty=r[5] or None,
                    rows=int(r[6] or 0),
                    cols=int(r[7] or 0),
                    is_active=r[8] == "1" and r[9] == "1",
                    is_zoomed=r[10] == "1",
                    # tmux names a window after its program unless it was given a name.
                    tab_title=r[11] if r[15] == "0" else "",
                    left=int(r[13] or 0),
                    top=int(r[14] or 0),
                    pids=ttys.get(r[5], ()),
                )
            )
        return panes

    async def _has_session(self, name: str) -> bool:
        status, _, _ = await run(self._argv("has-session", "-t", f"={name}"), missing_advice=ADVICE)
        return status == 0

    @staticmethod
    def _env_args(env: Mapping[str, str] | None) -> list[str]:
        args: list[str] = []
        for k, v in (env or {}).items():
            args += ["-e", f"{k}={v}"]
        return args

    @staticmethod
    def _cmd(argv: Sequence[str] | None) -> list[str]:
        # tmux runs a single argument through the shell but execs several directly; pass argv
        # as separate words so nothing is re-parsed. A one-word argv is exec'd via `exec` so
        # a name with spaces still reaches execvp intact.
        if not argv:
            return []
        if len(argv) == 1:
            return ["exec " + _quote(argv[0])]
        return list(argv)

    async def spawn(
        self,
        *,
        workspace: str,
        cwd: str | None = None,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        domain: str | None = None,
    ) -> str:
        if domain:
            raise NoDomains(self.name, domain)
        cwd_args = ["-c", cwd] if cwd else []
        rest = [*cwd_args, *self._env_args(env), *self._cmd(argv)]
        if await self._has_session(workspace):
            try:
                out = await self._tmux(
                    "new-window", "-d", "-P", "-F", "#{pane_id}", "-t", f"={workspace}:", *rest
                )
                return out.strip()
            except MuxCommandFailed as exc:
                # The session's last pane may have closed since we looked: create it anew.
                if "can't find session" not in exc.stderr:
                    raise
        try:
            out = await self._tmux(
                "new-session", "-d", "-P", "-F", "#{pane_id}", "-s", workspace,
                "-x", "200", "-y", "50", *rest,
            )  # fmt: skip
        except MuxCommandFailed as exc:
            # Another spawn made the session since we looked (two agents of a workspace
            # started at once): join it as a new window.
            if "duplicate session" not in exc.stderr:
                raise
            out = await self._tmux(
                "new-window", "-d", "-P", "-F", "#{pane_id}", "-t", f"={workspace}:", *rest
            )
        return out.strip()

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
        args = ["split-window", "-d", "-P", "-F", "#{pane_id}", "-t", pane_id]
        args.append("-h" if direction in ("left", "right") else "-v")
        if direction in ("left", "top"):
            args.append("-b")
        if top_level:
            args.append("-f")
        if cells is not None:
            args += ["-l", str(cells)]
        else:
            args += ["-l", f"{percent or 50}%"]
        if cwd:
            args += ["-c", cwd]
        out = await self._tmux(*args, *self._env_args(env), *self._cmd(argv), pane_id=pane_id)
        return out.strip()

    async def respawn(
        self,
        pane_id: str,
        *,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        args = ["respawn-pane", "-k", "-t", pane_id, *(["-c", cwd] if cwd else [])]
        await self._tmux(*args, *self._env_args(env), *self._cmd(argv), pane_id=pane_id)
        return pane_id

    async def send_text(
        self, pane_id: str, text: str, *, paste: bool = True, enter: bool = False
    ) -> None:
        if text:
            if paste:
                buf = f"wezmp-{os.getpid()}-{pane_id.lstrip('%')}"
                await self._tmux("set-buffer", "-b", buf, "--", text)
                # -p: bracketed when the program asked for it; -d: drop the buffer after.
                await self._tmux(
                    "paste-buffer", "-p", "-d", "-r", "-b", buf, "-t", pane_id, pane_id=pane_id
                )
            else:
                await self._tmux("send-keys", "-l", "-t", pane_id, "--", text, pane_id=pane_id)
        if enter:
            await self._tmux("send-keys", "-t", pane_id, "Enter", pane_id=pane_id)

    async def send_keys(self, pane_id: str, keys: Sequence[str]) -> None:
        for i, chunk in enumerate(key_chunks(keys)):
            if i:
                await asyncio.sleep(ESC_GAP)
            run: list[str] = []
            for key in chunk:
                name, literal = tmux_key(key)
                if literal:
                    if run:
                        await self._tmux("send-keys", "-t", pane_id, *run, pane_id=pane_id)
                        run = []
                    await self._tmux("send-keys", "-l", "-t", pane_id, "--", name, pane_id=pane_id)
                else:
                    run.append(name)
            if run:
                await self._tmux("send-keys", "-t", pane_id, *run, pane_id=pane_id)

    @staticmethod
    def _capture(pane_id: str, lines: int | None) -> list[str]:
        args = ["capture-pane", "-p", "-J", "-t", pane_id]
        if lines is not None:
            args += ["-S", f"-{max(lines, 1) + 200}"]
        return args

    async def get_text(self, pane_id: str, *, lines: int | None = None) -> str:
        return tidy_text(await self._tmux(*self._capture(pane_id, lines), pane_id=pane_id), lines)

    async def get_texts(
        self, pane_ids: Sequence[str], *, lines: int | None = None
    ) -> dict[str, str | MuxError]:
        """Few tmux commands for every pane: captures separated by a marker line no pane can
        guess. tmux hands a command line to its server in one message of at most 16 KiB and
        refuses a longer one ("command too long"), so the panes go in batches under that."""
        if len(pane_ids) < 2 or (self.control is not None and self.control.up):
            # Through the control client each capture is its own command and answer.
            return await get_each(self, pane_ids, lines)
        marker = f"wezmp-capture-end-{os.urandom(8).hex()}"  # not `secrets`: it maps OpenSSL
        batches: list[tuple[list[str], list[str]]] = []  # (panes, arguments) per command
        size = _BATCH_BYTES  # the first pane starts a batch
        for pane_id in pane_ids:
            args = [*self._capture(pane_id, lines), ";", "display-message", "-p", "-t",
                    pane_id, marker, ";"]  # fmt: skip
            cost = sum(len(a) + 1 for a in args)
            if size + cost > _BATCH_BYTES:
                batches.append(([], []))
                size = 0
            batches[-1][0].append(pane_id)
            batches[-1][1].extend(args)
            size += cost
        texts: dict[str, str | MuxError] = {}
        for ids, args in batches:
            texts.update(await self._get_batch(ids, args[:-1], lines, marker))
        return texts

    async def _get_batch(
        self, pane_ids: Sequence[str], args: list[str], lines: int | None, marker: str
    ) -> dict[str, str | MuxError]:
        """One command (`args`) for `pane_ids`. When any pane is gone tmux stops the whole
        sequence; then each is read alone so the others still get their text."""
        if len(pane_ids) < 2:
            return await get_each(self, pane_ids, lines)
        status, out, _ = await run(self._argv(*args), missing_advice=ADVICE)
        chunks = out.split(marker + "\n")
        if status != 0 or len(chunks) != len(pane_ids) + 1:
            return await get_each(self, pane_ids, lines)
        return {p: tidy_text(c, lines) for p, c in zip(pane_ids, chunks, strict=False)}

    async def output_times(self) -> dict[str, float]:
        """tmux stamps a window, not a pane, with its latest output, in whole seconds: for
        each pane alone in its window, the end of that second. Asked at the state tick, not
        taken from the pane tick's list: output between the two would be seen a tick late.
        Only through the control client: a tmux process for it would cost more than the
        reads it saves."""
        if self.control is None or not self.control.up:
            return {}
        fmt = SEP.join(("#{pane_id}", "#{window_panes}", "#{window_activity}"))
        answer = await self.control.run(("list-panes", "-a", "-F", fmt))
        if answer is None or not answer[0]:
            return {}
        times = {}
        for line in answer[1].splitlines():
            parts = line.split(SEP)
            if len(parts) == 3 and parts[1] == "1" and parts[2].isdigit():
                times[parts[0]] = float(parts[2]) + 1.0
        return times

    async def activate_pane(self, pane_id: str) -> None:
        await self._tmux("select-window", "-t", pane_id, pane_id=pane_id)
        await self._tmux("select-pane", "-t", pane_id, pane_id=pane_id)

    async def kill_pane(self, pane_id: str) -> None:
        await self._tmux("kill-pane", "-t", pane_id, pane_id=pane_id)

    async def set_tab_title(self, pane_id: str, title: str) -> None:
        await self._tmux("rename-window", "-t", pane_id, "--", title, pane_id=pane_id)

    async def set_pane_title(self, pane_id: str, title: str) -> None:
        await self._tmux("select-pane", "-t", pane_id, "-T", printable(title), pane_id=pane_id)

    async def rename_workspace(self, old: str, new: str) -> None:
        if not await self._has_session(old):
            raise PaneNotFound(old, f"no workspace named {old}")
        await self._tmux("rename-session", "-t", f"={old}", "--", new)

    async def zoom_pane(self, pane_id: str, mode: ZoomMode = "zoom") -> None:
        zoomed = await self._tmux(
            "display-message", "-p", "-t", pane_id, "#{window_zoomed_flag}", pane_id=pane_id
        )
        is_zoomed = zoomed.strip() == "1"
        want = {"zoom": True, "unzoom": False, "toggle": not is_zoomed}[mode]
        if want != is_zoomed:
            await self._tmux("resize-pane", "-Z", "-t", pane_id, pane_id=pane_id)

    async def switch_workspace(self, name: str) -> None:
        if not await self._has_session(name):
            raise PaneNotFound(name, f"no workspace named {name}")
        self._current = name
        client = await self._person_client()
        if client is None:
            # Without an attached client there is nothing to switch; the session stays
            # current for whoever attaches next, which is not an error.
            return
        argv = self._argv("switch-client", "-c", client, "-t", f"={name}")
        status, _, err = await run(argv)
        if status != 0 and "can't find client" not in err:  # it detached meanwhile
            raise MuxCommandFailed(argv, status, err)

    async def _person_client(self) -> str | None:
        """The client a person uses most recently: tmux's own choice for `switch-client`
        without `-c`, but never a control client (wezmp's own reads through one)."""
        fmt = SEP.join(("#{client_activity}", "#{client_control_mode}", "#{client_name}"))
        status, out, _ = await run(self._argv("list-clients", "-F", fmt))
        people = []
        for line in out.splitlines() if status == 0 else ():
            parts = line.split(SEP, 2)
            if len(parts) == 3 and parts[1] != "1" and parts[2]:
                people.append((int(parts[0]) if parts[0].isdigit() else 0, parts[2]))
        return max(people)[1] if people else None

    async def capture_output(self, pane_id: str, path: Path | None) -> None:
        """Append what the pane's program writes to `path` from now on (tmux hands it to a
        `cat` of its own, so nothing passes through the daemon); None stops it. A new file
        replaces the previous one at once: tmux closes the old pipe as it opens the new."""
        if path is None:
            await self._tmux("pipe-pane", "-t", pane_id, pane_id=pane_id)
            return
        # pipe-pane takes one shell command; the only word in it that is not ours is quoted.
        cmd = "exec cat >> " + _quote(str(path))
        await self._tmux("pipe-pane", "-t", pane_id, cmd, pane_id=pane_id)

    async def kill_server(self) -> None:
        await run(self._argv("kill-server"))

    async def close(self) -> None:
        """Panes outlive the daemon on tmux (that is the point): only the control client
        detaches."""
        if self.control is not None:
            await self.control.close()


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"
