"""Reading a user's CSV or XLSX file safely: encoding, size limits, header, rows.

Every importer reads through `read_table`, which either returns the header and the rows (each with
its row number as a spreadsheet shows it: the header is row 1) or raises `FileRefused` with one
clear sentence. It never parses an unbounded line and never loads a whole huge file at once:
every read is bounded by a `Limits` (rrp.exchange.limits: bytes, rows, cells, line length,
decompressed size, time), checked before the memory it guards is allocated; past one, the
refusal is a LimitExceeded naming it.

XLSX: the zip is checked first (part count, declared and actually inflated size, ratio); the
sheet read is the one named, else the first visible one (a hidden first sheet is skipped and the
notes say so); every row is read whatever the sheet's stored size (`<dimension>`) says, and the
notes name the sheet read and a stored size that was stale.

Encodings (CSV): UTF-8 with or without a byte-order mark; UTF-16 with a byte-order mark (Excel's
"Unicode text"); otherwise the file is read as Windows-1252 (what Excel's plain "CSV (Comma
delimited)" writes on an English Windows PC) and the result says so. A file with NUL characters
(a binary file, or UTF-16 without a byte-order mark) is refused.

A CSV file of FAST_READ_MIN_BYTES or more is first checked by a streaming byte-level pre-scan and
then parsed by pandas' C parser into column arrays (`_read_csv_fast`); any file the pre-scan cannot
vouch for goes through the csv-module path above, so the result and every message are the same.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rrp.exchange.errors import ExchangeError as ExchangeError  # re-exported: importers use it
from rrp.exchange.errors import FileRefused
from rrp.exchange.limits import (
    MB,
    Deadline,
    LimitExceeded,
    Limits,
    check_regular_file,
    limits_for,
    megabytes,
    too_many_cells,
    too_many_rows,
)

#: The default limits of a table file (rrp.exchange.limits holds every figure).
MAX_COLUMNS = limits_for("table").max_columns
MAX_LINE_CHARS = limits_for("table").max_line_chars
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class Table:
    """A file read as a table: normalised header names and rows of raw cell values.

    `rows` is a list of (row number, cells). A large CSV is held column by column instead (one
    numpy object array per cell position, with each row's number and cell count): `column`,
    `numbers`, `lengths` and `row` read it without building a list per row, and `rows` builds the
    list of rows only when someone asks for it.
    """

    def __init__(
        self,
        source: str,
        header: list[str],
        rows: list[tuple[int, list[Any]]] | None = None,
        notes: list[str] | None = None,
        *,
        columns: list[Any] | None = None,
        numbers: Any = None,
        lengths: Any = None,
        text: bool = False,
        deadline: Deadline | None = None,
        sheet: str | None = None,
    ) -> None:
        self.source = source
        #: The time budget of this file's import: importers check it inside their row loops too.
        self.deadline = deadline or limits_for("table").deadline()
        #: For an XLSX file: the sheet that was read.
        self.sheet = sheet
        #: Every cell is a str (a CSV file), so no cell needs a type check.
        self.text = text
        self.header = header
        self.notes = [] if notes is None else notes
        self._rows = rows if rows is not None or columns is not None else []
        self._columns = columns
        self._numbers = numbers
        self._lengths = lengths

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else len(self._numbers)

    @property
    def rows(self) -> list[tuple[int, list[Any]]]:
        if self._rows is None:
            self._rows = [(n, self.row(k)) for k, n in enumerate(self._numbers.tolist())]
        return self._rows

    @property
    def numbers(self) -> Any:
        """Each row's number (the header is row 1), as a numpy int64 array."""
        import numpy as np

        if self._columns is not None:
            return self._numbers
        return np.fromiter((n for n, _ in self._rows), dtype=np.int64, count=len(self._rows))

    @property
    def lengths(self) -> Any:
        """How many cells each row has, as a numpy int64 array."""
        import numpy as np

        if self._columns is not None:
            return self._lengths
        return np.fromiter((len(c) for _, c in self._rows), dtype=np.int64, count=len(self._rows))

    def column(self, position: int) -> Any:
        """The cells at one position, as a numpy object array (None where a row is shorter)."""
        import numpy as np

        if self._columns is None:
            return np.fromiter(
                (c[position] if position < len(c) else None for _, c in self._rows), dtype=object, count=len(self._rows)
            )
        if position >= len(self._columns):
            return np.full(len(self), None, dtype=object)
        values = self._columns[position]
        short = self._lengths <= position
        if short.any():
            values = values.copy()
            values[short] = None
        return values

    def row(self, k: int) -> list[Any]:
        """The cells of the k-th row (0-based position in `rows`)."""
        if self._columns is None:
            return self._rows[k][1]
        return [column[k] for column in self._columns[: int(self._lengths[k])]]

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


def read_table(path: str | Path, *, sheet: str | None = None, limits: Limits | None = None) -> Table:
    """Read a CSV or XLSX file into a Table, or raise FileRefused (LimitExceeded past a limit).

    `limits` (default: those of a table file) bound the bytes, rows, cells, line length,
    decompressed size and time; each is checked before the memory it guards is allocated.
    """
    path = Path(path)
    limits = limits or limits_for("table")
    check_regular_file(path, limits)
    deadline = limits.deadline()
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise FileRefused(f"{path} cannot be read ({exc.strerror or exc})") from None
    if path.suffix.lower() in XLSX_SUFFIXES or head.startswith(b"PK\x03\x04"):
        table = _read_xlsx(path, sheet, limits, deadline)
        deadline.check(path)
        return table
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(f"{path} is an old Excel (.xls) file: save it as .xlsx or CSV UTF-8")
    table = _read_csv(path, head, limits, deadline)
    table.deadline = deadline
    deadline.check(path)
    return table


# -- CSV ---------------------------------------------------------------------------------------


def _encoding_for(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


_CP1252_NOTE = (
    "the file is not UTF-8, so it was read as Windows-1252 (Excel's plain CSV); "
    "check any accented names, or save it as 'CSV UTF-8' next time"
)


def _read_csv(path: Path, head: bytes, limits: Limits, deadline: Deadline) -> Table:
    encoding = _encoding_for(head)
    notes: list[str] = []
    if encoding != "utf-16":
        fast = _read_csv_fast(path, limits, deadline)
        if fast is not None:
            table, used = fast
            if used == "cp1252":
                table.notes.append(_CP1252_NOTE)
            return table
    if encoding is not None:
        try:
            return _read_csv_as(path, encoding, notes, limits, deadline)
        except UnicodeError as exc:
            raise FileRefused(
                f"{path} starts with a {encoding.upper()} byte-order mark but is not valid "
                f"{encoding.upper()} text ({exc.reason})"
            ) from None
    try:
        return _read_csv_as(path, "utf-8", notes, limits, deadline)
    except UnicodeDecodeError:
        pass
    try:
        table = _read_csv_as(path, "cp1252", notes, limits, deadline)
    except UnicodeDecodeError:
        raise FileRefused(
            f"{path} is not UTF-8 or Windows-1252 text: save it from Excel as 'CSV UTF-8'"
        ) from None
    table.notes.append(_CP1252_NOTE)
    return table


def _lines(handle: io.TextIOBase, path: Path, limits: Limits, deadline: Deadline) -> Iterator[str]:
    """Physical lines, each bounded in length and free of NUL characters; at most max_rows of them."""
    number = 0
    longest = limits.max_line_chars
    while True:
        line = handle.readline(longest + 1)
        if not line:
            return
        number += 1
        if number > limits.max_rows:
            raise LimitExceeded(too_many_rows(path, limits))
        if not number % 4096:
            deadline.check(path)
        if len(line) > longest:
            raise FileRefused(
                f"{path}: line {number} is longer than {longest:,} characters; "
                "this does not look like a weekly data file"
            )
        if "\x00" in line:
            raise FileRefused(
                f"{path} contains NUL characters (line {number}): it is not a text CSV file "
                "(is it a spreadsheet saved in another format, or UTF-16 without a byte-order mark?)"
            )
        yield line


def _read_csv_as(path: Path, encoding: str, notes: list[str], limits: Limits, deadline: Deadline) -> Table:
    csv.field_size_limit(limits.max_line_chars * 4)
    cells_read = 0
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        try:
            reader = csv.reader(_lines(text, path, limits, deadline), strict=False)
            try:
                header_cells = next(reader)
            except StopIteration:
                raise FileRefused(f"{path} is empty: expected a header row") from None
            header = _check_header(path, header_cells)
            rows: list[tuple[int, list[Any]]] = []
            for number, cells in enumerate(reader, start=2):
                if len(cells) > limits.max_columns:
                    raise FileRefused(
                        f"{path}: row {number} has {len(cells)} cells (at most {limits.max_columns})"
                    )
                cells_read += len(cells)
                if cells_read > limits.max_cells:
                    raise LimitExceeded(too_many_cells(path, limits))
                if not any(c.strip() for c in cells):
                    continue  # a blank line: spreadsheets leave these at the end
                rows.append((number, cells))
        except csv.Error as exc:
            raise FileRefused(f"{path} is not a readable CSV file ({exc})") from None
        finally:
            text.detach()
    return Table(str(path), header, rows, notes, text=True, deadline=deadline)


# -- CSV, fast: a byte-level pre-scan, then pandas' C parser -------------------------------------

#: Files smaller than this are read by the csv module above (as fast, and pandas is not imported).
FAST_READ_MIN_BYTES = 1 << 20
_SCAN_CHUNK = 1 << 23
_NEWLINE, _CR, _COMMA, _QUOTE = 10, 13, 44, 34


@dataclass
class _Scan:
    """What the pre-scan learnt: the encoding, line count, cells per line, lines holding quotes."""

    encoding: str
    bom: bool
    lines: int
    fields: int
    lengths: Any  # numpy int64: cells per physical line, counted by commas (exact without quotes)
    quoted: list[tuple[int, int, int]]  # (line index, start byte, end byte) of lines with a '"'


def _prescan(handle: IO[bytes], path: Path, limits: Limits, deadline: Deadline) -> _Scan | None:
    """One streaming pass over the bytes, or None when the file needs the exact csv-module path.

    None for anything the fast path does not reproduce exactly: NUL bytes, a line over
    MAX_LINE_CHARS bytes (bytes >= characters, so this is conservative), more than MAX_COLUMNS
    commas on a line, a lone carriage return, text that is neither UTF-8 nor Windows-1252. The
    csv-module path then gives the file's exact result or refusal, with its usual message.

    The row, cell and time limits are refusals here (LimitExceeded): the lines of a chunk are
    counted before any array is built for them, so a file of blank lines stops at max_rows.
    """
    import numpy as np

    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, cp1252_ok, bom = True, True, False
    lines = 0
    carry = b""
    lone_cr = 0
    lengths: list[Any] = []
    quoted: list[tuple[int, int, int]] = []
    offset = 0  # file offset of buf[0]
    first = True
    cells = 0
    while True:
        deadline.check(path)
        chunk = handle.read(_SCAN_CHUNK)
        final = not chunk
        if lines + chunk.count(b"\n") > limits.max_rows:
            raise LimitExceeded(too_many_rows(path, limits))
        if first:
            bom = chunk.startswith(codecs.BOM_UTF8)
            first = False
        if chunk:
            if b"\x00" in chunk:
                return None
            if utf8_ok and not (chunk.isascii() and utf8.getstate()[0] == b""):
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if not utf8_ok and cp1252_ok:
                try:
                    chunk.decode("cp1252")
                except UnicodeDecodeError:
                    cp1252_ok = False
            if not (utf8_ok or cp1252_ok) or (bom and not utf8_ok):
                return None
        buf = carry + chunk
        if final:
            if not buf:
                break
            if not buf.endswith(b"\n"):
                buf += b"\n"  # the last line has no line ending
        end = buf.rfind(b"\n") + 1
        if end == 0:
            if len(buf) > limits.max_line_chars:
                return None
            carry = buf
            continue
        data = np.frombuffer(buf, dtype=np.uint8, count=end)
        newlines = np.flatnonzero(data == _NEWLINE)
        starts = np.empty_like(newlines)
        starts[0] = 0
        starts[1:] = newlines[:-1] + 1
        size = newlines - starts + 1
        if int(size.max()) > limits.max_line_chars:
            return None
        commas = np.add.reduceat((data == _COMMA).view(np.uint8), starts, dtype=np.int32)
        if int(commas.max()) + 1 > limits.max_columns:
            return None
        cells += int(commas.sum()) + len(commas)
        if cells > limits.max_cells:
            raise LimitExceeded(too_many_cells(path, limits))
        crlf = (newlines > starts) & (data[np.maximum(newlines - 1, 0)] == _CR)
        lone_cr += int(np.count_nonzero(data == _CR)) - int(np.count_nonzero(crlf))
        content = size - 1 - crlf
        lengths.append(np.where(content > 0, commas + 1, 0))
        if b'"' in buf[:end]:
            at = np.unique(np.searchsorted(newlines, np.flatnonzero(data == _QUOTE)))
            quoted.extend(
                (lines + i, offset + int(starts[i]), offset + int(newlines[i]) + 1) for i in at.tolist()
            )
        lines += len(newlines)
        offset += end
        carry = buf[end:]
        if len(carry) > limits.max_line_chars:
            return None
        if final:
            break
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if lone_cr or not (utf8_ok or cp1252_ok) or (bom and not utf8_ok) or lines == 0:
        return None
    per_line = np.concatenate(lengths)
    return _Scan("utf-8" if utf8_ok else "cp1252", bom, lines, max(int(per_line.max()), 1), per_line, quoted)


def _blank(values: Any) -> Any:
    """Which cells hold only whitespace (or nothing), as a bool array; the test runs once per value."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    flags = np.fromiter((not u.strip() for u in uniques), dtype=bool, count=len(uniques))
    return flags[codes]


def _read_csv_fast(path: Path, limits: Limits, deadline: Deadline) -> tuple[Table, str] | None:
    """Read a large CSV with pandas' C parser after a byte-level pre-scan; None: use the csv module.

    The result is exactly the csv-module path's: same rows, numbers, cells and refusals (the
    pre-scan hands every file it cannot vouch for back to that path). Lines holding a quote
    character are parsed again by the csv module, so quoting follows its rules exactly; a record
    spanning lines (a quoted line break) makes the line and record counts differ: csv module.
    """
    try:
        if path.stat().st_size < FAST_READ_MIN_BYTES:
            return None
    except OSError:
        return None
    import warnings

    import numpy as np

    with path.open("rb") as handle:
        scan = _prescan(handle, path, limits, deadline)
        if scan is None:
            return None
        handle.seek(0)
        import pandas as pd

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = pd.read_csv(
                    handle,
                    header=None,
                    names=range(scan.fields),
                    index_col=False,
                    dtype=object,
                    na_filter=False,
                    skip_blank_lines=False,
                    engine="c",
                    encoding=scan.encoding,
                    quotechar='"',
                    doublequote=True,
                    escapechar=None,
                    comment=None,
                    skipinitialspace=False,
                )
        except Exception:  # noqa: BLE001 - anything pandas refuses, the csv module judges
            return None
        deadline.check(path)
        if len(frame) != scan.lines or frame.shape[1] != scan.fields:
            return None
        columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
        del frame
        if scan.quoted:
            columns = [c if c.flags.writeable else c.copy() for c in columns]
        lengths = scan.lengths
        for line, start, end in scan.quoted:
            handle.seek(start)
            raw = handle.read(end - start)
            if line == 0 and scan.bom:
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                records = list(csv.reader([raw.decode(scan.encoding)], strict=False))
            except (csv.Error, UnicodeDecodeError):
                return None
            if len(records) != 1 or len(records[0]) > len(columns):
                return None
            cells = records[0]
            for j, column in enumerate(columns):
                column[line] = cells[j] if j < len(cells) else ""
            lengths[line] = len(cells)
    header = _check_header(path, [column[0] for column in columns[: int(lengths[0])]])
    # A row whose cells are all empty or whitespace is skipped (spreadsheets leave these).
    maybe = lengths > 0
    maybe[0] = False
    for j, column in enumerate(columns):
        candidates = np.flatnonzero(maybe & (lengths > j))
        if not len(candidates):
            break
        maybe[candidates] = _blank(column[candidates])
    keep = ~(maybe | (lengths == 0))
    keep[0] = False
    kept = np.flatnonzero(keep)
    if len(kept) == len(keep) - 1:  # every line after the header is a row: views, no copies
        columns = [column[1:] for column in columns]
    else:
        columns = [column[kept] for column in columns]
    table = Table(
        str(path),
        header,
        columns=columns,
        numbers=kept.astype(np.int64) + 1,
        lengths=lengths[kept].astype(np.int64),
        text=True,
        deadline=deadline,
    )
    return table, scan.encoding


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


_ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _check_zip(path: Path, limits: Limits, deadline: Deadline) -> dict[str, int]:
    """Refuse a zip bomb before openpyxl opens the workbook.

    Each member's declared size is checked (count, total, ratio), then every member is inflated
    in a streaming pass that counts the bytes that really come out, so a member whose header
    lies is caught too. Python's zipfile never inflates past a member's declared size, so the
    openpyxl read that follows is bounded by what was checked here.

    Returns how many row elements each worksheet part holds, counted as it streams past, so the
    read can prove it reached the last one.
    """
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(f"{path} is not a readable .xlsx workbook ({type(exc).__name__})") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise LimitExceeded(
                f"{path} holds more than {limits.max_members:,} parts, the limit for {limits.kind}"
            )
        declared = 0
        for member in members:
            declared += member.file_size
            if declared > limits.max_decompressed:
                raise LimitExceeded(_expands(path, limits))
            if member.file_size > 8 * MB and member.file_size > limits.max_ratio * max(member.compress_size, 1):
                raise LimitExceeded(
                    f"{path}: the part {member.filename} expands {member.file_size // max(member.compress_size, 1):,} "
                    f"times (more than {limits.max_ratio}), the limit for {limits.kind}: is it a zip bomb?"
                )
        inflated = 0
        rows: dict[str, int] = {}
        try:
            for member in members:
                sheet = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
                tail = b""
                with archive.open(member) as stream:
                    while chunk := stream.read(1 << 20):
                        inflated += len(chunk)
                        if inflated > limits.max_decompressed:
                            raise LimitExceeded(_expands(path, limits))
                        deadline.check(path)
                        if sheet:  # the tail carries an element split across two chunks
                            text = tail + chunk
                            rows[member.filename] = rows.get(member.filename, 0) + len(_ROW_ELEMENT.findall(text))
                            tail = text[-64:]
                            rows[member.filename] -= len(_ROW_ELEMENT.findall(tail))
                if sheet:
                    rows[member.filename] = rows.get(member.filename, 0) + len(_ROW_ELEMENT.findall(tail))
        except LimitExceeded:
            raise
        except Exception as exc:  # noqa: BLE001 - zlib.error, BadZipFile, CRC errors: a broken file
            raise FileRefused(f"{path} is not a readable .xlsx workbook ({type(exc).__name__})") from None
    return rows


def _expands(path: Path, limits: Limits) -> str:
    return f"{path} expands past the {megabytes(limits.max_decompressed)} limit for {limits.kind} when unzipped"


def _pick_sheet(path: Path, book: Any, sheet: str | None) -> tuple[Any, list[str]]:
    """The sheet to read and notes about it: the one named, else the first visible one."""
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise FileRefused(f"{path} has no sheet named {sheet!r} (it has {book.sheetnames})")
        return book[sheet], []
    notes: list[str] = []
    hidden = [ws.title for ws in book.worksheets if ws.sheet_state != "visible"]
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    if not visible:
        raise FileRefused(f"{path} has no visible sheet (hidden: {', '.join(map(repr, hidden))})")
    chosen = visible[0]
    if hidden and book.worksheets[0] is not chosen:
        notes.append(
            f"skipped the hidden sheet{'s' if len(hidden) > 1 else ''} {', '.join(map(repr, hidden))}: "
            f"read the first visible sheet {chosen.title!r} (name a sheet with --sheet)"
        )
    return chosen, notes


def _read_xlsx(path: Path, sheet: str | None, limits: Limits, deadline: Deadline) -> Table:
    import zipfile

    row_elements = _check_zip(path, limits, deadline)
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
        worksheet, notes = _pick_sheet(path, book, sheet)
        stored_size = getattr(worksheet, "calculate_dimension", lambda: None)
        try:
            stored = stored_size()
        except Exception:  # noqa: BLE001 - no <dimension>: nothing to compare
            stored = None
        # The stored <dimension> is only a hint (a stale one cut imports short): read every row
        # the sheet holds, whatever it says.
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()
        columns = limits.max_columns
        rows_iter = worksheet.iter_rows(values_only=True, max_col=columns + 1)
        try:
            header_cells = list(next(rows_iter))
        except StopIteration:
            raise FileRefused(f"{path} (sheet {worksheet.title!r}) is empty: expected a header row") from None
        header = _check_header(path, header_cells)
        rows: list[tuple[int, list[Any]]] = []
        cells_read = len(header_cells)
        last = iterated = 1
        for number, cells in enumerate(rows_iter, start=2):
            iterated = number
            if number > limits.max_rows:
                raise LimitExceeded(too_many_rows(path, limits))
            if not number % 1024:
                deadline.check(path)
            if cells.count(None) == len(cells):
                continue  # an empty row (openpyxl makes one per missing row number): nothing to build
            values = [_xlsx_cell(v) for v in cells]
            if len(values) > columns and any(v not in (None, "") for v in values[columns:]):
                raise FileRefused(f"{path}: row {number} has more than {columns} cells")
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            cells_read += sum(v is not None for v in values)
            if cells_read > limits.max_cells:
                raise LimitExceeded(too_many_cells(path, limits))
            rows.append((number, values))
            last = number
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt sheet part
        raise FileRefused(f"{path} is not a readable .xlsx workbook ({type(exc).__name__})") from None
    finally:
        book.close()
    # Each row element has a row number at least its position, so reading them all reaches a row
    # number at least their count: fewer means the read stopped early (a stale stored size did).
    held = row_elements.get(str(getattr(worksheet, "_worksheet_path", "")).lstrip("/"))
    if held is not None and iterated < held:
        raise FileRefused(
            f"{path}: read {iterated:,} rows of the sheet {worksheet.title!r} but it holds {held:,}; "
            "nothing was imported"
        )
    notes.insert(0, f"read the sheet {worksheet.title!r}")
    stored_rows = _rows_in(stored)
    if stored_rows is not None and last > stored_rows:
        notes.append(
            f"the sheet's stored size ({stored}) says {stored_rows} rows but it holds {last}: "
            "every row was read"
        )
    return Table(str(path), header, rows, notes, deadline=deadline, sheet=worksheet.title)


def _rows_in(dimension: str | None) -> int | None:
    """The last row of a stored sheet size such as 'A1:G2' (None when there is none)."""
    match = re.fullmatch(r"[A-Z]+\d+:[A-Z]+(\d+)", dimension or "")
    return int(match.group(1)) if match else None


def table_to_csv_text(table: Table) -> str:
    """The table back as CSV text (for parsers that take text, such as the registry's)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    for _, cells in table.rows:
        writer.writerow(["" if c is None else c for c in cells])
    return out.getvalue()
