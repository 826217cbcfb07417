"""Theme files (`config.themes.ThemeSpec`) as Textual themes."""

from __future__ import annotations

from textual.theme import Theme

from wezmp_tui.config.themes import ThemeSpec


def to_textual_theme(spec: ThemeSpec) -> Theme:
    variables = spec.variables()
    if spec.ansi:
        # What Textual's own ANSI themes set, so inputs and selections stay readable.
        variables = {
            "block-cursor-foreground": "ansi_black",
            "block-cursor-background": "ansi_white",
            "input-selection-background": "ansi_bright_blue",
            "border-blurred": "ansi_bright_black",
            **variables,
        }
    return Theme(
        name=spec.name,
        primary=spec.primary,
        secondary=spec.secondary,
        accent=spec.accent,
        foreground=spec.foreground,
        background=spec.background,
        surface=spec.surface,
        panel=spec.panel,
        success=spec.success,
        warning=spec.warning,
        error=spec.error,
        dark=spec.dark,
        variables=variables,
        ansi=spec.ansi,
    )
