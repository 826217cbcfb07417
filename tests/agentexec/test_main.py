"""`wezmp exec`: exit codes, signals, restarts in place, and no heavy imports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import clean_env, wait_until
from wezmp_tui import procgroup
from wezmp_tui.agentexec.main import exit_status, parse


def run_exec(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wezmp_tui", "exec", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("code", [0, 3, 42])
def test_exit_code_is_the_childs(code: int) -> None:
    assert run_exec("--agent", "a", "--", "sh", "-c", f"exit {code}").returncode == code


def test_a_signal_gives_128_plus_n() -> None:
    r = run_exec("--agent", "a", "--", "sh", "-c", "kill -TERM $$")
    assert r.returncode == 128 + signal.SIGTERM


def test_missing_command_is_127_with_a_message() -> None:
    r = run_exec("--agent", "a", "--", "no-such-program-xyz")
    assert r.returncode == 127
    assert "no-such-program-xyz" in r.stderr


def test_usage_errors() -> None:
    assert run_exec("--agent", "a").returncode == 2
    assert run_exec("--", "true").returncode == 2


def test_restart_on_failure_then_gives_up(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    script = f'echo x >> "{counter}"; exit 5'
    r = run_exec(
        "--agent", "c", "--restart", "on_failure", "--max-restarts", "2", "--backoff", "0.01",
        "--no-hold", "--", "sh", "-c", script,
    )  # fmt: skip
    assert r.returncode == 5
    assert counter.read_text().count("x") == 3
    assert "giving up" in r.stderr
    assert r.stderr.count("restarting in") == 2


def test_on_failure_does_not_restart_a_clean_exit(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    r = run_exec("--agent", "c", "--restart", "on_failure", "--backoff", "0.01", "--",
                 "sh", "-c", f'echo x >> "{counter}"')  # fmt: skip
    assert r.returncode == 0 and counter.read_text().count("x") == 1


def test_always_restarts_until_the_crash_loop_window_fills(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    r = run_exec("--agent", "c", "--restart", "always", "--max-restarts", "1", "--backoff",
                 "0.01", "--no-hold", "--", "sh", "-c", f'echo x >> "{counter}"')  # fmt: skip
    assert r.returncode == 0 and counter.read_text().count("x") == 2


def test_sigterm_is_forwarded_and_stops_restarts(tmp_path: Path) -> None:
    marker = tmp_path / "got"
    script = f'trap "echo term > {marker}; exit 7" TERM; echo ready; while :; do sleep 0.05; done'
    proc = subprocess.Popen(
        [sys.executable, "-m", "wezmp_tui", "exec", "--agent", "s", "--restart", "always",
         "--", "sh", "-c", script],
        stdout=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 7
    assert marker.read_text().strip() == "term"


def test_ctrl_c_reaches_the_agent_not_the_wrapper(tmp_path: Path) -> None:
    """In a real terminal Ctrl-C signals the whole foreground group: wrapper and agent."""
    script = 'trap "exit 9" INT; echo ready; while :; do sleep 0.05; done'
    proc = subprocess.Popen(
        [sys.executable, "-m", "wezmp_tui", "exec", "--agent", "s", "--", "sh", "-c", script],
        stdout=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=20) == 9


def test_the_agent_env_names_the_agent(tmp_path: Path) -> None:
    out = tmp_path / "env"
    run_exec("--agent", "named", "--", "sh", "-c", f'echo "$WEZMP_AGENT_ID" > {out}')
    assert out.read_text().strip() == "named"


def test_helpers() -> None:
    args = parse(["--agent", "x", "--restart", "always", "--", "a", "--b"])
    assert args.command == ["a", "--b"] and args.restart == "always"
    assert exit_status(3 << 8) == (3, None)
    assert exit_status(signal.SIGKILL) == (128 + 9, 9)


def test_starts_fast_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, time; t = time.perf_counter();"
        "import wezmp_tui.agentexec.main;"
        "heavy = {'click', 'asyncio', 'psutil', 'yaml', 'textual', 'msgspec', 'sqlite3'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=clean_env()
    )
    assert out.stdout.strip() == "[]"


def test_reports_to_a_daemon_and_survives_its_absence(daemon: Path) -> None:
    r = run_exec("--agent", "reported", "--", "sh", "-c", "exit 2")
    assert r.returncode == 2
    from wezmp_tui.ipc.client import connect

    with connect(autostart=False) as c:
        shown = c.call("agent.show", name="reported")
    assert shown["agent"]["last_exit"] == 2
    assert shown["runs"][0]["exit_code"] == 2
    # With the daemon gone the agent still runs and exits normally.
    subprocess.run([sys.executable, "-m", "wezmp_tui", "daemon", "stop"], capture_output=True)
    t = time.monotonic()
    assert run_exec("--agent", "reported", "--", "true").returncode == 0
    assert time.monotonic() - t < 10
    wait_until(lambda: True)


def _in_a_terminal(*args: str) -> tuple[subprocess.Popen[bytes], int]:
    """`wezmp exec ARGS` as a pane's program: session leader on a real PTY it controls."""
    import fcntl
    import termios

    master, slave = os.openpty()

    def take_tty() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "wezmp_tui", "exec", *args],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True, preexec_fn=take_tty,
    )  # fmt: skip
    os.close(slave)
    return proc, master


