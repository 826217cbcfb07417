"""wezmp's plugin system (pluggy): specs, discovery, a safe runner and the shipped plugins.

Plugin authors import from `wezmp_tui.plugins.api` only; everything else here is wezmp's own.
Nothing on the path of `wezmp exec` or `wezmp hook` imports this package.
"""
