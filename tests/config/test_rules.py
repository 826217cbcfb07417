"""Rule files against recorded screens of Claude Code, Codex, Gemini CLI, aider and a shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wezmp_tui.config.rules import RuleBook, classify, parse_rules
from wezmp_tui.errors import ConfigError
from wezmp_tui.model.states import STATE_NAMES

SCREENS = Path(__file__).parent.parent / "data" / "screens"
CASES = sorted(SCREENS.glob("*/*.txt"))


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return RuleBook.load([])


@pytest.mark.parametrize("screen", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recorded_screens(book: RuleBook, screen: Path) -> None:
    kind = screen.parent.name
    expected = screen.stem.split("_", 1)[0]
    got = classify(book, kind, screen.read_text(encoding="utf-8"))
    assert got["state"] == expected, f"{screen.name}: {got['rule']} ({got['source']})"


def test_every_recorded_screen_says_how_it_was_made() -> None:
    """Each screen of a real agent has its provenance (version, size, keys sent) and its
    expected state in its kind's manifest, agreeing with the file name."""
    for kind_dir in sorted(p for p in SCREENS.iterdir() if p.is_dir()):
        manifest = json.loads((kind_dir / "manifest.json").read_text(encoding="utf-8"))
        files = {p.name for p in kind_dir.glob("*.txt")}
        assert set(manifest) == files, kind_dir.name
        for name, entry in manifest.items():
            assert entry["state"] == name.split("_", 1)[0], name
            assert entry["state"] in STATE_NAMES, name
            assert {"version", "size", "keys", "env", "note"} <= set(entry), name


def test_every_agent_kind_has_real_screens_of_each_state_rules_can_give() -> None:
    have = {(p.parent.name, p.stem.split("_", 1)[0]) for p in CASES}
    for kind in ("claude", "codex", "gemini", "aider"):
        assert {(kind, s) for s in ("working", "waiting", "idle", "quiet")} <= have, kind


def test_shipped_rules_name_the_versions_they_were_recorded_against(book: RuleBook) -> None:
    for kind in ("claude", "codex", "gemini", "aider"):
        manifest = json.loads((SCREENS / kind / "manifest.json").read_text(encoding="utf-8"))
        recorded = {e["version"].rsplit(" ", 1)[-1] for e in manifest.values()}
        assert recorded <= set(book.versions[kind]), kind
    assert book.version_note("claude", book.versions["claude"][0]) is None
    note = book.version_note("claude", "9.9.9")
    assert note is not None and "9.9.9" in note and "rules test" in note
    assert book.version_note("claude", None) is None


def test_a_screen_no_rule_matches_is_quiet_never_idle(book: RuleBook) -> None:
    got = classify(book, "codex", "some output nobody wrote a rule for\n")
    assert (got["state"], got["rule"]) == ("quiet", None)


def test_user_rules_override_by_name_and_extend(tmp_path: Path) -> None:
    (tmp_path / "claude.yaml").write_text(
        "rules:\n"
        "  - name: working\n"
        "    state: waiting\n"
        "    priority: 50\n"
        "    match: {contains: esc to interrupt}\n"
        "  - name: custom\n"
        "    state: working\n"
        "    priority: 500\n"
        "    region: title\n"
        "    match: {regex: '^BUSY'}\n"
    )
    book = RuleBook.load([tmp_path])
    m = book.evaluate("claude", "✻ Thinking… (3s · esc to interrupt)")
    assert m is not None and (m.rule.name, m.rule.state) == ("working", "waiting")
    t = book.evaluate("claude", "anything", title="BUSY building")
    assert t is not None and t.rule.name == "custom" and t.text == "BUSY building"


def test_matchers_all_any_not_and_case(tmp_path: Path) -> None:
    rules = parse_rules(
        "rules:\n"
        "  - name: r\n"
        "    state: idle\n"
        "    case_sensitive: true\n"
        "    region: screen\n"
        "    match:\n"
        "      all:\n"
        "        - any: [{contains: Ready}, {regex: 'ok$'}]\n"
        "        - not: {contains: Error}\n",
        "t.yaml",
    )
    book = RuleBook({"generic": rules})
    assert book.evaluate("x", "Ready") is not None  # unknown kinds use generic
    assert book.evaluate("generic", "ready") is None  # case sensitive
    assert book.evaluate("generic", "all ok") is not None
    assert book.evaluate("generic", "Ready\nError") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  - name: a\n    state: busy\n    match: {contains: x}\n",
         "t.yaml:3: rules[0].state: expected one of working, waiting, idle"),
        ("rules:\n  - name: a\n    state: idle\n    match: {regex: '('}\n",
         "t.yaml:4: rules[0].match.regex: bad regex"),
        ("rules:\n  - name: a\n    state: idle\n    match: {startswith: x}\n",
         "t.yaml:4: rules[0].match.startswith: unknown matcher"),
        ("rules:\n  - name: a\n    state: idle\n", "rules[0].match: required key is missing"),
        ("rules:\n  - name: a\n    state: idle\n    colour: red\n    match: {contains: x}\n",
         "t.yaml:4: rules[0].colour: unknown key"),
        ("rules:\n  - name: a\n    state: idle\n    priority: high\n    match: {contains: x}\n",
         "rules[0].priority: expected int"),
        ("rules:\n  - name: a\n    state: idle\n    region: top\n    match: {contains: x}\n",
         "rules[0].region: expected screen, title or {last_lines: N}"),
        ("rules: 3\n", "t.yaml:1: rules: expected a list of rules"),
        ("- a\n", "expected a mapping with a `rules:` list"),
        ("versions: 2\n", "t.yaml:1: versions: expected a list of version strings"),
        ("rules:\n  - name: a\n    state: idle\n    error: true\n    match: {contains: x}\n",
         "t.yaml:4: rules[0].error: only a waiting rule can be an error"),
        ("rules:\n  - name: a\n    state: waiting\n    error: 1\n    match: {contains: x}\n",
         "t.yaml:4: rules[0].error: expected true or false"),
    ],
)  # fmt: skip
def test_rule_file_errors_name_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_rules(text, "t.yaml")
    assert message in err.value.message


def test_wezterm_s_own_questions_wait_whatever_the_agent(book: RuleBook) -> None:
    """An SSH domain's host-trust question comes before any agent runs: every kind waits."""
    screen = (SCREENS / "common" / "waiting_ssh_host_trust.txt").read_text(encoding="utf-8")
    for kind in ("claude", "codex", "gemini", "aider", "shell", "generic", "no-such-kind"):
        got = classify(book, kind, screen)
        assert (got["state"], got["rule"]) == ("waiting", "ssh-host-trust"), kind
