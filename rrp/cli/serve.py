"""`rrp serve`: the same app in a web browser, with textual-serve (localhost by default)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from rrp.cli.common import EXIT_USAGE, db_option, fail, resolve_db


def serve_command(db_path: Path) -> str:
    """The shell command textual-serve runs for each browser session."""
    return f"{shlex.quote(sys.executable)} -m rrp --db {shlex.quote(str(db_path))}"


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve(db_path: Path | None, host: str, port: int) -> None:
    """Serve the rrp app in a browser (textual-serve). Localhost only unless --host says otherwise."""
    try:
        from textual_serve.server import Server
    except ImportError:
        fail("textual-serve is not installed: pip install 'rrp[serve]'", EXIT_USAGE)
        return
    path = resolve_db(db_path)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"rrp serve: listening on {host}: anyone who can reach it can open the database.",
            err=True,
        )
    Server(command=serve_command(path), host=host, port=port).serve()
