"""Each agent's output, one bounded file a run: where the files are, and turning the raw
terminal bytes in them into lines a person reads.

A run's file is `<state>/agents/<agent>/<run>.log`, with `<run>.log.1` holding the half
before it once it grew past `HALF` bytes: at most `2 × HALF` a run, `KEEP_RUNS` runs an
agent. Offsets a reader is given count from the run's first byte ever written, so one that
follows the output keeps its place when the file is turned over.
"""

from __future__ import annotations

import re
from pathlib import Path

HALF = 512 * 1024
KEEP_RUNS = 20

_CSI = r"\x1b\[[0-?]*[ -/]*[@-~]"
_OSC = r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
_DCS = r"\x1b[P^_][^\x1b]*\x1b\\"
_ESC = r"\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_=>78]"
_SEQUENCES = re.compile("|".join((_OSC, _DCS, _CSI, _ESC)))
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def agent_dir(state_dir: Path, agent: str) -> Path:
    # Agent names are words already; a stray separator must still not leave the directory.
    return state_dir / "agents" / agent.replace("/", "_").replace("\0", "_")


def run_file(state_dir: Path, agent: str, run: int) -> Path:
    return agent_dir(state_dir, agent) / f"{run}.log"


def runs(state_dir: Path, agent: str) -> list[int]:
    """The runs with kept output, oldest first."""
    found = []
    for p in agent_dir(state_dir, agent).glob("*.log"):
        if p.stem.isdigit():
            found.append(int(p.stem))
    return sorted(found)


def readable(raw: bytes) -> str:
    """Terminal output as text: escape sequences dropped, a line redrawn after a carriage
    return (a progress bar, a spinner) shown as it was last drawn."""
    text = _SEQUENCES.sub("", raw.decode("utf-8", errors="replace"))
    lines = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if "\r" in line:
            parts = [p for p in line.split("\r") if p.strip()]
            line = parts[-1] if parts else ""
        lines.append(_CONTROLS.sub("", line))
    return "\n".join(lines)
