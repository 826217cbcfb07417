"""`wezmp exec --agent NAME [options] -- argv…`: the wrapper every agent pane runs.

It runs the agent as its child on the pane's terminal, tells the daemon the real pid and every
exit, and restarts the command in the same pane per policy, so the layout stays put. It keeps
the agent running when the daemon is gone or restarted (reports are best effort, and it
re-registers on reconnect). Standard library only: it runs on every agent start.

The agent runs as the leader of its own process group, made the terminal's foreground group
(so Ctrl-C and a full-screen UI reach it as in any terminal). When it ends, whatever it left
behind in that group, and in the pane's session when the wrapper leads it, is ended too
before anything starts again: one agent is one set of processes, never an orphan beside a
new one.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from typing import Any

from wezmp_tui import procgroup
from wezmp_tui.model.restart import POLICIES, RestartPolicy

# Signals passed on to the agent: these to its whole group, as a terminal would send them...
TO_GROUP = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT)
# ...these to the agent's own process only (their meaning is the program's own).
TO_AGENT = (signal.SIGUSR1, signal.SIGUSR2)
# A resumed run that fails within this many seconds could not resume (no conversation to
# continue yet, say): the next run starts fresh, at once.
RESUME_GRACE = 10.0
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
    p.add_argument("--restart", choices=POLICIES, default=None)
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


def session() -> int | None:
    """Our session's id when this wrapper leads it (the pane's first process): everything in
    it belongs to the agent. None when started from someone's shell, whose session is not
    ours to end."""
    sid = os.getsid(0)
    return sid if sid == os.getpid() else None


class Reporter:
    """Best-effort reports to the daemon; reconnects (and re-registers) when it comes back."""

    def __init__(self, agent: str) -> None:
        self.agent = agent
        self.client: Any = None
        self.registered_pid: int | None = None
        self.version: str | None = None
        self.resumed = False
        self.last_attempt = 0.0
        self.refused = ""  # why the daemon said another wrapper runs this agent

    def _connect(self, now: bool = False) -> Any:
        if self.client is not None:
            return self.client
        if not now and time.monotonic() - self.last_attempt < 1.0:
            return None  # do not hammer a daemon that is down
        self.last_attempt = time.monotonic()
        try:
            from wezmp_tui.ipc.client import try_connect
            from wezmp_tui.paths import resolve

            self.client = try_connect(resolve(os.environ), timeout=2.0, client="exec")
        except Exception:
            self.client = None
        if self.client is not None and self.registered_pid is not None:
            self.register(self.registered_pid)
        return self.client

    def call(self, method: str, **params: Any) -> Any:
        # A connection to a daemon that has since restarted fails on first use: connect
        # again at once, so the report (an exit, say) reaches the new daemon.
        for again in (False, True):
            client = self._connect(now=again)
            if client is None:
                return None
            try:
                return client.call(method, **params)
            except Exception as exc:
                if type(exc).__name__ != "DaemonUnavailable":
                    return None
                client.close()
                self.client = None
        return None

    def _answer(self, method: str, **params: Any) -> dict[str, Any]:
        answer = self.call(
            method,
            name=self.agent,
            wrapper_pid=os.getpid(),
            pane_id=pane_id(),
            session=session(),
            **params,
        )
        answer = answer if isinstance(answer, dict) else {}
        if answer.get("ok") is False:
            self.refused = str(answer.get("why") or "another wrapper runs this agent")
        return answer

    def claim(self) -> dict[str, Any]:
        """Before the agent starts: may it (no other live wrapper runs it), and its policy."""
        return self._answer("agent.claim")

    def register(self, pid: int) -> dict[str, Any]:
        """The agent runs as `pid` (with the CLI's version, and whether this run resumed
        its last session, as set on this reporter)."""
        self.registered_pid = pid
        return self._answer("agent.register", pid=pid, version=self.version, resumed=self.resumed)


class Registration:
    """One run's registration with the daemon. It happens after the fork, so the daemon
    learns the agent's own pid; the answer carries the agent's restart policy for options
    not given as flags, or a refusal (another live wrapper runs this agent: this run ends).
    A daemon too busy to answer (starting 64 agents) is asked again while the agent runs.
    The agent CLI's version is looked up once, after the first fork (files beside its
    executable: no process of its own)."""

    def __init__(
        self,
        reporter: Reporter,
        args: argparse.Namespace,
        policy: RestartPolicy,
        env: dict[str, str],
    ) -> None:
        self.reporter = reporter
        self.args = args
        self.policy = policy
        self.env = env
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def started(self, pid: int) -> None:
        if self.reporter.version is None:
            from wezmp_tui.agentexec.version import agent_version

            self.reporter.version = agent_version(self.args.command[0], self.env.get("PATH"))
        if not self._register(pid):
            self.thread = threading.Thread(target=self._again, args=(pid,), daemon=True)
            self.thread.start()

    def _again(self, pid: int) -> None:
        while not self.done.wait(1.0) and not self._register(pid):
            pass

    def _register(self, pid: int) -> bool:
        answer = self.reporter.register(pid)
        if not answer:
            return False
        self.policy = policy_of(self.args, answer, self.policy)
        if self.reporter.refused:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        return True

    def finish(self) -> RestartPolicy:
        """The run has ended: stop asking; the policy as the daemon last gave it."""
        self.done.set()
        if self.thread is not None:
            self.thread.join()
        return self.policy


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
                          reason=f"dependency: {answer.get('why')}",
                          wrapper_pid=os.getpid())  # fmt: skip
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


def terminal() -> int | None:
    """Our terminal's descriptor when our process group is its foreground one (a pane, or a
    shell that ran us in the foreground): the agent's group gets the terminal then."""
    try:
        fd = sys.stdin.fileno()
        if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp():
            return fd
    except (OSError, ValueError, AttributeError):
        pass
    return None


