"""`rrp report collaborative` (the dashboard in the terminal, printed with rich) and
`rrp report pack` (PNG and SVG charts plus index.html for a learning session).

Both compute `rrp.reports.dashboard.collaborative_dashboard`, exactly as the dashboard screen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from rrp.cli.common import EXIT_USAGE, db_option, fail, open_store, store_errors
from rrp.cli.report import _parse_today, report


def _dashboard(db_path: Path | None, today: dt.date, provider: str | None, ward_type: str | None):
    from rrp.reports.dashboard import dashboard_from_inputs, read_inputs

    store = open_store(db_path)  # refuses a database that does not exist
    try:
        inputs = read_inputs(store)
    finally:
        store.close()
    if provider and provider.upper() not in {code for code, _ in inputs.providers}:
        fail(
            f"unknown provider {provider!r}: use one of "
            + ", ".join(code for code, _ in inputs.providers),
            EXIT_USAGE,
        )
    return dashboard_from_inputs(
        inputs, today=today, provider=provider.upper() if provider else None, ward_type=ward_type
    )


def _cell(rec: dict[str, Any], measure: str) -> Any:
    from rich.text import Text

    from rrp.reports.dashboard import short_variation
    from rrp.reports.icons_text import assurance_colour, assurance_letter, variation_colour

    rate, change = rec.get(f"{measure}_rate"), rec.get(f"{measure}_change")
    text = Text("-" if rate is None or rate != rate else f"{rate:.1f}")
    text.append("" if change is None or change != change else f" {change:+.0%}")
    variation, assurance = rec.get(f"{measure}_variation"), rec.get(f"{measure}_assurance")
    text.append(f" {short_variation(variation)}", style=variation_colour(variation))
    if assurance:
        text.append(
            f" {assurance_letter(assurance)}", style=assurance_colour(assurance)
        )
    return text


def print_dashboard(dash: Any, console: Any) -> None:
    """Print the dashboard: aggregate, ward table, completeness, funnel, PDSA activity."""
    from rich.table import Table
    from rich.text import Text

    from rrp.reports.dashboard import aggregate_reading, ward_reading
    from rrp.reports.icons_text import LETTERS_LEGEND, assurance_text, variation_text
    from rrp.reports.user_text import user_text
    from rrp.widgets.icons import reading_rich
    from rrp.widgets.spark import sparkline

    scope = dash.scope()
    console.print(
        Text.assemble(
            ("RRP collaborative", "bold"),
            user_text(f" - {scope} - weeks to {dash.end_week:%d %b %Y} - "),
            f"aim: a {dash.aim_reduction:.0%} reduction. Rates per 1,000 occupied bed days; proportions in %.",
        )
    )
    for note in dash.notes:
        console.print(note)
    agg = Table(title="Collaborative aggregate (u' chart per bed days, p' chart for a proportion)", title_justify="left")
    for col in ("Measure", "Baseline", "Aim", "Last 12 wk", "Change", "Trend (26 wk)", "Variation", "Assurance"):
        agg.add_column(col, no_wrap=col.startswith("Trend"))
    for rec in dash.aggregate_summary.to_dict("records"):
        m = rec["measure"]
        series = dash.aggregate[dash.aggregate["measure"] == m]["rate"].tolist()[-26:]
        trend = sparkline([None if v != v else v for v in series])

        def fmt(v: Any, pct: bool = False) -> str:
            if v is None or v != v:
                return "-"
            return f"{v:+.0%}" if pct else f"{v:.1f}"

        agg.add_row(
            dash.label(m), fmt(rec["baseline_rate"]), fmt(rec["aim_rate"]),
            fmt(rec["recent_rate"]), fmt(rec["change"], True), trend,
            Text(variation_text(rec["variation_icon"])), Text(assurance_text(rec["assurance_icon"])),
        )
    console.print(agg)
    for rec in dash.aggregate_summary.to_dict("records"):
        console.print(reading_rich(aggregate_reading(dash, rec["measure"])))

    wards = Table(
        title="Wards: latest weekly rate, change from baseline, variation, assurance",
        title_justify="left",
    )
    wards.add_column("Ward", no_wrap=True)
    wards.add_column("Prov")
    for m in dash.measures:
        wards.add_column(dash.label(m), no_wrap=True)
    for col in ("PDSA mo/run", "Adopted", "Progress", "Weeks", "Last 12 weeks"):
        wards.add_column(col)
    # A week before a ward joined is not applicable (not missing): figures' mark and words.
    from rrp.reports.figures import NOT_APPLICABLE_MARK, NOT_TAKING_PART, completeness_marks

    marks = completeness_marks(dash.completeness, dash.wards)
    for rec in dash.wards.to_dict("records"):
        flags = marks.get(rec["ward_code"], ())
        score = rec.get("progress_score")
        wards.add_row(
            user_text(rec["ward_name"]), user_text(rec["provider_code"]), *(_cell(rec, m) for m in dash.measures),
            f"{rec['pdsa_this_month']}/{rec['pdsa_running']}", str(rec["ideas_adopted"]),
            "-" if score is None or score != score else f"{score:.1f}",
            f"{rec['weeks_submitted']}/{rec['weeks_expected']}",
            "".join(NOT_APPLICABLE_MARK if ok is None else "\u25a0" if ok else "\u00b7" for ok in flags),
        )
    console.print(wards)
    console.print(
        "Icons: cc common cause; imp special cause improvement; con concern; nei neither; "
        f"{LETTERS_LEGEND} (assurance against the aim). "
        f"\u25a0 submitted, \u00b7 not submitted, {NOT_APPLICABLE_MARK} {NOT_TAKING_PART}."
    )
    from rrp.reports.figures import CHART_NAMES

    headline = dash.measure(dash.measures[0])
    console.print(
        Text(f"Each ward's {headline.name.lower()} chart ({CHART_NAMES.get(headline.chart, headline.chart)}) in words", style="bold")
    )
    points = dash.ward_points
    by_ward = dict(tuple(points.groupby("ward_code"))) if not points.empty else {}
    for rec in dash.wards.to_dict("records"):
        reading = ward_reading(dash, rec["ward_code"], record=rec, points=by_ward.get(rec["ward_code"]))
        console.print(
            user_text(f"{rec['ward_name']} ({rec['provider_code']}): ", "bold") + reading_rich(reading)
        )
    if not dash.funnel.empty:
        start, end = dash.funnel_period
        funnel = Table(
            title=f"Funnel, all restrictive {start:%d %b} to {end:%d %b %Y}: for learning, not for ranking",
            title_justify="left",
        )
        for col in ("Ward", "Bed days", "Rate", "Pooled", "95% limits", "99.8% limits", "Position"):
            funnel.add_column(col)
        outside = dash.funnel[dash.funnel["position"] != "inside"]
        for rec in outside.to_dict("records"):
            funnel.add_row(
                user_text(rec.get("ward_name") or rec["unit"]), f"{rec['exposure']:.0f}", f"{rec['rate']:.1f}",
                f"{rec['target']:.1f}", f"{rec['lower_95']:.1f}-{rec['upper_95']:.1f}",
                f"{rec['lower_998']:.1f}-{rec['upper_998']:.1f}", str(rec["position"]).replace("_", " "),
            )
        console.print(funnel)
        console.print(f"{len(dash.funnel) - len(outside)} other wards inside the 95% limits.")
    from rrp.reports.dashboard import not_submitted_text

    console.print(user_text(not_submitted_text(dash), multi_line=True))
    pdsa = Table(title="PDSA cycles per month", title_justify="left")
    for col in ("Month", "Started", "Completed"):
        pdsa.add_column(col)
    for rec in dash.pdsa_monthly.to_dict("records")[-12:]:
        pdsa.add_row(f"{rec['month']:%b %Y}", str(rec["started"]), str(rec["completed"]))
    console.print(pdsa)


#: The width the report is laid out in when written to a file or a pipe (wider than any table).
FILE_WIDTH = 1000


@report.command("collaborative")
@click.option("--provider", default=None, help="Only this provider's wards (its code).")
@click.option("--ward-type", default=None, help="Only this ward type (e.g. picu).")
@click.option("--today", default=None, help="Report as of this date (default: today).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: the printed report; json: every ward's figures per measure (the huddle report's fields).",
)
@db_option
@store_errors
def collaborative(provider: str | None, ward_type: str | None, today: str | None, fmt: str, db_path: Path | None) -> None:
    """Every ward at a glance: rates, change, icons, PDSA, progress, completeness, funnel."""
    from rich.console import Console

    from rrp.reports.user_text import plain_console

    dash = _dashboard(db_path, _parse_today(today), provider, ward_type)
    if fmt == "json":
        import json

        from rrp.reports.dashboard import dashboard_json

        click.echo(json.dumps(dashboard_json(dash), indent=1, allow_nan=False))
        return
    terminal = Console()
    # A file or a pipe has no width: rich would assume 80 columns and cut the ward table's
    # columns with '...'. Off a terminal every table takes its natural width (lines are long,
    # nothing is cut); on a terminal, at least 140 columns as before.
    # On a terminal, wide enough for every measure's column (about 20 characters each).
    width = max(140, 70 + 20 * len(dash.measures), terminal.width) if terminal.is_terminal else FILE_WIDTH
    print_dashboard(dash, plain_console(width=width))


@report.command("pack")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for the deck, the PDF, the charts and index.html (made if need be).")
@click.option("--ward", "ward", default=None,
              help="Only this ward's own A4 board (board-<ward>.pdf) for its huddle board.")
@click.option("--provider", default=None, help="Only this provider's wards (its code).")
@click.option("--ward-type", default=None, help="Only this ward type (e.g. picu).")
@click.option("--today", default=None, help="As of this date (default: today).")
@db_option
@store_errors
def pack(
    out_dir: Path, ward: str | None, provider: str | None, ward_type: str | None, today: str | None,
    db_path: Path | None,
) -> None:
    """Write the learning-session pack: learning-session.pptx and learning-session.pdf (per ward a
    chart of every measure with its PDSA, change, rebase and note markers, the aggregate, the
    funnel, completeness and PDSA activity), one PNG and SVG chart per ward, the aggregate and the
    funnel, and an index.html. With --ward, only that ward's A4 board.

    The demo's pack says SYNTHETIC on every page. Each file replaces only a regular file that is
    not a database; a folder that cannot be made or written is one clear line.
    """
    from rrp.cli.common import resolve_db
    from rrp.reports.pack_content import pack_content, pack_dashboard, read_pack_inputs

    try:
        import matplotlib  # noqa: F401
        import pptx  # noqa: F401
    except ImportError as exc:
        fail(f"the pack needs {exc.name}: install rrp with its images extra (pip install 'rrp[images]')")
    store = open_store(db_path)  # refuses a database that does not exist
    try:
        inputs = read_pack_inputs(store)
    finally:
        store.close()
    providers = {code for code, _ in inputs.inputs.providers}
    if provider and provider.upper() not in providers:
        fail(f"unknown provider {provider!r}: use one of " + ", ".join(sorted(providers)), EXIT_USAGE)
    dash = pack_dashboard(
        inputs, today=_parse_today(today), provider=provider.upper() if provider else None, ward_type=ward_type
    )
    database = resolve_db(db_path)
    if ward is not None:
        from rrp.reports.pack_files import write_ward_board

        codes = list(dash.wards["ward_code"])
        if ward.upper() not in codes:
            fail(f"unknown ward {ward!r}: use one of " + ", ".join(codes), EXIT_USAGE)
        content = pack_content(dash, inputs.annotations, synthetic=inputs.synthetic, wards=[ward])
        click.echo(f"Wrote {write_ward_board(content, ward, out_dir, database=database)}")
        return
    from rrp.reports.pack import pack_charts
    from rrp.reports.pack_files import deck_slides, write_learning_session

    content = pack_content(dash, inputs.annotations, synthetic=inputs.synthetic)
    charts = pack_charts(dash)
    slides = deck_slides(content)
    with click.progressbar(length=charts + 2 * slides, label="Pages", file=None) as bar:
        deck, pdf, index = write_learning_session(
            content, out_dir, database=database, progress=lambda done, total: bar.update(1), dash=dash
        )
    click.echo(f"Wrote {deck} ({slides} slides), {pdf} ({slides} pages), {charts} charts and {index}")
