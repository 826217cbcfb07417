"""Border titles set only when they change.

Setting a widget's border title or subtitle repaints the whole widget and everything in it,
even when the text is the same: the agent panel said "Agents 256" anew each second and so
drew its 256-row table again each second, the preview its screen."""

from __future__ import annotations

from textual.widget import Widget

_SHOWN = "_wezmp_border_shown"


def set_border(widget: Widget, *, title: str | None = None, subtitle: str | None = None) -> None:
    """Give `widget` this title and/or subtitle (None: leave it) where it differs from what
    was last given here."""
    shown: dict[str, str] = widget.__dict__.setdefault(_SHOWN, {})
    if title is not None and shown.get("title") != title:
        shown["title"] = widget.border_title = title
    if subtitle is not None and shown.get("subtitle") != subtitle:
        shown["subtitle"] = widget.border_subtitle = subtitle
