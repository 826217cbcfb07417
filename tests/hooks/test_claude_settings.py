"""`wezmp hooks install|uninstall|status` merging into Claude Code's settings.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wezmp_tui.cli.main import cli
from wezmp_tui.errors import ConfigError
from wezmp_tui.hooks import claude_settings as cs
from wezmp_tui.model.claude_hooks import HOOK_STATES, LEFT_OUT, NOTIFICATION_STATES, hook_state
from wezmp_tui.model.states import STATE_NAMES

DATA = Path(__file__).parent.parent / "data" / "hooks"

USER_OWN = {
    "model": "opus",
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/audit.sh"}]}
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
}


def settings(tmp_path: Path) -> Path:
    p = tmp_path / ".claude" / "settings.json"
    p.parent.mkdir(parents=True)
    p.write_text(json.dumps(USER_OWN))
    return p


def test_install_keeps_the_users_hooks_and_backs_up(tmp_path: Path) -> None:
    path = settings(tmp_path)
    r = cs.install(path, command="/opt/wezmp")
    assert r["changed"] and r["backup"] and json.loads(Path(r["backup"]).read_text()) == USER_OWN
    data = json.loads(path.read_text())
    assert data["model"] == "opus"
    pre = data["hooks"]["PreToolUse"]
    assert pre[0] == USER_OWN["hooks"]["PreToolUse"][0]
    assert pre[1] == {
        "matcher": "*",
        "hooks": [{"type": "command", "command": "/opt/wezmp hook PreToolUse"}],
    }
    assert data["hooks"]["Stop"][0]["hooks"][0]["command"] == "notify-send done"
    assert cs.status(path)["missing"] == []
    # Idempotent.
    assert cs.install(path, command="/opt/wezmp")["changed"] is False


def test_uninstall_removes_only_ours(tmp_path: Path) -> None:
    path = settings(tmp_path)
    cs.install(path, command="wezmp")
    r = cs.uninstall(path)
    assert r["removed"] == len(cs.EVENTS)
    assert json.loads(path.read_text()) == USER_OWN
    assert cs.uninstall(path)["removed"] == 0


def test_broken_json_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"hooks": {')
    with pytest.raises(ConfigError, match=r"settings\.json:1: not valid JSON"):
        cs.install(path)
    assert path.read_text() == '{"hooks": {'
    path.write_text('{"hooks": []}')
    with pytest.raises(ConfigError, match="hooks: expected an object"):
        cs.install(path)


def test_every_event_of_the_installed_schema_is_mapped_or_left_out_for_a_reason() -> None:
    recorded = json.loads((DATA / "claude-events.json").read_text(encoding="utf-8"))
    assert set(HOOK_STATES) | set(LEFT_OUT) == set(recorded["events"])
    assert not set(HOOK_STATES) & set(LEFT_OUT)
    assert set(NOTIFICATION_STATES) == set(recorded["notification_types"])
    assert {"StopFailure", "PermissionRequest"} <= set(cs.EVENTS)
    assert "WorktreeCreate" not in cs.EVENTS  # its hook would be asked to make the worktree


def test_every_installed_event_changes_a_state() -> None:
    for event in cs.EVENTS:
        state, reason, _ = hook_state(event, {})
        assert state in STATE_NAMES, event
        assert reason.startswith(f"hook {event}")


@pytest.mark.parametrize(
    ("event", "payload", "want"),
    [
        ("Notification", {"notification_type": "permission_prompt", "message": "Bash?"},
         ("waiting", "hook Notification (permission_prompt): Bash?", False)),
        ("Notification", {"notification_type": "idle_prompt"},
         ("idle", "hook Notification (idle_prompt)", False)),
        ("Notification", {"message": "Claude is waiting for your input"},
         ("idle", "hook Notification (idle_prompt): Claude is waiting for your input", False)),
        ("Notification", {"notification_type": "something_new"},
         ("waiting", "hook Notification (something_new)", False)),
        ("SessionStart", {"source": "startup"}, ("idle", "hook SessionStart (startup)", False)),
        ("SessionStart", {"source": "compact"}, (None, "hook SessionStart (compact)", False)),
        ("StopFailure", {"error": "authentication_failed", "error_details": "401"},
         ("waiting", "hook StopFailure: the turn failed: authentication_failed (401)", True)),
        ("StopFailure", {"error": "server_error",
                         "last_assistant_message": "API Error: Unable to connect to API"},
         ("waiting", "hook StopFailure: the turn failed: server_error "
                     "(API Error: Unable to connect to API)", True)),
        ("SubagentStop", {}, (None, "hook SubagentStop", False)),
        ("NoSuchEvent", {}, (None, "hook NoSuchEvent", False)),
    ],
)  # fmt: skip
def test_what_each_event_says(
    event: str, payload: dict[str, str], want: tuple[str | None, str, bool]
) -> None:
    assert hook_state(event, payload) == want


def test_cli_project_install_status_uninstall(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["hooks", "install", "--project", str(tmp_path)])
    assert r.exit_code == 0 and "installed in" in r.output
    # A person's own hooks, not committed to the project's shared settings.
    assert (tmp_path / ".claude" / "settings.local.json").exists()
    assert not (tmp_path / ".claude" / "settings.json").exists()
    r = runner.invoke(cli, ["hooks", "install", "--project", str(tmp_path), "--shared"])
    assert (tmp_path / ".claude" / "settings.json").exists()
    assert runner.invoke(cli, ["hooks", "status", "--shared"]).exit_code == 2
    r = runner.invoke(cli, ["hooks", "status", "--project", str(tmp_path), "--json"])
    assert json.loads(r.output)["missing"] == []
    r = runner.invoke(cli, ["hooks", "install", "--project", str(tmp_path)])
    assert "already installed" in r.output
    r = runner.invoke(cli, ["hooks", "uninstall", "--project", str(tmp_path)])
    assert f"removed {len(cs.EVENTS)} hook(s)" in r.output
    r = runner.invoke(cli, ["hooks", "status", "--project", str(tmp_path)])
    assert "missing:" in r.output
    # The user's settings (HOME is a test dir) by default.
    assert runner.invoke(cli, ["hooks", "install"]).exit_code == 0
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / ".claude").mkdir()
    (tmp_path / "bad" / ".claude" / "settings.local.json").write_text("{")
    r = runner.invoke(cli, ["hooks", "install", "--project", str(tmp_path / "bad")])
    assert r.exit_code == 1 and "not valid JSON" in r.output
