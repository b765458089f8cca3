"""`rrp chart`: one run or SPC chart from a CSV file, printed as a table, CSV or JSON.

pandas and the SPC engine are imported inside the command so that importing the CLI (and
`import rrp.app`) stays light.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import Any

import click

#: Point fields written by --format csv and json, in order: the engine's POINT_COLUMNS but
#: `trial`. Spelled out here because importing the engine would load pandas at start-up;
#: a test checks the two agree.
CSV_FIELDS = (
    "x", "value", "centre", "lower_limit", "upper_limit",
    "lower_2sigma", "upper_2sigma", "segment", "special_cause", "rules",
)

#: Chart types offered by --chart: the engine's CHART_TYPES, spelled out for the same reason
#: (a test checks the two agree).
CHART_CHOICES = ("run", "xmr", "u", "uprime", "c", "p", "pprime")

#: MDC colours: improvement blue, concern orange, common cause grey (never red/green).
COLOURS = {"improvement": "#41B6E6", "concern": "#ED8B00", "neither": "#7B5EA7", "": "grey62"}

ICON_WORDS = {
    "common_cause": "common cause variation",
    "improvement_low": "special cause: improvement (low)",
    "improvement_high": "special cause: improvement (high)",
    "concern_low": "special cause: concern (low)",
    "concern_high": "special cause: concern (high)",
    "neither_low": "special cause: neither improvement nor concern (low)",
    "neither_high": "special cause: neither improvement nor concern (high)",
    "pass": "consistently passing the target",
    "fail": "consistently failing the target",
    "hit_and_miss": "hit and miss: the target is within the limits",
}


class InputError(Exception):
    """Bad input: reported as one line on stderr with exit status 2."""


#: A baseline longer than any series rrp reads (the readers stop long before).
MAX_FIX_AFTER = 100_000


def _fail(message: str) -> None:
    """Print one clear line to stderr and exit 2 (never a traceback)."""
    from rrp.reports.user_text import visible

    # The message may quote the file's header: its control characters must not reach the terminal.
    click.echo(f"rrp chart: error: {visible(message, multi_line=True)}", err=True)
    sys.exit(2)


def _read_rows(path: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file, in file order (UTF-8, a BOM tolerated)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"file not found: {path}")
    from rrp.exchange.limits import limits_for, read_bounded
    from rrp.exchange.reading import ExchangeError

    try:
        text = read_bounded(p, limits_for("table")).decode("utf-8-sig")
    except ExchangeError as exc:  # past the size limit of a table file
        raise InputError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h for h in (reader.fieldnames or [])]
    if not header:
        raise InputError(f"{path} has no header row")
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"{path} is not a valid CSV file: {exc}") from None
    return header, rows


def _numbers(rows: list[dict[str, str]], column: str) -> list[float]:
    """A column as numbers; a blank or text cell is refused with its row number."""
    out: list[float] = []
    for i, row in enumerate(rows, start=2):  # row 1 is the header
        cell = (row.get(column) or "").strip()
        try:
            number = float(cell)
        except ValueError:
            raise InputError(
                f"column {column!r} row {i}: {cell!r} is not a number"
                if cell
                else f"column {column!r} row {i} is blank"
            ) from None
        if not math.isfinite(number):
            raise InputError(f"column {column!r} row {i}: {cell!r} is not a finite number")
        out.append(number)
    return out


def _json_value(value: Any) -> Any:
    """NaN to null and numpy scalars to Python for JSON."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _csv_value(value: Any) -> str:
    """Unrounded numbers as repr, NaN (no limit) as an empty cell."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def _fmt(value: float) -> str:
    """A number for people: 4 significant figures, blank for no limit."""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return f"{value:.4g}"


def _print_table(points: Any, summary: dict[str, Any], trial: bool, reading: list[str]) -> None:
    """A rich table a person reads: signals in MDC colours, icons in words, the reading."""
    from rich.table import Table
    from rich.text import Text

    from rrp.reports.icons_text import assurance_letter, badge, variation_letter
    from rrp.reports.user_text import plain_console
    from rrp.widgets.icons import reading_rich

    console = plain_console()
    table = Table(title=f"{summary['chart']} chart ({summary['rules']} rules)")
    numeric = ("value", "centre", "lower", "upper", "seg")
    for name in ("x", "value", "centre", "lower", "upper", "seg", "signal", "rules"):
        table.add_column(name, justify="right" if name in numeric else "left", no_wrap=True)
    for row in points.itertuples(index=False):
        colour = COLOURS.get(row.special_cause, "grey62")
        signal = row.special_cause or "common cause"
        table.add_row(
            str(row.x),
            _fmt(row.value),
            _fmt(row.centre),
            _fmt(row.lower_limit),
            _fmt(row.upper_limit),
            str(row.segment),
            Text(signal, style=colour),
            row.rules.replace(";", ", "),
        )
    console.print(table)
    icon = summary.get("variation_icon")
    # Each icon after its MDC letter (H/L, P/F/?), so the words are never carried by colour alone.
    console.print(
        Text(
            "Variation: "
            + (
                badge(variation_letter(icon)) + ICON_WORDS[icon]
                if icon
                else "no icon (fewer than 13 points in the last segment)"
            )
        )
    )
    assurance = summary.get("assurance_icon")
    console.print(
        Text(
            "Assurance: "
            + (badge(assurance_letter(assurance)) + ICON_WORDS[assurance] if assurance else "no assurance icon")
        )
    )
    console.print(reading_rich(reading))
    if trial:
        console.print("Limits marked trial: a segment has fewer than 12 points.")
    if summary["chart"] == "run":
        if summary.get("too_few_points"):
            console.print("Runs analysis: too few useful points (fewer than 10).")
        else:
            console.print(
                f"Runs analysis: {summary['n_useful']} useful points; longest run "
                f"{summary['longest_run']} (limit {summary['longest_run_limit']}); crossings "
                f"{summary['crossings']}"
                + (
                    f" (limit {summary['crossings_limit']})"
                    if summary.get("crossings_limit") is not None
                    else f"; runs {summary.get('runs')} (signal at <= {summary.get('runs_lower')} "
                    f"or >= {summary.get('runs_upper')})"
                )
                + ("; non-random variation." if summary["runs_signal"] else "; random variation.")
            )


@click.command("chart")
@click.argument("file", type=str)
@click.option("--value", "value_col", required=True, help="Column holding the counts or values.")
@click.option(
    "--denominator",
    "denominator_col",
    default=None,
    help="Exposure column (e.g. bed days), or the cases a proportion is of (p, pprime).",
)
@click.option(
    "--per",
    type=float,
    default=None,
    help="Rates per this many units (e.g. 1000); 100 shows p and pprime as percentages.",
)
@click.option("--x", "x_col", default=None, help="Label column (default: the first column).")
@click.option(
    "--chart",
    "chart_type",
    required=True,
    type=click.Choice(CHART_CHOICES),
    help="Chart type (p, pprime: proportions, --value numerators of --denominator).",
)
@click.option("--rules", type=click.Choice(["anhoej", "ihi"]), default="anhoej", show_default=True)
@click.option(
    "--direction",
    type=click.Choice(["decrease", "increase", "neutral"]),
    default="decrease",
    show_default=True,
    help="Which way is improvement.",
)
@click.option("--fix-after", type=int, default=None, help="Fix the baseline after N points (12+).")
@click.option("--rebase", multiple=True, help="Start a new segment at this label (repeatable).")
@click.option(
    "--no-screen", is_flag=True, help="Do not screen moving ranges (as the MDC Excel tool)."
)
@click.option("--target", type=float, default=None, help="Target for the assurance icon.")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def chart(
    file: str,
    value_col: str,
    denominator_col: str | None,
    per: float | None,
    x_col: str | None,
    chart_type: str,
    rules: str,
    direction: str,
    fix_after: int | None,
    rebase: tuple[str, ...],
    no_screen: bool,
    target: float | None,
    out_format: str,
) -> None:
    """Compute a run or SPC chart from FILE (CSV), rows in file order."""
    try:
        result = _compute(
            file,
            value_col,
            denominator_col,
            per,
            x_col,
            chart_type,
            rules,
            direction,
            fix_after,
            rebase,
            not no_screen,
            target,
        )
    except InputError as exc:
        _fail(str(exc))
        return
    from rrp.exchange.csv_out import neutralise
    from rrp.reports.reading import chart_reading
    from rrp.reports.user_text import on_terminal, visible

    points, summary = result.points, result.summary
    # The chart read out in words (the same sentences as the huddle and the pack): values are
    # shown as plotted, a proportion per 100 as a percentage.
    unit = "%" if chart_type in ("p", "pprime") and per == 100 else ""
    reading = chart_reading(result, label=value_col, unit=unit, aim=target, period="point")
    if out_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for row in points[list(CSV_FIELDS)].itertuples(index=False):
            # Labels are text from the file: made safe for a spreadsheet as every CSV rrp writes.
            writer.writerow([neutralise(v) if isinstance(v, str) else _csv_value(v) for v in row])
        text = out.getvalue()
        # On a terminal, control characters in the labels are shown, never obeyed.
        click.echo(visible(text, multi_line=True) if on_terminal() else text, nl=False)
    elif out_format == "json":
        records = [
            {k: _json_value(v) for k, v in zip(CSV_FIELDS, row, strict=True)}
            for row in points[list(CSV_FIELDS)].itertuples(index=False)
        ]
        click.echo(json.dumps({"points": records, "summary": summary, "reading": reading}, indent=2))
    else:
        _print_table(points, summary, bool(points["trial"].any()), reading)


def _compute(
    file: str,
    value_col: str,
    denominator_col: str | None,
    per: float | None,
    x_col: str | None,
    chart_type: str,
    rules: str,
    direction: str,
    fix_after: int | None,
    rebase: tuple[str, ...],
    screen: bool,
    target: float | None,
) -> Any:
    """Read and check the file, then run the engine (a ChartResult); InputError for anything a
    user got wrong."""
    header, rows = _read_rows(file)
    x_col = x_col or header[0]
    for name, col in (("--x", x_col), ("--value", value_col), ("--denominator", denominator_col)):
        if col is not None and col not in header:
            raise InputError(
                f"{name} column {col!r} is not in {file} (columns: {', '.join(header)})"
            )
    if len(rows) < 2:
        raise InputError(f"{file} has {len(rows)} data row(s); a chart needs at least 2 points")
    if chart_type in ("u", "uprime") and denominator_col is None:
        raise InputError(f"a {chart_type} chart needs --denominator (e.g. occupied bed days)")
    if chart_type in ("p", "pprime") and denominator_col is None:
        raise InputError(
            f"a {chart_type} chart needs --denominator (the cases the proportion is of)"
        )
    if chart_type == "c" and denominator_col is not None:
        raise InputError("a c chart plots counts: drop --denominator or use --chart u")
    if fix_after is not None and not 12 <= fix_after <= MAX_FIX_AFTER:
        raise InputError(f"--fix-after must be at least 12 points (and at most {MAX_FIX_AFTER:,})")
    if per is not None and not (math.isfinite(per) and per > 0):
        raise InputError("--per must be a positive number")
    values = _numbers(rows, value_col)
    denominators = None
    if denominator_col is not None:
        denominators = _numbers(rows, denominator_col)
        for i, d in enumerate(denominators, start=2):
            if d <= 0:
                raise InputError(
                    f"column {denominator_col!r} row {i}: denominator must be positive"
                )
    labels = [(row.get(x_col) or "").strip() for row in rows]
    for label in rebase:
        if label not in labels:
            raise InputError(f"--rebase {label!r} is not a value of column {x_col!r}")
    if target is not None and not math.isfinite(target):
        raise InputError("--target must be a finite number")

    from rrp.reports.spc import compute_chart  # deferred: pulls in pandas and numpy

    try:
        result = compute_chart(
            values,
            denominators=denominators,
            labels=labels,
            chart=chart_type,  # type: ignore[arg-type]
            rules=rules,  # type: ignore[arg-type]
            direction=direction,  # type: ignore[arg-type]
            fix_after=fix_after,
            rebase_at=list(rebase),
            target=target,
            screen_moving_ranges=screen,
            per=per if per is not None else 1.0,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return result
