"""`rrp serve`: the same app in a web browser, with textual-serve, behind a per-run secret token.

Loopback only by default. Another address needs `--allow-network` and gets a loud warning: the
connection is plain http, so anyone on the network path can read the token and the ward data.
The server itself (token, Host and Origin checks, offline page) is in `rrp.cli.serve_guard`.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from rrp.cli.common import EXIT_REFUSED, EXIT_USAGE, db_option, fail, resolve_db


def serve_command(db_path: Path) -> str:
    """The shell command textual-serve runs for each browser session."""
    return f"{shlex.quote(sys.executable)} -m rrp --db {shlex.quote(str(db_path))}"


def network_warning(address: str) -> str:
    """What `rrp serve` says on stderr when it listens beyond this machine."""
    rule = "!" * 78
    return "\n".join(
        [
            rule,
            f"rrp serve: WARNING: listening on {address}, reachable from other machines.",
            "  The connection is plain http, NOT encrypted: anyone on the network path can read",
            "  the ward data and the token, then open the app and change the data.",
            "  Use it only on a network you trust, give the address only to those who need it,",
            "  and stop it (Ctrl+C) when you are done.",
            rule,
        ]
    )


@click.command("serve")
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Not loopback: needs --allow-network.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--allow-network",
    is_flag=True,
    help="Really listen on a non-loopback --host (plain http: readable on the network).",
)
def serve(db_path: Path | None, host: str, port: int, allow_network: bool) -> None:
    """Serve the rrp app in a browser; open the address it prints (it holds a secret token)."""
    try:
        from rrp.cli.serve_guard import (
            GuardedServer,
            host_port,
            is_loopback,
            is_wildcard,
            new_token,
        )
    except ImportError:
        fail("textual-serve is not installed: pip install 'rrp[serve]'", EXIT_USAGE)
        return
    if is_wildcard(host):
        # The Host check needs the one address browsers will use; "everywhere" is none.
        fail(f"--host {host} means every address: give the one browsers will use", EXIT_USAGE)
        return
    loopback = is_loopback(host)
    if not loopback and not allow_network:
        fail(
            f"--host {host} is reachable from other machines over plain http; "
            "add --allow-network if that is what you mean",
            EXIT_USAGE,
        )
        return
    path = resolve_db(db_path)
    server = GuardedServer(command=serve_command(path), host=host, port=port, token=new_token())
    if not loopback:
        click.echo(network_warning(host_port(host, port)), err=True)
    click.echo(f"rrp serve: open {server.url}")
    click.echo("rrp serve: the address holds a secret token for this run; Ctrl+C stops the server.")
    try:
        server.serve()
    except OSError as error:
        # Echoed as it is, like the address above: an address and port can hold ten digits that
        # fail() would take for an NHS number and hide.
        click.echo(f"rrp: cannot listen on {host_port(host, port)}: {error.strerror or error}", err=True)
        sys.exit(EXIT_REFUSED)
