"""How agent states look: the icon and colour of the model's table of states, coloured by
the theme where it sets `states.<name>`."""

from __future__ import annotations

from rich.text import Text

from wezmp_tui.model.states import state_def


def state_text(state: str, colors: dict[str, str] | None = None) -> Text:
    d = state_def(state)
    return Text(f"{d.icon} {d.name}", style=(colors or {}).get(state) or d.color)


def human_bytes(n: int) -> str:
    if n <= 0:
        return "-"
    for unit in ("B", "K", "M", "G"):
        if n < 1024:
            return f"{n:.0f}{unit}"
        n //= 1024
    return f"{n}T"


def human_age(seconds: float) -> str:
    """How long an agent has been up. Seconds only in its first minute: a column that
    changes every second for every row would redraw the whole table every second."""
    s = int(max(seconds, 0))
    if s >= 86400:
        return f"{s // 86400}d{s % 86400 // 3600:02d}h"
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m"
    return f"{s}s"
