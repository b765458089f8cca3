"""`rrp report`: printable reports. `rrp report huddle --ward CODE` prints one ward's huddle.

`report` is a click group: other modules add sub-commands to it (e.g. `report collaborative`,
`report pack` in rrp/cli/report_collab.py) with `report.add_command(...)`. pandas, the store and
the reports are imported inside the command functions only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from rrp.cli.common import EXIT_USAGE, db_option, fail, open_store, store_errors

#: Weeks in the printed trend (one character a week).
TREND_WEEKS = 26


@click.group("report", context_settings={"help_option_names": ["-h", "--help"]})
def report() -> None:
    """Printable reports: a ward's huddle, the collaborative's picture."""


def _parse_today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    from pydantic_core import PydanticCustomError

    from rrp.models.fields import parse_date

    try:
        return parse_date(value, "--today")  # the one date rule: ISO or UK, years 2000 to 2100
    except PydanticCustomError as exc:
        fail(exc.message(), EXIT_USAGE)
        raise  # unreachable: fail exits


@report.command("huddle")
@click.option("--ward", "ward_code", required=True, help="The ward's code (e.g. SCP-ELM).")
@db_option
@click.option(
    "--measure",
    default=None,
    help="The charted measure's code, one the ward sees (default: the ward's saved choice, else the first).",
)
@click.option(
    "--chart",
    "chart_type",
    type=click.Choice(["run", "xmr", "u", "p", "c"]),
    default=None,
    help="Chart type: run, xmr or the measure's own (u, p, c) (default: the ward's saved choice, else run).",
)
@click.option("--today", default=None, help="The huddle's date, ISO (default: today).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: the printed huddle; json: every measure's figures (the collaborative report's fields).",
)
@store_errors
def huddle_cmd(
    ward_code: str, db_path: Path | None, measure: str | None, chart_type: str | None, today: str | None,
    fmt: str,
) -> None:
    """Print a ward's safety huddle: counts, weeks since, the chart's signal, PDSA, aim."""
    day = _parse_today(today)
    store = open_store(db_path, create=False)
    try:
        code = ward_code.strip().upper()
        ward = store.registry.ward(code)
        if ward is None:
            fail(f"ward {code} is not in the registry (see the home screen for codes)", EXIT_USAGE)
            return
        from rrp.reports.figures import read_figure_inputs
        from rrp.reports.huddle import chart_options, huddle_measures, huddle_summary

        inputs = read_figure_inputs(store, code)
        saved = store.preferences.get(f"huddle:{code}", {}) or {}
        fix_after = saved.get("fix_after") if isinstance(saved.get("fix_after"), int) else None
        shown = {m.code: m for m in huddle_measures(inputs["measure_set"], code, day)}
        if measure is not None and measure.strip().lower() not in shown:
            fail(f"--measure {measure!r} is not one of ward {code}'s measures: use one of {', '.join(shown)}", EXIT_USAGE)
            return
        chosen = measure.strip().lower() if measure else saved.get("measure")
        chosen = chosen if chosen in shown else next(iter(shown), "all_restrictive")
        charts = chart_options(shown[chosen]) if chosen in shown else ("run",)
        if chart_type is not None and chart_type not in charts:
            fail(f"--chart {chart_type} does not fit {chosen}: use one of {', '.join(charts)}", EXIT_USAGE)
            return
        chart = chart_type or (saved.get("chart") if saved.get("chart") in charts else "run")
        summary = huddle_summary(
            store.weekly.frame(ward_codes=[code]),
            today=day,
            measure=chosen,
            chart=chart,
            fix_after=fix_after,
            annotations=[s.annotation for s in store.annotations.list(code)],
            aim_reduction=store.change_package.aim().reduction,
            running=[s.cycle for s in store.pdsa.running(code, day)],
            due=[s.cycle for s in store.pdsa.due_for_study(code, day)],
            ward_code=code,
            measure_set=inputs["measure_set"],
            values=inputs["values"],
            targets=inputs["targets"],
            participation_start=ward.participation_start,
            ramp_labels=store.pdsa.labels(code),
        )
    finally:
        store.close()
    if fmt == "json":
        import json

        click.echo(json.dumps(summary.to_json(ward.name), indent=1, allow_nan=False))
        return
    print_huddle(summary, ward.name)


def trend_text(values: list[float], width: int = TREND_WEEKS) -> str:
    """A sparkline of the last `width` values (one character each)."""
    from rrp.widgets.spark import sparkline

    return sparkline(values[-width:])


def print_huddle(summary: Any, ward_name: str, console: Any = None) -> None:
    """Print a HuddleSummary with rich: tables, the chart read out in sentences, icons in words
    with their MDC letters, a trend line."""
    from rich.table import Table
    from rich.text import Text

    from rrp.messages import day_month
    from rrp.reports.huddle import MARKER_LEGEND
    from rrp.reports.icons_text import IMPROVEMENT_COLOUR, variation_colour
    from rrp.reports.user_text import plain_console, user_text
    from rrp.widgets.icons import reading_rich

    console = console or plain_console()
    s = summary
    latest = f"latest week entered: {day_month(s.latest_week)}" if s.latest_week else "no weeks entered"
    console.print(Text.assemble(("Safety huddle: ", "bold"), user_text(ward_name, "bold"), (f" ({s.ward_code})", "bold")))
    console.print(f"Week of Monday {day_month(s.this_week)} ({latest}). No names.")

    table = Table(title=None, show_edge=True)
    table.add_column("Measure")
    table.add_column("This week", justify="right")
    table.add_column("Last week", justify="right")
    table.add_column("Weeks since the last")
    for line in s.lines:
        table.add_row(
            ("> " if line.measure == s.measure else "  ") + line.label,
            _week_cell(line.this_week, s.this_week_taking_part),
            _week_cell(line.last_week, s.last_week_taking_part),
            line.weeks_since_text,
        )
    console.print(table)

    unit = f" {s.unit}" if s.unit and not s.unit.startswith("%") else " (%)" if s.unit else ""
    console.print(Text(f"{s.measure_label}{unit}, {s.chart_label}", style="bold"))
    console.print(reading_rich(s.reading))
    if s.result is None:
        console.print("No chart: no weeks with bed days entered yet.")
    else:
        points = s.result.points
        values = [float(v) for v in points["value"]]
        console.print(f"Trend, last {min(TREND_WEEKS, len(values))} weeks: {trend_text(values)}")
        last = points.iloc[-1]
        centre = last["centre"]
        console.print(
            f"Latest {values[-1]:.1f}; centre line {centre:.1f}"
            + (
                f"; limits {max(0.0, last['lower_limit']):.1f} to {last['upper_limit']:.1f}"
                if s.chart != "run" and last["upper_limit"] == last["upper_limit"]
                else ""
            )
            + (f"; baseline: first {s.fix_after} points" if s.fix_after else "")
            + (f"; {len(s.rebases)} rebase(s)" if s.rebases else "")
        )
        signals = points[points["special_cause"] != ""].tail(6)
        console.print(
            Text.assemble("Variation: ", (s.variation_text, f"bold {variation_colour(s.variation_icon)}"))
            + Text(" (trial limits)" if s.trial else "")
        )
        if s.chart != "run":
            console.print(Text(f"Assurance against the aim rate: {s.assurance_text}"))
        if len(signals):
            recent = ", ".join(f"{day_month(x)} {c}" for x, c in zip(signals["x"], signals["special_cause"], strict=True))
            console.print(f"Recent signal points: {recent}")
        if s.markers:
            console.print(f"On the chart ({MARKER_LEGEND}):")
            for m in s.markers[-5:]:
                console.print(Text.assemble(f"  {m.label} week of {day_month(m.x)}: ", user_text(m.text)))
    change = s.change
    style = IMPROVEMENT_COLOUR if change.meets_aim else ""
    console.print(Text("Change from baseline: " + change.text(), style=style))
    if change.baseline_rate is not None and change.recent_rate is not None:
        from rrp.reports.figures import format_figure

        console.print(
            f"  baseline ({change.baseline_weeks} weeks) {format_figure(change.baseline_rate)}; "
            f"last {change.recent_weeks} weeks {format_figure(change.recent_rate, change.unit)}"
        )
    if s.figure is not None:
        from rrp.reports.figures import figures_caption

        # the same figures as the dashboard, the collaborative report and the pack
        console.print(Text(f"As on the dashboard: {figures_caption(s.figure)}"))
    due = s.due_for_study
    console.print(Text(f"PDSA cycles running: {len(s.running)}; due for Study: {len(due)}", style="bold"))
    for line in s.running:
        end = f" (planned end {day_month(line.planned_end)})" if line.planned_end else ""
        console.print(
            Text.assemble(
                # the cycle's ramp label before its title, as the PDSA list shows it ('A3b Title')
                "  STUDY DUE  " if line.due_for_study else "  ", f"{line.label} ", user_text(line.title), end
            )
        )


def _week_cell(value: float | None, taking_part: bool) -> str:
    """A week's count in the printed huddle: 'not entered', or 'n/a' before the ward joined (the
    home screen's words; rrp.models.week_status.participating decides)."""
    if value is not None:
        return f"{value:g}"
    return "not entered" if taking_part else "n/a"
