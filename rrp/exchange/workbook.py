"""The governance workbook: every table export as a sheet of one .xlsx, with a README sheet.

    result = write_workbook(store, Path("governance.xlsx"), ExportFilter(provider="NVT"))

Each sheet is built by `rrp.exchange.exports.export_table` and rounded as `export_decimals` says,
exactly as `rrp export KIND` builds and rounds its CSV, so the workbook's figures are the CSVs'
by construction (tests/exchange/test_workbook.py reads both back and compares every cell).
Only the presentation differs, as a spreadsheet reader expects:
- dates are real Excel dates: months shown 'Dec 2025', days 'dd/mm/yyyy'; the stored UTC
  timestamps (created_at, updated_at) become UK local times ('dd/mm/yyyy hh:mm', Europe/London);
- booleans are real TRUE/FALSE cells; an empty CSV field is an empty cell;
- text is neutralised as the CSV writer does (`rrp.exchange.csv_out.neutralise`: a leading
  apostrophe before =, +, -, @, tab, CR), so no cell is ever run as a formula;
- each sheet's header row is bold and frozen, with an autofilter and widths to fit.
A table longer than a sheet allows (1,048,575 rows) continues on 'spc (2)', 'spc (3)', ...
The column types come from the data dictionary (`rrp.exchange.dictionary`), which is the last
sheet. The README sheet starts "In plain words" (`plain_words`: what the figures mean, for a
committee member who has never seen an SPC chart), then says what each sheet holds and gives
the methods in brief (the first paragraph of each section of data/methods.md). A workbook of the
demo database says SYNTHETIC in the README's title and in its first plain-words row.
The board sheet keeps its first columns (who and which measure) in view when scrolled and
repeats the ward and measure on every printed page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rrp.exchange.csv_out import neutralise
from rrp.exchange.dictionary import ENTRIES, dictionary_table
from rrp.exchange.exports import ExportFilter, ExportRefused, export_decimals, export_table
from rrp.store.output_file import check_output, is_stdout, output_stream

if TYPE_CHECKING:
    import pandas as pd

    from rrp.store import Store

#: The sheets, in order, after README: the board's summary first, then each governance table.
SHEETS: tuple[str, ...] = ("board", "weekly", "monthly", "spc", "pdsa", "progress", "annotations", "values")
SHEET_TITLES = {
    "board": "The board's monthly summary: mean monthly rate per 1,000 bed days, change against baseline, wards reaching a 25% and a one-third reduction",
    "weekly": "One row per ward and week: counts, occupied bed days, rates per 1,000 bed days, the ward's note, whether the week is provisional",
    "monthly": "One row per ward and month (a week counts in the month of its Thursday), with rates and how many of its weeks are provisional",
    "spc": "One row per ward, measure and week: the u chart's centre, limits and special-cause signals (MDC rules)",
    "pdsa": "Every PDSA cycle, Plan to Act",
    "progress": "The IHI progress scores by ward and month",
    "annotations": "The notes, rebases and PDSA events shown on the charts",
    "values": "Every measure's values (outcome, process, balancing), one row per ward, measure and period",
    "dictionary": "The data dictionary: every column of every sheet, its type, unit and meaning",
}
#: Date columns shown as a month ('Dec 2025'): each holds the first day of a month.
MONTH_COLUMNS = frozenset(
    {"month", "first_month", "last_month", "baseline_from", "baseline_to", "recent_from", "recent_to"}
)
MONTH_FORMAT = "mmm yyyy"
DATE_FORMAT = "dd/mm/yyyy"
LOCAL_TIME_FORMAT = "dd/mm/yyyy hh:mm"
#: Excel shows a boolean cell as TRUE/FALSE whatever its format; LibreOffice needs the format.
BOOLEAN_FORMAT = '"TRUE";"TRUE";"FALSE"'
LOCAL_ZONE = "Europe/London"
#: Rows a sheet holds below its header (Excel's limit is 1,048,576 rows in all).
SHEET_ROWS = 1_048_575
MAX_WIDTH = 60
#: Long text columns wrapped within their width (spreadsheets fit the row's height to them):
#: the dictionary's meanings, which would otherwise run off the printed page.
WRAPPED = {"dictionary": ("meaning",)}
#: Where a sheet's panes freeze (default A2: the header row): the board keeps scope, provider,
#: ward and measure (columns A-F) in view while its figures scroll.
FREEZE = {"board": "G2"}
#: Columns printed on every page of a sheet too wide for one (pages printed across, then down):
#: the board's ward name and measure.
PRINT_TITLE_COLUMNS = {"board": "E:F"}
_METHODS_FILE = "methods.md"


class WorkbookRefused(ExportRefused):
    """The workbook cannot be written as asked."""


@dataclass
class WorkbookResult:
    out: str
    sheets: dict[str, int] = field(default_factory=dict)  # sheet name -> data rows


def sheet_table(store: Store, kind: str, flt: ExportFilter | None = None, **options: Any) -> pd.DataFrame:
    """The KIND table as its CSV holds it: export_table, rounded as `export` rounds it."""
    import pandas as pd

    table = export_table(store, kind, flt or ExportFilter(), **(options if kind == "spc" else {}))
    for column, places in export_decimals(kind, table).items():
        if column in table.columns and pd.api.types.is_float_dtype(table[column]):
            table[column] = table[column].round(places)
    return table


def column_types(kind: str) -> dict[str, str]:
    """Each column's dictionary type ('date (ISO)', 'boolean', ...) for the KIND export."""
    return {entry[0]: entry[1] for entry in ENTRIES[kind]}


