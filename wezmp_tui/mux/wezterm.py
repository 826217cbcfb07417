"""The `Mux` contract over `wezterm cli`, exactly as WezTerm documents it.

Every call is `wezterm cli --no-auto-start [--class C] SUBCOMMAND … --pane-id N`: wezmp never
starts a mux server behind the user's back, and always names the pane (its daemon does not
run inside the pane it drives, so `$WEZTERM_PANE` would be wrong).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from wezmp_tui.model.keys import key_bytes
from wezmp_tui.model.panes import PaneInfo, SplitDirection, ZoomMode
from wezmp_tui.mux.base import (
    ESC_GAP,
    MuxCommandFailed,
    MuxError,
    MuxUnavailable,
    PaneNotFound,
    get_each,
    key_chunks,
    tidy_text,
)
from wezmp_tui.mux.osc import osc_title, set_user_var, write_to_tty
from wezmp_tui.mux.proc import run
from wezmp_tui.mux.wezterm_feed import WANT_LINES, PaneFeed
from wezmp_tui.procfs import FreshTable, ProcessSource, pids_by_tty

ADVICE = (
    "Install WezTerm (https://wezterm.org) and run wezmp inside it, or choose another "
    "backend with --backend tmux|local."
)
_NOT_RUNNING = ("failed to connect", "no running", "connect to", "while connecting")


_LOG_PREFIX = re.compile(r"^\d\d:\d\d:\d\d\.\d+\s+ERROR\s+\S+\s+>\s*")
_MUX_REASON = re.compile(r'reason: "(?:Error: )?((?:[^"\\]|\\.)*)"')


def error_text(stderr: str) -> str:
    """What went wrong, in words, from `wezterm cli`'s stderr: the mux's reason without the
    log prefix, the Rust wrapping and "; terminating", or an argument error with its detail."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if line.startswith("error:"):
            # clap: "error: the following required arguments were not provided:" + "  --flag"
            more = [m.strip() for m in lines[i + 1 :] if m.startswith(" ")]
            return " ".join([line.removeprefix("error:").strip(), *more])
    for line in reversed(lines):
        if " ERROR " in line or _LOG_PREFIX.match(line):
            text = _LOG_PREFIX.sub("", line).removesuffix("; terminating")
            m = _MUX_REASON.search(text)
            return m.group(1).replace('\\"', '"') if m else text
    return lines[-1].strip() if lines else ""


def _names_missing_pane(stderr: str, pane_id: str) -> bool:
    """Whether `wezterm cli`'s error says the pane does not exist. Each subcommand words it its
    own way (read from a real WezTerm): `no such pane N` (get-text, send-text, kill-pane),
    `pane N not found` (activate-pane), `pane_id N invalid` (split-pane), and `unable to
    resolve current tab` where the client looks the pane up first (zoom-pane, set-tab-title)."""
    low = stderr.lower()
    return any(
        s in low
        for s in (
            f"no such pane {pane_id}",
            f"pane {pane_id} not found",
            f"pane_id {pane_id} invalid",
            "unable to resolve current tab",
        )
    )


def file_url_to_path(url: str) -> str:
    """`file://host/home/me/a%20b` → `/home/me/a b`; "" stays "". WezTerm makes a directory
    URL (`file:///home/me/`) from a process's own cwd: the trailing slash goes, but for `/`."""
    if not url:
        return ""
    path = unquote(urlsplit(url).path) if url.startswith("file:") else url
    return path.rstrip("/") or path


