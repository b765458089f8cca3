"""`rrp admin`: administering a shared PostgreSQL database (roles, grants)."""

from __future__ import annotations

from pathlib import Path

import click

from rrp.cli.common import EXIT_USAGE, db_option, fail, is_server, open_store, store_errors


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
