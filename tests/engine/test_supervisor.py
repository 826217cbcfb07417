"""The supervisor with real agents under `wezmp exec` in real tmux panes, reporting over a
real socket to an in-process engine."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from tests.helpers import async_wait_until
from wezmp_tui import procgroup
from wezmp_tui.config.schema import AgentSpec, Config
from wezmp_tui.engine.facade import Engine
from wezmp_tui.engine.panes import PaneService
from wezmp_tui.engine.supervisor import Supervisor
from wezmp_tui.errors import Conflict, InvalidInput, NotFound
from wezmp_tui.ipc.server import IpcServer
from wezmp_tui.procfs import cmdline


def spec(name: str, script: str, **kw: Any) -> AgentSpec:
    raw = {"name": name, "command": ["sh", "-c", script], "workspace": "w", **kw}
    return msgspec.convert(raw, AgentSpec)


async def serve(engine: Engine) -> IpcServer:
    srv = IpcServer(engine)
    await srv.start()
    return srv


@pytest.fixture
async def running(make_engine: Any) -> AsyncIterator[Any]:
    servers: list[IpcServer] = []

    async def make(*specs: AgentSpec) -> Engine:
        engine = await make_engine("tmux", config=Config(agents=list(specs)))
        # A pane that keeps the tmux server (and its pane numbering) alive all along.
        await engine.mux.spawn(workspace="keeper", argv=["sleep", "120"])
        servers.append(await serve(engine))
        return engine

    yield make
    for s in servers:
        await s.stop()


async def until(engine: Engine, predicate: Any, timeout: float = 15.0) -> None:
    sup = engine.get(Supervisor)

    async def check() -> bool:
        await engine.get(PaneService).tick()
        await sup.tick()
        return bool(predicate(sup))

    try:
        await async_wait_until(check, timeout=timeout, interval=0.05)
    except AssertionError:
        raise AssertionError(f"agents: {sup.agents_in(None)}") from None


def state(sup: Supervisor, name: str) -> str:
    return sup.agents[name].info.state


async def test_dependencies_start_in_order_with_their_conditions(running: Any) -> None:
    engine = await running(
        spec("db", "sleep 0.3; echo db ready; exec sleep 60", log_ready="db ready"),
        spec("api", "echo api up; exec sleep 60", depends_on={"db": "log_ready"}),
        spec("web", "exec sleep 60", depends_on={"api": "started"}),
    )
    result = await engine.invoke("agent.start", {"name": "web"})
    assert result["order"] == ["db", "api", "web"]
    sup = engine.get(Supervisor)
    assert state(sup, "api") == "starting" and sup.agents["api"].info.pane_id is None
    await until(engine, lambda s: all(state(s, n) == "working" for n in ("db", "api", "web")))
    db, api = sup.agents["db"].info, sup.agents["api"].info
    assert db.started_at is not None and api.started_at is not None
    assert db.started_at <= api.started_at
    assert db.pid and db.pane_id
    # Stopping db stops what depends on it first.
    stopped = await engine.invoke("agent.stop", {"name": "db"})
    assert stopped["stopped"] == ["web", "api", "db"]
    assert {state(sup, n) for n in ("db", "api", "web")} == {"stopped"}


async def test_completed_successfully_and_a_failed_dependency(running: Any) -> None:
    engine = await running(
        spec("migrate", "exit 0", restart={"policy": "no"}),
        spec("app", "exec sleep 60", depends_on={"migrate": "completed_successfully"}),
        spec("bad", "exit 4", restart={"policy": "no"}),
        spec("after-bad", "exec sleep 60", depends_on={"bad": "completed_successfully"}),
    )
    await engine.invoke("agent.start", {"names": ["app", "after-bad"]})
    await until(
        engine, lambda s: state(s, "app") == "working" and state(s, "after-bad") == "failed"
    )
    sup = engine.get(Supervisor)
    assert sup.agents["migrate"].info.last_exit == 0
    assert "bad exited with 4" in sup.agents["after-bad"].info.state_reason


async def test_crash_loop_marks_failed_with_last_output_and_runs(running: Any) -> None:
    crash = spec(
        "crash",
        "echo boom-$$; exit 3",
        restart={"policy": "on_failure", "max_restarts": 2, "backoff_seconds": 0.05},
    )
    engine = await running(crash)
    failed = engine.bus.subscribe(["agent.failed"])
    await engine.invoke("agent.start", {"name": "crash"})
    await until(engine, lambda s: state(s, "crash") == "failed")
    info = engine.get(Supervisor).agents["crash"].info
    assert info.last_exit == 3 and info.restarts == 2
    assert any(line.startswith("boom-") for line in info.last_output)
    runs = await engine.invoke("agent.runs", {"name": "crash"})
    assert [r["exit_code"] for r in runs] == [3, 3, 3]
    ev = failed.get_nowait()
    assert ev is not None and ev.data["agent"] == "crash"
    shown = await engine.invoke("agent.show", {"name": "crash"})
    assert shown["spec"]["restart"]["max_restarts"] == 2


async def test_a_pane_killed_from_outside_is_noticed_and_restarted(running: Any) -> None:
    engine = await running(spec("svc", "exec sleep 60", restart={"policy": "always"}))
    await engine.invoke("agent.start", {"name": "svc"})
    await until(engine, lambda s: state(s, "svc") == "working")
    sup = engine.get(Supervisor)
    old_pane = sup.agents["svc"].info.pane_id
    assert old_pane is not None
    await engine.mux.kill_pane(old_pane)
    await until(
        engine,
        lambda s: s.get("svc").pane_id not in (None, old_pane) and state(s, "svc") == "working",
    )
    assert sup.agents["svc"].info.restarts == 1
    runs = await engine.invoke("agent.runs", {"name": "svc"})
    # Newest first: the new run goes on; the old one ended by the hangup of its pane.
    assert len(runs) == 2 and runs[0]["ended_at"] is None
    assert runs[1]["reason"] in ("signal 1", "pane closed")


async def test_policy_no_and_send_and_restart(running: Any) -> None:
    engine = await running(spec("echoer", "exec cat", restart={"policy": "no"}))
    await engine.invoke("agent.start", {"name": "echoer"})
    await until(engine, lambda s: state(s, "echoer") == "working")
    sent = await engine.invoke("agent.send", {"name": "echoer", "text": "hello-agent"})
    assert sent == {"sent": ["echoer"], "failed": []}
    pane = engine.get(Supervisor).agents["echoer"].info.pane_id
    assert pane is not None

    async def echoed() -> bool:
        return (await engine.mux.get_text(pane)).count("hello-agent") >= 2

    await async_wait_until(echoed)
    pid = engine.get(Supervisor).agents["echoer"].info.pid
    restarted = await engine.invoke("agent.restart", {"name": "echoer"})
    assert restarted["order"] == ["echoer"]
    # In its own pane again, whatever the policy: a restart through wezmp is no crash.
    await until(
        engine,
        lambda s: state(s, "echoer") == "working"
        and s.agents["echoer"].info.pid not in (None, pid)
        and s.agents["echoer"].info.pane_id == pane,
    )
    with pytest.raises(NotFound):
        await engine.invoke("agent.send", {"workspace": "nowhere", "text": "x"})


async def test_define_validates_and_rejects_cycles(running: Any) -> None:
    engine = await running(spec("a", "exec sleep 60"))
    with pytest.raises(InvalidInput, match="unknown agent 'zz'"):
        await engine.invoke(
            "agent.define", {"spec": {"name": "b", "depends_on": {"zz": "started"}}}
        )
    await engine.invoke("agent.define", {"spec": {"name": "b", "depends_on": {"a": "started"}}})
    with pytest.raises(InvalidInput, match="dependency cycle: a → b → a"):
        await engine.invoke(
            "agent.define",
            {"spec": {"name": "a", "depends_on": {"b": "idle"}}, "replace": True},
        )
    with pytest.raises(Conflict):
        await engine.invoke("agent.define", {"spec": {"name": "b"}})
    with pytest.raises(InvalidInput, match="agent spec"):
        await engine.invoke("agent.define", {"spec": {"name": "c", "kind": "robot"}})
    with pytest.raises(Conflict, match="depend on a"):
        await engine.invoke("agent.remove", {"name": "a"})
    await engine.invoke("agent.remove", {"name": "b"})
    assert [a.name for a in await engine.invoke("agent.list")] == ["a"]


async def test_agents_are_adopted_after_a_daemon_restart(make_engine: Any, running: Any) -> None:
    engine = await running(spec("long", "exec sleep 60"))
    await engine.invoke("agent.start", {"name": "long"})
    await until(engine, lambda s: state(s, "long") == "working")
    pane = engine.get(Supervisor).agents["long"].info.pane_id
    pid = engine.get(Supervisor).agents["long"].info.pid
    # A second engine on the same store and tmux server, as after a daemon restart.
    again = await make_engine("tmux", config=Config(agents=[spec("long", "exec sleep 60")]))
    info = again.get(Supervisor).agents["long"].info
    assert (info.pane_id, info.pid, info.state) == (pane, pid, "working")
    explained = await again.invoke("agent.list")
    assert explained[0].desired == "running"


async def test_an_agent_started_by_hand_is_adopted(running: Any) -> None:
    engine = await running()
    answer = await engine.invoke("agent.register", {"name": "manual", "pid": 1, "pane_id": "%99"})
    assert answer["restart"]["policy"] == "no"
    assert engine.get(Supervisor).agents["manual"].info.state == "working"
    assert (await engine.invoke("agent.exited", {"name": "manual", "code": 0}))["stop"] is False


async def test_deps_say_ready_waiting_or_never(make_engine: Any) -> None:
    """What `wezmp exec --wait-deps` asks before starting an agent a layout placed."""
    engine = await make_engine("local")
    sup = engine.get(Supervisor)
    await engine.invoke("agent.define", {"spec": {"name": "a", "command": ["true"]}})
    await engine.invoke(
        "agent.define",
        {"spec": {"name": "b", "command": ["true"], "depends_on": {"a": "completed_successfully"}}},
    )
    assert await engine.invoke("agent.deps", {"name": "a"}) == {
        "ready": True, "never": False, "why": ""
    }  # fmt: skip
    waiting = await engine.invoke("agent.deps", {"name": "b"})
    assert (waiting["ready"], waiting["never"]) == (False, False)
    assert waiting["why"] == "a has not completed"
    sup.agents["a"].info.state, sup.agents["a"].info.last_exit = "exited", 3
    never = await engine.invoke("agent.deps", {"name": "b"})
    assert (never["never"], never["why"]) == (True, "a exited with 3")
    sup.agents["a"].info.last_exit = 0
    assert (await engine.invoke("agent.deps", {"name": "b"}))["ready"] is True
    with pytest.raises(NotFound):
        await engine.invoke("agent.deps", {"name": "ghost"})
    assert "--wait-deps" in sup.exec_argv("b", wait_deps=True)
    assert "--wait-deps" not in sup.exec_argv("a", wait_deps=True)  # nothing to wait for


async def test_healthy_waits_for_the_readiness_probe_and_log(running: Any, tmp_path: Any) -> None:
    """`healthy`: the dependency's readiness log line shows AND its exec probe passes
    `threshold` times in a row; a probe that fails or hangs past its timeout is not ready."""
    flag = tmp_path / "up"
    engine = await running(
        spec("db", "echo booting; sleep 0.2; echo accepting connections; exec sleep 60",
             readiness={"log_regex": "accepting", "exec": ["test", "-f", str(flag)],
                        "threshold": 2, "timeout": 1.0, "period": 0.1}),
        spec("api", "exec sleep 60", depends_on={"db": "healthy"}),
        spec("slow", "exec sleep 60",
             readiness={"exec": ["sleep", "5"], "timeout": 0.1, "period": 600}),
        spec("after-slow", "exec sleep 60", depends_on={"slow": "healthy"}),
    )  # fmt: skip
    sup = engine.get(Supervisor)
    await engine.invoke("agent.start", {"names": ["api", "after-slow"]})
    await until(engine, lambda s: state(s, "db") == "working" and state(s, "slow") == "working")
    # The log line shows first; the probe still fails (no flag yet).
    await until(engine, lambda s: "db readiness probe" in s.agents["api"].info.state_reason)
    assert state(sup, "api") == "starting" and sup.agents["api"].info.pane_id is None
    assert "slow readiness probe has not passed" in sup.agents["after-slow"].info.state_reason
    probed = sup.agents["slow"].probed_at
    await sup.tick()
    assert sup.agents["slow"].probed_at == probed  # not again before its period
    flag.touch()
    await until(engine, lambda s: state(s, "api") == "working")
    assert sup.agents["db"].probe_ok >= 2
    assert state(sup, "after-slow") == "starting"  # the hanging probe never passes


# -- one live process per agent, and nothing left behind ---------------------------------------


def processes(*argv: str) -> list[int]:
    """Live processes whose command line is exactly `argv`."""
    return [p for p, line in _table() if line == list(argv)]


def wrappers(name: str) -> list[int]:
    """Live `wezmp exec --agent NAME` processes."""
    return [p for p, line in _table() if line[3:6] == ["exec", "--agent", name]]


async def one_wrapper(name: str) -> int:
    """The one wrapper of `name`, once its child has become the agent (between its fork and
    its exec, which waits for the run to be registered, the child is a second one)."""

    async def single() -> list[int] | None:
        found = wrappers(name)
        return found if len(found) == 1 else None

    return (await async_wait_until(single, timeout=60))[0]


def _table() -> list[tuple[int, list[str]]]:
    pids = [int(n) for n in os.listdir("/proc") if n.isdigit()]
    return [(p, cmdline(p)) for p in pids if procgroup.alive(p)]


# 8 agents a workspace; 3 on the WezTerm double, whose every command is a new Python process
# (the races are between workspaces; 64 there took a third of the whole test's time).
@pytest.mark.parametrize(("backend", "each"), [("tmux", 8), ("local", 8), ("wezterm", 3)])
async def test_agents_in_8_workspaces_started_at_once_run_once(
    backend: str, each: int, make_engine: Any, request: pytest.FixtureRequest
) -> None:
    """Starts asked for in every workspace at once, with ticks running beside them (as the
    daemon's own tick does), make one pane and one process per agent; so do restarts."""
    if backend == "wezterm":
        request.getfixturevalue("fake_wezterm")
    marker = f"3{os.getpid()}"  # this test's agents: `sleep <marker>`
    # Named for the backend: the variants may run at once, and wrappers are found by name.
    names = [f"w{w}-a{i}-{backend}" for w in range(8) for i in range(each)]
    specs = [
        msgspec.convert(
            {"name": n, "workspace": n.split("-")[0], "command": ["sleep", marker]}, AgentSpec
        )
        for n in names
    ]
    engine = await make_engine(backend, config=Config(agents=specs))
    server = await serve(engine)
    try:
        sup = engine.get(Supervisor)
        await asyncio.gather(
            *(engine.invoke("agent.start", {"workspace": f"w{w}"}) for w in range(8)),
            sup.tick(),
            sup.tick(),
        )
        await until(engine, lambda s: all(a.pid for a in s.agents_in(None)), timeout=120)
        assert len(await engine.mux.list_panes()) == len(names)
        running = processes("sleep", marker)
        assert sorted(running) == sorted(a.pid for a in sup.agents_in(None))
        for n in names:
            await one_wrapper(n)
        # Restarts (one per workspace, at once) and starts of running agents change nothing.
        before = {n: sup.agents[n].info.pid for n in names}
        again = [f"w{w}-a0-{backend}" for w in range(8)]
        await asyncio.gather(
            *(engine.invoke("agent.restart", {"name": n}) for n in again),
            engine.invoke("agent.start", {"names": names}),
        )
        await until(
            engine,
            lambda s: all(s.agents[n].info.pid not in (None, before[n]) for n in again),
            timeout=60,
        )
        # (A registered child execs its command once its run is told: a moment later.)
        await until(engine, lambda s: len(processes("sleep", marker)) == len(names))
        assert len(await engine.mux.list_panes()) == len(names)
        assert all(sup.agents[n].info.pid == before[n] for n in names if n not in again)
    finally:
        await asyncio.gather(*(engine.invoke("agent.stop", {"name": n}) for n in names))
        await server.stop()
    assert processes("sleep", marker) == []


async def test_a_stop_ends_the_whole_process_group_and_session(running: Any, tmp_path: Any) -> None:
    pids = tmp_path / "pids"
    # A child that ignores SIGHUP and SIGTERM, as a CLI's real program may, beside the agent.
    script = f"sh -c 'trap \"\" HUP TERM; exec sleep 601' & echo $$ $! >> {pids}; exec sleep 602"
    engine = await running(spec("hardy", script, restart={"policy": "always"}))
    await engine.invoke("agent.start", {"name": "hardy"})
    await until(engine, lambda s: state(s, "hardy") == "working" and _written(pids, 2))
    agent, child = map(int, pids.read_text().split())
    assert procgroup.alive(child)
    await engine.invoke("agent.stop", {"name": "hardy"})
    assert not procgroup.alive(agent) and not procgroup.alive(child)
    assert wrappers("hardy") == []
    runs = await engine.invoke("agent.runs", {"name": "hardy"})
    assert runs[0]["ended_at"] is not None


async def test_a_killed_wrapper_leaves_nothing_in_its_pane(running: Any, tmp_path: Any) -> None:
    """SIGKILL of the wrapper: the pane closes, the child that ignores SIGHUP is ended by the
    daemon, and the agent comes back once."""
    pids = tmp_path / "pids"
    script = f"sh -c 'trap \"\" HUP TERM; exec sleep 603' & echo $! >> {pids}; exec sleep 604"
    engine = await running(spec("wrapped", script, restart={"policy": "always"}))
    await engine.invoke("agent.start", {"name": "wrapped"})
    # "working" can come before the shell has written the child's pid: wait for both.
    await until(engine, lambda s: state(s, "wrapped") == "working" and _written(pids, 1))
    child = int(pids.read_text().split()[0])
    wrapper = await one_wrapper("wrapped")
    os.kill(wrapper, signal.SIGKILL)
    await until(engine, lambda s: _written(pids, 2) and s.agents["wrapped"].info.pid)
    await async_wait_until(lambda: _gone(child), timeout=15)

    async def one_of_each() -> bool:
        # The new shell writes its child's pid before it execs `sleep 604`: a moment later.
        return len(processes("sleep", "604")) == 1 and len(processes("sleep", "603")) == 1

    await async_wait_until(one_of_each)


def _written(pids: Any, count: int) -> bool:
    return pids.exists() and len(pids.read_text().split()) == count


async def _gone(pid: int) -> bool:
    return not procgroup.alive(pid)


async def test_a_crash_loops_pane_is_reused_and_a_closed_one_comes_back_in_its_tab(
    running: Any,
) -> None:
    engine = await running(
        spec("loop", "echo loop-out; exit 4",
             restart={"policy": "on_failure", "max_restarts": 1, "backoff_seconds": 0.05}),
        spec("svc", "exec sleep 605", restart={"policy": "always", "backoff_seconds": 0.05}),
    )  # fmt: skip
    sup = engine.get(Supervisor)
    await engine.invoke("agent.start", {"names": ["loop", "svc"]})
    await until(engine, lambda s: state(s, "loop") == "failed" and state(s, "svc") == "working")
    held = sup.agents["loop"].info.pane_id
    assert held in engine.get(PaneService).by_id  # the last output stays in its pane
    await engine.invoke("agent.start", {"name": "loop"})
    await until(engine, lambda s: s.agents["loop"].info.restarts >= 2)
    assert sup.agents["loop"].info.pane_id == held
    # A pane beside the agent's, then the agent's pane closed from outside: it comes back
    # beside that pane, in the same tab, not in a tab of its own.
    pane = sup.agents["svc"].info.pane_id
    assert pane is not None
    tab = engine.get(PaneService).by_id[pane].tab_id
    await engine.mux.split(pane, argv=["sleep", "606"])
    await engine.get(PaneService).tick()
    await engine.mux.kill_pane(pane)
    await until(
        engine, lambda s: s.get("svc").pane_id not in (None, pane) and s.get("svc").pid
    )
    assert engine.get(PaneService).by_id[sup.agents["svc"].info.pane_id or ""].tab_id == tab


async def test_a_runs_duration_leaves_out_the_backoff(running: Any) -> None:
    engine = await running(
        spec("slow", "exit 2",
             restart={"policy": "on_failure", "max_restarts": 1, "backoff_seconds": 2.0}),
    )  # fmt: skip
    await engine.invoke("agent.start", {"name": "slow"})
    await until(engine, lambda s: state(s, "slow") == "failed")
    runs = await engine.invoke("agent.runs", {"name": "slow"})
    assert len(runs) == 2
    # The 2 s backoff lies between the runs, not inside the first one.
    assert runs[1]["ended_at"] - runs[1]["started_at"] < 1.5
    assert runs[0]["started_at"] - runs[1]["ended_at"] >= 1.5


async def test_adoption_keeps_state_last_exit_lines_runs_and_uptime(
    make_engine: Any, running: Any
) -> None:
    specs = [
        spec("up", "echo started-up; exec sleep 607"),
        spec("bad", "echo bad-line; exit 6", restart={"policy": "no"}),
    ]
    engine = await running(*specs)
    await engine.invoke("agent.start", {"names": ["up", "bad"]})
    await until(engine, lambda s: state(s, "up") == "working" and state(s, "bad") == "exited")
    sup = engine.get(Supervisor)
    sup.set_state("up", "waiting", "hook", "permission prompt")
    up = sup.agents["up"].info
    pid = up.pid
    assert pid is not None
    # A second engine on the same store and tmux server, as after a daemon restart.
    again = await make_engine("tmux", config=Config(agents=specs))
    adopted = {a.name: a for a in again.get(Supervisor).agents_in(None)}
    assert (adopted["up"].state, adopted["up"].state_reason) == ("waiting", "permission prompt")
    assert adopted["up"].started_at == pytest.approx(procgroup.started_at(pid))
    assert (adopted["bad"].state, adopted["bad"].last_exit) == ("exited", 6)
    assert "bad-line" in adopted["bad"].last_output
    assert adopted["bad"].cpu is None and adopted["bad"].rss is None
    # The wrapper reporting again to the new engine continues its run, not a second one.
    await again.invoke("agent.register", {"name": "up", "pid": pid, "pane_id": up.pane_id})
    runs = await again.invoke("agent.runs", {"name": "up"})
    assert len(runs) == 1 and runs[0]["pid"] == pid and runs[0]["ended_at"] is None


async def test_a_second_wrapper_of_a_running_agent_is_refused(running: Any) -> None:
    engine = await running(spec("only", "exec sleep 608"))
    await engine.invoke("agent.start", {"name": "only"})
    await until(engine, lambda s: state(s, "only") == "working")
    wrapper = await one_wrapper("only")
    answer = await engine.invoke("agent.claim", {"name": "only", "wrapper_pid": os.getpid()})
    assert answer["ok"] is False and f"pid {wrapper}" in answer["why"]
    late = await engine.invoke(
        "agent.register", {"name": "only", "pid": os.getpid(), "wrapper_pid": os.getpid()}
    )
    assert late["ok"] is False
    assert engine.get(Supervisor).agents["only"].info.pid != os.getpid()
    # A wrapper no longer holding the agent is not listened to.
    assert (await engine.invoke(
        "agent.exited", {"name": "only", "code": 1, "wrapper_pid": os.getpid()}
    ))["stop"] is True  # fmt: skip
    assert state(engine.get(Supervisor), "only") == "working"


async def test_a_tick_during_start_starts_each_agent_once(make_engine: Any) -> None:
    """`agent.start` and the periodic tick both run the pending list; each awaits the mux
    between seeing an agent pending and starting it, so they used to start it twice."""
    import asyncio

    engine = await make_engine(
        "local", config=Config(agents=[spec(n, "exec sleep 60") for n in "abcd"])
    )
    sup = engine.get(Supervisor)
    spawn = engine.mux.spawn

    async def spawn_over_a_socket(**kw: Any) -> str:  # as `wezterm cli spawn` takes a while
        await asyncio.sleep(0.01)
        return await spawn(**kw)  # type: ignore[no-any-return]

    engine.mux.spawn = spawn_over_a_socket
    await asyncio.gather(sup.start_agents(names=list("abcd")), sup.tick(), sup.tick())
    panes = await engine.mux.list_panes()
    assert sorted(p.pane_id for p in panes) == sorted(sup.get(n).pane_id or "" for n in "abcd")
    assert len(panes) == 4


async def test_a_restart_resumes_the_conversation_and_the_runs_say_so(
    running: Any, tmp_path: Any
) -> None:
    """restart.resume: the kind's resume arguments on each restart (here Claude Code's
    --continue), whether the wrapper restarts in place or the daemon restarts the agent."""
    log = tmp_path / "argv.log"
    exe = tmp_path / "claude"
    exe.write_text(
        f"#!{sys.executable}\nimport sys, time\n"
        f"open({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        "sys.exit(4) if '--continue' not in sys.argv else time.sleep(60)\n"
    )
    exe.chmod(0o755)
    engine = await running(
        msgspec.convert(
            {"name": "cc", "kind": "claude", "workspace": "w", "command": [str(exe)],
             "restart": {"resume": True, "backoff_seconds": 0.01}},
            AgentSpec,
        )
    )  # fmt: skip
    await engine.invoke("agent.start", {"name": "cc"})
    sup = engine.get(Supervisor)
    await until(engine, lambda s: log.exists() and len(log.read_text().splitlines()) == 2)
    assert log.read_text().splitlines() == ["", "--continue"]
    assert sup.agents["cc"].info.restarts == 1

    async def resumed_run() -> bool:
        runs = await engine.invoke("agent.runs", {"name": "cc"})
        return [r["resumed"] for r in runs] == [1, 0]

    await async_wait_until(resumed_run)
    await engine.invoke("agent.restart", {"name": "cc"})
    await until(engine, lambda s: log.read_text().count("--continue") == 2)
    assert sup.agents["cc"].info.state == "working"


async def test_the_agent_version_is_kept_and_rules_of_another_version_are_said(
    running: Any,
) -> None:
    engine = await running()
    await engine.invoke("agent.define", {"spec": {"name": "cc", "kind": "claude"}})
    pane = await engine.mux.spawn(workspace="w", argv=["sleep", "60"])
    await engine.invoke(
        "agent.register", {"name": "cc", "pid": 1, "pane_id": pane, "version": "9.9.9"}
    )
    from wezmp_tui.engine.agent_state import AgentStateService

    await engine.get(PaneService).refresh()
    await engine.get(AgentStateService).tick()
    info = engine.get(Supervisor).agents["cc"].info
    assert info.version == "9.9.9"
    assert info.rules_note.startswith("claude 9.9.9: its rules were recorded against 2.1.197")
    explained = (await engine.invoke("agent.explain", {"name": "cc"}))["text"]
    assert "version: claude 9.9.9" in explained and "note: claude 9.9.9" in explained
