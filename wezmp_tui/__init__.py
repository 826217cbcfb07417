"""wezmp: a control center for many coding agents in WezTerm.

Nothing is imported here on purpose: `wezmp exec` and `wezmp hook` run on every agent start and
every Claude Code hook, and must not pay for Textual, psutil or YAML they do not use.
"""

__version__ = "0.1.0"
