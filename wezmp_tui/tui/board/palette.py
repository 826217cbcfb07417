"""The board's colours, taken from the theme once per theme: cards on the surface colour, the
selected card tinted with the primary colour, priorities in the theme's card colours
(`$wezmp-card-H` …). Nothing is left to the terminal's default colours or reverse video, so a
light theme gives a light board."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.color import Color


@dataclass(frozen=True)
class BoardPalette:
    base: Style  # the board's background
    header: Style
    header_focused: Style
    count: Style
    rule: Style
    rule_focused: Style
    card: Style  # a card's title line
    card_detail: Style  # its second line
    selected: Style
    selected_detail: Style
    bar_selected: Style
    priority: dict[str, Style]  # the bar's colour per priority ("" too)
    flag: Style  # blocked / waiting marks
    placeholder: Style

    @classmethod
    def from_variables(cls, v: dict[str, str]) -> BoardPalette:
        def colour(name: str, fallback: str = "") -> Color:
            for value in (v.get(name), fallback):
                if value:
                    try:
                        return Color.parse(value)
                    except Exception:  # a variable that is an expression, not a colour
                        continue
            return Color.parse("ansi_default")

        bg, fg = colour("background"), colour("foreground")
        surface, primary = colour("surface", v.get("background", "")), colour("primary")
        ansi = bg.ansi is not None or fg.ansi is not None

        def mix(a: Color, b: Color, amount: float) -> Color:
            return a if ansi or a.ansi is not None or b.ansi is not None else a.blend(b, amount)

        def style(
            fgc: Color, bgc: Color, *, bold: bool = False, dim: bool = False,
            underline: bool = False, reverse: bool = False,
        ) -> Style:
            return Style(color=fgc.rich_color, bgcolor=bgc.rich_color, bold=bold, dim=dim,
                         underline=underline, reverse=reverse)  # fmt: skip

        muted = mix(bg, fg, 0.55)
        card_bg = surface if surface != bg or ansi else mix(bg, fg, 0.06)
        sel_bg = mix(card_bg, primary, 0.28) if not ansi else card_bg
        pri = {
            "H": colour("wezmp-card-H", v.get("error", "")),
            "M": colour("wezmp-card-M", v.get("warning", "")),
            "L": colour("wezmp-card-L", v.get("success", "")),
            "": mix(card_bg, fg, 0.25),
        }
        return cls(
            base=style(fg, bg),
            header=style(fg, bg, bold=True),
            header_focused=style(primary, bg, bold=True),
            count=style(muted, bg, dim=ansi),
            rule=style(mix(bg, fg, 0.2), bg, dim=ansi),
            rule_focused=style(primary, bg),
            card=style(fg, card_bg, bold=True),
            card_detail=style(muted, card_bg, dim=ansi),
            selected=style(fg, sel_bg, bold=True, reverse=False, underline=ansi),
            selected_detail=style(fg, sel_bg),
            bar_selected=style(primary, sel_bg),
            priority={k: style(c, card_bg) for k, c in pri.items()},
            flag=style(colour("warning"), card_bg, bold=True),
            placeholder=style(muted, bg, dim=True),
        )
