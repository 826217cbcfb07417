"""The daemon's log: one JSON object a line, rotated by size, read back by `wezmp logs`.

JSON lines so a reader filters by level and time without parsing prose, and so other tools
(jq, a log shipper) read it as it is. Bounded: `MAX_BYTES` a file, `BACKUPS` older files.
Standard library only: `wezmp logs` reads the file itself, so it works when the daemon is
down (the moment a person most wants its log).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
LEVELS = ("debug", "info", "warning", "error", "critical")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def handler(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    h = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    h.setFormatter(JsonFormatter())
    return h


@dataclass(frozen=True, slots=True)
class Record:
    ts: float | None
    level: str
    logger: str
    msg: str
    exc: str = ""

    def line(self) -> str:
        when = "-" if self.ts is None else datetime.fromtimestamp(self.ts).isoformat(" ", "seconds")
        text = f"{when} {self.level.upper():<7} {self.logger}: {self.msg}"
        return f"{text}\n{self.exc}" if self.exc else text


def parse(line: str) -> Record | None:
    """A record from one line; a line from before the JSON format is kept as its text."""
    line = line.rstrip("\n")
    if not line.strip():
        return None
    try:
        raw = json.loads(line)
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        return Record(None, "", "wezmp", line)  # kept whatever the level asked
    ts = raw.get("ts")
    return Record(
        float(ts) if isinstance(ts, int | float) else None,
        str(raw.get("level", "info")),
        str(raw.get("logger", "")),
        str(raw.get("msg", "")),
        str(raw.get("exc", "")),
    )


_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str, now: float) -> float:
    """`10m`, `2h`, `1d` ago, or an ISO date/time (local), as a Unix time."""
    m = _AGO.match(text.strip())
    if m:
        return now - float(m.group(1)) * _UNIT[m.group(2)]
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise ValueError(
            f"--since {text!r}: expected a duration (30s, 10m, 2h, 1d) or a date "
            "(2026-05-01, 2026-05-01T09:30)"
        ) from None


def wanted(level: str, since: float | None) -> Callable[[Record], bool]:
    floor = LEVELS.index(level) if level in LEVELS else 0

    def keep(r: Record) -> bool:
        rank = LEVELS.index(r.level) if r.level in LEVELS else len(LEVELS)
        if rank < floor:
            return False
        return since is None or r.ts is None or r.ts >= since

    return keep


def files(path: Path) -> list[Path]:
    """The log and its rotated files, oldest first."""
    old = [path.with_name(f"{path.name}.{i}") for i in range(BACKUPS, 0, -1)]
    return [p for p in (*old, path) if p.exists()]


def read(path: Path, keep: Callable[[Record], bool]) -> Iterator[Record]:
    """Every record kept, oldest first."""
    for p in files(path):
        yield from read_file(p, keep)


def read_file(path: Path, keep: Callable[[Record], bool]) -> Iterator[Record]:
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            r = parse(line)
            if r is not None and keep(r):
                yield r


def follow(
    path: Path,
    keep: Callable[[Record], bool],
    *,
    poll: float = 0.2,
    running: Callable[[], bool] = lambda: True,
    history: bool = False,
) -> Iterator[Record]:
    """What is written to the log from now on (with `history`, what it holds first),
    across rotations: the file that takes the path's place is read from its start."""
    f: TextIO | None = None
    inode = 0
    from_start = history
    pending = ""
    if history:
        for p in files(path)[:-1]:
            yield from read_file(p, keep)
    try:
        while running():
            if f is None:
                try:
                    f = path.open(encoding="utf-8", errors="replace")
                except FileNotFoundError:
                    from_start = True
                    time.sleep(poll)
                    continue
                inode = os.fstat(f.fileno()).st_ino
                if not from_start:
                    f.seek(0, os.SEEK_END)
                from_start = True
            chunk = f.readline()
            if chunk:
                pending += chunk
                if pending.endswith("\n"):  # else a line still being written
                    r = parse(pending)
                    pending = ""
                    if r is not None and keep(r):
                        yield r
                continue
            try:
                rotated = path.stat().st_ino != inode
            except FileNotFoundError:
                rotated = True
            if rotated:
                f.close()
                f = None
                continue
            time.sleep(poll)
    finally:
        if f is not None:
            f.close()
