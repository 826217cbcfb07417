"""The control center served to a browser through textual-serve, locked to one person.

textual-serve runs one `wezmp tui` per browser tab and carries its screen and keys over a
WebSocket. Whoever reaches that WebSocket types into the user's agents, so every request
must carry the random token printed once in the URL (the page then keeps it in an
HttpOnly, same-site cookie for its scripts and WebSocket), must name the exact host and
port of that URL as its Host (a DNS-rebinding page cannot), and, when a browser says where
it comes from (Origin: always on a WebSocket), must come from that same address.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable

from aiohttp import web
from textual_serve.server import Server

COOKIE = "wezmp_token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Guard:
    """Refuses every request without the token, or from another address than the URL's."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.address = ""  # host:port of the URL given out, known once bound

    async def check(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get("Host", "") != self.address:
            return refuse("this address is not the one wezmp web gave out")
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{self.address}":
            return refuse(f"requests from {origin} are not allowed")
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return refuse("the token is missing or wrong: open the URL wezmp web printed")
        response = await handler(request)
        if request.path == "/" and not response.prepared:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response


def refuse(why: str) -> web.Response:
    return web.Response(status=403, text=f"wezmp web: refused: {why}\n")


def tui_command(backend: str | None) -> str:
    """What each browser tab runs. textual-serve hands it to a shell: every word is ours,
    and quoted."""
    argv = [sys.executable, "-m", "wezmp_tui"]
    if backend:
        argv += ["--backend", backend]
    return shlex.join([*argv, "tui"])


async def serve(
    host: str,
    port: int,
    url_host: str,
    backend: str | None,
    announce: Callable[[str], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (or `stop`); `announce` gets the URL with its token."""
    guard = Guard(secrets.token_urlsafe(24))
    server = Server(tui_command(backend), host=url_host, port=port, title="wezmp")
    app = await server._make_app()
    app.on_startup.remove(server.on_startup)  # its banner prints a URL without the token

    @web.middleware
    async def checked(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await guard.check(request, handler)

    app.middlewares.append(checked)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]  # the port the system chose for port 0
        guard.address = f"{url_host}:{bound}"
        server.port = bound
        server.public_url = f"http://{guard.address}"
        done = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, done.set)
        announce(f"{server.public_url}/?token={guard.token}")
        await done.wait()
    finally:
        await runner.cleanup()
