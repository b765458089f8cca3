"""`rrp serve`: the command line, and the guarded server (token, Host, Origin, offline page).

The server tests run the real aiohttp application in-process on a free loopback port; every
server is closed by its fixture. The browser tests drive headless Chromium over the DevTools
protocol and skip cleanly when no Chromium is installed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import json
import os
import re
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main

pytest.importorskip("textual_serve")

from aiohttp import ClientSession, WSMsgType, WSServerHandshakeError, web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from rrp.cli.serve_guard import GuardedServer, allowed_hosts  # noqa: E402

TOKEN = "the-right-token-for-this-test"
#: A stand-in app for textual-serve: the prelude it waits for, one data packet ("hello"), then it
#: reads packets until the quit message (as a Textual app does) and exits.
HELLO_APP = """
import json, sys
sys.stdout.buffer.write(b"__GANGLION__\\n" + b"D" + (5).to_bytes(4, "big") + b"hello")
sys.stdout.flush()
while len(head := sys.stdin.buffer.read(5)) == 5:
    body = sys.stdin.buffer.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"M" and json.loads(body)["type"] == "quit":
        break
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[GuardedServer]:
    """Record the servers `rrp serve` would run instead of running them."""
    made: list[GuardedServer] = []
    monkeypatch.setattr(GuardedServer, "serve", lambda self, debug=False: made.append(self))
    return made


def test_serve_defaults_to_loopback_and_prints_the_token_url(
    served: list[GuardedServer], tmp_path: Path
) -> None:
    db = tmp_path / "collab.sqlite"
    result = CliRunner().invoke(main, ["serve", "--db", str(db)])
    assert result.exit_code == 0, result.output
    server = served[-1]
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert server.command == f"{sys.executable} -m rrp --db {db}"
    assert f"open http://127.0.0.1:8000/?token={server.token}" in result.stdout
    assert len(server.token) >= 43  # 32 random bytes, URL-safe base64
    assert "WARNING" not in result.stderr


def test_each_run_has_its_own_token(served: list[GuardedServer], tmp_path: Path) -> None:
    for _ in range(2):
        assert (
            CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "c.sqlite")]).exit_code == 0
        )
    assert served[0].token != served[1].token


def test_network_host_is_refused_without_allow_network(
    served: list[GuardedServer], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--db", str(tmp_path / "c.sqlite"), "--host", "10.1.2.3"]
    )
    assert result.exit_code == 2
    assert "--allow-network" in result.stderr and "Traceback" not in result.output
    assert served == []


def test_network_host_with_allow_network_warns_loudly(
    served: list[GuardedServer], tmp_path: Path
) -> None:
    db = tmp_path / "my collab.sqlite"
    args = ["serve", "--db", str(db), "--host", "10.1.2.3", "--port", "9001", "--allow-network"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    server = served[-1]
    assert (server.host, server.port) == ("10.1.2.3", 9001)
    assert server.command.endswith(f"--db '{db}'")
    assert "WARNING: listening on 10.1.2.3:9001" in result.stderr
    assert "NOT encrypted" in result.stderr and len(result.stderr.splitlines()) >= 5
    assert f"open http://10.1.2.3:9001/?token={server.token}" in result.stdout


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_every_address_is_refused(served: list[GuardedServer], tmp_path: Path, host: str) -> None:
    args = ["serve", "--db", str(tmp_path / "c.sqlite"), "--host", host, "--allow-network"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "every address" in result.stderr
    assert served == []


def test_port_in_use_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def busy(self: GuardedServer, debug: bool = False) -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(GuardedServer, "serve", busy)
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "c.sqlite")])
    assert result.exit_code == 1
    assert "cannot listen on 127.0.0.1:8000: Address already in use" in result.stderr
    assert "Traceback" not in result.output


def test_allowed_hosts() -> None:
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert allowed_hosts("10.1.2.3", 8000) == {"10.1.2.3:8000"}
    assert allowed_hosts("::1", 80) >= {"[::1]:80", "[::1]", "localhost", "127.0.0.1:80"}


