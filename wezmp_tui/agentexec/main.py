"""`wezmp exec --agent NAME [options] -- argv…`: the wrapper every agent pane runs.

It runs the agent as its child on the pane's terminal, tells the daemon the real pid and every
exit, and restarts the command in the same pane per policy, so the layout stays put. It keeps
the agent running when the daemon is gone or restarted (reports are best effort, and it
re-registers on reconnect). Standard library only: it runs on every agent start.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from typing import Any

# A resumed run that fails within this many seconds could not resume (no conversation to
# continue yet, say): the next run starts fresh, at once.
RESUME_GRACE = 10.0
FORWARD = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
# SIGHUP (the pane closed) or SIGTERM (asked to stop) received: never restart after it.
HANGUP: list[int] = []


def parse(argv: list[str]) -> argparse.Namespace:
    if "--" in argv:
        cut = argv.index("--")
        opts, command = argv[:cut], argv[cut + 1 :]
    else:
        opts, command = argv, []
    p = argparse.ArgumentParser(prog="wezmp exec", description=__doc__)
    p.add_argument("--agent", required=True, help="the agent's name")
    p.add_argument("--restart", choices=["no", "on_failure", "always"], default=None)
    p.add_argument("--max-restarts", type=int, default=None)
    p.add_argument("--backoff", type=float, default=None, help="seconds before a restart")
    p.add_argument("--window", type=float, default=None, help="crash-loop window, seconds")
    p.add_argument("--wait-deps", action="store_true",
                   help="start once the daemon says its dependencies hold")  # fmt: skip
    p.add_argument("--hold", action=argparse.BooleanOptionalAction, default=None,
                   help="keep the pane open with the last output when giving up")  # fmt: skip
    p.add_argument("--resume-arg", action="append", default=[], metavar="ARG",
                   help="an argument (after the program) that continues its last session on "
                        "a restart; repeat for several (--resume-arg=--continue)")  # fmt: skip
    p.add_argument("--resume-now", action="store_true",
                   help="resume already on the first run (a restart made by the daemon)")
    args = p.parse_args(opts)
    if not command:
        p.error("no command given (wezmp exec --agent NAME -- COMMAND ARGS…)")
    args.command = command
    return args


class Reporter:
    """Best-effort reports to the daemon; reconnects (and re-registers) when it comes back."""

    def __init__(self, agent: str) -> None:
        self.agent = agent
        self.client: Any = None
        self.registered_pid: int | None = None
        self.version: str | None = None
        self.resumed = False
        self.last_attempt = 0.0

    def _connect(self) -> Any:
        if self.client is not None:
            return self.client
        now = time.monotonic()
        if now - self.last_attempt < 1.0:
            return None  # do not hammer a daemon that is down
        self.last_attempt = now
        try:
            from wezmp_tui.ipc.client import try_connect
            from wezmp_tui.paths import resolve

            self.client = try_connect(resolve(os.environ), timeout=2.0, client="exec")
        except Exception:
            self.client = None
        if self.client is not None and self.registered_pid is not None:
            self.register(self.registered_pid, resumed=self.resumed)
        return self.client

    def call(self, method: str, **params: Any) -> Any:
        client = self._connect()
        if client is None:
            return None
        try:
            return client.call(method, **params)
        except Exception as exc:
            if type(exc).__name__ == "DaemonUnavailable":
                client.close()
                self.client = None
            return None

    def register(
        self, pid: int, *, version: str | None = None, resumed: bool = False
    ) -> dict[str, Any]:
        self.registered_pid = pid
        if version is not None:
            self.version = version
        self.resumed = resumed
        answer = self.call(
            "agent.register",
            name=self.agent,
            pid=pid,
            wrapper_pid=os.getpid(),
            pane_id=pane_id(),
            version=self.version,
            resumed=self.resumed,
        )
        return answer if isinstance(answer, dict) else {}


def wait_for_dependencies(reporter: Reporter, poll: float = 0.5) -> bool:
    """Wait until the daemon says every dependency's condition holds (a layout builds all its
    panes at once; this is how a dependent one waits its turn in its own pane). False when
    one never will (the dependency failed). With no daemon to ask, go ahead after a while
    rather than hang."""
    shown = ""
    unanswered = 0
    while True:
        answer = reporter.call("agent.deps", name=reporter.agent)
        if not isinstance(answer, dict):
            unanswered += 1
            if unanswered * poll >= 10:
                sys.stderr.write("[wezmp] no daemon to ask about dependencies; starting\n")
                return True
        elif answer.get("ready"):
            return True
        elif answer.get("never"):
            sys.stderr.write(f"[wezmp] {reporter.agent} will not start: {answer.get('why')}\n")
            reporter.call("agent.failed", name=reporter.agent, code=None,
                          reason=f"dependency: {answer.get('why')}")  # fmt: skip
            return False
        elif answer.get("why") != shown:
            shown = str(answer.get("why"))
            sys.stderr.write(f"[wezmp] {reporter.agent} waiting: {shown}\n")
        time.sleep(poll)


def pane_id() -> str | None:
    for var in ("WEZMP_PANE_ID", "WEZTERM_PANE", "TMUX_PANE"):
        if os.environ.get(var):
            return os.environ[var]
    return None


def exit_status(status: int) -> tuple[int, int | None]:
    """(wrapper exit code, signal number or None) as a shell reports it: 128+N for a signal."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return 128 + sig, sig
    return os.WEXITSTATUS(status), None


