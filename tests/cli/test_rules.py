"""`wezmp rules test`: a saved screen classified by the rules in force, the deciding rule
named, for people writing rule files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from wezmp_tui.cli.main import cli
from wezmp_tui.paths import Paths

SCREENS = Path(__file__).parent.parent / "data" / "screens"


def test_says_the_state_and_the_rule_that_decided() -> None:
    screen = SCREENS / "claude" / "waiting_permission-bash_80x24.txt"
    r = CliRunner().invoke(cli, ["rules", "test", "--kind", "claude", str(screen)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("waiting: rule dialog (claude.yaml:")
    assert "  | " in r.output and "Do you want to proceed?" in r.output
    r = CliRunner().invoke(cli, ["rules", "test", "-k", "claude", "--json", str(screen)])
    data = json.loads(r.output)
    assert (data["state"], data["rule"], data["error"]) == ("waiting", "dialog", False)
    error = SCREENS / "claude" / "waiting_api-error_80x24.txt"
    r = CliRunner().invoke(cli, ["rules", "test", "-k", "claude", str(error), str(screen)])
    assert f"{error}:\nwaiting (an error: a task sent to it goes back to the queue)" in r.output


def test_no_rule_is_quiet_and_stdin_works() -> None:
    r = CliRunner().invoke(cli, ["rules", "test", "-k", "codex", "-"], input="just output\n")
    assert r.output.startswith("quiet: no rule of codex matched")


def test_user_rules_are_in_force_and_a_broken_file_is_named(wezmp_env: Paths) -> None:
    wezmp_env.rules_dir.mkdir(parents=True)
    (wezmp_env.rules_dir / "codex.yaml").write_text(
        "rules:\n  - name: mine\n    state: working\n    priority: 999\n"
        "    match: {contains: just output}\n"
    )
    r = CliRunner().invoke(cli, ["rules", "test", "-k", "codex", "-"], input="just output\n")
    assert r.output.startswith("working: rule mine (codex.yaml:2)")
    (wezmp_env.rules_dir / "codex.yaml").write_text("rules: [\n")
    r = CliRunner().invoke(cli, ["rules", "test", "-k", "codex", "-"], input="x\n")
    assert r.exit_code == 1 and "codex.yaml:2: YAML syntax error" in r.output
    (wezmp_env.rules_dir / "codex.yaml").unlink()
    r = CliRunner().invoke(cli, ["rules", "test", "-k", "codex", "/no/such/screen.txt"])
    assert r.exit_code == 1 and "cannot read" in r.output
