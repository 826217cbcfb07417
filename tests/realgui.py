"""A real WezTerm window for the tests that must see one: `wezterm-gui` on an X server of the
test's own (Xvfb), with its own session bus and a notification service that logs every toast.

Only the GUI presses keys, fires `update-status` and `user-var-changed`, and shows toasts, so
these tests drive the README's own Lua snippet through a real window: keys typed with
xdotool, panes and workspaces read back with `wezterm cli`, the status bar recorded through a
wrapper around the module's `update_status`, notifications read from the service's log.

Found where `wezterm-gui` sits beside the headless binaries (`WEZMP_REAL_WEZTERM_DIR`, or
`PATH`) and Xvfb, xdotool and dbus-daemon are installed. It renders with OpenGL: Mesa's
software renderer under Xvfb (WebGpu finds no adapter there). With no window manager on the
display, the window is given the keyboard focus before each key.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import wait_until
from tests.realwezterm import BASE_CONFIG, ENV_DIR, Binaries, find_binaries, module_config

SKIP_REASON = (
    f"real WezTerm GUI not found: build wezterm-gui beside wezterm in {ENV_DIR} and install "
    "Xvfb, xdotool and dbus to run the GUI tests"
)
SCREEN = "1280x800x24"
# Where the window's class is set: WezTerm's default for `--class`.
WINDOW_CLASS = "org.wezfurlong.wezterm"
LEADER = "ctrl+alt+space"
# ERROR lines WezTerm logs that say nothing about wezmp: the window manager's name asked of a
# display that has none (as this one), and a `wezterm cli` client that had its answer and
# exited while the GUI still wrote to it (a pane closed, say) or read from it.
BENIGN_ERRORS = (
    "window::os::x11::connection > error fetching window manager name: empty list of windows",
    "wezterm_mux_server_impl::local > writing pdu data buffer: Broken pipe",
    "wezterm_mux_server_impl::local > reading Pdu from client: decoding a PDU: "
    "decode_raw_async failed to read PDU length: Connection reset by peer",
)
# 32 rows: the tab bar and the rows of the default font fit the screen's 800 pixels (36 ran
# past its bottom edge, and the control center's footer with them).
GUI_CONFIG = """\
config.front_end = 'OpenGL'
config.enable_wayland = false
config.initial_cols = 120
config.initial_rows = 32
config.audible_bell = 'Disabled'
"""
# After the snippet: every text the module puts in the right status, with the workspace it
# was for, appended to a file (a window stand-in forwards every call to the real window).
STATUS_RECORDER = """
do
  local real_update = wezmp.update_status
  wezmp.update_status = function(window, pane)
    local proxy = setmetatable({}, { __index = function(_, key)
      return function(_, ...)
        if key == 'set_right_status' then
          local f = io.open(STATUS_LOG, 'a')
          f:write(wezterm.json_encode({ text = (...), workspace = window:active_workspace() })
            .. '\\n')
          f:close()
        end
        return window[key](window, ...)
      end
    end })
    return real_update(proxy, pane)
  end
end
"""


@dataclass(frozen=True)
class GuiTools:
    bins: Binaries
    gui: Path
    xvfb: str
    xdotool: str
    dbus_daemon: str


def find_tools() -> GuiTools | None:
    bins = find_binaries()
    if bins is None:
        return None
    gui = bins.directory / "wezterm-gui"
    tools = [shutil.which(p) for p in ("Xvfb", "xdotool", "dbus-daemon")]
    if not (gui.is_file() and os.access(gui, os.X_OK)) or None in tools:
        return None
    xvfb, xdotool, dbus = (str(t) for t in tools)
    return GuiTools(bins, gui, xvfb, xdotool, dbus)


def lua_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    """End a process started in a session of its own, with everything it started."""
    if proc is None or proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=10)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _read_line(fd: int, timeout: float, what: str) -> str:
    """The first line a starting server writes to `fd` (its display number or bus address)."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise RuntimeError(f"{what} did not start within {timeout}s")
        chunk = os.read(fd, 256)
        if not chunk:
            raise RuntimeError(f"{what} exited before it was ready")
        data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