def local_time(stamp: str) -> dt.datetime:
    """A stored UTC timestamp ('2026-11-30T10:00:00Z') as naive UK local time."""
    from zoneinfo import ZoneInfo

    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(LOCAL_ZONE)).replace(tzinfo=None)


def _missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def cell_value(value: Any, kind: str) -> Any:
    """One table value as the workbook cell holds it (see the module doc); None is an empty cell.

    kind is the column's dictionary type.
    """
    if _missing(value):
        return None
    if kind == "boolean":
        return bool(value)
    if kind.startswith("date"):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return _text(str(value))
    if kind.startswith("timestamp"):
        try:
            return local_time(str(value))
        except ValueError:
            return _text(str(value))
    if hasattr(value, "item"):  # a numpy scalar: the plain Python number
        value = value.item()
    if isinstance(value, str):
        return _text(value)
    return value


def _text(value: str) -> str:
    """Neutralised as in the CSV; characters an .xlsx cannot hold (control codes) become U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))


def _number_format(column: str, kind: str) -> str | None:
    if kind == "boolean":
        return BOOLEAN_FORMAT
    if kind.startswith("date"):
        return MONTH_FORMAT if column in MONTH_COLUMNS else DATE_FORMAT
    if kind.startswith("timestamp"):
        return LOCAL_TIME_FORMAT
    return None


def _width(column: str, values: list[Any], kind: str) -> float:
    """Wide enough for the header and the first rows' values, within MAX_WIDTH."""
    if kind.startswith("timestamp"):
        longest = 16
    elif kind.startswith("date"):
        longest = 10
    else:
        longest = max((len(str(v)) for v in values if v is not None), default=0)
    return min(max(len(column), longest) + 2, MAX_WIDTH)


def _sheet_names(kind: str, rows: int) -> list[tuple[str, int, int]]:
    """(sheet name, first row, end row) for each sheet the KIND table fills."""
    parts = max(1, -(-rows // SHEET_ROWS))
    return [
        (kind if part == 0 else f"{kind} ({part + 1})", part * SHEET_ROWS, min(rows, (part + 1) * SHEET_ROWS))
        for part in range(parts)
    ]


def _add_table_sheets(book: Any, kind: str, table: pd.DataFrame, decimals: dict[str, int] | None = None) -> dict[str, int]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    types = column_types(kind)
    columns = list(table.columns)
    kinds = [types.get(c, "text") for c in columns]
    # A rounded column shows all its places (2.50, not 2.5): the value is the CSV's either way.
    places = {c: "0." + "0" * n for c, n in (decimals or {}).items()}
    formats = [places.get(c) or _number_format(c, k) for c, k in zip(columns, kinds, strict=True)]
    raw = [table[c].to_numpy(dtype=object) for c in columns]
    bold = Font(bold=True)
    written = {}
    for name, first, end in _sheet_names(kind, len(table)):
        sheet = book.create_sheet(name)
        sample = [[cell_value(v, k) for v in values[first : first + 200]] for values, k in zip(raw, kinds, strict=True)]
        for position, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(position)].width = _width(column, sample[position - 1], kinds[position - 1])
        sheet.freeze_panes = FREEZE.get(kind, "A2")
        _landscape(sheet, fit_width=kind == "dictionary")
        if kind in PRINT_TITLE_COLUMNS:
            sheet.print_title_cols = PRINT_TITLE_COLUMNS[kind]
            # A row's figures follow it on the next pages, before the next rows start.
            sheet.page_setup.pageOrder = "overThenDown"
        last = get_column_letter(max(1, len(columns)))
        sheet.auto_filter.ref = f"A1:{last}{max(1, end - first) + 1}"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=_text(column))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        wrapped = [c in WRAPPED.get(kind, ()) for c in columns]
        wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
        widths = [sheet.column_dimensions[get_column_letter(p)].width for p in range(1, len(columns) + 1)]
        for index in range(first, end):
            # Spreadsheets do not grow a row for wrapped text written by a library: say how tall.
            lines = max(
                [1, *(_lines(str(values[index]), width, 0.95) for values, width, wraps in zip(raw, widths, wrapped, strict=True) if wraps)]
            )
            if lines > 1:
                sheet.row_dimensions[index - first + 2].height = 15 * lines
            row = []
            for values, k, number_format, wraps in zip(raw, kinds, formats, wrapped, strict=True):
                value = cell_value(values[index], k)
                if number_format is not None and value is not None and not isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = number_format
                    value = cell
                elif kind in WRAPPED and value is not None:  # every cell at the top of its tall row
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.alignment = wrap if wraps else top
                    value = cell
                row.append(value)
            sheet.append(row)
        written[name] = end - first
    return written


