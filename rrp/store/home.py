"""What the home screen shows, read with plain SQL and plain tuples.

The home screen is the first thing a ward lead sees, so this module is kept light: it does not
import pydantic or the models (the rest of the store does), and the app can fill the home table
before the full store has finished loading. It reads only through `Database.conn`, whose every
connection has had its schema verified (rrp.store.verify), so the first screen never reads a file
with an added trigger or a view where a table should be.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from rrp.store.database import Database


@dataclass(frozen=True)
class HomeWard:
    """An active ward as the home screen lists it."""

    code: str
    provider_code: str
    provider_name: str
    name: str
    ward_type: str
    #: The day the ward joined the collaborative (None: it always took part).
    participation_start: dt.date | None = None


def active_wards(database: Database) -> list[HomeWard]:
    """Active wards with their provider's name, ordered by provider code then ward name."""
    rows = database.conn.execute(
        "SELECT w.code, w.provider_code, p.name, w.name, w.ward_type, w.participation_start FROM ward AS w "
        "JOIN provider AS p ON p.code = w.provider_code WHERE w.active = 1 "
        "ORDER BY w.provider_code, w.name"
    ).fetchall()
    return [HomeWard(*row[:5], None if row[5] is None else dt.date.fromisoformat(row[5])) for row in rows]


#: A ward's recent week as the home screen reads it: (all restrictive practice, bed days, saved at).
RecentWeek = tuple[int, int, str | None]


def recent_weeks(database: Database, *, since: dt.date, until: dt.date) -> dict[str, dict[dt.date, RecentWeek]]:
    """Per ward, per week from `since` to `until`: (all restrictive practice, bed days, when the
    entry was last saved (UTC ISO): what tells a provisional week from a confirmed one,
    rrp.models.week_status). One read of the rows `recent_totals` reads."""
    # Driving the join from `ward` lets SQLite seek each ward's weeks through the primary key
    # (ward_code, week_start) instead of scanning every row of a national-size table.
    rows = database.conn.execute(
        "SELECT w.ward_code, w.week_start, w.restraint + w.seclusion + w.rapid_tranquillisation, "
        "w.occupied_bed_days, w.updated_at FROM ward CROSS JOIN weekly AS w "
        "ON w.ward_code = ward.code AND w.week_start BETWEEN ? AND ? ORDER BY w.week_start",
        (since.isoformat(), until.isoformat()),
    )
    result: dict[str, dict[dt.date, RecentWeek]] = {}
    # A dozen distinct weeks among ~24,000 rows at national scale: parse each once.
    days: dict[str, dt.date] = {}
    for code, day, total, bed_days, saved in rows:
        week = days.get(day)
        if week is None:
            week = days[day] = dt.date.fromisoformat(day)
        result.setdefault(code, {})[week] = (total, bed_days, saved)
    return result


def recent_totals(
    database: Database, *, since: dt.date, until: dt.date
) -> dict[str, dict[dt.date, tuple[int, int]]]:
    """Per ward, per week from `since` to `until`: (all restrictive practice, bed days)."""
    return {
        code: {week: (total, bed_days) for week, (total, bed_days, _) in weeks.items()}
        for code, weeks in recent_weeks(database, since=since, until=until).items()
    }


def last_ward(database: Database) -> str | None:
    """The ward last logged at this database (the `last_ward` preference)."""
    row = database.conn.execute("SELECT value FROM preference WHERE key = 'last_ward'").fetchone()
    return None if row is None else json.loads(row[0])