def _read_all(master: int) -> str:
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")


def test_the_agent_leads_its_own_group_in_the_terminals_foreground() -> None:
    probe = (
        "import os; print('group', os.getpgrp() == os.getpid(),"
        " 'foreground', os.tcgetpgrp(0) == os.getpgrp(), 'session', os.getsid(0) != os.getpid())"
    )
    proc, master = _in_a_terminal("--agent", "fg", "--", sys.executable, "-c", probe)
    try:
        assert proc.wait(timeout=30) == 0
        assert "group True foreground True session True" in _read_all(master)
    finally:
        os.close(master)


def _pids(path: Path) -> list[list[int]]:
    return [list(map(int, line.split())) for line in path.read_text().splitlines() if line]


def test_what_the_agent_left_behind_ends_with_it(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = f"sh -c 'trap \"\" HUP TERM; exec sleep 631' & echo $! > {pids}; exit 0"
    assert run_exec("--agent", "leaver", "--", "sh", "-c", script).returncode == 0
    [[child]] = _pids(pids)
    assert not procgroup.alive(child)


def test_kill_9_of_the_agent_restarts_it_without_its_old_child(tmp_path: Path) -> None:
    """As Gemini's CLI runs its real program as a child: SIGKILL of the agent's pid must not
    leave that child beside the restarted agent."""
    pids = tmp_path / "pids"
    script = f"sh -c 'trap \"\" HUP TERM; exec sleep 632' & echo $$ $! >> {pids}; exec sleep 633"
    proc, master = _in_a_terminal(
        "--agent", "node-like", "--restart", "always", "--backoff", "0.05", "--",
        "sh", "-c", script,
    )  # fmt: skip
    try:
        wait_until(lambda: pids.exists() and len(_pids(pids)) == 1)
        [[agent, child]] = _pids(pids)
        os.kill(agent, signal.SIGKILL)
        wait_until(lambda: len(_pids(pids)) == 2, timeout=20)
        assert not procgroup.alive(child) and not procgroup.alive(agent)
        agent2, child2 = _pids(pids)[1]
        assert procgroup.alive(agent2) and procgroup.alive(child2)
        proc.send_signal(signal.SIGHUP)  # the pane closes
        proc.wait(timeout=20)
        assert not procgroup.alive(agent2) and not procgroup.alive(child2)
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def test_a_second_wrapper_of_a_running_agent_does_not_start(daemon: Path) -> None:
    first = subprocess.Popen(
        [sys.executable, "-m", "wezmp_tui", "exec", "--agent", "one", "--", "sleep", "634"],
        stdin=subprocess.DEVNULL,
    )
    try:
        from wezmp_tui.errors import NotFound
        from wezmp_tui.ipc.client import connect

        def registered() -> bool:
            with connect(autostart=False) as c:
                try:
                    return bool(c.call("agent.show", name="one")["agent"]["pid"])
                except NotFound:
                    return False

        wait_until(registered, timeout=20)
        second = run_exec("--agent", "one", "--", "sleep", "634")
        assert second.returncode == 1
        assert f"one already runs (wezmp exec pid {first.pid})" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=20)


