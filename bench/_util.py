"""Shared bench helpers: isolated wezmp dirs, percentiles, machine description."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any


def isolated_env(backend: str | None = None) -> Path:
    """Point every wezmp directory at a fresh temp dir (and a private tmux socket)."""
    root = Path(tempfile.mkdtemp(prefix="wzb", dir="/tmp"))
    for name, sub in (("CONFIG", "c"), ("DATA", "d"), ("STATE", "s"), ("RUNTIME", "r")):
        os.environ[f"WEZMP_{name}_DIR"] = str(root / sub)
    os.environ["WEZMP_TMUX_SOCKET"] = f"wzbench-{os.getpid()}"
    os.environ["WEZMP_WATCH"] = "0"
    if backend:
        os.environ["WEZMP_BACKEND"] = backend
    return root


def cleanup(root: Path) -> None:
    import subprocess

    subprocess.run(["tmux", "-L", os.environ["WEZMP_TMUX_SOCKET"], "kill-server"],
                   capture_output=True, check=False)  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def ms(samples: list[float]) -> str:
    return (
        f"p50 {pct(samples, 50) * 1000:.2f} ms  p99 {pct(samples, 99) * 1000:.2f} ms  "
        f"mean {statistics.mean(samples) * 1000:.2f} ms  (n={len(samples)})"
    )


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def peak_rss_mib() -> float:
    """This process's own peak resident memory (VmHWM). Not `ru_maxrss`: the kernel carries
    that across exec from the process that forked, so a child of a bench that had just seeded
    100,000 tasks reported the bench's memory, not its own."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mib(pid: int) -> float:
    """Resident memory of a live process, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def real_wezterm(root: Path, module: bool = True) -> Any:
    """A real headless WezTerm for a bench run (binaries found as the tests find them: the
    directory in WEZMP_REAL_WEZTERM_DIR, or PATH), configured as the README says (with the
    Lua module, unless `module` is False), with this process's environment pointed at it;
    None where it is not built. Stop it with `.stop()`."""
    from tests.realwezterm import MuxServer, find_binaries, module_config

    bins = find_binaries()
    if bins is None:
        return None
    extra = module_config() if module else ""
    server = MuxServer(bins, root / "wez", extra_config=extra).start()
    os.environ.update(server.client_env())
    return server


def cpu_seconds(pid: int, children: bool = True) -> float:
    """CPU a process used, from /proc; with `children`, also that of the children it has
    waited for (each `wezterm cli` or `tmux` command the daemon runs is work done for it)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime, stime, cutime, cstime are fields 14-17 of the full line: 12-15 after the comm.
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")
