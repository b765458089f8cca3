"""Writing Excel-safe CSV: UTF-8 with a byte-order mark, ISO dates, one header row.

A text cell that begins with =, +, -, @, a tab or a carriage return is neutralised with a leading
apostrophe (') so that a spreadsheet never runs it as a formula. Numbers stay numbers: numeric
columns are written unquoted and untouched (a negative number is not text). Files go through rrp's
one writer (rrp.store.output_file): a temporary name renamed at the end, so a half-written export
never looks complete, and never over the database or anything that is not a regular file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rrp.store.output_file import output_stream

if TYPE_CHECKING:
    import pandas as pd

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
_DANGER_PATTERN = r"^[=+\-@\t\r]"


def neutralise(value: Any) -> Any:
    """One cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; numeric, boolean and date columns untouched."""
    import pandas as pd

    out = frame.copy()
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if pd.api.types.is_bool_dtype(series):
            continue
        mask = _dangerous(series.to_numpy(dtype=object))
        if mask.any():
            series = series.astype(object)
            series[mask] = "'" + series[mask].astype(str)
            out.isetitem(position, series)
    return out


def _dangerous(values: Any) -> Any:
    """Which cells are text a spreadsheet would run as a formula (bool array); vectorised."""
    import numpy as np
    import pandas as pd

    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return np.fromiter(
            (isinstance(v, str) and v.startswith(DANGEROUS_FIRST) for v in values), dtype=bool, count=len(values)
        )
    codes, uniques = pd.factorize(values)
    flags = np.fromiter((u.startswith(DANGEROUS_FIRST) for u in uniques), dtype=bool, count=len(uniques))
    return np.append(flags, False)[codes]


@contextlib.contextmanager
def _target(out: str | Path | IO[bytes], database: str | Path | None) -> Iterator[IO[bytes]]:
    if not isinstance(out, (str, Path)):
        yield out
        return
    with output_stream(out, database=database) as handle:
        yield handle


def write_csv(
    frame: pd.DataFrame,
    out: str | Path | IO[bytes],
    *,
    decimals: dict[str, int] | None = None,
    database: str | Path | None = None,
) -> int:
    """Write `frame` as Excel-safe CSV to a path, '-' (stdout) or a binary handle; returns rows.

    A path goes through rrp's one writer (rrp.store.output_file), which refuses the open
    `database`, any database and anything that is not a regular file.

    `decimals` rounds the named float columns (e.g. rates to 2 places) for reading, not storing.
    The bytes are exactly what `excel_safe(frame).to_csv(...)` writes; each column is formatted
    once per distinct value and the rows joined in chunks (`_fast_columns`), with pandas' own
    to_csv as the fallback for a column kind the fast writer does not handle.
    """
    import io

    import pandas as pd

    rounded = {
        c: p for c, p in (decimals or {}).items() if c in frame.columns and pd.api.types.is_float_dtype(frame[c])
    }
    columns = _fast_columns(frame, rounded)
    with _target(out, database) as handle:
        handle.write(b"\xef\xbb\xbf")
        if columns is not None:
            _write_rows(handle, [str(c) for c in frame.columns], columns, len(frame))
            return len(frame)
        table = excel_safe(frame)
        for column, places in rounded.items():
            table[column] = table[column].round(places)
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
        try:
            table.to_csv(text, index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
            text.flush()
        finally:
            text.detach()
    return len(frame)


#: The csv dialect pandas' to_csv uses for write_csv (QUOTE_MINIMAL, ", doubled, CRLF).
_DIALECT = {"lineterminator": "\r\n", "delimiter": ",", "quotechar": '"', "doublequote": True, "escapechar": None}
_CHUNK_ROWS = 50_000


def _quoted(texts: list[str]) -> list[str]:
    """Each text as the csv module writes it as a field (quoted only when it has to be)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, **_DIALECT)  # type: ignore[arg-type]
    out = []
    for text in texts:
        if text == "" or not any(c in text for c in ',"\r\n'):
            out.append(text)
            continue
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([text])
        out.append(buffer.getvalue()[:-2])
    return out


def _fast_columns(frame: pd.DataFrame, rounded: dict[str, int]) -> list[Any] | None:
    """Each column as numpy object arrays of finished CSV fields, or None (let to_csv write it).

    Handles int, float, bool and text/date columns: what weekly, monthly and SPC exports hold.
    Each distinct value is formatted (as to_csv formats it: numpy's str for floats, str() for the
    rest, '' for a missing value), neutralised (text only) and quoted once, then spread by index.
    """
    import datetime as dt

    import numpy as np
    import pandas as pd

    if frame.shape[1] < 2 or frame.columns.has_duplicates:
        return None
    columns = []
    for name in frame.columns:
        series = frame[name]
        kind = series.dtype.kind
        if isinstance(series.dtype, np.dtype) and kind in "iub":
            values = series.to_numpy()
            codes, uniques = pd.factorize(values)
            texts = [str(v) for v in uniques.tolist()]
        elif isinstance(series.dtype, np.dtype) and kind == "f":
            values = series.to_numpy()
            if name in rounded:
                values = series.round(rounded[name]).to_numpy()
            if (np.signbit(values) & (values == 0)).any():
                return None  # -0.0 hashes as 0.0: keep pandas' own formatting exact
            codes, uniques = pd.factorize(values)
            texts = list(uniques.astype(str))
        elif kind == "O" or pd.api.types.is_string_dtype(series.dtype):
            values = series.to_numpy(dtype=object)
            inferred = pd.api.types.infer_dtype(values, skipna=True)
            if inferred == "date":
                if not all(type(v) is dt.date for v in pd.unique(values[~pd.isna(values)])):
                    return None
            elif inferred not in ("string", "empty"):
                return None
            codes, uniques = pd.factorize(values)
            texts = _quoted([neutralise(str(u)) for u in uniques])
        else:
            return None
        lookup = np.empty(len(texts) + 1, dtype=object)
        lookup[: len(texts)] = texts
        lookup[-1] = ""  # a missing value (code -1)
        columns.append(lookup[codes])
    return columns


def _write_rows(handle: IO[bytes], header: list[str], columns: list[Any], rows: int) -> None:
    handle.write((",".join(_quoted(header)) + "\r\n").encode("utf-8"))
    for start in range(0, rows, _CHUNK_ROWS):
        part = [column[start : start + _CHUNK_ROWS] for column in columns]
        text = "\r\n".join(map(",".join, zip(*part, strict=True))) + "\r\n"
        handle.write(text.encode("utf-8"))
