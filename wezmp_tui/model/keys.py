"""Named keys a person (or a script) presses in an agent's pane: `Down Down Enter`, `Esc`,
`ctrl-c`, `y`. Each backend turns a key into what its multiplexer takes: tmux its own key
names, WezTerm and the built-in backend the bytes a terminal sends."""

from __future__ import annotations

from collections.abc import Sequence

from wezmp_tui.errors import InvalidInput

# canonical name -> (bytes a terminal sends, tmux key name)
KEYS: dict[str, tuple[str, str]] = {
    "Up": ("\x1b[A", "Up"),
    "Down": ("\x1b[B", "Down"),
    "Right": ("\x1b[C", "Right"),
    "Left": ("\x1b[D", "Left"),
    "Enter": ("\r", "Enter"),
    "Esc": ("\x1b", "Escape"),
    "Tab": ("\t", "Tab"),
    "BTab": ("\x1b[Z", "BTab"),
    "Space": (" ", "Space"),
    "Backspace": ("\x7f", "BSpace"),
    "Delete": ("\x1b[3~", "DC"),
    "Insert": ("\x1b[2~", "IC"),
    "Home": ("\x1b[H", "Home"),
    "End": ("\x1b[F", "End"),
    "PageUp": ("\x1b[5~", "PPage"),
    "PageDown": ("\x1b[6~", "NPage"),
    **{f"F{n}": (f"\x1bO{c}", f"F{n}") for n, c in zip(range(1, 5), "PQRS", strict=True)},
    **{
        f"F{n}": (f"\x1b[{code}~", f"F{n}")
        for n, code in zip(range(5, 13), (15, 17, 18, 19, 20, 21, 23, 24), strict=True)
    },
}
ALIASES = {
    "escape": "Esc", "return": "Enter", "cr": "Enter", "bspace": "Backspace", "bs": "Backspace",
    "del": "Delete", "dc": "Delete", "ic": "Insert", "pgup": "PageUp", "ppage": "PageUp",
    "pgdn": "PageDown", "npage": "PageDown", "shift-tab": "BTab", "s-tab": "BTab",
}  # fmt: skip
_BY_LOWER = {k.lower(): k for k in KEYS} | ALIASES
# Cursor keys as a terminal in application cursor mode (DECCKM) sends them.
APP_CURSOR = {"Up": "\x1bOA", "Down": "\x1bOB", "Right": "\x1bOC", "Left": "\x1bOD"}


def parse_key(word: str) -> str:
    """The canonical name of a key: a name above (any case, or an alias), `ctrl-x` (also
    `C-x`, `ctrl+x`, `^x`) for a letter, or one printable character typed as itself."""
    lower = word.lower()
    if lower in _BY_LOWER:
        return _BY_LOWER[lower]
    for prefix in ("ctrl-", "ctrl+", "c-", "^"):
        if lower.startswith(prefix) and len(lower) == len(prefix) + 1:
            letter = lower[-1]
            if "a" <= letter <= "z" or letter in "[\\]":
                return f"ctrl-{letter}"
    if len(word) == 1 and word.isprintable():
        return word
    names = ", ".join(KEYS)
    raise InvalidInput(f"unknown key {word!r} (keys: {names}, ctrl-a … ctrl-z, or one character)")


def parse_keys(words: Sequence[str]) -> list[str]:
    if not words:
        raise InvalidInput("name at least one key, e.g. Down Enter")
    return [parse_key(w) for w in words]


def key_bytes(key: str, *, app_cursor: bool = False) -> str:
    """What a terminal sends for a canonical key."""
    if app_cursor and key in APP_CURSOR:
        return APP_CURSOR[key]
    if key in KEYS:
        return KEYS[key][0]
    if key.startswith("ctrl-"):
        return chr(ord(key[-1]) & 0x1F)
    return key


def tmux_key(key: str) -> tuple[str, bool]:
    """(what `tmux send-keys` takes, whether it is literal text for `-l`)."""
    if key in KEYS:
        return KEYS[key][1], False
    if key.startswith("ctrl-"):
        return f"C-{key[-1]}", False
    return key, True
