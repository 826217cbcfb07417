"""The daemon's JSON-lines log: written, filtered, followed across its rotation."""

from __future__ import annotations

import logging
import logging.handlers
import threading
from pathlib import Path

import pytest

from tests.helpers import wait_until
from wezmp_tui.logs import daemon_log
from wezmp_tui.logs.daemon_log import follow, parse, parse_since, read, wanted


def logger(path: Path, max_bytes: int) -> logging.Logger:
    log = logging.getLogger(f"wezmp.test.{path.parent.name}")
    handler = daemon_log.handler(path)
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    handler.maxBytes = max_bytes
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    return log


def test_records_filtered_by_level_and_time(tmp_path: Path) -> None:
    path = tmp_path / "wezmp.log"
    log = logger(path, 10**6)
    log.debug("chatter")
    log.warning("careful: %s", "ünïcode")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it broke")
    with path.open("a") as f:
        f.write("a line from before JSON\n\n")
    records = list(read(path, wanted("warning", None)))
    assert [r.msg for r in records] == ["careful: ünïcode", "it broke", "a line from before JSON"]
    assert "ValueError: boom" in records[1].exc and "ValueError: boom" in records[1].line()
    assert records[2].ts is None and records[2].line().startswith("-         wezmp: a line")
    assert list(read(path, wanted("debug", 4e9))) == [records[2]]  # no time: kept
    assert parse("") is None and parse("[1]") is not None


def test_since() -> None:
    assert parse_since("90s", 1000.0) == 910.0
    assert parse_since("2h", 10000.0) == 2800.0
    assert parse_since("2026-05-01", 0) > 0
    with pytest.raises(ValueError, match="--since 'soon'"):
        parse_since("soon", 0)


def test_followed_across_rotations(tmp_path: Path) -> None:
    path = tmp_path / "wezmp.log"
    log = logger(path, 400)
    log.info("before the follower")
    seen: list[str] = []
    stop = threading.Event()

    def run() -> None:
        for r in follow(path, wanted("info", None), poll=0.01, running=lambda: not stop.is_set(),
                           history=True):  # fmt: skip
            seen.append(r.msg)

    reader = threading.Thread(target=run)
    reader.start()
    try:
        expected = ["before the follower"]
        for i in range(40):
            msg = f"message {i:02d}"
            log.info(msg)
            expected.append(msg)
            wait_until(lambda m=msg: m in seen)  # type: ignore[misc]
        log.debug("below the level")
        log.info("last")
        wait_until(lambda: "last" in seen)
        assert seen == [*expected, "last"]
        assert path.with_name("wezmp.log.3").exists()
        assert len(daemon_log.files(path)) == 4  # bounded: three older files
    finally:
        stop.set()
        reader.join(timeout=5)


def test_follow_waits_for_the_file(tmp_path: Path) -> None:
    path = tmp_path / "later.log"
    stop = threading.Event()
    seen: list[str] = []

    def run() -> None:
        for r in follow(path, wanted("debug", None), poll=0.01, running=lambda: not stop.is_set(),
                           history=True):  # fmt: skip
            seen.append(r.msg)

    reader = threading.Thread(target=run)
    reader.start()
    try:
        path.write_text('{"level": "info", "msg": "hello"}\n{"msg": "half')
        wait_until(lambda: seen == ["hello"])  # the whole line only
        with path.open("a") as f:
            f.write(' done"}\n')
        wait_until(lambda: seen == ["hello", "half done"])
    finally:
        stop.set()
        reader.join(timeout=5)
