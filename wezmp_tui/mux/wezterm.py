"""The `Mux` contract over `wezterm cli`, exactly as WezTerm documents it.

Every call is `wezterm cli --no-auto-start [--class C] SUBCOMMAND … --pane-id N`: wezmp never
starts a mux server behind the user's back, and always names the pane (its daemon does not
run inside the pane it drives, so `$WEZTERM_PANE` would be wrong).
"""

from __future__ import annotations

import asyncio
import json
import os
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
from wezmp_tui.mux.osc import set_user_var, write_to_tty
from wezmp_tui.mux.proc import run
from wezmp_tui.mux.ttypids import pids_by_tty

ADVICE = (
    "Install WezTerm (https://wezterm.org) and run wezmp inside it, or choose another "
    "backend with --backend tmux|local."
)
_NOT_RUNNING = ("failed to connect", "no running", "connect to", "while connecting")


def file_url_to_path(url: str) -> str:
    """`file://host/home/me/a%20b` → `/home/me/a b`; "" stays ""."""
    if not url:
        return ""
    if not url.startswith("file:"):
        return url
    return unquote(urlsplit(url).path)


class WeztermMux:
    name = "wezterm"

    def __init__(self, executable: str | None = None, class_: str | None = None) -> None:
        self.executable = executable or os.environ.get("WEZMP_WEZTERM") or "wezterm"
        self.class_ = class_

    def _argv(self, *args: str) -> list[str]:
        argv = [self.executable, "cli", "--no-auto-start"]
        if self.class_:
            argv += ["--class", self.class_]
        return argv + list(args)

    async def _cli(self, *args: str, pane_id: str | None = None) -> str:
        argv = self._argv(*args)
        status, out, err = await run(argv, missing_advice=ADVICE)
        if status != 0:
            low = err.lower()
            if pane_id is not None and (
                f"no such pane {pane_id}" in low or "unable to resolve current tab" in low
            ):
                raise PaneNotFound(pane_id)
            if any(s in low for s in _NOT_RUNNING):
                raise MuxUnavailable(
                    "WezTerm is not running (wezterm cli could not connect). " + ADVICE
                )
            raise MuxCommandFailed(argv, status, err)
        return out

    async def _list_raw(self) -> list[dict[str, Any]]:
        out = await self._cli("list", "--format", "json")
        try:
            data = json.loads(out)
        except json.JSONDecodeError as exc:
            raise MuxCommandFailed(self._argv("list"), 0, f"bad JSON from wezterm: {exc}") from None
        if not isinstance(data, list):
            raise MuxCommandFailed(self._argv("list"), 0, "wezterm list did not return a list")
        return data

    async def list_panes(self) -> list[PaneInfo]:
        raw = await self._list_raw()
        ttys = pids_by_tty([p["tty_name"] for p in raw if p.get("tty_name")])
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
                    pids=ttys.get(tty, ()) if tty else (),
                )
            )
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
    ) -> str:
        args = ["spawn"]
        window = next((p for p in await self._list_raw() if p.get("workspace") == workspace), None)
        if window is not None:
            args += ["--window-id", str(window["window_id"])]
        else:
            args += ["--new-window", "--workspace", workspace]
        if cwd:
            args += ["--cwd", cwd]
        out = await self._cli(*args, *self._prog(argv, env))
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
        out = await self._cli(*args, *self._prog(argv, env), pane_id=pane_id)
        return out.strip()

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
        args = ["get-text", "--pane-id", pane_id]
        if lines is not None:
            # Line 0 is the top of the screen; ask for enough scrollback that the last
            # `lines` lines are in the answer whatever the screen height.
            args += ["--start-line", str(-max(lines, 1))]
        return tidy_text(await self._cli(*args, pane_id=pane_id), lines)

    async def get_texts(
        self, pane_ids: Sequence[str], *, lines: int | None = None
    ) -> dict[str, str | MuxError]:
        # `wezterm cli get-text` reads one pane per process: no batch to be had.
        return await get_each(self, pane_ids, lines)

    async def activate_pane(self, pane_id: str) -> None:
        await self._cli("activate-pane", "--pane-id", pane_id, pane_id=pane_id)

    async def kill_pane(self, pane_id: str) -> None:
        await self._cli("kill-pane", "--pane-id", pane_id, pane_id=pane_id)

    async def set_tab_title(self, pane_id: str, title: str) -> None:
        await self._cli("set-tab-title", "--pane-id", pane_id, "--", title, pane_id=pane_id)

    async def rename_workspace(self, old: str, new: str) -> None:
        if not any(p.get("workspace") == old for p in await self._list_raw()):
            raise PaneNotFound(old, f"no workspace named {old}")
        await self._cli("rename-workspace", "--workspace", old, "--", new)

    async def zoom_pane(self, pane_id: str, mode: ZoomMode = "zoom") -> None:
        await self._cli("zoom-pane", "--pane-id", pane_id, f"--{mode}", pane_id=pane_id)

    async def switch_workspace(self, name: str) -> None:
        # No CLI for it: tell wezmp's Lua handler through a user var on a pane of `name`.
        panes = [p for p in await self._list_raw() if p.get("workspace") == name]
        if not panes:
            raise PaneNotFound(name, f"no workspace named {name}")
        target = next((p for p in panes if p.get("tty_name")), None)
        if target is None:
            raise MuxCommandFailed(["switch-workspace", name], 1, "no pane with a tty to signal")
        try:
            write_to_tty(str(target["tty_name"]), set_user_var("wezmp_switch_workspace", name))
        except OSError as exc:
            raise MuxCommandFailed(["write", str(target["tty_name"])], 1, str(exc)) from None

    async def close(self) -> None:
        """Nothing held: panes belong to WezTerm."""


def _shell() -> str:
    return os.environ.get("SHELL") or shutil.which("sh") or "/bin/sh"
