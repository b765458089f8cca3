"""`rrp pdsa list`: PDSA cycles with their flags and quality, headless."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from rrp.cli.common import db_option, fail, open_store, store_errors

_STATUSES = ("planned", "doing", "studying", "done", "abandoned")


@click.group()
def pdsa() -> None:
    """PDSA cycles: list them with their nudges and quality marks."""


@pdsa.command("list")
@db_option
@click.option("--ward", "ward_code", default=None, help="Only this ward (its code).")
@click.option("--status", type=click.Choice(_STATUSES), multiple=True, help="Only these statuses (repeatable).")
@click.option("--idea", "idea_code", default=None, help="Only this change idea (its code).")
@click.option("--due", is_flag=True, help="Only cycles running and due for Study this week.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date to judge 'due' and 'overdue' by (default: today).",
)
@store_errors
def list_cycles(
    db_path: Path | None,
    ward_code: str | None,
    status: tuple[str, ...],
    idea_code: str | None,
    due: bool,
    today: dt.datetime | None,
) -> None:
    """List PDSA cycles: due for Study first, then running, planned, studying, done, abandoned.

    Quality marks: P prediction, R ramp link, S scale, D data, A Act decision ('.' when missing).
    """
    from rich.table import Table

    from rrp.reports.user_text import plain_console, user_text

    store = open_store(db_path, create=False)
    day = today.date() if today else dt.date.today()
    if ward_code and store.registry.ward(ward_code) is None:
        fail(f"there is no ward {ward_code.upper()} in the registry")
        return
    rows = store.pdsa.summaries(
        today=day, ward_code=ward_code, status=list(status) or None, change_idea_code=idea_code
    )
    if due:
        rows = [r for r in rows if r.due_for_study]
    table = Table(title=f"PDSA cycles ({len(rows)})", title_justify="left")
    for column in ("ward", "cycle", "title", "change idea", "status", "end", "PRSDA", "flags"):
        table.add_column(column, no_wrap=column in ("ward", "PRSDA", "end"))
    for row in rows:
        cycle = row.cycle
        table.add_row(
            cycle.ward_code,
            row.ramp_label or str(cycle.cycle_number),  # 'A3b', as the PDSA list screen shows
            user_text(cycle.title),
            user_text(row.idea_name),
            cycle.status.label + (" (due for Study)" if row.due_for_study else ""),
            cycle.planned_end.isoformat() if cycle.planned_end else "",
            row.quality.text,
            row.flags,
        )
    plain_console().print(table)