@dataclass
class GuiSession:
    """An X display, a session bus with a notification service, and one WezTerm window."""

    tools: GuiTools
    root: Path
    extra_config: str = ""
    env: dict[str, str] = field(default_factory=dict)
    display: str = ""
    window_id: str = ""
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    gui: subprocess.Popen[bytes] | None = None

    @property
    def runtime_dir(self) -> Path:
        return self.root / "xdg-run"

    @property
    def config_file(self) -> Path:
        # A directory of its own: WezTerm reloads on any change in the config's directory.
        return self.root / "config" / "wezterm.lua"

    @property
    def gui_log(self) -> Path:
        return self.root / "wezterm-gui.log"

    @property
    def notify_log(self) -> Path:
        return self.root / "notifications.jsonl"

    @property
    def status_log(self) -> Path:
        return self.root / "status.jsonl"

    @property
    def socket(self) -> Path:
        assert self.gui is not None
        return self.runtime_dir / "wezterm" / f"gui-sock-{self.gui.pid}"

    def start(self, timeout: float = 60.0) -> GuiSession:
        self.root.mkdir(parents=True, exist_ok=True)
        self.runtime_dir.mkdir(mode=0o700, exist_ok=True)
        self.runtime_dir.chmod(0o700)
        home = self.root / "wez-home"
        (home / ".config" / "wezterm").mkdir(parents=True, exist_ok=True)
        try:
            self._start_display()
            self._start_bus()
            self._start_gui(home, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, argv: list[str], log: Path, **kw: Any) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=kw.pop("stdout", out),
                stderr=out,
                start_new_session=True,
                **kw,
            )
        self.procs.append(proc)
        return proc

    def _start_display(self) -> None:
        # `-displayfd`: the server picks a free display number and writes it when ready.
        r, w = os.pipe()
        try:
            argv = [self.tools.xvfb, "-displayfd", str(w), "-screen", "0", SCREEN]
            self._spawn([*argv, "-nolisten", "tcp", "-noreset"], self.root / "xvfb.log",
                        pass_fds=(w,))  # fmt: skip
            os.close(w)
            self.display = ":" + _read_line(r, 20, "Xvfb")
        finally:
            os.close(r)

    def _start_bus(self) -> None:
        r, w = os.pipe()
        try:
            argv = [self.tools.dbus_daemon, "--session", "--nofork", "--nopidfile",
                    f"--address=unix:path={self.root / 'bus'}", f"--print-address={w}"]  # fmt: skip
            self._spawn(argv, self.root / "dbus.log", pass_fds=(w,))
            os.close(w)
            bus = _read_line(r, 20, "dbus-daemon")
        finally:
            os.close(r)
        self.env = {**os.environ, "DISPLAY": self.display, "DBUS_SESSION_BUS_ADDRESS": bus}
        for var in ("WAYLAND_DISPLAY", "WEZTERM_UNIX_SOCKET", "WEZTERM_PANE"):
            self.env.pop(var, None)
        argv = [sys.executable, "-m", "tests.wezterm_gui.notify_service", str(self.notify_log)]
        service = self._spawn(argv, self.root / "notify.log", env=self.env,
                              cwd=Path(__file__).parent.parent)  # fmt: skip
        deadline = time.monotonic() + 20
        while not any(r.get("ready") for r in self._log_records(self.notify_log)):
            if service.poll() is not None or time.monotonic() > deadline:
                log = self._tail("notify.log")
                raise RuntimeError(f"the notification service did not start: {log}")
            time.sleep(0.02)

    def _start_gui(self, home: Path, timeout: float) -> None:
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        recorder = STATUS_RECORDER.replace("STATUS_LOG", lua_string(str(self.status_log)))
        self.config_file.write_text(
            BASE_CONFIG + GUI_CONFIG + module_config() + recorder + self.extra_config
            + "\nreturn config\n"
        )  # fmt: skip
        self.env.update(
            HOME=str(home),
            XDG_RUNTIME_DIR=str(self.runtime_dir),
            XDG_CONFIG_HOME=str(home / ".config"),
            WEZTERM_LOG=os.environ.get("WEZMP_TEST_WEZTERM_LOG", "info"),
            # What wezmp started from the window (the module's CLI calls, the control center,
            # agents) uses this WezTerm.
            WEZMP_WEZTERM=str(self.tools.bins.wezterm),
            WEZMP_BACKEND="wezterm",
            PATH=f"{self.tools.bins.directory}{os.pathsep}{os.environ['PATH']}",
        )
        argv = [str(self.tools.gui), "--config-file", str(self.config_file), "start",
                "--always-new-process"]  # fmt: skip
        self.gui = self._spawn(argv, self.gui_log, env=self.env, cwd=home)
        deadline = time.monotonic() + timeout
        while not (self.socket.exists() and self._panes_listed()):
            if self.gui.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("wezterm-gui did not start: " + self._tail("wezterm-gui.log"))
            time.sleep(0.05)
        self.env["WEZTERM_UNIX_SOCKET"] = str(self.socket)
        found = self.xdotool("search", "--sync", "--onlyvisible", "--class", WINDOW_CLASS)
        self.window_id = found.split()[0]

    def _panes_listed(self) -> bool:
        env = {**self.env, "WEZTERM_UNIX_SOCKET": str(self.socket)}
        r = subprocess.run(
            [str(self.tools.bins.wezterm), "cli", "--no-auto-start", "list", "--format", "json"],
            env=env, capture_output=True, text=True, timeout=20, check=False,
        )  # fmt: skip
        return r.returncode == 0 and bool(json.loads(r.stdout or "[]"))

    def _tail(self, name: str) -> str:
        try:
            return (self.root / name).read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    @staticmethod
    def _log_records(path: Path) -> list[dict[str, Any]]:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    # ---- driving the window ----------------------------------------------------------

    def xdotool(self, *args: str, timeout: float = 30.0) -> str:
        r = subprocess.run(
            [self.tools.xdotool, *args], env=self.env, capture_output=True, text=True,
            timeout=timeout, check=True,
        )  # fmt: skip
        return r.stdout

    def keys(self, *keys: str) -> None:
        """Press keys (xdotool names: `ctrl+alt+space`, `m`, `Return`) in the window."""
        self.xdotool("windowfocus", "--sync", self.window_id)
        self.xdotool("key", "--delay", "60", *keys)

    def leader(self, key: str) -> None:
        """The module's leader, then `key`."""
        self.keys(LEADER, key)

    def type(self, text: str) -> None:
        self.xdotool("windowfocus", "--sync", self.window_id)
        # `--`: a text that begins with '-' is typed, not taken for an option.
        self.xdotool("type", "--delay", "30", "--", text)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.tools.bins.wezterm), "cli", "--no-auto-start", *args],
            env=self.env, capture_output=True, text=True, timeout=20, check=check,
        )  # fmt: skip

    def panes(self) -> dict[str, dict[str, Any]]:
        listed = json.loads(self.cli("list", "--format", "json").stdout)
        return {str(p["pane_id"]): p for p in listed}

    def text(self, pane_id: str) -> str:
        return self.cli("get-text", "--pane-id", pane_id, check=False).stdout

    def client(self) -> dict[str, Any]:
        """The window as WezTerm lists its clients: its workspace and focused pane (null
        until the window first has the keyboard focus)."""
        assert self.gui is not None
        clients = json.loads(self.cli("list-clients", "--format", "json").stdout)
        (gui,) = [c for c in clients if c.get("pid") == self.gui.pid]
        return dict(gui)

    def workspace(self) -> str:
        return str(self.client()["workspace"])

    def focused(self) -> str:
        return str(self.client()["focused_pane_id"])

    def overlay(self, other_than: str | None = None, timeout: float = 20.0) -> str:
        """Wait until the window shows an overlay (a selector or a prompt, other than the one
        with id `other_than`) and return its id. WezTerm gives the overlay a pane id of its
        own and the focus, but never lists it: keys typed before it is up go to the pane
        under it."""

        def shown() -> str | None:
            focused = self.focused()
            if focused in ("None", other_than) or focused in self.panes():
                return None
            return focused

        return str(wait_until(shown, timeout=timeout))

    def notifications(self) -> list[dict[str, Any]]:
        return [r for r in self._log_records(self.notify_log) if "notify" in r]

    def statuses(self) -> list[dict[str, Any]]:
        return self._log_records(self.status_log)

    def errors(self) -> list[str]:
        """ERROR lines WezTerm logged (a Lua error in the config or a handler among them),
        but for the benign ones."""
        text = self.gui_log.read_text(errors="replace") if self.gui_log.exists() else ""
        return [
            line
            for line in text.splitlines()
            if " ERROR " in line and not any(b in line for b in BENIGN_ERRORS)
        ]

    def screenshot(self, png: Path) -> Path:
        """The whole screen as a PNG (xwd, converted by ImageMagick)."""
        xwd = subprocess.run(
            ["xwd", "-root", "-silent", "-display", self.display],
            capture_output=True, timeout=30, check=True,
        ).stdout  # fmt: skip
        subprocess.run(["convert", "xwd:-", f"png:{png}"], input=xwd, timeout=60, check=True)
        return png

    def client_env(self) -> dict[str, str]:
        """What a wezmp process started in this desktop has: the window's WezTerm and the
        session bus (as a daemon started from a pane would)."""
        return {
            "WEZTERM_UNIX_SOCKET": str(self.socket),
            "WEZMP_WEZTERM": str(self.tools.bins.wezterm),
            "DBUS_SESSION_BUS_ADDRESS": self.env["DBUS_SESSION_BUS_ADDRESS"],
            "DISPLAY": self.display,
        }

    def stop(self) -> None:
        for proc in reversed(self.procs):
            _stop(proc)
        self.procs.clear()

    def keep_screen(self, png: Path) -> None:
        """A screenshot where xwd and ImageMagick are installed; nothing (and no error) else."""
        if shutil.which("xwd") is None or shutil.which("convert") is None:
            return
        png.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.screenshot(png)
        except (OSError, subprocess.SubprocessError):
            pass  # a display already gone: the logs say why

    def keep_logs(self, dest: Path) -> None:
        """Copy what the servers logged to `dest` (pytest keeps its last runs' directories;
        the session's own root is removed with the test)."""
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("*.log", "*.jsonl"):
            for log in self.root.glob(name):
                shutil.copy(log, dest / log.name)
