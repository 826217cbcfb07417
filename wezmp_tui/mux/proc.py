"""Running a multiplexer's CLI: argv lists only, typed errors, never a shell."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from wezmp_tui.mux.base import MuxCommandFailed, MuxUnavailable


async def run(
    argv: Sequence[str],
    *,
    input: bytes | None = None,
    missing_advice: str = "",
    timeout: float = 10.0,
) -> tuple[int, str, str]:
    """Run `argv`; return (status, stdout, stderr). A missing binary is `MuxUnavailable`."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except FileNotFoundError:
        raise MuxUnavailable(f"{argv[0]} not found. {missing_advice}".strip()) from None
    except PermissionError as exc:
        raise MuxUnavailable(f"{argv[0]}: {exc}") from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(input), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise MuxCommandFailed(argv, -1, f"timed out after {timeout}s") from None
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def failed(argv: Sequence[str], status: int, stderr: str) -> MuxCommandFailed:
    return MuxCommandFailed(argv, status, stderr)