# --- the guarded server, in-process ------------------------------------------------------------


async def sessions_ended(server: GuardedServer) -> None:
    """Wait (bounded) until every browser session has stopped its app process.

    textual-serve does not wait for the process it started; collecting its transport while the
    loop still runs closes it here rather than in a warning after the loop has gone.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while server.sessions and loop.time() < deadline:
        await asyncio.sleep(0.05)
    gc.collect()
    assert server.sessions == 0, "an app process outlived its browser session"


@pytest.fixture
def guarded(tmp_path: Path) -> GuardedServer:
    """A GuardedServer for a free loopback port; its app is HELLO_APP."""
    script = tmp_path / "hello.py"
    script.write_text(HELLO_APP, encoding="utf-8")
    return GuardedServer(
        f"{sys.executable} {script}", host="127.0.0.1", port=free_port(), token=TOKEN
    )


@pytest.fixture
async def client(guarded: GuardedServer) -> AsyncIterator[TestClient]:
    """A client of `guarded`, served in-process."""
    server = TestServer(guarded.make_app(), host="127.0.0.1", port=guarded.port)
    async with TestClient(server) as test_client:
        yield test_client
        await sessions_ended(guarded)


def signed_in(client: TestClient) -> dict[str, str]:
    """The cookie the browser holds after opening the token URL."""
    return {f"rrp_serve_token_{client.port}": TOKEN}


def cookie_header(client: TestClient) -> str:
    return "; ".join(f"{name}={value}" for name, value in signed_in(client).items())


@pytest.mark.parametrize("path", ["/", "/ws", "/static/js/textual.js", "/download/x"])
async def test_no_token_is_refused(client: TestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status == 403


@pytest.mark.parametrize("token", ["wrong", TOKEN[:-1], TOKEN + "x", "é" * 10, ""])
async def test_wrong_token_is_refused(client: TestClient, token: str) -> None:
    response = await client.get("/", params={"token": token}, allow_redirects=False)
    assert response.status == 403
    assert "Set-Cookie" not in response.headers
    response = await client.get("/", cookies={f"rrp_serve_token_{client.port}": token})
    assert response.status == 403


async def test_right_token_sets_a_strict_cookie_and_leaves_the_address_bar(
    client: TestClient,
) -> None:
    response = await client.get(
        "/", params={"token": TOKEN, "fontsize": "20"}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == "/?fontsize=20"  # the token is not kept in the URL
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"rrp_serve_token_{client.port}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = await client.get("/?fontsize=20")  # the client now holds the cookie
    assert page.status == 200
    assert 'data-font-size="20"' in await page.text()
    script = await client.get("/static/js/textual.js")
    assert script.status == 200
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    assert script.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "evil.example", ""])
async def test_unknown_host_is_refused(client: TestClient, host: str) -> None:
    headers = {"Host": host.format(port=client.port)}
    response = await client.get("/", headers=headers, cookies=signed_in(client))
    assert response.status == 403
    assert "Host" in await response.text()


async def test_loopback_names_are_accepted(client: TestClient) -> None:
    for name in ("localhost", "127.0.0.1", "[::1]"):
        headers = {"Host": f"{name}:{client.port}"}
        response = await client.get("/", headers=headers, cookies=signed_in(client))
        assert response.status == 200, name
        # The page's websocket goes to the address the browser used (its cookie is for that host).
        assert f'data-session-websocket-url="ws://{name}:{client.port}/ws"' in await response.text()


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://127.0.0.1:1", "https://127.0.0.1:{port}", "null"]
)
async def test_websocket_from_another_origin_is_refused(client: TestClient, origin: str) -> None:
    headers = {"Origin": origin.format(port=client.port), "Cookie": cookie_header(client)}
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers=headers)
    assert refused.value.status == 403


async def test_websocket_without_token_is_refused(client: TestClient) -> None:
    headers = {"Origin": f"http://127.0.0.1:{client.port}"}
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers=headers)
    assert refused.value.status == 403


async def test_websocket_with_token_and_own_origin_runs_the_app(client: TestClient) -> None:
    headers = {"Origin": f"http://127.0.0.1:{client.port}", "Cookie": cookie_header(client)}
    websocket = await client.ws_connect("/ws", headers=headers)
    try:
        message = await asyncio.wait_for(websocket.receive(), timeout=30)
        assert message.data == b"hello"
    finally:
        await websocket.close()


async def test_shutdown_ends_open_sessions(client: TestClient, guarded: GuardedServer) -> None:
    """Ctrl+C does not wait for the browser tabs to close: open sessions end, their apps quit."""
    headers = {"Origin": f"http://127.0.0.1:{client.port}", "Cookie": cookie_header(client)}
    websocket = await client.ws_connect("/ws", headers=headers)
    assert (await asyncio.wait_for(websocket.receive(), timeout=30)).data == b"hello"
    assert guarded.sessions == 1
    closing = asyncio.create_task(websocket.receive())  # a browser answers the close at once
    await client.server.app.shutdown()  # what Ctrl+C does first
    assert guarded.sessions == 0  # each handler has seen its app process quit
    closing = await asyncio.wait_for(closing, timeout=30)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
    await websocket.close()


async def test_page_loads_nothing_from_the_internet(client: TestClient) -> None:
    response = await client.get("/", cookies=signed_in(client))
    page = await response.text()
    assert "http" not in page.lower()  # no absolute URL at all (the websocket's is ws://)
    references = re.findall(r'(?:src|href)="([^"]*)"|url\("?([^")]*)', page)
    urls = [a or b for a, b in references]
    assert urls, "the page references its static files"
    for url in urls:
        assert url.startswith("/static/") or url.startswith("data:"), url
        if url.startswith("/static/"):
            assert (await client.get(url, cookies=signed_in(client))).status == 200, url
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "font-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


#: An absolute web address; LOCAL: the ones that stay on this machine.
WEB_ADDRESS = re.compile(r"""(?:https?:)?//([A-Za-z0-9.\-\[\]:]+)[^\s"'`)]*""")
LOCAL = {"localhost", "127.0.0.1", "[::1]"}