def methods_in_brief(text: str) -> list[tuple[str, str]]:
    """(heading, first paragraph) for each '## ' section of data/methods.md, as plain text.

    The first paragraph is the section's first run of text lines (tables and sub-headings skipped).
    """
    sections: list[tuple[str, str]] = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        paragraph: list[str] = []
        for line in body.splitlines():
            stripped = line.strip()
            if stripped.startswith(("|", "#")) or not stripped:
                if paragraph:
                    break
                continue
            paragraph.append(_plain(stripped))
        sections.append((_plain(heading), " ".join(paragraph)))
    return sections


def _plain(markdown: str) -> str:
    """Markdown as plain text: no code ticks or emphasis, a list item's bullet dropped."""
    return re.sub(r"^[-*] ", "", re.sub(r"[`*]{1,2}(?=\S|$)|(?<=\S)[`*]{1,2}", "", markdown).strip())


def _lines(text: str, width: float, per_width: float = 1.2) -> int:
    """Roughly how many lines `text` wraps to in a column `width` wide (`per_width` characters of
    prose per unit of width: narrower columns break long words sooner, so they pass less)."""
    return max(1, -(-len(text) // max(1, int(width * per_width))))


def _landscape(sheet: Any, *, fit_width: bool, header: bool = True) -> None:
    """Print across A4; fit_width: every column on one page's width; header: on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    if fit_width:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
    if header:
        sheet.print_title_rows = "1:1"


SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA: fictional wards and figures, not real patients or wards"


def plain_words(synthetic: bool = False) -> list[tuple[str, str]]:
    """The README's first section: the figures in plain words, (topic, sentence) rows."""
    from rrp.reports.board import BASELINE_MONTHS, RECENT_MONTHS

    rows = [("Synthetic", SYNTHETIC_NOTE)] if synthetic else []
    rows += [
        ("What this is", "How often restrictive practices (restraint, prone restraint, seclusion, rapid "
         "tranquillisation) were used on each ward, month by month and week by week: the same figures "
         "the wards and the facilitator see in the rrp app."),
        ("Start with the board sheet", "One row per ward and measure, and 'collaborative' rows for all the wards "
         f"together: the mean monthly rate, the change from the first {BASELINE_MONTHS} months (the baseline) "
         f"to the last {RECENT_MONTHS}, and whether the ward has cut its rate by 25% (the PSC scale-up's aim) "
         "or by a third (the national pilot's aim). A change of -25 means 25% fewer; the collaborative rows "
         "count the wards that have reached each."),
        ("Per 1,000 bed days", "Rates are per 1,000 occupied bed days, so that wards of different sizes can be "
         "compared with their own past: 10 restraints in a month on a ward with 600 occupied bed days is "
         f"{10 / 600 * 1000:.1f} per 1,000 bed days."),
        ("Ups and downs", "Every ward's rate goes up and down from week to week by chance (common cause). The spc "
         "sheet says when a change is more than chance (special cause): improvement (a real change for "
         "the better), concern (for the worse) or neither. Act on a signal, not on one high or low week."),
        ("The icons", "variation_icon and assurance_icon are NHS Making Data Count's icons: the first says "
         "whether the latest weeks show a real change; the second whether the aim is being met every week "
         "(pass), missed every week (fail), or sometimes met and sometimes not (hit and miss)."),
        ("Not a league table", "Wards differ in their patients and in what they record. Compare a ward with its "
         "own past; a ward that stands out is a question to ask, not a verdict."),
        ("Missing weeks", "A week a ward has not sent is left out, never counted as zero; the monthly sheet's "
         "weeks column says how many weeks each month holds."),
        ("Provisional weeks", "A week the ward saved before it had ended may hold only part of the week: the "
         "weekly and values sheets mark it TRUE in their provisional column until the ward saves it again "
         "after the week, and the monthly sheet's provisional_weeks column counts such weeks in each month "
         "(their counts are in its sums). It is never a point of a chart, so it has no row on the spc sheet and no say "
         "in any signal or icon."),
    ]
    return rows


def _readme(
    book: Any,
    database: str,
    flt: ExportFilter,
    written: dict[str, int],
    spc_options: dict[str, Any],
    synthetic: bool = False,
) -> None:
    from openpyxl.styles import Alignment, Font

    from rrp.paths import DATA_DIR

    sheet = book.create_sheet("README", 0)
    widths = {"A": 30, "B": 110}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    _landscape(sheet, fit_width=True, header=False)
    title, bold, wrap = Font(bold=True, size=14), Font(bold=True), Alignment(wrap_text=True, vertical="top")

    rows = 0

    def line(*cells: Any, font: Any = None) -> None:
        from openpyxl.cell import WriteOnlyCell

        nonlocal rows
        rows += 1
        # Spreadsheets do not grow a row for wrapped text written by a library: say how tall.
        lines = max([1, *(_lines(str(v), w) for v, w in zip(cells, widths.values(), strict=False))])
        if lines > 1:
            sheet.row_dimensions[rows].height = 15 * lines
        row = []
        for value in cells:
            cell = WriteOnlyCell(sheet, value=_text(value) if isinstance(value, str) else value)
            if font is not None:
                cell.font = font
            if font is not title:
                cell.alignment = wrap
            row.append(cell)
        sheet.append(row)

    now = local_time(dt.datetime.now(dt.UTC).isoformat())
    heading = "Reducing Restrictive Practice: governance workbook"
    line(f"{heading} (SYNTHETIC DEMO DATA)" if synthetic else heading, font=title)
    line()
    line("In plain words", "", font=bold)
    for topic, sentence in plain_words(synthetic):
        line(topic, sentence, font=bold if topic == "Synthetic" else None)
    line()
    line("About this workbook", "", font=bold)
    line("Written", f"{now:%d/%m/%Y %H:%M} (UK time) from {Path(database).name}")
    chosen = [
        f"provider {flt.provider}" if flt.provider else "",
        f"wards {', '.join(flt.wards)}" if flt.wards else "",
        f"from {flt.start:%d/%m/%Y}" if flt.start else "",
        f"to {flt.end:%d/%m/%Y}" if flt.end else "",
    ]
    line("Rows", "; ".join(c for c in chosen if c) or "every ward, every week")
    line(
        "Figures",
        "Each sheet holds exactly the figures of 'rrp export SHEET' (CSV) and the app. Dates are real dates "
        "(months shown as 'Dec 2025'); times are UK local time; text that starts with =, +, -, @ has a "
        "leading apostrophe so that it is never run as a formula.",
    )
    if spc_options:
        line("SPC options", ", ".join(f"{k} {v}" for k, v in spc_options.items() if v is not None))
    line()
    line("Sheet", "What it holds", font=bold)
    for name, count in written.items():
        line(name, f"{SHEET_TITLES.get(name.split(' (')[0], '')} ({count:,} rows)")
    line("dictionary", SHEET_TITLES["dictionary"])
    line()
    line("Methods in brief", "For analysts; all of it: data/methods.md, and in the app F1 then m.", font=bold)
    for heading, paragraph in methods_in_brief((DATA_DIR / _METHODS_FILE).read_text(encoding="utf-8")):
        line(heading, paragraph)


def write_workbook(
    store: Store,
    out: str | Path | IO[bytes],
    flt: ExportFilter | None = None,
    **spc_options: Any,
) -> WorkbookResult:
    """Write the governance workbook to `out` (a path, '-' for stdout, or a binary handle)."""
    from openpyxl import Workbook

    flt = flt or ExportFilter()
    if isinstance(out, (str, Path)) and not is_stdout(out):
        check_output(out, database=store.path)  # refuse before the work, not after it
        if Path(out).suffix.lower() != ".xlsx":
            raise WorkbookRefused(f"the workbook is an Excel file: give it a .xlsx name (not {Path(out).name})")
    tables = {kind: sheet_table(store, kind, flt, **spc_options) for kind in SHEETS}
    book = Workbook(write_only=True)
    written: dict[str, int] = {}
    for kind, table in tables.items():
        written.update(_add_table_sheets(book, kind, table, export_decimals(kind, table)))
    _add_table_sheets(book, "dictionary", dictionary_table())
    synthetic = store.preferences.get("synthetic") is not None
    _readme(book, str(store.path), flt, written, spc_options, synthetic)
    if isinstance(out, (str, Path)):
        with output_stream(out, database=store.path) as handle:
            book.save(handle)
    else:
        book.save(out)
    return WorkbookResult(str(out) if isinstance(out, (str, Path)) else "<stream>", written)