class WeztermMux:
    name = "wezterm"

    def __init__(
        self,
        executable: str | None = None,
        class_: str | None = None,
        feed: PaneFeed | None = None,
    ) -> None:
        self.executable = executable or os.environ.get("WEZMP_WEZTERM") or "wezterm"
        self.processes: ProcessSource = FreshTable()
        self.class_ = class_
        # What wezmp's Lua module writes from inside WezTerm; `wezterm cli` when it is silent.
        self.feed = feed
        self.cli_calls = 0  # `wezterm cli` processes started (for tests and benches)
        # Each pane's height from the last list: `get-text` without an end line may begin
        # above the screen, so reading "the screen" names its last row.
        self._rows: dict[str, int] = {}
        # A window of each workspace as last listed: a spawn into a known workspace needs no
        # `wezterm cli list` of its own (64 agents started: 64 processes fewer).
        self._windows: dict[str, str] = {}

    def _argv(self, *args: str) -> list[str]:
        argv = [self.executable, "cli", "--no-auto-start"]
        if self.class_:
            argv += ["--class", self.class_]
        return argv + list(args)

    async def _cli(self, *args: str, pane_id: str | None = None) -> str:
        argv = self._argv(*args)
        self.cli_calls += 1
        status, out, err = await run(argv, missing_advice=ADVICE)
        if status != 0:
            low = err.lower()
            if pane_id is not None and _names_missing_pane(err, pane_id):
                raise PaneNotFound(pane_id)
            if any(s in low for s in _NOT_RUNNING):
                raise MuxUnavailable(
                    "WezTerm is not running (wezterm cli could not connect). " + ADVICE
                )
            raise MuxCommandFailed(argv, status, err, error_text(err))
        return out

    async def _changing(self, *args: str, pane_id: str | None = None) -> str:
        """A `wezterm cli` call that changes panes: the feed's listing is stale until WezTerm
        has written it again."""
        try:
            return await self._cli(*args, pane_id=pane_id)
        finally:
            if self.feed is not None:
                self.feed.changed()

    async def _list_raw(self) -> list[dict[str, Any]]:
        data = self.feed.panes() if self.feed is not None else None
        if data is None:
            out = await self._cli("list", "--format", "json")
            try:
                data = json.loads(out)
            except json.JSONDecodeError as exc:
                argv = self._argv("list")
                raise MuxCommandFailed(argv, 0, f"bad JSON from wezterm: {exc}") from None
            if not isinstance(data, list):
                raise MuxCommandFailed(self._argv("list"), 0, "wezterm list did not return a list")
        self._windows = {str(p.get("workspace", "default")): str(p["window_id"]) for p in data}
        return data

    async def list_panes(self) -> list[PaneInfo]:
        raw = await self._list_raw()
        ttys = await pids_by_tty(
            [p["tty_name"] for p in raw if p.get("tty_name")], self.processes
        )
        panes = []
        for p in raw:
            size = p.get("size") or {}
            tty = p.get("tty_name") or None
            panes.append(
                PaneInfo(
                    pane_id=str(p["pane_id"]),
                    window_id=str(p["window_id"]),
                    tab_id=str(p["tab_id"]),
                    workspace=str(p.get("workspace", "default")),
                    title=str(p.get("title", "")),
                    cwd=file_url_to_path(str(p.get("cwd") or "")),
                    tty=tty,
                    rows=int(size.get("rows", 0)),
                    cols=int(size.get("cols", 0)),
                    is_active=bool(p.get("is_active", False)),
                    is_zoomed=bool(p.get("is_zoomed", False)),
                    tab_title=str(p.get("tab_title", "")),
                    left=int(p.get("left_col") or 0),
                    top=int(p.get("top_row") or 0),
                    pids=ttys.get(tty, ()) if tty else (),
                )
            )
        self._rows = {p.pane_id: p.rows for p in panes}
        return panes

    @staticmethod
    def _prog(argv: Sequence[str] | None, env: Mapping[str, str] | None) -> list[str]:
        # `wezterm cli spawn` has no env flag: run the program through env(1), argv form.
        prog = list(argv or [])
        if env:
            prog = ["env", *(f"{k}={v}" for k, v in env.items()), *(prog or [_shell()])]
        return ["--", *prog] if prog else []

    async def spawn(
        self,
        *,
        workspace: str,
        cwd: str | None = None,
        argv: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        domain: str | None = None,
    ) -> str:
        where = ["--domain-name", domain] if domain else []
        window = self._windows.get(workspace)
        if window is not None:
            try:
                return await self._spawn([*where, "--window-id", window], cwd, argv, env)
            except MuxCommandFailed:
                pass  # that window may have closed since we last looked: look again
        await self._list_raw()
        window = self._windows.get(workspace)
        if window is not None:
            return await self._spawn([*where, "--window-id", window], cwd, argv, env)
        new = ["--new-window", "--workspace", workspace]
        return await self._spawn([*where, *new], cwd, argv, env)

    async def _spawn(
        self,
        where: list[str],
        cwd: str | None,
        argv: Sequence[str] | None,
        env: Mapping[str, str] | None,
    ) -> str:
        args = ["spawn", *where, *(["--cwd", cwd] if cwd else [])]
        out = await self._changing(*args, *self._prog(argv, env))
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
        args = ["split-pane", "--pane-id", pane_id, f"--{direction}"]
        if cells is not None:
            args += ["--cells", str(cells)]
        elif percent is not None:
            args += ["--percent", str(percent)]
        if top_level:
            args.append("--top-level")
        if cwd:
            args += ["--cwd", cwd]
        out = await self._changing(*args, *self._prog(argv, env), pane_id=pane_id)
        return out.strip()

    async def respawn(
        self,
        pane_id: str,
        *,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        # `wezterm cli` cannot restart a pane's program: split the pane and close the old
        # half, and the new one fills the place the old one had in the tab.
        new = await self.split(pane_id, direction="bottom", argv=argv, cwd=cwd, env=env)
        await self.kill_pane(pane_id)
        return new

    async def send_text(
        self, pane_id: str, text: str, *, paste: bool = True, enter: bool = False
    ) -> None:
        if text:
            flags = [] if paste else ["--no-paste"]
            await self._cli("send-text", "--pane-id", pane_id, *flags, "--", text, pane_id=pane_id)
        if enter:
            # A newline inside a paste does not submit in agent UIs; a bare CR does.
            await self._cli("send-text", "--pane-id", pane_id, "--no-paste", "\r", pane_id=pane_id)

    async def send_keys(self, pane_id: str, keys: Sequence[str]) -> None:
        # The bytes a terminal sends for each key, typed raw (not as a paste).
        for i, chunk in enumerate(key_chunks(keys)):
            if i:
                await asyncio.sleep(ESC_GAP)
            data = "".join(key_bytes(k) for k in chunk)
            await self._cli("send-text", "--pane-id", pane_id, "--no-paste", "--", data,
                            pane_id=pane_id)  # fmt: skip

    async def get_text(self, pane_id: str, *, lines: int | None = None) -> str:
        if self.feed is not None and lines is not None and lines <= WANT_LINES:
            fed = self.feed.text(pane_id)
            if fed is not None:
                return tidy_text(fed, lines)
        args = ["get-text", "--pane-id", pane_id]
        if lines is not None:
            # Line 0 is the top of the screen; ask for enough scrollback that the last
            # `lines` lines are in the answer whatever the screen height.
            args += ["--start-line", str(-max(lines, 1))]
        elif self._rows.get(pane_id):
            args += ["--start-line", "0", "--end-line", str(self._rows[pane_id] - 1)]
        return tidy_text(await self._cli(*args, pane_id=pane_id), lines)

    async def get_texts(
        self, pane_ids: Sequence[str], *, lines: int | None = None
    ) -> dict[str, str | MuxError]:
        # `wezterm cli get-text` reads one pane per process: no batch to be had. The feed has
        # them all at no cost: ask it for these panes from now on (it writes them from its
        # next pass; until then, and for any it lacks, the CLI answers).
        if self.feed is not None and pane_ids:
            self.feed.want(pane_ids, alive=self._rows or None)
        return await get_each(self, pane_ids, lines)

    async def output_times(self) -> dict[str, float]:
        return {}  # neither `wezterm cli` nor the pane feed says when a pane last had output

    async def activate_pane(self, pane_id: str) -> None:
        await self._changing("activate-pane", "--pane-id", pane_id, pane_id=pane_id)

    async def kill_pane(self, pane_id: str) -> None:
        await self._changing("kill-pane", "--pane-id", pane_id, pane_id=pane_id)

    async def set_tab_title(self, pane_id: str, title: str) -> None:
        await self._changing("set-tab-title", "--pane-id", pane_id, "--", title, pane_id=pane_id)

    async def set_pane_title(self, pane_id: str, title: str) -> None:
        # No CLI for it: the title escape (OSC 2), written to the pane's terminal as if its
        # program had printed it. The program may set another one later, as it may anywhere.
        pane = next((p for p in await self._list_raw() if str(p["pane_id"]) == pane_id), None)
        if pane is None:
            raise PaneNotFound(pane_id)
        if not pane.get("tty_name"):
            raise MuxCommandFailed(["set-pane-title", pane_id], 1, "the pane has no tty")
        try:
            write_to_tty(str(pane["tty_name"]), osc_title(title))
        except OSError as exc:
            raise MuxCommandFailed(["write", str(pane["tty_name"])], 1, str(exc)) from None

    async def rename_workspace(self, old: str, new: str) -> None:
        if not any(p.get("workspace") == old for p in await self._list_raw()):
            raise PaneNotFound(old, f"no workspace named {old}")
        await self._changing("rename-workspace", "--workspace", old, "--", new)
        self._windows.pop(old, None)

    async def zoom_pane(self, pane_id: str, mode: ZoomMode = "zoom") -> None:
        await self._changing("zoom-pane", "--pane-id", pane_id, f"--{mode}", pane_id=pane_id)

    async def switch_workspace(self, name: str) -> None:
        # No CLI for it: tell wezmp's Lua handler through a user var. WezTerm fires
        # `user-var-changed` only for a pane of a window a GUI shows (one of its active
        # workspace), so the var goes to the pane each GUI has focused, else to a pane of the
        # workspace it shows; a pane of `name` is not on screen until the switch is done. No
        # GUI attached: nothing to switch.
        raw = await self._list_raw()
        if not any(p.get("workspace") == name for p in raw):
            raise PaneNotFound(name, f"no workspace named {name}")
        with_tty = [p for p in raw if p.get("tty_name")]
        targets = set()
        for focused, shown in await self._gui_clients():
            pane = next((p for p in with_tty if str(p["pane_id"]) == focused), None)
            pane = pane or next((p for p in with_tty if p.get("workspace") == shown), None)
            if pane is not None:
                targets.add(str(pane["tty_name"]))
        for tty in sorted(targets):
            try:
                write_to_tty(tty, set_user_var("wezmp_switch_workspace", name))
            except OSError as exc:
                raise MuxCommandFailed(["write", tty], 1, str(exc)) from None

    async def _gui_clients(self) -> list[tuple[str | None, str]]:
        """(focused pane, active workspace) of each GUI client. A window that has never had
        the keyboard focus has no focused pane yet (null), but shows its workspace all the
        same. `wezterm cli` itself is not listed."""
        out = await self._cli("list-clients", "--format", "json")
        try:
            clients = json.loads(out)
        except json.JSONDecodeError as exc:
            argv = self._argv("list-clients")
            raise MuxCommandFailed(argv, 0, f"bad JSON from wezterm: {exc}") from None
        return [
            (_id_or_none(c.get("focused_pane_id")), str(c.get("workspace", "")))
            for c in clients
            if isinstance(c, dict)
        ]

    async def close(self) -> None:
        """Nothing held: panes belong to WezTerm."""


def _id_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _shell() -> str:
    return os.environ.get("SHELL") or shutil.which("sh") or "/bin/sh"
