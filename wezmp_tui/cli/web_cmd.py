"""`wezmp web`: the control center in a browser (through textual-serve)."""

from __future__ import annotations

import asyncio

import click

from wezmp_tui.cli.common import backend_option

WILDCARDS = ("0.0.0.0", "::", "")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (only loopback unless told).")  # fmt: skip
@click.option("--port", default=8765, show_default=True, help="Port (0: any free one).")
@click.option("--url-host", help="The host name the browser uses (needed with --host 0.0.0.0).")
@click.pass_context
def web(ctx: click.Context, host: str, port: int, url_host: str | None) -> None:
    """Serve the control center to a browser; only the printed URL (with its token) opens it."""
    if url_host is None and host in WILDCARDS:
        raise click.UsageError(f"--host {host or '(any)'} listens everywhere: say with "
                               "--url-host which name the browser will use")  # fmt: skip
    try:
        from wezmp_tui.web.server import serve
    except ImportError as exc:
        raise click.ClickException(
            f"textual-serve is not installed ({exc.name}): pip install 'wezmp[web]'"
        ) from None

    def announce(url: str) -> None:
        click.echo(f"wezmp web: open {url}\n(Ctrl-C stops it)", err=False)

    try:
        asyncio.run(serve(host, port, url_host or host, backend_option(ctx), announce))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
