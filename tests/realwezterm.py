"""A real, headless WezTerm for the tests that must meet it: `wezterm` (the CLI) and
`wezterm-mux-server`, found in the directory named by `WEZMP_REAL_WEZTERM_DIR` or on `PATH`.

Each `MuxServer` is its own world: its own runtime directory (mode 0700, as WezTerm insists),
config file, HOME and socket, started in the foreground and killed at teardown (it outlives
its panes). The first pane the server makes by itself is closed once the socket answers, so a
test starts from no panes at all, as a fresh WezTerm window would be for wezmp's workspaces.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_DIR = "WEZMP_REAL_WEZTERM_DIR"
SKIP_REASON = (
    f"real WezTerm not found: build wezterm and wezterm-mux-server and name their directory in "
    f"{ENV_DIR} to run the real-WezTerm tests"
)
# A config that keeps the server quiet and predictable: no update checks, a plain shell.
BASE_CONFIG = """\
local wezterm = require 'wezterm'
local config = wezterm.config_builder()
config.check_for_updates = false
config.default_prog = { 'sh' }
config.exit_behavior = 'Close'
"""


@dataclass(frozen=True)
class Binaries:
    wezterm: Path
    mux_server: Path

    @property
    def directory(self) -> Path:
        return self.wezterm.parent


def find_binaries(environ: Mapping[str, str] = os.environ) -> Binaries | None:
    """The real binaries, or None. A directory named by the variable wins over `PATH`; on
    `PATH` both must be there (the test double of `wezterm` has no mux server)."""
    named = environ.get(ENV_DIR)
    if named:
        d = Path(named)
        wez, srv = d / "wezterm", d / "wezterm-mux-server"
        return Binaries(wez, srv) if _executable(wez) and _executable(srv) else None
    srv_path = shutil.which("wezterm-mux-server", path=environ.get("PATH"))
    if srv_path is None:
        return None
    wez = Path(srv_path).parent / "wezterm"
    return Binaries(wez, Path(srv_path)) if _executable(wez) else None


def _executable(p: Path) -> bool:
    return p.is_file() and os.access(p, os.X_OK)


def module_config() -> str:
    """The lines the README tells users to add for the Lua module (`wezmp lua snippet
    --bare`), for the current environment's wezmp directories."""
    from click.testing import CliRunner

    from wezmp_tui.cli.lua import lua

    return CliRunner().invoke(lua, ["snippet", "--bare"]).output


@dataclass
class MuxServer:
    """One running `wezterm-mux-server` and how to talk to it."""

    bins: Binaries
    root: Path
    extra_config: str = ""
    proc: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def runtime_dir(self) -> Path:
        return self.root / "xdg-run"

    @property
    def socket(self) -> Path:
        return self.runtime_dir / "wezterm" / "sock"

    @property
    def config_file(self) -> Path:
        # A directory of its own: WezTerm watches the config's directory and reloads on any
        # change there (its own log written beside it would reload it without end).
        return self.root / "config" / "wezterm.lua"

    @property
    def log_file(self) -> Path:
        return self.root / "mux-server.log"

    def start(self, timeout: float = 20.0, clear: bool = True) -> MuxServer:
        """Start the server and wait until it answers; `clear` closes the panes it made by
        itself (its default first pane, or what a `mux-startup` handler spawned)."""
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.runtime_dir.chmod(0o700)
        home = self.root / "wez-home"
        (home / ".config" / "wezterm").mkdir(parents=True, exist_ok=True)
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(BASE_CONFIG + self.extra_config + "\nreturn config\n")
        self.env = {
            **os.environ,
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "WEZTERM_LOG": os.environ.get("WEZMP_TEST_WEZTERM_LOG", "info"),
        }
        self.env.pop("WEZTERM_UNIX_SOCKET", None)
        self.env.pop("WEZTERM_PANE", None)
        log = self.log_file.open("wb")
        self.proc = subprocess.Popen(
            [str(self.bins.mux_server), "--config-file", str(self.config_file)],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.env["WEZTERM_UNIX_SOCKET"] = str(self.socket)
        deadline = time.monotonic() + timeout
        first: list[str] = []
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wezterm-mux-server exited: {self.log_text()[-2000:]}")
            if self.socket.exists():
                r = self.cli("list", "--format", "json", check=False)
                if r.returncode == 0:
                    import json

                    first = [str(p["pane_id"]) for p in json.loads(r.stdout)]
                    if first:
                        break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError(f"wezterm-mux-server did not answer: {self.log_text()[-2000:]}")
        for pane in first if clear else ():
            self.cli("kill-pane", "--pane-id", pane, check=False)
        return self

    def cli(
        self, *args: str, check: bool = True, input: str | None = None, timeout: float = 20.0
    ) -> subprocess.CompletedProcess[str]:
        """`wezterm cli --no-auto-start ARGS…` against this server."""
        return subprocess.run(
            [str(self.bins.wezterm), "cli", "--no-auto-start", *args],
            env=self.env,
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
            check=check,
        )

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def errors(self) -> list[str]:
        """ERROR lines the server logged (a Lua error in the config among them)."""
        return [line for line in self.log_text().splitlines() if " ERROR " in line]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.proc = None

    def client_env(self) -> dict[str, str]:
        """What a wezmp process needs to drive this server: its socket and its binary."""
        return {
            "WEZTERM_UNIX_SOCKET": str(self.socket),
            "WEZMP_WEZTERM": str(self.bins.wezterm),
        }