def run_once(command: list[str], env: dict[str, str], on_start: Any = None) -> tuple[int, int]:
    """Run the command as our child in our process group (so Ctrl-C reaches it through the
    terminal), forwarding other signals; returns (pid, wait status)."""
    pid = os.fork()
    if pid == 0:  # child
        for sig in (signal.SIGINT, signal.SIGQUIT, *FORWARD):
            signal.signal(sig, signal.SIG_DFL)
        try:
            os.execvpe(command[0], command, env)
        except OSError as exc:
            sys.stderr.write(f"wezmp exec: {command[0]}: {exc.strerror}\n")
            os._exit(127)

    def forward(signum: int, _frame: Any) -> None:
        if signum in (signal.SIGHUP, signal.SIGTERM):
            HANGUP.append(signum)
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for sig in FORWARD:
        signal.signal(sig, forward)
    # Ctrl-C goes to the whole foreground group, the agent included; the wrapper ignores it
    # and lives on to report how the agent ended.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if on_start is not None:
        on_start(pid)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            return pid, status
        except ChildProcessError:
            return pid, 0
        except InterruptedError:  # pragma: no cover - PEP 475 retries for us
            continue


def main(argv: list[str]) -> int:
    args = parse(argv)
    reporter = Reporter(args.agent)
    env = dict(os.environ, WEZMP_AGENT_ID=args.agent)
    policy: dict[str, Any] = {
        "restart": args.restart or "no",
        "max_restarts": 5 if args.max_restarts is None else args.max_restarts,
        "backoff": 1.0 if args.backoff is None else args.backoff,
        "window": 60.0 if args.window is None else args.window,
    }
    failures: list[float] = []
    restarts = 0
    if args.wait_deps and not wait_for_dependencies(reporter):
        return 1
    resume = bool(args.resume_arg) and args.resume_now
    version: list[str | None] = []  # looked up once, after the first fork
    while True:
        started = time.monotonic()
        resumed = resume
        command = args.command
        if resumed:
            command = [command[0], *args.resume_arg, *command[1:]]

        # Registration happens after the fork so the daemon learns the agent's own pid; the
        # daemon's answer carries the agent's restart policy for options not given as flags.
        def started_child(pid: int, resumed: bool = resumed) -> None:
            if not version:
                from wezmp_tui.agentexec.version import agent_version

                version.append(agent_version(args.command[0], env.get("PATH")))
            answer = reporter.register(pid, version=version[0], resumed=resumed)
            for key, flag in (("restart", args.restart), ("max_restarts", args.max_restarts),
                              ("backoff", args.backoff), ("window", args.window)):  # fmt: skip
                if flag is None and key in (answer.get("restart") or {}):
                    policy[key] = answer["restart"][key]

        _pid, status = run_once(command, env, started_child)
        code, sig = exit_status(status)
        answer = reporter.call(
            "agent.exited",
            name=args.agent,
            code=code,
            signal=sig,
            duration=round(time.monotonic() - started, 3),
            restarts=restarts,
        )
        restart = policy["restart"] == "always" or (policy["restart"] == "on_failure" and code != 0)
        if isinstance(answer, dict) and answer.get("stop"):
            restart = False  # stopped on purpose through wezmp
        if HANGUP:
            restart = False  # the pane is gone or we were told to stop
        if restart and resumed and code != 0 and time.monotonic() - started < RESUME_GRACE:
            # It could not continue (no conversation yet): start it fresh, now, uncounted.
            sys.stderr.write(
                f"[wezmp] {args.agent} could not resume its last session (exit {code}); "
                "starting fresh\n"
            )
            resume = False
            restarts += 1
            reporter.call("agent.restarting", name=args.agent, restarts=restarts, delay=0.0)
            continue
        resume = bool(args.resume_arg)
        if not restart:
            return code
        now = time.monotonic()
        failures = [t for t in failures if now - t < policy["window"]] + [now]
        if len(failures) > policy["max_restarts"]:
            msg = (
                f"[wezmp] {args.agent} exited {len(failures)} times within "
                f"{policy['window']:.0f}s (last exit {code}); giving up"
            )
            sys.stderr.write(msg + "\n")
            reporter.call("agent.failed", name=args.agent, code=code, reason=msg)
            if args.hold if args.hold is not None else sys.stdin.isatty():
                sys.stderr.write("[wezmp] press Enter to close this pane\n")
                try:
                    sys.stdin.readline()
                except (OSError, KeyboardInterrupt):
                    pass
            return code
        restarts += 1
        delay = min(policy["backoff"] * 2 ** (len(failures) - 1), 30.0)
        sys.stderr.write(f"[wezmp] {args.agent} exited ({code}); restarting in {delay:.1f}s\n")
        # Told before the backoff, so the table shows the restart as it happens.
        reporter.call("agent.restarting", name=args.agent, restarts=restarts, delay=delay)
        time.sleep(delay)  # backoff between real restarts
