"""`wezmp mcp`: the MCP server (stdio) that lets agents use the board themselves."""

from __future__ import annotations

import click


@click.command()
@click.option("--agent", "-a", help="Who claims and reports (default: the agent it runs in).")
def mcp(agent: str | None) -> None:
    """Serve wezmp's board and agents' states as MCP tools on stdin/stdout."""
    try:
        from wezmp_tui.mcpserver.server import serve
    except ImportError as exc:
        raise click.ClickException(
            f"the MCP SDK is not installed ({exc.name}): pip install 'wezmp[mcp]'"
        ) from None
    serve(agent)
