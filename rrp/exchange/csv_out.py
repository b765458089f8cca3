"""Writing Excel-safe CSV: UTF-8 with a byte-order mark, ISO dates, one header row.

A text cell that begins with =, +, -, @, a tab or a carriage return is neutralised with a leading
apostrophe (') so that a spreadsheet never runs it as a formula. Numbers stay numbers: numeric
columns are written unquoted and untouched (a negative number is not text). Files are written to a
temporary name and renamed at the end, so a half-written export never looks complete.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

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
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if pd.api.types.is_bool_dtype(series):
            continue
        mask = series.map(lambda v: isinstance(v, str) and v.startswith(DANGEROUS_FIRST))
        mask = mask.astype(bool)
        if mask.any():
            series = series.astype(object)
            series[mask] = "'" + series[mask].astype(str)
            out[column] = series
    return out


@contextlib.contextmanager
def _target(out: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(out, (str, Path)) and str(out) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    if not isinstance(out, (str, Path)):
        yield out
        return
    path = Path(out)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: give a file name")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with temporary.open("wb") as handle:
            yield handle
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def write_csv(
    frame: pd.DataFrame,
    out: str | Path | IO[bytes],
    *,
    decimals: dict[str, int] | None = None,
) -> int:
    """Write `frame` as Excel-safe CSV to a path, '-' (stdout) or a binary handle; returns rows.

    `decimals` rounds the named float columns (e.g. rates to 2 places) for reading, not storing.
    """
    import io

    import pandas as pd

    table = excel_safe(frame)
    for column, places in (decimals or {}).items():
        if column in table.columns and pd.api.types.is_float_dtype(table[column]):
            table[column] = table[column].round(places)
    with _target(out) as handle:
        handle.write(b"\xef\xbb\xbf")
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
        try:
            table.to_csv(text, index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
            text.flush()
        finally:
            text.detach()
    return len(table)
