"""Event names in the config are checked: a typo names the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from wezmp_tui.config.loader import load_config
from wezmp_tui.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notifications:\n  events:\n    agent.waitng: true\n",
         "config.yaml:3: notifications.events.agent.waitng: unknown event 'agent.waitng' "
         "(did you mean 'agent.waiting'?)"),
        ("actions:\n  - event: task.finished\n    run: [echo]\n",
         "config.yaml:2: actions[0].event: unknown event 'task.finished'"),
        ("actions:\n  - event: task.done\n    run: []\n",
         "config.yaml:3: actions[0].run: needs a program"),
        ("actions:\n  - event: task.done\n    run: [x]\n    timeout: 0\n",
         "config.yaml:4: actions[0].timeout: must be > 0"),
        ("actions:\n  - event: task.done\n    run: x\n",
         "config.yaml:3: actions[0].run: expected array"),
        ("notifications:\n  quiet_seconds: -1\n",
         "config.yaml:2: notifications.quiet_seconds: must be >= 0"),
        ("plugins:\n  max_failures: 0\n", "config.yaml:2: plugins.max_failures: must be >= 1"),
        ("plugins:\n  timeout: 0\n", "config.yaml:2: plugins.timeout: must be > 0"),
    ],
)  # fmt: skip
def test_bad_event_config_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.message.startswith(message), info.value.message


def test_good_event_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "notifications:\n  events:\n    agent.idle: {desktop: false}\n    agent.failed: false\n"
        "actions:\n  - {event: run.exited, run: [logger, exited], agents: [api]}\n"
        "plugins:\n  options:\n    time-report: {dir: /x}\n"
    )
    config = load_config(path)
    assert config.notifications.events["agent.failed"] is False
    assert config.actions[0].agents == ["api"]
    assert config.plugins.options == {"time-report": {"dir": "/x"}}
