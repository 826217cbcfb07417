"""`wezmp broadcast` and `wezmp send`, with requests routed to an in-process engine."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner

from tests.engine.test_broadcast import RecordingMux, broadcast_engine
from wezmp_tui.cli import broadcast as broadcast_cli
from wezmp_tui.cli import send as send_cli
from wezmp_tui.cli.main import cli
from wezmp_tui.paths import Paths


@pytest.fixture
def mux() -> RecordingMux:
    return RecordingMux()


@pytest.fixture
def routed(
    wezmp_env: Paths, mux: RecordingMux, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Route the commands' daemon calls to an engine; yields the calls made."""
    engine = broadcast_engine(wezmp_env, mux)
    calls: list[tuple[str, dict[str, Any]]] = []

    def call(method: str, **params: Any) -> Any:
        calls.append((method, params))
        result = asyncio.run(engine.invoke(method, params))
        return msgspec.to_builtins(result)

    monkeypatch.setattr(broadcast_cli, "call", call)
    monkeypatch.setattr(send_cli, "call", call)
    yield calls
    engine.db.close()


def test_broadcast_prints_panes_and_fails_when_one_failed(
    routed: list[tuple[str, dict[str, Any]]], mux: RecordingMux
) -> None:
    result = CliRunner().invoke(cli, ["broadcast", "-w", "beta", "make"])
    assert result.exit_code == 1
    assert "sent to 1 pane(s): 3" in result.stdout
    assert "failed: pane 9: no such pane 9" in result.stderr
    assert routed[0] == (
        "broadcast.send",
        {"text": "make", "workspace": "beta", "group": None, "agents_only": False, "enter": True},
    )


def test_broadcast_json_agents_only_no_enter(
    routed: list[tuple[str, dict[str, Any]]], mux: RecordingMux
) -> None:
    result = CliRunner().invoke(cli, ["broadcast", "--agents-only", "--no-enter", "--json", "y"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"sent": ["1", "3"], "failed": []}
    assert {s[3] for s in mux.sent} == {False}


def test_broadcast_error_is_one_line(routed: list[tuple[str, dict[str, Any]]]) -> None:
    result = CliRunner().invoke(cli, ["broadcast", "-g", "nobody", "x"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no pane group named 'nobody'"


def test_send_last_output(routed: list[tuple[str, dict[str, Any]]], mux: RecordingMux) -> None:
    result = CliRunner().invoke(cli, ["send", "--from", "claude-1", "--to", "3", "--last-output"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "pasted 2 line(s) from pane 1 into pane 3"
    assert mux.sent == [("3", "a.txt\nb.txt", True, False)]


def test_send_json_and_usage_errors(routed: list[tuple[str, dict[str, Any]]]) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["send", "--from", "1", "--to", "3", "-n", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == "3"
    bad = runner.invoke(cli, ["send", "--from", "1", "--to", "3", "-n", "3", "--last-output"])
    assert bad.exit_code == 2
    assert "do not go together" in bad.output
    assert runner.invoke(cli, ["send", "--from", "1", "--to", "3", "-n", "0"]).exit_code == 2
