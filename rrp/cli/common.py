"""Shared pieces of the command line: the --db option and clear, traceback-free errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

#: Exit codes: 0 done, 1 refused (bad data, conflicts), 2 usage (missing file, bad option).
EXIT_REFUSED = 1
EXIT_USAGE = 2


def _typed_wins(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """The database a command uses: a --db the user typed beats RRP_DB, wherever it was typed.

    `--db` is accepted before the command (`rrp --db F export ...`) and after it; both carry
    `envvar=RRP_DB`, so without this the command's own RRP_DB value beat the --db typed before
    it (`RRP_DB=a.db rrp --db b.db export ...` read a.db). Order: --db after the command, then
    --db before it, then RRP_DB, then the default (resolve_db).
    """
    if ctx.parent is None or ctx.get_parameter_source(param.name or "db_path") is ParameterSource.COMMANDLINE:
        return value
    root = ctx.find_root()
    if root.get_parameter_source("db_path") is ParameterSource.COMMANDLINE:
        return root.params.get("db_path")
    return value if value is not None else root.params.get("db_path")


class RrpGroup(click.Group):
    """The `rrp` group: a database error that no command expected still ends as one line, exit 1.

    (A damaged page deep in the file is only met when a command reads it.)
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OverflowError:
            # A last guard: every date and number is bounded where it is read, but an option no
            # reader checked must still end in one line, not a traceback.
            fail("a date or number given is outside the range rrp works with (years 2000 to 2100)", EXIT_USAGE)
        except Exception as exc:
            from rrp.store.database import database_error

            if not isinstance(exc, click.exceptions.ClickException | click.exceptions.Exit):
                log_cli_error(exc)

            error = database_error(exc)  # sqlite3 or psycopg
            if error is None:
                raise
            fail(str(error), EXIT_REFUSED)


class DatabaseTarget(click.ParamType):
    """A database: a file path, or a PostgreSQL URL (postgresql://...) kept exactly as typed.

    (click.Path would fold the URL's '//' into one '/'.)
    """

    name = "PATH|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from rrp.store.pg import is_postgres

        if isinstance(value, Path) or not is_postgres(value):
            return click.Path(dir_okay=False, path_type=Path).convert(value, param, ctx)
        return str(value)


def is_server(db: Any) -> bool:
    """Is this database a PostgreSQL URL (no file to check, create or replace)?"""
    from rrp.store.pg import is_postgres

    return db is not None and is_postgres(db)


def file_only(db: Any, command: str) -> None:
    """Refuse (usage, exit 2) a command that works on an SQLite file when given a server URL."""
    if is_server(db):
        fail(
            f"rrp {command} works on an SQLite file; for a PostgreSQL database use `rrp copy` "
            "(to or from a file) or the server's own tools (pg_dump)",
            EXIT_USAGE,
        )


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--db PATH` (env RRP_DB; default: the platform's user data directory).

    Accepted before the command (`rrp --db F export ...`) or after it (`rrp export ... --db F`);
    a --db typed anywhere wins over RRP_DB (see _typed_wins).
    """
    return click.option(
        "--db",
        "db_path",
        type=DatabaseTarget(),
        envvar="RRP_DB",
        default=None,
        callback=_typed_wins,
        help="The rrp database file, or a postgresql:// URL; one typed here wins over $RRP_DB (default: $RRP_DB, else the user data directory).",
    )(func)


def resolve_db(db_path: Path | None) -> Path:
    """The database path a command uses."""
    from rrp.paths import default_database_path

    return db_path or default_database_path()


def log_cli_error(error: BaseException) -> None:
    """Log a command's failure for IT support: its type, place and the command; no message."""
    from rrp.errorlog import log_error

    context = click.get_current_context(silent=True)
    log_error(error, f"cli, rrp {context.command_path.partition(' ')[2] if context else ''}".rstrip())


def fail(message: str, code: int = EXIT_REFUSED) -> None:
    """Print one clear line on stderr and exit with `code`."""
    from rich.text import Text

    from rrp.reports.user_text import plain_console, user_text

    # The message may quote a file's cells or a user's names: shown as text, never as markup.
    line = Text.assemble(("rrp:", "bold"), " ", user_text(message, multi_line=True))
    plain_console(stderr=True, soft_wrap=True).print(line)
    sys.exit(code)


def store_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the store's errors into one clear line and exit 1: never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from rrp.store.errors import StoreError

        try:
            return func(*args, **kwargs)
        except StoreError as exc:
            log_cli_error(exc)
            fail(str(exc), EXIT_REFUSED)
        except PermissionError as exc:
            log_cli_error(exc)
            fail(f"permission denied: {exc.filename or exc}", EXIT_REFUSED)
        except OSError as exc:
            log_cli_error(exc)
            if "readonly" in str(exc) or "read-only" in str(exc):
                fail(f"the database is read-only: {exc}", EXIT_REFUSED)
            raise

    return wrapper


def existing_db(db_path: Path | None) -> Path:
    """The database a command reads, which must exist: a mistyped --db is refused, not created.

    Only `rrp init`, `rrp demo` and the app (its default database, on first run) create one.
    """
    from rrp.store.output_file import refuse_unless_regular

    path = resolve_db(db_path)
    if is_server(path):
        return path  # the store refuses a server database that holds no rrp database
    if not path.exists():
        fail(f"no database at {path}; create one with `rrp init --db {path}`", EXIT_USAGE)
    refuse_unless_regular(path)  # a pipe or a device is not a database (SQLite would block on it)
    return path


def open_store(db_path: Path | None, *, create: bool = False):
    """Open (migrating if older) the store at the resolved path, which must exist.

    `create=True` is for the commands whose job is to make a database (`rrp init`).
    """
    from rrp.store import Store

    path = resolve_db(db_path) if create else existing_db(db_path)
    return Store(path, create=create)