def give_terminal(fd: int, pgid: int) -> None:
    # A background group that sets the foreground one is stopped by SIGTTOU unless it
    # ignores it (the parent handing the terminal back after the agent ended is such a one).
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(fd, pgid)
    finally:
        signal.signal(signal.SIGTTOU, old)


def run_once(command: list[str], env: dict[str, str], on_start: Any = None) -> tuple[int, int]:
    """Run the command as our child, leader of its own process group and in the terminal's
    foreground; forward signals to it; when it ends, end what it left behind. Returns (pid,
    wait status)."""
    tty = terminal()
    # The child execs once the parent has told the daemon of the run (or failed to): the
    # daemon keeps a run's output from its first byte.
    go, ready = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(ready)
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
            if tty is not None:
                give_terminal(tty, os.getpid())
        for sig in (*TO_GROUP, *TO_AGENT, signal.SIGTTOU):
            signal.signal(sig, signal.SIG_DFL)
        with contextlib.suppress(OSError):
            os.read(go, 1)  # end of file: the parent has registered the run
        os.close(go)
        try:
            os.execvpe(command[0], command, env)
        except OSError as exc:
            sys.stderr.write(f"wezmp exec: {command[0]}: {exc.strerror}\n")
            os._exit(127)
    # Both sides set the group and the terminal: whichever runs first, the agent never runs
    # outside its group or reads the terminal from the background.
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    if tty is not None:
        give_terminal(tty, pid)

    def forward(signum: int, _frame: Any) -> None:
        if signum in (signal.SIGHUP, signal.SIGTERM):
            HANGUP.append(signum)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(-pid if signum in TO_GROUP else pid, signum)

    for sig in (*TO_GROUP, *TO_AGENT):
        signal.signal(sig, forward)
    os.close(go)
    try:
        try:
            if on_start is not None:
                on_start(pid)
        finally:
            os.close(ready)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except ChildProcessError:
                status = 0
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries for us
                continue
    finally:
        procgroup.end(pgid=pid, sid=session())
        if tty is not None:
            give_terminal(tty, os.getpgrp())
    return pid, status


