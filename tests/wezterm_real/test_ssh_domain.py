"""Agents on another machine through WezTerm's own SSH domains: a real sshd on 127.0.0.1 with
its own host key, config and port; a real WezTerm whose config names it in `ssh_domains`; a
real daemon that spawns there, reads the agent's state from its screen, and stops it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from tests.realwezterm import SKIP_REASON, MuxServer, find_binaries, module_config
from wezmp_tui.paths import Paths


@dataclass
class Sshd:
    port: int
    user: str
    key: Path
    known_hosts: Path

    def domain_config(self, name: str) -> str:
        """An `ssh_domains` entry for wezterm.lua, as a user would write one."""
        return (
            "config.ssh_domains = {\n"
            f"  {{ name = '{name}', remote_address = '127.0.0.1:{self.port}',\n"
            f"    username = '{self.user}', multiplexing = 'None',\n"
            f"    ssh_option = {{ identityfile = '{self.key}',\n"
            f"                   userknownhostsfile = '{self.known_hosts}' }} }},\n"
            "}\n"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sshd(short_tmp: Path) -> Iterator[Sshd]:
    """sshd on 127.0.0.1 for this test alone: its own host key, user key, config and port."""
    exe = shutil.which("sshd") or shutil.which("sshd", path="/usr/sbin")
    keygen = shutil.which("ssh-keygen")
    if exe is None or keygen is None:
        pytest.skip("sshd not installed: the SSH domain test needs openssh-server")
    d = short_tmp / "sshd"
    d.mkdir()
    for key in ("host", "user"):
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(d / key)], check=True)
    (d / "authorized_keys").write_text((d / "user.pub").read_text())
    port = free_port()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {(d / 'host.pub').read_text()}")
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d / 'host'}\nPidFile {d / 'pid'}\n"
        f"AuthorizedKeysFile {d / 'authorized_keys'}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # its privilege separation directory
    log = (d / "log").open("wb")
    proc = subprocess.Popen(
        [exe, "-D", "-e", "-f", str(d / "sshd_config")], stdout=log, stderr=log,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    log.close()

    def listening() -> bool:
        if proc.poll() is not None:
            return True
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening)
    if proc.poll() is not None:
        pytest.skip(f"sshd would not start here: {(d / 'log').read_text()[-300:]}")
    try:
        yield Sshd(port, os.environ.get("USER") or "root", d / "user", d / "known_hosts")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def remote_wez(
    sshd: Sshd, wezmp_env: Paths, short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MuxServer]:
    """A real WezTerm with the module and an SSH domain `box`, and a real daemon on it."""
    from wezmp_tui.ipc.client import start_daemon

    bins = find_binaries()
    if bins is None:
        pytest.skip(SKIP_REASON)
    config = module_config() + sshd.domain_config("box")
    server = MuxServer(bins, short_tmp / "wez", extra_config=config).start()
    for key, value in server.client_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WEZMP_BACKEND", "wezterm")
    start_daemon(wezmp_env)
    try:
        yield server
    finally:
        subprocess.run(wezmp_argv("daemon", "stop"), capture_output=True, timeout=20)
        server.stop()


def wezmp(*args: str) -> str:
    r = subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"wezmp {' '.join(args)}: {r.stderr}"
    return r.stdout


def cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def ancestors(pid: int) -> list[str]:
    """The command names from a process up to init."""
    names = []
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        names.append(stat[stat.index("(") + 1 : stat.rindex(")")])
        pid = int(stat[stat.rindex(")") + 2 :].split()[1])
    return names


def agent(name: str) -> dict[str, Any]:
    return json.loads(wezmp("agent", "show", name, "--json"))["agent"]  # type: ignore[no-any-return]


def test_an_agent_on_another_machine(remote_wez: MuxServer, tmp_path: Path) -> None:
    out = wezmp("ws", "create", "far", "--domain", "box")
    assert "in domain box" in out
    panes = json.loads(remote_wez.cli("list", "--format", "json").stdout)
    (first,) = panes
    assert first["workspace"] == "far" and first["tty_name"] is None  # not a local terminal

    spec = tmp_path / "agents.yaml"
    spec.write_text(
        "agents:\n  - name: deployer\n    kind: shell\n    workspace: far\n"
        "    command: [sh, -c, \"printf 'Deploy now? [y/N] '; read a; echo deployed-$a; "
        'exec sleep 300"]\n'
    )
    wezmp("agent", "define", str(spec))
    wezmp("agent", "start", "deployer")
    pane = wait_until(lambda: agent("deployer")["pane_id"])
    # Its state comes from its screen over there: the question waits for a person.
    wait_until(lambda: agent("deployer")["state"] == "waiting", timeout=30)
    assert "question" in wezmp("agent", "explain", "deployer")
    shown = agent("deployer")
    assert shown["pid"] is None  # no process of it on this machine
    wezmp("agent", "send", "deployer", "y")
    wait_until(
        lambda: "deployed-y" in remote_wez.cli("get-text", "--pane-id", str(pane)).stdout,
        timeout=20,
    )
    # It really runs over SSH: an sshd session is among its ancestors.
    procs = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    (sleeper,) = [p for p in procs if cmdline(p) == "sleep 300"]
    assert "sshd" in ancestors(int(sleeper.name))
    wezmp("agent", "stop", "deployer")
    wait_until(lambda: agent("deployer")["state"] == "stopped")
    listed = json.loads(remote_wez.cli("list", "--format", "json").stdout)
    assert str(pane) not in {str(p["pane_id"]) for p in listed}
    wait_until(lambda: not sleeper.exists())  # the remote process ended with its pane
    runs = json.loads(wezmp("agent", "runs", "deployer", "--json"))
    assert runs and all(r["ended_at"] for r in runs)
