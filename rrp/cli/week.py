"""`rrp week delete` and `rrp week history`: a ward's week deleted with a reason, and read back.

`--week` takes any day of the week (2026-11-18 or 18/11/2026: the one date parser), as the week
form's F5 does. A deletion needs a reason (no NHS number); it is audited with the counts deleted
and travels with the ward's next submission. The history is newest first: who, when (UK local
time, UK format), each field before -> after, and why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from rrp.cli.common import EXIT_USAGE, db_option, fail, open_store, store_errors


def _week(ctx: click.Context, param: click.Parameter, value: str) -> dt.date:
    from pydantic_core import PydanticCustomError

    from rrp.models.weekly import week_containing

    try:
        return week_containing(value, "--week")
    except PydanticCustomError as exc:
        raise click.BadParameter(exc.message()) from None


def _ward(store, code: str):  # noqa: ANN001, ANN202 - a Store and a Ward, imported lazily
    ward = store.registry.ward(code.strip().upper())
    if ward is None:
        fail(f"there is no ward {code.strip().upper()} in the registry", EXIT_USAGE)
    return ward


@click.group()
def week() -> None:
    """One ward's week: delete it (with a reason) or read its history."""


@week.command("delete")
@db_option
@click.option("--ward", "ward_code", required=True, help="The ward's code.")
@click.option("--week", "week_start", required=True, callback=_week, help="Any day of the week (its Monday is used).")
@click.option("--reason", required=True, help="Why the week is deleted (required; no names or NHS numbers).")
@store_errors
def delete_week(db_path: Path | None, ward_code: str, week_start: dt.date, reason: str) -> None:
    """Delete a week entered by mistake; the counts and the reason are kept in its history."""
    from pydantic import ValidationError

    from rrp.messages import day_month
    from rrp.models.fields import field_errors
    from rrp.reports.user_text import plain_console, user_text

    store = open_store(db_path)
    ward = _ward(store, ward_code)
    stored = store.weekly.week(ward.code, week_start)
    if stored is None:
        fail(f"{ward.code} has no week of {day_month(week_start)} entered; nothing was deleted")
        return
    try:
        store.weekly.delete(ward.code, week_start, reason=reason, expected_version=stored.version)
    except ValidationError as exc:
        fail("; ".join(field_errors(exc).values()) + "; nothing was deleted", EXIT_USAGE)
        return
    c = stored.counts
    plain_console().print(
        user_text(
            f"Deleted {ward.code}'s week of Mon {day_month(week_start)} (restraints {c.restraint}, "
            f"seclusions {c.seclusion}, rapid tranquillisations {c.rapid_tranquillisation}, "
            f"{c.occupied_bed_days} bed days). See it with: rrp week history --ward {ward.code} "
            f"--week {week_start.isoformat()}"
        )
    )


@week.command("history")
@db_option
@click.option("--ward", "ward_code", required=True, help="The ward's code.")
@click.option("--week", "week_start", required=True, callback=_week, help="Any day of the week (its Monday is used).")
@store_errors
def week_history_cmd(db_path: Path | None, ward_code: str, week_start: dt.date) -> None:
    """Who changed the week, when (UK local time), what and why; newest first."""
    from rrp.messages import day_month
    from rrp.reports.corrections import history_lines, week_history
    from rrp.reports.user_text import plain_console, user_text

    store = open_store(db_path)
    ward = _ward(store, ward_code)
    exists = store.weekly.week(ward.code, week_start) is not None
    lines = history_lines(week_history(store.weekly.history(ward.code, week_start)), exists=exists)
    console = plain_console()
    console.print(user_text(f"{ward.name} ({ward.code}), week of Mon {day_month(week_start)}", "bold"))
    for line in lines:
        console.print(user_text(line), soft_wrap=True)