def test_a_restarted_shell_gets_the_terminal_back() -> None:
    """An interactive shell takes the terminal for a process group of its own; killed, it
    leaves the terminal to a dead group. The wrapper takes it back before the next start, or
    the new shell stops itself (SIGTTIN) and never reads what is typed into the pane."""
    import fcntl
    import select
    import termios

    master, slave = os.openpty()

    def own_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "wezmp_tui", "exec", "--agent", "sh", "--restart", "always",
         "--backoff", "0.05", "--", "sh", "-i"],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        preexec_fn=own_terminal, env=dict(clean_env(), PS1="ready> "),
    )  # fmt: skip
    os.close(slave)
    seen = bytearray()

    def shows(needle: bytes) -> bool:
        while True:
            if not select.select([master], [], [], 0.05)[0]:
                return needle in seen
            try:
                seen.extend(os.read(master, 4096))
            except OSError:
                return needle in seen

    try:
        wait_until(lambda: shows(b"ready> "))
        (shell,) = [
            int(d.name)
            for d in Path("/proc").iterdir()
            if d.name.isdigit() and _parent(d) == proc.pid
        ]
        os.kill(shell, signal.SIGKILL)
        # The new prompt may come in the same read as the notice: look after the notice.
        wait_until(lambda: shows(b"restarting in") and b"ready> " in _after(seen))
        os.write(master, b"echo back-$((40+2))\n")
        wait_until(lambda: shows(b"back-42"))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the wrapper and the shell: its session
        proc.wait(timeout=10)
        os.close(master)


def _after(seen: bytearray, notice: bytes = b"restarting in") -> bytes:
    return bytes(seen[seen.find(notice) :])


def fake_agent(tmp_path: Path, body: str) -> Path:
    """An executable that logs its arguments, then runs `body` (Python, `args` bound)."""
    exe = tmp_path / "fake-agent"
    log = tmp_path / "argv.log"
    exe.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "args = sys.argv[1:]\n"
        f"open({str(log)!r}, 'a').write(' '.join(args) + '\\n')\n"
        f"runs = open({str(log)!r}).read().splitlines()\n" + body
    )
    exe.chmod(0o755)
    return exe


def test_a_restart_resumes_the_last_session(tmp_path: Path) -> None:
    exe = fake_agent(tmp_path, "sys.exit(0 if '--continue' in args else 4)\n")
    r = run_exec("--agent", "c", "--restart", "on_failure", "--backoff", "0.01",
                 "--resume-arg=--continue", "--", str(exe), "--model", "x")  # fmt: skip
    assert r.returncode == 0, r.stderr
    # The first run starts fresh; the restart continues, the flag right after the program.
    assert (tmp_path / "argv.log").read_text().splitlines() == ["--model x", "--continue --model x"]


def test_a_resume_that_fails_at_once_starts_fresh(tmp_path: Path) -> None:
    # Like `claude --continue` where there is no conversation yet: exit 1 at once.
    exe = fake_agent(
        tmp_path, "sys.exit(1 if '--continue' in args else (4 if len(runs) == 1 else 0))\n"
    )
    r = run_exec("--agent", "c", "--restart", "on_failure", "--backoff", "0.01",
                 "--resume-arg=resume", "--resume-arg=--continue", "--", str(exe))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "argv.log").read_text().splitlines() == ["", "resume --continue", ""]
    assert "could not resume its last session (exit 1); starting fresh" in r.stderr
    # A restart made by the daemon resumes already on the first run.
    (tmp_path / "argv.log").unlink()
    exe = fake_agent(tmp_path, "sys.exit(0)\n")
    run_exec("--agent", "c", "--resume-arg=--continue", "--resume-now", "--", str(exe))
    assert (tmp_path / "argv.log").read_text().splitlines() == ["--continue"]


def _parent(proc_dir: Path) -> int | None:
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])