def remote_addresses(text: str) -> list[str]:
    """Every http(s) address in `text` (CSS comments left out) that is not this machine."""
    code = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    found = []
    for match in WEB_ADDRESS.finditer(code):
        if not match.group(0).startswith(("http:", "https:")):
            continue
        if match.group(1).split(":")[0].lower() not in LOCAL and match.group(1).lower() not in LOCAL:
            found.append(match.group(0))
    return found


def test_remote_addresses_are_found() -> None:
    assert remote_addresses('@import url("https://fonts.googleapis.com/css?family=Roboto");') == [
        "https://fonts.googleapis.com/css?family=Roboto"
    ]
    assert remote_addresses("src: url(http://cdn.example/x.woff2)") == ["http://cdn.example/x.woff2"]
    assert remote_addresses("/* see https://github.com/xterm */ a { b: url(/static/x.png) }") == []
    assert remote_addresses("http://localhost:8000/ws http://127.0.0.1/x") == []


async def test_served_html_css_and_scripts_name_no_web_address(client: TestClient) -> None:
    """The page, and every stylesheet and script it loads (and what they load in turn), name
    no address on the internet: nothing to fetch from a network an NHS proxy blocks."""
    cookies = signed_in(client)
    seen: set[str] = set()
    queue = ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = await client.get(path, cookies=cookies)
        assert response.status == 200, path
        if not path.endswith(("/", ".css", ".js", ".html")):
            continue  # a font or an image: fetched, not read
        text = await response.text()
        assert remote_addresses(text) == [], path
        for a, b in re.findall(r'(?:src|href)="(/static/[^"]*)"|url\("?(/static/[^")]*)', text):
            queue.append(a or b)
    assert {"/static/js/textual.js", "/static/css/xterm.css"} <= seen
    assert any(p.endswith(".ttf") for p in seen)


