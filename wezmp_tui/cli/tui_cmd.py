"""`wezmp tui` (and `wezmp` alone): the control center, a client of the daemon."""

from __future__ import annotations

import os

import click

from wezmp_tui.cli.common import backend_option


@click.command()
@click.option(
    "--no-demo", is_flag=True, help="Do not create the demo workspace on the built-in backend."
)
@click.option("--board", is_flag=True, help="Open on the board (key 2), not the dashboard.")
@click.pass_context
def tui(ctx: click.Context, no_demo: bool, board: bool) -> None:
    """Open the control center (starts the daemon when needed)."""
    from wezmp_tui.config.loader import ConfigHolder
    from wezmp_tui.ipc.client import connect_async
    from wezmp_tui.paths import resolve
    from wezmp_tui.tui.app import create_app

    paths = resolve(os.environ)
    backend = backend_option(ctx)
    holder = ConfigHolder(paths.config_file)

    async def factory() -> object:
        return await connect_async(paths, autostart=True, backend=backend)

    app = create_app(
        factory,  # type: ignore[arg-type]
        config=holder.config,
        watch=holder.config.watch and os.environ.get("WEZMP_WATCH") != "0",
        demo=not no_demo,
        settings_file=paths.settings_file,
        paths=paths,
        mode="board" if board else "dashboard",
    )
    if holder.error:
        app.call_later(app.notify, holder.error, severity="error", title="config", timeout=10)
    app.run()
