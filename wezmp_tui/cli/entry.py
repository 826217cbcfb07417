"""Console-script entry point.

`wezmp exec` (every agent start) and `wezmp hook` (every Claude Code hook) take a fast path
that imports neither click nor anything heavy; everything else goes to the click app.
"""

from __future__ import annotations

import sys
from types import ModuleType


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
        import os

        hash_without_openssl()
        asyncio = import_asyncio_without_tls()

        from wezmp_tui.daemon.main import run_daemon
        from wezmp_tui.paths import resolve

        sys.exit(
            asyncio.run(
                run_daemon(
                    resolve(os.environ),
                    backend=backend,
                    debug="--debug" in rest,
                )
            )
        )
    from wezmp_tui.cli.main import cli

    cli.main(args=args, prog_name="wezmp")


def hash_without_openssl() -> None:
    """Make `hashlib` and `hmac` use Python's built-in hashes (md5, sha1, sha2, sha3,
    blake2) rather than OpenSSL's: the daemon hashes little, and `secrets` or `hmac` imported
    by a library would otherwise map libcrypto, 3.4 MiB of its resident memory, for
    nothing."""
    sys.modules.setdefault("_hashlib", None)  # type: ignore[arg-type]


def import_asyncio_without_tls() -> ModuleType:
    """asyncio, imported so that it does not load OpenSSL: asyncio imports `ssl` up front
    for TLS it may never use, and libssl + libcrypto are 4 MiB of the daemon's resident
    memory. The daemon speaks only over a Unix socket. Only asyncio's own TLS support is
    off: any later `import ssl` works as usual."""
    if "asyncio" in sys.modules:
        return sys.modules["asyncio"]
    had_ssl = "ssl" in sys.modules
    if not had_ssl:
        sys.modules["ssl"] = None  # type: ignore[assignment]
    try:
        import asyncio
    finally:
        if not had_ssl:
            del sys.modules["ssl"]
    return asyncio