# --- headless Chromium ---------------------------------------------------------------------------

CHROMIUM = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None
)
#: Headless, and nothing of its own on the network: no background services, updates or sync.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)  # fmt: skip


@pytest.fixture
def chromium_binary() -> str:
    """The Chromium to drive: a skip on a machine without one, a failure under CI=true (.ci/run
    installs Debian's chromium, so CI always looks at the browser view)."""
    if CHROMIUM is None:
        reason = "no chromium installed on this machine (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return CHROMIUM

#: A tiny Textual app showing the eight sparkline bars at the top left, white on black.
BARS_APP = """
from textual.app import App
from textual.widgets import Static

class Bars(App):
    CSS = "Screen { background: black; } Static { color: white; }"
    def compose(self):
        yield Static("▁▂▃▄▅▆▇█")

Bars().run()
"""


@contextlib.asynccontextmanager
async def running(server: GuardedServer) -> AsyncIterator[None]:
    """The server listening for real, stopped on the way out."""
    runner = web.AppRunner(server.make_app(), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, server.host, server.port).start()
        yield
    finally:
        try:
            await sessions_ended(server)  # the browser has gone first
        finally:
            await runner.cleanup()


class Browser:
    """Headless Chromium over the DevTools protocol: open a URL, wait, look, take a screenshot."""

    def __init__(self, session: ClientSession, websocket: object) -> None:
        self.session = session
        self.websocket = websocket
        self.events: list[dict] = []
        self._next = 0

    async def call(self, method: str, **params: object) -> dict:
        self._next += 1
        call_id = self._next
        await self.websocket.send_json({"id": call_id, "method": method, "params": params})
        while True:
            message = json.loads((await asyncio.wait_for(self.websocket.receive(), 30)).data)
            if message.get("id") == call_id:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message)

    async def evaluate(self, expression: str) -> object:
        return (await self.call("Runtime.evaluate", expression=expression))["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 60) -> None:
        """Poll the page until `expression` is true (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self.evaluate(expression):
            assert loop.time() < deadline, f"the page never had {expression}"
            await asyncio.sleep(0.2)

    async def screenshot(self) -> bytes:
        shot = await self.call("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])

    async def settled_screenshot(self, attempts: int = 40) -> bytes:
        """A screenshot once two in a row agree (the app has finished drawing)."""
        previous = await self.screenshot()
        for _ in range(attempts):
            await asyncio.sleep(0.25)
            current = await self.screenshot()
            if current == previous:
                return current
            previous = current
        raise AssertionError("the page never stopped changing")

    def requested_urls(self) -> list[str]:
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event.get("method") == "Network.requestWillBeSent"
        ]

    def console_errors(self) -> list[str]:
        return [
            event["params"]["entry"]["text"]
            for event in self.events
            if event.get("method") == "Log.entryAdded"
            and event["params"]["entry"]["level"] == "error"
        ]


@contextlib.asynccontextmanager
async def chromium(binary: str, profile: Path) -> AsyncIterator[Browser]:
    """A headless Chromium with a new profile that cannot resolve any name but 127.0.0.1 (so: no
    internet)."""
    process = await asyncio.create_subprocess_exec(
        binary, *CHROMIUM_FLAGS, "--remote-debugging-port=0",
        f"--user-data-dir={profile}", "--window-size=1280,800",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        while not (
            found := re.search(
                rb"ws://127\.0\.0\.1:(\d+)/", await asyncio.wait_for(process.stderr.readline(), 30)
            )
        ):
            pass
        async with ClientSession() as session:
            listing = await session.get(f"http://127.0.0.1:{found.group(1).decode()}/json/list")
            page = next(target for target in await listing.json() if target["type"] == "page")
            async with session.ws_connect(
                page["webSocketDebuggerUrl"], max_msg_size=0
            ) as websocket:
                browser = Browser(session, websocket)
                for domain in ("Network", "Log", "Page", "Runtime"):
                    await browser.call(f"{domain}.enable")
                yield browser
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 30)


@contextlib.asynccontextmanager
async def open_in_chromium(
    binary: str, server: GuardedServer, profile: Path
) -> AsyncIterator[tuple[Browser, bytes]]:
    """Serve, open the token URL in Chromium, wait for the app's first screen to settle."""
    assert not profile.exists()  # a new profile every time: nothing cached from another run
    async with running(server), chromium(binary, profile) as browser:
        await browser.call("Page.navigate", url=server.url)
        await browser.wait_for("document.body && document.body.classList.contains('-first-byte')")
        yield browser, await browser.settled_screenshot()


async def test_browser_runs_the_app_offline(
    chromium_binary: str, demo_db: Path, tmp_path: Path
) -> None:
    """The real app in Chromium with no internet: it connects, and every request stays local."""
    from rrp.cli.serve import serve_command

    server = GuardedServer(serve_command(demo_db), host="127.0.0.1", port=free_port(), token=TOKEN)
    async with open_in_chromium(chromium_binary, server, tmp_path / "profile") as (browser, png):
        (tmp_path / "home.png").write_bytes(png)
        assert not await browser.evaluate("document.body.classList.contains('-closed')")
        # The screenshot shows the app drawn, not an empty page: text across many rows.
        image = pytest.importorskip("PIL.Image")
        shot = image.open(tmp_path / "home.png").convert("L")
        rows_with_ink = sum(
            1 for y in range(0, shot.size[1], 4)
            if sum(shot.getpixel((x, y)) > 128 for x in range(0, shot.size[0], 4)) > 5
        )
        assert rows_with_ink > 10, rows_with_ink  # 20 on the demo, 0 on a blank page
        origin = f"http://127.0.0.1:{server.port}/"
        urls = browser.requested_urls()
        assert any(url.endswith("/static/js/textual.js") for url in urls)
        assert all(url.startswith(origin) for url in urls), urls
        assert any(url.endswith(".ttf") for url in urls)  # the font came from us
        assert browser.console_errors() == []


async def test_browser_draws_sparkline_bars_in_eighths(
    chromium_binary: str, tmp_path: Path
) -> None:
    """▁..█ are drawn as bars on one baseline, bar k exactly k/8 of the cell high.

    A font that lacks the block characters (Roboto Mono does) would draw fallback glyphs of
    other sizes and baselines; xterm's own block drawing gives exact eighths.
    """
    image = pytest.importorskip("PIL.Image")
    script = tmp_path / "bars.py"
    script.write_text(BARS_APP, encoding="utf-8")
    server = GuardedServer(
        f"{sys.executable} {script}", host="127.0.0.1", port=free_port(), token=TOKEN
    )
    async with open_in_chromium(chromium_binary, server, tmp_path / "profile") as (_browser, png):
        (tmp_path / "bars.png").write_bytes(png)
        shot = image.open(tmp_path / "bars.png").convert("L")
    width, height = shot.size
    lit = [
        [shot.getpixel((x, y)) > 128 for x in range(min(width, 400))]
        for y in range(min(height, 100))
    ]
    columns = [x for x in range(len(lit[0])) if any(row[x] for row in lit)]
    assert columns, "no bars drawn"
    # Each lit pixel column belongs to one bar: its lowest and highest lit pixel.
    tops, bottoms = {}, {}
    for x in columns:
        ys = [y for y in range(len(lit)) if lit[y][x]]
        tops[x], bottoms[x] = min(ys), max(ys)
    assert len(set(bottoms.values())) == 1, "the bars do not share one baseline"
    heights = sorted({bottoms[x] - tops[x] + 1 for x in columns})
    assert len(heights) == 8, heights
    cell = heights[-1]
    for k, bar in enumerate(heights, start=1):
        assert abs(bar - cell * k / 8) <= 1, (k, bar, cell)
