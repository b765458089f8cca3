"""Shared pieces of the command line: the --db option and clear, traceback-free errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

#: Exit codes: 0 done, 1 refused (bad data, conflicts), 2 usage (missing file, bad option).
EXIT_REFUSED = 1
EXIT_USAGE = 2


def _or_the_groups(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A command without its own --db takes the one given before it (`rrp --db F import ...`).

    Without this the command used the default database while the user named another.
    """
    if value is None and ctx.parent is not None:
        return ctx.find_root().params.get("db_path")
    return value


class RrpGroup(click.Group):
    """The `rrp` group: a database error that no command expected still ends as one line, exit 1.

    (A damaged page deep in the file is only met when a command reads it.)
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from rrp.store.database import database_error

            error = database_error(exc)
            if error is None:
                raise
            fail(str(error), EXIT_REFUSED)


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--db PATH` (env RRP_DB; default: the platform's user data directory).

    Accepted before the command (`rrp --db F export ...`) or after it (`rrp export ... --db F`).
    """
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="RRP_DB",
        default=None,
        callback=_or_the_groups,
        help="The rrp database file (default: $RRP_DB, else the user data directory).",
    )(func)


def resolve_db(db_path: Path | None) -> Path:
    """The database path a command uses."""
    from rrp.paths import default_database_path

    return db_path or default_database_path()


def fail(message: str, code: int = EXIT_REFUSED) -> None:
    """Print one clear line on stderr and exit with `code`.

    The message is shown as text: it may hold names from a file (a table, a path), never markup.
    """
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold]rrp:[/bold] {escape(message)}")
    sys.exit(code)


def store_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the store's errors into one clear line and exit 1: never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from rrp.store.errors import StoreError

        try:
            return func(*args, **kwargs)
        except StoreError as exc:
            fail(str(exc), EXIT_REFUSED)
        except PermissionError as exc:
            fail(f"permission denied: {exc.filename or exc}", EXIT_REFUSED)
        except OSError as exc:
            if "readonly" in str(exc) or "read-only" in str(exc):
                fail(f"the database is read-only: {exc}", EXIT_REFUSED)
            raise

    return wrapper


def open_store(db_path: Path | None, *, create: bool = True):
    """Open (creating, or migrating) the store at the resolved path."""
    from rrp.store import Store

    return Store(resolve_db(db_path), create=create)
