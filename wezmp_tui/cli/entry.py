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
    # The daemon is started by every client on demand; skip click for it (less memory in a
    # process that lives all day).
    backend = None
    rest = args
    if rest[:1] == ["--backend"] and len(rest) > 2:
        backend, rest = rest[1], rest[2:]
    if rest[:2] == ["daemon", "run"] and all(a == "--debug" for a in rest[2:]):
        import asyncio
        import os

        from wezmp_tui.daemon.main import run_daemon
        from wezmp_tui.paths import resolve

        sys.exit(
            asyncio.run(
                run_daemon(
                    resolve(os.environ),
                    backend=backend or os.environ.get("WEZMP_BACKEND"),
                    debug="--debug" in rest,
                )
            )
        )
    from wezmp_tui.cli.main import cli

    cli.main(args=args, prog_name="wezmp")
