"""The web server behind `rrp serve`: textual-serve's app session, behind a token, Host and Origin check.

textual-serve on its own answers anyone who can reach the port, and any web page the facilitator
visits could open its websocket (browsers let pages connect websockets cross-site), read ward data
and type keys. So every request here must carry a per-run secret token (given once in the URL
printed at start, then kept in an HttpOnly, SameSite=Strict cookie), its Host header must be an
address this server was started on (stops DNS rebinding) and its Origin, when sent, must be this
server's own (stops cross-site websockets).

The page is our own (textual-serve's template loads its font from Google, which NHS networks
block): it loads only textual-serve's own static files, the font included, from this server, and
its Content-Security-Policy tells the browser to fetch nothing from anywhere else.

We reuse textual-serve's `Server` for what it does well (the websocket session that runs one app
process per browser tab, and file downloads) and build the aiohttp application ourselves, so no
request reaches its handlers without passing `guard`. The page relies on the contract between
textual-serve's bundled `textual.js` and its template (the `data-session-websocket-url` and
`data-font-size` attributes, the body classes), which is why pyproject pins textual-serve exactly.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from rich.logging import RichHandler
from textual_serve.server import Server

#: The names a browser on this machine may use for a loopback-bound server.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

#: How long Ctrl+C waits for the open sessions' app processes to quit.
SHUTDOWN_SECONDS = 10

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    """A fresh secret for one run of `rrp serve` (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """True when `host` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """True for 0.0.0.0 / :: (every interface): no single address a browser could name."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def host_port(host: str, port: int) -> str:
    """`host:port` as it appears in a URL or a Host header (IPv6 in brackets)."""
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers this server answers: the bound address, and loopback names when local."""
    names = {host}
    if is_loopback(host):
        names.update(LOOPBACK_NAMES)
    allowed = {host_port(name, port).lower() for name in names}
    if port == 80:  # browsers leave the default port out of Host
        allowed.update(host_port(name, port).lower().rsplit(":", 1)[0] for name in names)
    return frozenset(allowed)


def _same_secret(given: str, token: str) -> bool:
    """Constant-time comparison (compare_digest wants bytes for non-ASCII text)."""
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def _forbidden(reason: str) -> web.HTTPForbidden:
    return web.HTTPForbidden(text=f"rrp serve: {reason}\n")


class GuardedServer(Server):
    """textual-serve's Server, answering only requests with the token, a known Host and our Origin."""

    def __init__(self, command: str, host: str, port: int, token: str, title: str = "rrp") -> None:
        super().__init__(command=command, host=host, port=port, title=title)
        self.token = token
        self.allowed_hosts = allowed_hosts(host, port)
        # Cookies are per host, not per port: a name with the port keeps two runs apart.
        self.cookie_name = f"rrp_serve_token_{port}"
        # The websocket handlers running (one app process each), to end them on shutdown.
        self._session_tasks: set[asyncio.Task] = set()

    @property
    def sessions(self) -> int:
        """Browser sessions whose app process is still running."""
        return len(self._session_tasks)

    @property
    def url(self) -> str:
        """The address to open, token included (printed at start, as Jupyter does)."""
        return f"http://{host_port(self.host, self.port)}/?token={self.token}"

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Refuse (403) a request with a strange Host or Origin, or without the token."""
        host = request.headers.get("Host", "").lower()
        if host not in self.allowed_hosts:
            raise _forbidden("unknown Host")
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{host}":
            raise _forbidden("requests from other web pages are refused")
        given = request.query.get("token")
        if given is not None and _same_secret(given, self.token):
            # Keep the token in a cookie and out of the address bar (screens get shared).
            kept = [(key, value) for key, value in request.query.items() if key != "token"]
            redirect = web.HTTPSeeOther(location=str(request.rel_url.with_query(kept)))
            redirect.set_cookie(
                self.cookie_name, self.token, httponly=True, samesite="Strict", path="/"
            )
            raise redirect
        cookie = request.cookies.get(self.cookie_name)
        if cookie is None or not _same_secret(cookie, self.token):
            raise _forbidden("open the address with the token that `rrp serve` printed")
        return await handler(request)

    @staticmethod
    async def _plain_headers(request: web.Request, response: web.StreamResponse) -> None:
        """On every response: never send our address onwards, never guess a file's type."""
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's session (one app process per browser tab), counted in `sessions`."""
        task = asyncio.current_task()
        assert task is not None
        self._session_tasks.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self._session_tasks.discard(task)

    async def on_shutdown(self, app: web.Application) -> None:
        """Ctrl+C ends open sessions now (aiohttp would wait up to a minute for the tabs to close).

        textual-serve's handler answers cancellation by closing the websocket and telling its app
        process to quit, then waits for it; so no app process outlives the server.
        """
        tasks = list(self._session_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)

    def make_app(self) -> web.Application:
        """The aiohttp application: every route behind `guard`."""
        app = web.Application(middlewares=[self.guard])
        app.on_shutdown.append(self.on_shutdown)
        app.on_response_prepare.append(self._plain_headers)
        app.add_routes(
            [
                web.get("/", self.handle_page),
                web.get("/ws", self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.static("/static", self.statics_path),
            ]
        )
        return app

    async def handle_page(self, request: web.Request) -> web.Response:
        """The page: textual-serve's terminal, its websocket on the address the browser used."""
        # request.host passed `guard`, so it is one of ours (not something a rebinding DNS chose).
        websocket_url = f"ws://{request.host}/ws"
        font_size = request.query.get("fontsize", "16")
        page = PAGE.format(
            title=html.escape(self.title),
            websocket_url=html.escape(websocket_url),
            font_size=min(int(font_size), 64) if font_size.isdigit() else 16,
        )
        return web.Response(
            text=page,
            content_type="text/html",
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": content_security_policy(websocket_url),
                "X-Frame-Options": "DENY",
            },
        )

    def initialize_logging(self) -> None:
        """textual-serve's logging, without the locals in tracebacks (they would show the token)."""
        logging.basicConfig(
            level="DEBUG" if self.debug else "INFO",
            format="%(message)s",
            handlers=[RichHandler(show_path=False, show_time=False, console=self.console)],
        )

    def serve(self, debug: bool = False) -> None:
        """Run until Ctrl+C (raises OSError when the port cannot be bound).

        No access log: its request lines would print the token of the first request.
        """
        self.debug = debug
        self.initialize_logging()
        web.run_app(self.make_app(), host=self.host, port=self.port, print=None, access_log=None)


def content_security_policy(websocket_url: str) -> str:
    """The browser fetches nothing but from this server (textual.js injects its own styles)."""
    return "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {websocket_url}",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "script-src 'self' 'unsafe-inline'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


# textual-serve's app_index.html, less the Google Fonts link and the ping URL, plus a local
# @font-face for the font textual.js asks for ('Roboto Mono', shipped in textual-serve's static).
# Every URL is relative to this server. str.format fields: title, websocket_url, font_size.
PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>{title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/static/css/xterm.css" />
    <link rel="preload" href="/static/fonts/RobotoMono-VariableFont_wght.ttf" as="font" type="font/ttf" crossorigin />
    <script src="/static/js/textual.js"></script>
    <style>
      @font-face {{
        font-family: "Roboto Mono";
        src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: normal;
      }}
      @font-face {{
        font-family: "Roboto Mono";
        src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: italic;
      }}
      body {{ background: #0c181f; }}
      .dialog-container {{
        position: absolute; width: 100vw; height: 100vh;
        display: flex; align-items: center; justify-content: center; z-index: 10;
      }}
      .shade {{
        position: absolute; width: 100%; height: 100%;
        background: #0c181f; background-image: url("/static/images/background.png");
      }}
      .intro {{
        width: 640px; height: 240px; font-size: 16px; z-index: 20;
        font-family: "Roboto Mono", Consolas, "DejaVu Sans Mono", monospace;
        text-align: center; color: rgba(255, 255, 255, 0.95); background-color: #12232d;
        display: flex; align-items: center; justify-content: center; margin: 32px;
      }}
      body.-first-byte .intro-dialog, body.-first-byte .intro-dialog .shade {{
        opacity: 0; transition: opacity 0.3s ease-out; display: none;
      }}
      body .textual-terminal {{ opacity: 0; transition: opacity 0.3s ease-out; }}
      body.-first-byte .textual-terminal {{ opacity: 1; transition: opacity 0.3s ease-out; }}
      body button {{
        padding: 16px 32px; background-color: #005eb8; color: #ffffff; border: none;
        font-family: "Roboto Mono", Consolas, "DejaVu Sans Mono", monospace;
        margin: 16px; display: block; cursor: pointer;
      }}
      .closed-dialog {{ opacity: 0; display: none; }}
      body.-closed .closed-dialog {{ opacity: 1; display: flex; }}
      #start {{ display: none; }}
      #start.-delay {{ display: flex; }}
    </style>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro"><div>{title}</div>
        <button type="button" onclick="window.location.href = '/'" id="start">Start</button>
      </div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">Session ended.</div>
        <button type="button" onclick="window.location.href = '/'">Restart</button>
      </div>
    </div>
    <div id="terminal" class="textual-terminal"
      data-session-websocket-url="{websocket_url}" data-font-size="{font_size}"></div>
  </body>
</html>
"""