def hold(args: argparse.Namespace) -> None:
    """Keep the pane (and the last output in it) until a person presses Enter."""
    if args.hold if args.hold is not None else sys.stdin.isatty():
        sys.stderr.write("[wezmp] press Enter to close this pane\n")
        try:
            sys.stdin.readline()
        except (OSError, KeyboardInterrupt):
            pass


def policy_of(
    args: argparse.Namespace, answer: dict[str, Any], base: RestartPolicy
) -> RestartPolicy:
    """The restart policy: our own flags first, then what the daemon says for this agent."""
    given = answer.get("restart") or {}
    flags = {
        "policy": args.restart,
        "max_restarts": args.max_restarts,
        "backoff": args.backoff,
        "window": args.window,
    }
    return base._replace(
        **{k: v if v is not None else given.get(k, getattr(base, k)) for k, v in flags.items()}
    )


def main(argv: list[str]) -> int:
    args = parse(argv)
    reporter = Reporter(args.agent)
    env = dict(os.environ, WEZMP_AGENT_ID=args.agent)
    policy = policy_of(args, reporter.claim(), RestartPolicy())
    if reporter.refused:
        sys.stderr.write(f"[wezmp] not starting {args.agent}: {reporter.refused}\n")
        return 1
    recent: tuple[float, ...] = ()
    if args.wait_deps and not wait_for_dependencies(reporter):
        return 1
    resume = bool(args.resume_arg) and args.resume_now
    while True:
        started = time.monotonic()
        command = args.command
        reporter.resumed = resume
        if resume:
            command = [command[0], *args.resume_arg, *command[1:]]
        registration = Registration(reporter, args, policy, env)
        _pid, status = run_once(command, env, registration.started)
        policy = registration.finish()
        reporter.registered_pid = None  # nothing of it runs: not to be registered again
        if reporter.refused:
            sys.stderr.write(f"[wezmp] ended {args.agent}: {reporter.refused}\n")
            return 1
        code, sig = exit_status(status)
        answer = reporter.call(
            "agent.exited",
            name=args.agent,
            code=code,
            signal=sig,
            duration=round(time.monotonic() - started, 3),
            wrapper_pid=os.getpid(),
        )
        answer = answer if isinstance(answer, dict) else {}
        if answer.get("stop") or HANGUP:
            return code  # stopped on purpose through wezmp, the pane is gone, or told to stop
        if answer.get("restart"):
            # Restarted through wezmp: at once, whatever the policy, and not a crash; with
            # `restart.resume` it continues its last session.
            recent = ()
            resume = bool(args.resume_arg)
            if answer.get("wait_deps") and not wait_for_dependencies(reporter):
                return 1
            continue
        if (
            reporter.resumed
            and code != 0
            and policy.policy != "no"
            and time.monotonic() - started < RESUME_GRACE
        ):
            # It could not continue (no conversation yet): start it fresh, now, uncounted.
            sys.stderr.write(
                f"[wezmp] {args.agent} could not resume its last session (exit {code}); "
                "starting fresh\n"
            )
            resume = False
            reporter.call("agent.restarting", name=args.agent, delay=0.0,
                          wrapper_pid=os.getpid())  # fmt: skip
            continue
        resume = bool(args.resume_arg)
        decision = policy.decide(code, recent, time.monotonic())
        recent = decision.recent
        if decision.gave_up:
            msg = f"[wezmp] {args.agent} {decision.reason}; giving up"
            sys.stderr.write(msg + "\n")
            reporter.call("agent.failed", name=args.agent, code=code, reason=decision.reason,
                          wrapper_pid=os.getpid())  # fmt: skip
            hold(args)
            return code
        if not decision.restart:
            return code
        sys.stderr.write(
            f"[wezmp] {args.agent} exited ({code}); restarting in {decision.delay:.1f}s\n"
        )
        # Told before the backoff, so the table shows the restart as it happens.
        reporter.call("agent.restarting", name=args.agent, delay=decision.delay,
                      wrapper_pid=os.getpid())  # fmt: skip
        time.sleep(decision.delay)  # backoff between real restarts
        if HANGUP:
            return code
