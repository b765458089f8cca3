"""The limits every incoming file is read under: bytes, rows, cells, decompressed size, time.

One place for the figures. Every reader (CSV, XLSX, a ward submission's JSON, a backup to
restore) takes a `Limits` for its kind of file and checks it BEFORE it allocates: the file is
stat-ed (a device such as /dev/zero, a pipe or a socket is refused), read through a stream that
stops one byte past the limit, and rows, cells and inflated XLSX bytes are counted as they come.
Time is a `Deadline` checked inside the loops (no signals, so it works in the app's worker
threads too).

Each refusal is a `LimitExceeded` naming the limit and the kind of file: "x.csv is larger than
the 200 MB limit for a weekly import". The defaults are sized for national scale: 2,000 wards x
260 weeks = 520,000 weekly rows must import, with notes.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, replace
from pathlib import Path

from rrp.exchange.errors import FileRefused

MB = 1024 * 1024


class LimitExceeded(FileRefused):
    """A file went past one of its limits; nothing was read into the database (exit code 1)."""


@dataclass(frozen=True)
class Limits:
    """The bounds one kind of incoming file is read under (see `limits_for`)."""

    kind: str  # in words, for messages: "a weekly import"
    max_bytes: int = 200 * MB
    max_rows: int = 1_000_000  # physical lines or sheet rows, blank ones included
    max_cells: int = 20_000_000
    max_columns: int = 200
    max_line_chars: int = 65_536
    #: XLSX (a zip): the inflated size of all members together, and of the ratio of any one.
    max_decompressed: int = 1024 * MB
    max_members: int = 1_000
    max_ratio: int = 200  # a real sheet compresses 5-20 times; a zip bomb 1,000 times
    seconds: float = 300.0

    def with_(self, **changes: object) -> Limits:
        """A copy with some limits changed (tests use tiny ones)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def deadline(self) -> Deadline:
        return Deadline(self.seconds, self.kind)


#: Per kind of file. A ward submission is one ward's records (a few thousand); a registry a few
#: thousand wards; a backup is a whole database.
DEFAULT_LIMITS: dict[str, Limits] = {
    "weekly": Limits("a weekly import"),
    "wards": Limits("a registry import", max_bytes=20 * MB, max_rows=100_000),
    "pdsa": Limits("a PDSA import", max_bytes=100 * MB, max_rows=200_000),
    # JSON costs far more as Python objects than as bytes ({} is 2 bytes, 64 as a dict): the
    # records (counted as JSON objects and lists before parsing) are bounded as well as the bytes.
    "submission": Limits("a ward submission", max_bytes=20 * MB, max_rows=200_000, seconds=120.0),
    "restore": Limits("a backup to restore", max_bytes=4096 * MB),
    # A family of measures is tens of measures; max_rows bounds the [[measure]] tables.
    "measures": Limits("a measures file", max_bytes=1 * MB, max_rows=500, seconds=30.0),
    "table": Limits("a table file"),
}


def limits_for(kind: str) -> Limits:
    """The limits of one kind of file: weekly, wards, pdsa, submission, restore, measures, table."""
    return DEFAULT_LIMITS[kind]


def megabytes(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n:,} bytes"


class Deadline:
    """A time budget for reading one file, checked inside loops: `check()` raises when spent."""

    def __init__(self, seconds: float, kind: str) -> None:
        self.seconds = seconds
        self.kind = kind
        self._end = time.monotonic() + seconds

    def check(self, source: str | Path) -> None:
        if time.monotonic() > self._end:
            raise LimitExceeded(
                f"{source} took longer than the {self.seconds:g} s limit for {self.kind}; nothing was imported"
            )


def check_regular_file(path: Path, limits: Limits) -> int:
    """The size of `path` after checking it is a regular file within max_bytes; else FileRefused."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileRefused(f"{path} does not exist") from None
    except OSError as exc:
        raise FileRefused(f"{path} cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused(f"{path} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise LimitExceeded(
            f"{path} is not a regular file (a device, pipe or socket): {limits.kind} reads only files"
        )
    if info.st_size > limits.max_bytes:
        raise LimitExceeded(too_large(path, limits))
    return info.st_size


def too_large(path: str | Path, limits: Limits) -> str:
    return f"{path} is larger than the {megabytes(limits.max_bytes)} limit for {limits.kind}"


def too_many_rows(path: str | Path, limits: Limits) -> str:
    return f"{path} has more than {limits.max_rows:,} rows, the limit for {limits.kind}"


def too_many_cells(path: str | Path, limits: Limits) -> str:
    return f"{path} has more than {limits.max_cells:,} cells, the limit for {limits.kind}"


def read_bounded(path: Path, limits: Limits) -> bytes:
    """The whole file, read through a stream that stops at max_bytes + 1 (never an unbounded read)."""
    check_regular_file(path, limits)
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise FileRefused(f"{path} cannot be read ({exc.strerror or exc})") from None
    if len(data) > limits.max_bytes:  # it grew after the stat
        raise LimitExceeded(too_large(path, limits))
    return data
