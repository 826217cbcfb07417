"""Console-script entry point.

`wezmp exec` (every agent start) and `wezmp hook` (every Claude Code hook) take a fast path
that imports neither click nor anything heavy; everything else goes to the click app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "exec":
        from wezmp_tui.agentexec.main import main as exec_main

        sys.exit(exec_main(args[1:]))
    if args and args[0] == "hook":
        from wezmp_tui.cli.hook import main as hook_main

        sys.exit(hook_main(args[1:]))
    from wezmp_tui.cli.main import cli

    cli.main(args=args, prog_name="wezmp")
