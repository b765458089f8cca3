"""Which engine a database is on: an SQLite file (the default) or a PostgreSQL server URL.

`open_database(target)` is the one place that decides; everything above the store passes a path
or a `postgresql://` URL (the --db option, RRP_DB) along without looking at it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rrp.store.database import Database, utc_now
from rrp.store.pg import PgDatabase, is_postgres


def open_database(
    target: str | Path,
    *,
    who: str | None = None,
    clock: Callable[[], str] = utc_now,
    create: bool = True,
    readonly: bool | None = None,
) -> Any:
    """A `Database` for a file path, a `PgDatabase` for a postgresql:// URL."""
    if is_postgres(target):
        return PgDatabase(str(target), who=who, clock=clock, create=create, readonly=readonly)
    return Database(target, who=who, clock=clock, create=create, readonly=readonly)


__all__ = ["is_postgres", "open_database"]
