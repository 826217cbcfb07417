"""Agent-state rules: YAML files per agent kind, matched against a pane's text and title.

Shipped rules live in the package (`data/rules/<kind>.yaml`); a file of the same name in the
config dir's `rules/` is merged over it: its rules are added, and a rule with the same `name`
replaces the shipped one (so a user fixes one rule without copying the file). Strings that
recognise an agent's screen live only in these data files, never in code.

    rules:
      - name: permission-prompt
        state: waiting          # working | waiting | idle
        priority: 100           # the highest matching rule wins
        region: {last_lines: 15}   # or: screen | title
        match:
          any:
            - contains: "Do you want to proceed?"
            - regex: "^\\s*❯ 1\\. Yes"
        case_sensitive: false
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wezmp_tui.config.yamlpos import PathKey, format_path, parse_yaml
from wezmp_tui.errors import ConfigError
from wezmp_tui.paths import package_data

STATES = ("working", "waiting", "idle")
RULE_KEYS = {"name", "state", "priority", "region", "match", "case_sensitive", "description"}
MATCH_KEYS = {"contains", "regex", "all", "any", "not"}


@dataclass(frozen=True)
class Rule:
    name: str
    state: str
    priority: int
    region: str  # "screen" | "title" | "last_lines"
    last_lines: int
    matcher: Any  # ("contains", s) | ("regex", Pattern) | ("all"|"any", [..]) | ("not", m)
    source: str  # file:line, for `agent explain`


@dataclass(frozen=True)
class Match:
    rule: Rule
    text: str  # the region the rule looked at


class _Builder:
    def __init__(self, name: str, lines: dict[PathKey, int]) -> None:
        self.name = name
        self.lines = lines

    def fail(self, path: PathKey, message: str) -> ConfigError:
        p = path
        while p and p not in self.lines:
            p = p[:-1]
        return ConfigError(f"{self.name}:{self.lines.get(p, 1)}: {format_path(path)}: {message}")

    def matcher(self, node: Any, path: PathKey, flags: int) -> Any:
        if not isinstance(node, dict) or len(node) != 1:
            raise self.fail(path, f"expected one of {', '.join(sorted(MATCH_KEYS))}")
        ((key, value),) = node.items()
        where = (*path, key)
        if key == "contains":
            if not isinstance(value, str) or not value:
                raise self.fail(where, "expected a non-empty string")
            return ("contains", (value, False) if flags == 0 else (value.lower(), True))
        if key == "regex":
            if not isinstance(value, str):
                raise self.fail(where, "expected a string")
            try:
                return ("regex", re.compile(value, flags | re.MULTILINE))
            except re.error as exc:
                raise self.fail(where, f"bad regex: {exc}") from None
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise self.fail(where, "expected a non-empty list of matchers")
            return (key, [self.matcher(v, (*where, i), flags) for i, v in enumerate(value)])
        if key == "not":
            return ("not", self.matcher(value, where, flags))
        raise self.fail(where, f"unknown matcher (use one of {', '.join(sorted(MATCH_KEYS))})")

    def rule(self, node: Any, path: PathKey) -> Rule:
        if not isinstance(node, dict):
            raise self.fail(path, "expected a rule (a mapping)")
        for key in node:
            if key not in RULE_KEYS:
                raise self.fail(
                    (*path, key), f"unknown key (known: {', '.join(sorted(RULE_KEYS))})"
                )
        for key in ("name", "state", "match"):
            if key not in node:
                raise self.fail((*path, key), "required key is missing")
        if not isinstance(node["name"], str):
            raise self.fail((*path, "name"), "expected a string")
        if node["state"] not in STATES:
            raise self.fail((*path, "state"), f"expected one of {', '.join(STATES)}")
        priority = node.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise self.fail((*path, "priority"), f"expected int, got {priority!r}")
        region, last = "last_lines", 20
        raw_region = node.get("region", {"last_lines": 20})
        if raw_region in ("screen", "title"):
            region = raw_region
        elif (
            isinstance(raw_region, dict)
            and set(raw_region) == {"last_lines"}
            and isinstance(raw_region["last_lines"], int)
        ):
            last = raw_region["last_lines"]
        else:
            raise self.fail((*path, "region"), "expected screen, title or {last_lines: N}")
        case = node.get("case_sensitive", False)
        if not isinstance(case, bool):
            raise self.fail((*path, "case_sensitive"), "expected true or false")
        flags = 0 if case else re.IGNORECASE
        return Rule(
            name=node["name"],
            state=node["state"],
            priority=priority,
            region=region,
            last_lines=last,
            matcher=self.matcher(node["match"], (*path, "match"), flags),
            source=f"{self.name}:{self.lines.get(path, 1)}",
        )


def parse_rules(text: str, name: str) -> list[Rule]:
    data, lines = parse_yaml(text, name)
    b = _Builder(name, lines)
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"rules", "description"}:
        raise b.fail((), "expected a mapping with a `rules:` list")
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        raise b.fail(("rules",), "expected a list of rules")
    return [b.rule(r, ("rules", i)) for i, r in enumerate(rules)]


def _matches(m: Any, text: str, folded: str) -> bool:
    kind, arg = m
    if kind == "contains":
        needle, fold = arg
        return needle in (folded if fold else text)
    if kind == "regex":
        return arg.search(text) is not None
    if kind == "all":
        return all(_matches(x, text, folded) for x in arg)
    if kind == "any":
        return any(_matches(x, text, folded) for x in arg)
    return not _matches(arg, text, folded)


class RuleBook:
    """All rules by agent kind; `evaluate` picks the best match."""

    def __init__(self, rules: dict[str, list[Rule]]) -> None:
        self.rules = {k: sorted(v, key=lambda r: -r.priority) for k, v in rules.items()}

    @classmethod
    def load(cls, extra_dirs: list[Path]) -> RuleBook:
        """Shipped rules, then each extra dir's files merged over them (by rule name)."""
        by_kind: dict[str, dict[str, Rule]] = {}
        for directory in [package_data("rules"), *extra_dirs]:
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.yaml")):
                rules = parse_rules(path.read_text(encoding="utf-8"), path.name)
                kind = by_kind.setdefault(path.stem, {})
                for r in rules:
                    kind[r.name] = r
        return cls({k: list(v.values()) for k, v in by_kind.items()})

    def evaluate(self, kind: str, screen: str, title: str = "") -> Match | None:
        rules = self.rules.get(kind) or self.rules.get("generic") or []
        lines = screen.rstrip("\n").splitlines()
        for rule in rules:
            if rule.region == "title":
                text = title
            elif rule.region == "screen":
                text = screen
            else:
                text = "\n".join(lines[-rule.last_lines :])
            if _matches(rule.matcher, text, text.lower()):
                return Match(rule=rule, text=text)
        return None
