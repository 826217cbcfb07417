"""Plugins shipped with wezmp, written against the public API only (`plugins.api`); they are
registered through the package's own `wezmp.plugins` entry points, like any other, and are
off until `wezmp plugin enable NAME`."""
