"""Rule files against recorded screens of Claude Code, Codex, Gemini CLI, aider and a shell."""

from __future__ import annotations

from pathlib import Path

import pytest

from wezmp_tui.engine.rules import RuleBook, parse_rules
from wezmp_tui.errors import ConfigError

SCREENS = Path(__file__).parent.parent / "data" / "screens"
CASES = sorted(SCREENS.glob("*/*.txt"))


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return RuleBook.load([])


@pytest.mark.parametrize("screen", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recorded_screens(book: RuleBook, screen: Path) -> None:
    kind = screen.parent.name
    expected = screen.stem.rsplit("_", 1)[0]
    match = book.evaluate(kind, screen.read_text())
    assert match is not None, f"no rule matched {screen.name}"
    assert match.rule.state == expected, f"{match.rule.name} ({match.rule.source})"


def test_every_kind_has_screens_of_each_important_state() -> None:
    have = {(p.parent.name, p.stem.rsplit("_", 1)[0]) for p in CASES}
    for kind in ("claude", "codex", "gemini"):
        assert {(kind, s) for s in ("working", "waiting", "idle")} <= have


def test_user_rules_override_by_name_and_extend(tmp_path: Path) -> None:
    (tmp_path / "claude.yaml").write_text(
        "rules:\n"
        "  - name: thinking\n"
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
    assert m is not None and (m.rule.name, m.rule.state) == ("thinking", "waiting")
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
    ],
)  # fmt: skip
def test_rule_file_errors_name_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_rules(text, "t.yaml")
    assert message in err.value.message
