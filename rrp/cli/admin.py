"""`rrp admin roles` (a shared PostgreSQL database's roles and grants) and `rrp copy` (between engines)."""

from __future__ import annotations

from pathlib import Path

import click

from rrp.cli.common import (
    EXIT_USAGE,
    DatabaseTarget,
    db_option,
    fail,
    is_server,
    open_store,
    store_errors,
)


@click.group()
def admin() -> None:
    """Administer a shared PostgreSQL database."""


@admin.command("roles")
@db_option
@store_errors
def roles_cmd(db_path: Path | str | None) -> None:
    """Create the collaborative's PostgreSQL roles and grants.

    rrp_facilitator (reads all; edits the change package and measures), rrp_governance (reads
    all) and rrp_provider_<code> per provider (reads and writes its own wards only, enforced by
    row-level security). Give people login roles that are members of one:
    CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE rrp_provider_nvt;
    """
    from rrp.store.pg_roles import install_roles

    if not is_server(db_path):
        fail("roles are for a PostgreSQL database: give --db postgresql://... (or RRP_DB)", EXIT_USAGE)
    store = open_store(db_path)
    try:
        done = install_roles(store.database)
    finally:
        store.close()
    created = ", ".join(done["created"]) or "none"
    click.echo(f"Roles granted: {', '.join(done['roles'])} (newly created: {created}).")


@click.command("copy")
@click.argument("source", type=DatabaseTarget())
@click.argument("target", type=DatabaseTarget())
@store_errors
def copy_cmd(source: Path | str, target: Path | str) -> None:
    """Copy the whole database SOURCE into the new database TARGET, and verify the copy.

    Either may be an SQLite file or a postgresql:// URL (SQLite -> PostgreSQL and back). TARGET
    must be new: a missing or empty file, a PostgreSQL database with no tables. Every table's
    rows and a checksum of them are compared afterwards.
    """
    from rich.text import Text

    from rrp.reports.user_text import plain_console, user_text
    from rrp.store.copy import copy_database
    from rrp.store.pg import display_url

    if not is_server(source) and not Path(source).is_file():
        fail(f"no database at {source}", EXIT_USAGE)
    result = copy_database(source, target)
    console = plain_console(soft_wrap=True)
    for check in result.tables:
        console.print(f"  {check.table:<16} {check.rows:>9,} rows  sha256 {check.checksum[:16]}")
    shown = display_url(str(target)) if is_server(target) else str(target)
    console.print(Text.assemble(
        f"Copied {result.rows:,} rows in {len(result.tables)} tables to ", user_text(shown),
        "; every table verified (rows and checksum).",
    ))
