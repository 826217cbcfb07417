"""Agent-state rules: YAML files per agent kind, matched against a pane's text and title.

Shipped rules live in the package (`data/rules/<kind>.yaml`); a file of the same name in the
config dir's `rules/` is merged over it: its rules are added, and a rule with the same `name`
replaces the shipped one (so a user fixes one rule without copying the file). Strings that
recognise an agent's screen live only in these data files, never in code.

    versions: ["2.1.197"]      # the agent versions the rules were recorded against
    rules:
      - name: numbered-choice
        state: waiting          # working | waiting | idle
        priority: 100           # the highest matching rule wins
        region: {last_lines: 15}   # or: screen | title
        match:
          any:
            - contains: "Enter to confirm"
            - regex: "^\\s*❯\\s*\\d+\\.\\s"
        case_sensitive: false
        error: false            # true: an error it cannot work past (its task is requeued)

`regex` is matched line by line (`^`/`$` at each line) and may span lines with `\\n`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wezmp_tui.config.schema import Config
from wezmp_tui.config.yamlpos import PathKey, format_path, parse_yaml
from wezmp_tui.errors import ConfigError
from wezmp_tui.model.states import SCREEN_STATES
from wezmp_tui.mux.base import tidy_text
from wezmp_tui.paths import Paths, package_data

STATES = tuple(str(s) for s in SCREEN_STATES)
RULE_KEYS = {
    "name", "state", "priority", "region", "match", "case_sensitive", "description", "error",
}  # fmt: skip
FILE_KEYS = {"rules", "description", "versions"}
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
    error: bool = False  # waiting on an error it cannot work past: its task goes back


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
        error = node.get("error", False)
        if not isinstance(error, bool):
            raise self.fail((*path, "error"), "expected true or false")
        if error and node["state"] != "waiting":
            raise self.fail((*path, "error"), "only a waiting rule can be an error")
        return Rule(
            name=node["name"],
            state=node["state"],
            priority=priority,
            region=region,
            last_lines=last,
            matcher=self.matcher(node["match"], (*path, "match"), flags),
            source=f"{self.name}:{self.lines.get(path, 1)}",
            error=error,
        )


@dataclass(frozen=True)
class RuleFile:
    rules: list[Rule]
    versions: tuple[str, ...]  # agent versions the rules were recorded against


def parse_rule_file(text: str, name: str) -> RuleFile:
    data, lines = parse_yaml(text, name)
    b = _Builder(name, lines)
    if data is None:
        return RuleFile([], ())
    if not isinstance(data, dict) or set(data) - FILE_KEYS:
        raise b.fail((), "expected a mapping with a `rules:` list (and `versions:`)")
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        raise b.fail(("rules",), "expected a list of rules")
    versions = data.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        raise b.fail(("versions",), 'expected a list of version strings, e.g. ["2.1.197"]')
    return RuleFile([b.rule(r, ("rules", i)) for i, r in enumerate(rules)], tuple(versions))


def parse_rules(text: str, name: str) -> list[Rule]:
    return parse_rule_file(text, name).rules


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

    def __init__(
        self, rules: dict[str, list[Rule]], versions: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        # `common` holds screens of WezTerm itself (an SSH domain's questions): its rules join
        # every kind's.
        common = list(rules.get("common", []))
        self.rules = {
            k: sorted([*v, *(common if k != "common" else [])], key=lambda r: -r.priority)
            for k, v in rules.items()
        }
        self.versions = versions or {}

    @classmethod
    def load(cls, extra_dirs: list[Path]) -> RuleBook:
        """Shipped rules, then each extra dir's files merged over them (by rule name; the
        versions they name are added to the kind's)."""
        by_kind: dict[str, dict[str, Rule]] = {}
        versions: dict[str, tuple[str, ...]] = {}
        for directory in [package_data("rules"), *extra_dirs]:
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.yaml")):
                parsed = parse_rule_file(path.read_text(encoding="utf-8"), path.name)
                kind = by_kind.setdefault(path.stem, {})
                for r in parsed.rules:
                    kind[r.name] = r
                known = versions.get(path.stem, ())
                versions[path.stem] = known + tuple(v for v in parsed.versions if v not in known)
        return cls({k: list(v.values()) for k, v in by_kind.items()}, versions)

    def version_note(self, kind: str, version: str | None) -> str | None:
        """Why the rules may not fit an agent of this version, or None when they were
        recorded against it (or nothing is known to compare)."""
        known = self.versions.get(kind)
        if not version or not known or version in known:
            return None
        return (
            f"{kind} {version}: its rules were recorded against {', '.join(known)}; a new "
            f"screen may go unrecognised (check with: wezmp rules test --kind {kind} FILE)"
        )

    def evaluate(self, kind: str, screen: str, title: str = "") -> Match | None:
        """The highest-priority rule of `kind` matching the screen (None: no rule did)."""
        return next(self.matches(kind, screen, title), None)

    def matches(self, kind: str, screen: str, title: str = "") -> Iterator[Match]:
        """Every rule of `kind` matching the screen, highest priority first."""
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
                yield Match(rule=rule, text=text)


def rule_dirs(paths: Paths, config: Config) -> list[Path]:
    """Where rule files are read, after the shipped ones: the config dir's `rules/`, then
    `state.rules_dirs` of the config."""
    extra = [Path(os.path.expanduser(d)) for d in config.state.rules_dirs]
    return [paths.rules_dir, *extra]


def classify(book: RuleBook, kind: str, screen: str, title: str = "") -> dict[str, Any]:
    """What the rules make of a saved screen, as the state service would on a screen that
    no longer changes: the deciding rule's state, or `quiet` when no rule matches. The text
    is tidied as every backend returns it (trailing blanks stripped)."""
    found = list(book.matches(kind, tidy_text(screen, None), title))
    kinds = kind if kind in book.rules else ("generic" if "generic" in book.rules else kind)
    out: dict[str, Any] = {"kind": kind, "rules_of": kinds, "state": "quiet", "error": False,
                           "rule": None, "source": None, "region": None, "also": []}  # fmt: skip
    if found:
        best = found[0]
        out.update(
            state=best.rule.state,
            error=best.rule.error,
            rule=best.rule.name,
            source=best.rule.source,
            region=best.text,
            also=[f"{m.rule.name} ({m.rule.state}, {m.rule.source})" for m in found[1:]],
        )
    return out
