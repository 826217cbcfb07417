"""Theme files: Textual's base colours plus wezmp's own (agent states, sparklines, cards).

    name: wezmp-dark
    dark: true
    primary: "#7aa2f7"
    ...
    states: {working: "#7aa2f7", waiting: "#e0af68", idle: "#9ece6a", failed: "#f7768e"}
    sparkline: {cpu: "#7dcfff", mem: "#bb9af7"}
    cards: {H: "#f7768e", M: "#e0af68", L: "#9ece6a"}

Colours are anything Textual parses: `#rrggbb`, `rgb(…)`, names, or `ansi_blue`-style ANSI
colours, which follow the terminal's palette (so the control center matches the WezTerm
colour scheme). `ansi: true` marks a theme made of ANSI colours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from wezmp_tui.config.schema import Base
from wezmp_tui.config.yamlpos import PathKey, convert, format_path, parse_yaml
from wezmp_tui.errors import ConfigError, NotFound
from wezmp_tui.model.states import STATE_NAMES
from wezmp_tui.paths import Paths, builtin_dir

BASE_COLOURS = (
    "primary", "secondary", "accent", "foreground", "background", "surface", "panel",
    "success", "warning", "error",
)  # fmt: skip


# One colour per state of the model's list (`model/states.py`), made from that list: a new
# state is a key of `states:` with nothing to add here (a theme that leaves it unset gets the
# list's own colour). `unknown` is older theme files' colour for the state that is now
# `quiet`, used when `quiet` is unset.
if TYPE_CHECKING:

    class States(Base):
        quiet: str | None = None
        unknown: str | None = None

else:
    States = msgspec.defstruct(
        "States",
        [(name, str | None, None) for name in (*STATE_NAMES, "unknown")],
        bases=(Base,),
        module=__name__,
    )


class Sparkline(Base):
    cpu: str | None = None
    mem: str | None = None


class Cards(Base):
    H: str | None = None
    M: str | None = None
    L: str | None = None


class ThemeSpec(Base):
    name: str
    primary: str
    dark: bool = True
    ansi: bool = False
    secondary: str | None = None
    accent: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    success: str | None = None
    warning: str | None = None
    error: str | None = None
    states: States = msgspec.field(default_factory=States)
    sparkline: Sparkline = msgspec.field(default_factory=Sparkline)
    cards: Cards = msgspec.field(default_factory=Cards)

    def variables(self) -> dict[str, str]:
        """wezmp's colours as Textual theme variables (`$wezmp-state-working` in .tcss)."""
        out: dict[str, str] = {}
        for group, prefix in (
            (self.states, "state"),
            (self.sparkline, "spark"),
            (self.cards, "card"),
        ):
            for key, value in msgspec.structs.asdict(group).items():
                if value and (prefix, key) != ("state", "unknown"):
                    out[f"wezmp-{prefix}-{key}"] = value
        if self.states.unknown and not self.states.quiet:
            out["wezmp-state-quiet"] = self.states.unknown
        return out


@dataclass(frozen=True)
class ThemeRef:
    name: str
    path: str
    source: str


_FUNCTIONAL = re.compile(r"^(rgb|rgba|hsl|hsla)\(\s*[\d.%]+(\s*,\s*[\d.%]+){2,3}\s*\)$")
_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def _is_colour(value: str) -> bool:
    """What Textual accepts: hex, rgb()/hsl(), colour names, and `ansi_*` terminal colours.
    (Checked without Textual, which only the TUI imports.)"""
    from rich.color import Color, ColorParseError

    text = value.strip()
    if _HEX.match(text) or _FUNCTIONAL.match(text):
        return True
    if text.startswith("ansi_"):
        text = text[len("ansi_") :]
    try:
        Color.parse(text)
    except ColorParseError:
        return False
    return True


def parse_theme(text: str, name: str) -> ThemeSpec:
    data, lines = parse_yaml(text, name)
    if data is None:
        raise ConfigError(f"{name}:1: empty theme file")
    spec = convert(data, ThemeSpec, name=name, lines=lines)

    def check(path: PathKey, value: str | None) -> None:
        if value is not None and not _is_colour(value):
            line = lines.get(path, lines.get(path[:1], 1))
            raise ConfigError(f"{name}:{line}: {format_path(path)}: {value!r} is not a colour")

    for key in BASE_COLOURS:
        check((key,), getattr(spec, key))
    for group in ("states", "sparkline", "cards"):
        for key, value in msgspec.structs.asdict(getattr(spec, group)).items():
            check((group, key), value)
    return spec


def theme_dirs(paths: Paths) -> list[tuple[Path, str]]:
    return [(builtin_dir("themes"), "shipped"), (paths.themes_dir, "user")]


def load_themes(paths: Paths) -> tuple[dict[str, ThemeSpec], list[str]]:
    """Every theme by name (user files override shipped ones) and the errors of the files
    that do not load (a broken file leaves the previous version of that theme in force)."""
    found: dict[str, ThemeSpec] = {}
    errors: list[str] = []
    for directory, _source in theme_dirs(paths):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.y*ml")):
            try:
                spec = parse_theme(path.read_text(encoding="utf-8"), path.name)
            except (ConfigError, OSError) as exc:
                errors.append(
                    exc.message if isinstance(exc, ConfigError) else f"{path.name}: {exc}"
                )
                continue
            found[spec.name] = spec
    return found, errors


def list_themes(paths: Paths) -> list[ThemeRef]:
    refs: dict[str, ThemeRef] = {}
    for directory, source in theme_dirs(paths):
        if directory.is_dir():
            for path in sorted(directory.glob("*.y*ml")):
                try:
                    spec = parse_theme(path.read_text(encoding="utf-8"), path.name)
                except ConfigError:
                    continue
                refs[spec.name] = ThemeRef(spec.name, str(path), source)
    return sorted(refs.values(), key=lambda r: r.name)


def get_theme(paths: Paths, name: str) -> ThemeSpec:
    themes, _ = load_themes(paths)
    if name not in themes:
        raise NotFound(f"no theme named {name!r} (see: wezmp theme list)")
    return themes[name]
