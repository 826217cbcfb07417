"""CPU and memory, for the machine and for each agent's whole process tree, with history.

The sampler is injectable (tests give fixed numbers); the real one uses psutil in a worker
thread and keeps `Process` objects between ticks, because `cpu_percent` measures since the
previous call on the same object. Events carry only the agents whose numbers changed.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from wezmp_tui.engine.api import api
from wezmp_tui.errors import NotFound

if TYPE_CHECKING:
    import psutil

    from wezmp_tui.engine.facade import Engine


class Sample(dict[str, Any]):
    """{"system": {"cpu", "mem", "load"}, "agents": {name: {"cpu", "rss"}}}"""


class Sampler(Protocol):
    def sample(self, roots: Mapping[str, int]) -> Sample:
        """Measure the system and, per agent name, the tree under its root pid."""
        ...


class PsutilSampler:
    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._procs: dict[int, psutil.Process] = {}
        psutil.cpu_percent(None)

    def _proc(self, pid: int) -> psutil.Process | None:
        p = self._procs.get(pid)
        if p is None:
            try:
                p = self._psutil.Process(pid)
                p.cpu_percent(None)
            except self._psutil.Error:
                return None
            self._procs[pid] = p
        return p

    def sample(self, roots: Mapping[str, int]) -> Sample:
        ps = self._psutil
        alive: set[int] = set()
        agents: dict[str, dict[str, float]] = {}
        for name, root in roots.items():
            top = self._proc(root)
            if top is None:
                continue
            try:
                tree = [top, *(self._proc(c.pid) for c in top.children(recursive=True))]
            except ps.Error:
                tree = [top]
            cpu = 0.0
            rss = 0
            for p in tree:
                if p is None:
                    continue
                try:
                    with p.oneshot():
                        cpu += p.cpu_percent(None)
                        rss += p.memory_info().rss
                    alive.add(p.pid)
                except ps.Error:
                    continue
            agents[name] = {"cpu": round(cpu, 1), "rss": rss}
        for pid in list(self._procs):
            if pid not in alive:
                del self._procs[pid]
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        return Sample(
            system={
                "cpu": round(ps.cpu_percent(None), 1),
                "mem": round(ps.virtual_memory().percent, 1),
                "load": round(load, 2),
            },
            agents=agents,
        )


class MetricsService:
    def __init__(self, engine: Engine, sampler: Sampler | None = None) -> None:
        self.engine = engine
        self._sampler = sampler
        size = int(getattr(getattr(engine.config, "metrics", None), "history", 300))
        self.size = size
        self.system: dict[str, deque[float]] = {k: deque(maxlen=size) for k in ("cpu", "mem")}
        self.agents: dict[str, dict[str, deque[float]]] = {}
        self.last: Sample = Sample(system={"cpu": 0.0, "mem": 0.0, "load": 0.0}, agents={})

    @property
    def sampler(self) -> Sampler:
        if self._sampler is None:
            self._sampler = PsutilSampler()
        return self._sampler

    async def start(self) -> None:
        interval = float(getattr(getattr(self.engine.config, "metrics", None), "interval", 1.0))
        self.engine.every("metrics", lambda: interval, self.tick)

    def _roots(self) -> dict[str, int]:
        from wezmp_tui.engine.supervisor import Supervisor

        try:
            sup = self.engine.get(Supervisor)
        except LookupError:
            return {}
        return {a.name: a.pid for a in sup.agents.values() if a.pid}

    async def tick(self) -> Sample:
        roots = self._roots()
        sample = await asyncio.get_running_loop().run_in_executor(None, self.sampler.sample, roots)
        self.apply(sample)
        return sample

    def apply(self, sample: Sample) -> None:
        from wezmp_tui.engine.supervisor import Supervisor

        sys_ = sample["system"]
        self.system["cpu"].append(sys_["cpu"])
        self.system["mem"].append(sys_["mem"])
        changed: dict[str, dict[str, float]] = {}
        try:
            agents = self.engine.get(Supervisor).agents
        except LookupError:
            agents = {}
        for name, vals in sample["agents"].items():
            series = self.agents.setdefault(
                name, {"cpu": deque(maxlen=self.size), "rss": deque(maxlen=self.size)}
            )
            series["cpu"].append(vals["cpu"])
            series["rss"].append(vals["rss"])
            if self.last["agents"].get(name) != vals:
                changed[name] = vals
            info = agents.get(name)
            if info is not None:
                info.cpu = vals["cpu"]
                info.rss = int(vals["rss"])
        for gone in set(self.agents) - set(sample["agents"]) - set(agents):
            del self.agents[gone]
        self.last = sample
        self.engine.bus.publish("metrics.tick", {"system": sys_, "agents": changed})

    @api("metrics.history")
    async def history(self, agent: str | None = None) -> dict[str, list[float]]:
        """Recent samples: system cpu/mem percent, or an agent's cpu percent and rss bytes."""
        if agent is None:
            return {k: list(v) for k, v in self.system.items()}
        series = self.agents.get(agent)
        if series is None:
            raise NotFound(f"no samples for agent {agent!r} (is it running?)")
        return {k: list(v) for k, v in series.items()}

    @api("metrics.current")
    async def current(self) -> dict[str, Any]:
        """The latest sample."""
        return dict(self.last)
