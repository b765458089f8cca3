"""Reading a user's CSV or XLSX file safely: encoding, size limits, header, rows.

Every importer reads through `read_table`, which either returns the header and the rows (each with
its row number as a spreadsheet shows it: the header is row 1) or raises `FileRefused` with one
clear sentence. It never parses an unbounded line and never loads a whole huge file at once.

Encodings (CSV): UTF-8 with or without a byte-order mark; UTF-16 with a byte-order mark (Excel's
"Unicode text"); otherwise the file is read as Windows-1252 (what Excel's plain "CSV (Comma
delimited)" writes on an English Windows PC) and the result says so. A file with NUL characters
(a binary file, or UTF-16 without a byte-order mark) is refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Limits that keep a hostile or broken file from using unbounded memory or time.
MAX_COLUMNS = 200
MAX_LINE_CHARS = 65_536
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class ExchangeError(Exception):
    """Base class for import/export problems; the message is shown to the user as it is."""


class FileRefused(ExchangeError):
    """The file cannot be read as a table at all (a usage error: exit code 2)."""


@dataclass
class Table:
    """A file read as a table: normalised header names and rows of raw cell values."""

    source: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]
    notes: list[str] = field(default_factory=list)

    def index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.header)}

    def cell(self, row: list[Any], column: str, index: dict[str, int]) -> Any:
        i = index.get(column)
        if i is None or i >= len(row):
            return None
        return row[i]


def normalise_column(name: Any) -> str:
    """'Ward code ' -> 'ward_code': case, spaces and hyphens do not matter in a header."""
    text = "" if name is None else str(name)
    text = text.strip().lstrip("\ufeff").strip().lower()
    return "_".join(text.replace("-", " ").split())


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file into a Table, or raise FileRefused."""
    path = Path(path)
    if not path.exists():
        raise FileRefused(f"{path} does not exist")
    if path.is_dir():
        raise FileRefused(f"{path} is a folder, not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise FileRefused(f"{path} cannot be read ({exc.strerror or exc})") from None
    if path.suffix.lower() in XLSX_SUFFIXES or head.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, sheet)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(f"{path} is an old Excel (.xls) file: save it as .xlsx or CSV UTF-8")
    return _read_csv(path, head)


# -- CSV ---------------------------------------------------------------------------------------


def _encoding_for(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


def _read_csv(path: Path, head: bytes) -> Table:
    encoding = _encoding_for(head)
    notes: list[str] = []
    if encoding is not None:
        try:
            return _read_csv_as(path, encoding, notes)
        except UnicodeError as exc:
            raise FileRefused(
                f"{path} starts with a {encoding.upper()} byte-order mark but is not valid "
                f"{encoding.upper()} text ({exc.reason})"
            ) from None
    try:
        return _read_csv_as(path, "utf-8", notes)
    except UnicodeDecodeError:
        pass
    try:
        table = _read_csv_as(path, "cp1252", notes)
    except UnicodeDecodeError:
        raise FileRefused(
            f"{path} is not UTF-8 or Windows-1252 text: save it from Excel as 'CSV UTF-8'"
        ) from None
    table.notes.append(
        "the file is not UTF-8, so it was read as Windows-1252 (Excel's plain CSV); "
        "check any accented names, or save it as 'CSV UTF-8' next time"
    )
    return table


def _lines(handle: io.TextIOBase, path: Path) -> Iterator[str]:
    """Physical lines, each bounded in length and free of NUL characters."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise FileRefused(
                f"{path}: line {number} is longer than {MAX_LINE_CHARS:,} characters; "
                "this does not look like a weekly data file"
            )
        if "\x00" in line:
            raise FileRefused(
                f"{path} contains NUL characters (line {number}): it is not a text CSV file "
                "(is it a spreadsheet saved in another format, or UTF-16 without a byte-order mark?)"
            )
        yield line


def _read_csv_as(path: Path, encoding: str, notes: list[str]) -> Table:
    csv.field_size_limit(MAX_LINE_CHARS * 4)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        try:
            reader = csv.reader(_lines(text, path), strict=False)
            try:
                header_cells = next(reader)
            except StopIteration:
                raise FileRefused(f"{path} is empty: expected a header row") from None
            header = _check_header(path, header_cells)
            rows: list[tuple[int, list[Any]]] = []
            for number, cells in enumerate(reader, start=2):
                if len(cells) > MAX_COLUMNS:
                    raise FileRefused(
                        f"{path}: row {number} has {len(cells)} cells (at most {MAX_COLUMNS})"
                    )
                if not any(c.strip() for c in cells):
                    continue  # a blank line: spreadsheets leave these at the end
                rows.append((number, cells))
        except csv.Error as exc:
            raise FileRefused(f"{path} is not a readable CSV file ({exc})") from None
        finally:
            text.detach()
    return Table(str(path), header, rows, notes)


def _check_header(path: Path, cells: list[Any]) -> list[str]:
    header = [normalise_column(c) for c in cells]
    while header and header[-1] == "":
        header.pop()  # trailing empty header cells (a spreadsheet's stray commas)
    if len(header) > MAX_COLUMNS:
        raise FileRefused(f"{path} has more than {MAX_COLUMNS} columns")
    if not header:
        raise FileRefused(f"{path} has an empty header row")
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if name == "":
            raise FileRefused(f"{path}: column {position} of the header has no name")
        if name in seen:
            raise FileRefused(f"{path}: the column {name!r} appears twice in the header")
        seen.add(name)
    return header


# -- XLSX --------------------------------------------------------------------------------------


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date()
        return value
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return value[:MAX_CELL_CHARS]
    return value


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import zipfile

    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise FileRefused("reading .xlsx needs openpyxl, which is not installed") from None
    try:
        # data_only=False: a formula arrives as its text ("=1+1") and is refused as a number.
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRefused(f"{path} is not a readable .xlsx workbook ({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken workbook
        raise FileRefused(f"{path} is not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise FileRefused(f"{path} has no sheet named {sheet!r} (it has {book.sheetnames})")
            worksheet = book[sheet]
        else:
            worksheet = book.worksheets[0]
        rows_iter = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        try:
            header_cells = list(next(rows_iter))
        except StopIteration:
            raise FileRefused(f"{path} (sheet {worksheet.title!r}) is empty: expected a header row") from None
        header = _check_header(path, header_cells)
        rows: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(rows_iter, start=2):
            values = [_xlsx_cell(v) for v in cells]
            if len(values) > MAX_COLUMNS and any(v not in (None, "") for v in values[MAX_COLUMNS:]):
                raise FileRefused(f"{path}: row {number} has more than {MAX_COLUMNS} cells")
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((number, values))
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt sheet part
        raise FileRefused(f"{path} is not a readable .xlsx workbook ({type(exc).__name__})") from None
    finally:
        book.close()
    return Table(str(path), header, rows, [])


def table_to_csv_text(table: Table) -> str:
    """The table back as CSV text (for parsers that take text, such as the registry's)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for _, cells in table.rows:
        writer.writerow(["" if c is None else c for c in cells])
    return out.getvalue()
