"""`rrp admin roles` (a shared PostgreSQL database's roles and grants), `rrp admin
refresh-summaries` (the dashboard's per-ward summaries, either engine) and `rrp copy` (between
engines)."""

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
    """Administer a database: PostgreSQL roles, the dashboard's ward summaries."""


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


@admin.command("refresh-summaries")
@db_option
@click.option("--all", "everything", is_flag=True, help="Compute every ward again, not only those out of date.")
@click.option("--today", default=None, help="As of this date (default: today).")
@store_errors
def refresh_summaries_cmd(db_path: Path | str | None, everything: bool, today: str | None) -> None:
    """Compute the dashboard's summary of every active ward whose data changed.

    The collaborative dashboard paints from one stored summary per ward and computes the wards
    marked out of date when it opens (every ward after a new week begins). Run this after a
    large import, or nightly on a regional server (cron), so the first facilitator to open the
    dashboard that day does not wait for them.
    """
    import time

    from rrp.cli.report import _parse_today
    from rrp.reports import summaries

    day = _parse_today(today)
    store = open_store(db_path)
    try:
        codes = [w.code for w in store.registry.wards() if w.active]
        stale = codes if everything else summaries.out_of_date(store, codes, today=day)
        started = time.perf_counter()
        summaries.refresh(store, stale, today=day)
        left = summaries.out_of_date(store, codes, today=day)
    finally:
        store.close()
    click.echo(
        f"Computed {len(stale):,} of {len(codes):,} ward summaries in {time.perf_counter() - started:.1f} s"
        + (f"; {len(left):,} not stored (this role or file may not write them, or a ward changed meanwhile)."
           if left else "; every ward's summary is up to date.")
    )


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
