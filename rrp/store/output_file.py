"""The one writer for every file rrp writes out: exports, submissions, backups, chart packs.

    with output_stream(out, database=store.path) as handle:   # '-' is standard output
        handle.write(data)
    with output_path(out, database=db) as temporary:           # for libraries that write a path
        figure.savefig(temporary)

Before anything is written the target is checked, following symbolic links and recognising hard
links (same device and inode). It is refused, with one line naming the path and why, when it is:
the open database or its -wal, -shm or -journal file; any SQLite database (an rrp one or not) or
the -wal/-shm/-journal file beside one; or anything that is not a regular file (a folder, a named
pipe, a device such as /dev/null, a socket). An export written over the live database replaced it
with a CSV; a rename over a -wal file or a pipe destroys what the database or a reader relies on.

The bytes go to a temporary file in the target's folder, which is renamed over the target only
when complete (and re-checked just before), so a failed or interrupted write leaves no partial
file. A failure of the disk (full, read-only, a folder that cannot be written) becomes
`OutputFailed` with one clear line instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from rrp.store.errors import StoreError

#: The name that means standard output.
STDOUT = "-"
#: The files SQLite keeps beside a database while it is open (or after a crash).
SIDE_FILES = ("-wal", "-shm", "-journal")
_SQLITE_HEADER = b"SQLite format 3\x00"
#: SQLite's header keeps PRAGMA application_id at byte offset 68 (4 bytes, big-endian).
_APPLICATION_ID_OFFSET = 68


class OutputRefused(StoreError):
    """The target is the database, a database's side file, or not a regular file: nothing written."""


class OutputFailed(StoreError):
    """The disk refused the write (full, read-only, no such folder): nothing was left behind."""


def is_stdout(out: str | Path) -> bool:
    """Does `out` name standard output ('-')?"""
    return str(out) == STDOUT


def _refused(path: Path, why: str) -> OutputRefused:
    return OutputRefused(f"refused to write {path}: {why}; nothing was written")


def _failed(path: Path, exc: OSError) -> OutputFailed:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputFailed(f"could not write {path}: {reason}; nothing was written")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _file_kind(mode: int) -> str:
    """What a file is, in words ('a regular file', 'a named pipe', ...)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is and why it is refused, in words; None for a regular file."""
    kind = _file_kind(mode)
    if kind == "a regular file":
        return None
    return "a folder, not a file" if kind == "a folder" else f"{kind}, not a regular file"


def _database_kind(path: str | Path) -> str | None:
    """'an rrp database' or 'an SQLite database' for a file that starts like one, else None.

    Reads the 100-byte header only (no SQL): the application id tells an rrp database apart.
    """
    from rrp.store.schema import RRP_APPLICATION_ID

    here = _stat(path)
    if here is None or not stat.S_ISREG(here.st_mode):
        return None  # never open a pipe or a device: opening a pipe to read blocks for ever
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return None
    if not header.startswith(_SQLITE_HEADER):
        return None
    app_id = int.from_bytes(header[_APPLICATION_ID_OFFSET : _APPLICATION_ID_OFFSET + 4], "big")
    return "an rrp database" if app_id == RRP_APPLICATION_ID else "an SQLite database"


def _what_it_is(target: Path, database: Path | None, replace: bool = True) -> str | None:
    """Why `target` (already resolved through links) must not be written; None when it may.

    `replace=False`: any existing file is refused (a backup never replaces anything).
    """
    special = _special(target, database)
    if special is not None:
        return special
    here = _stat(target)
    if here is None:
        return None
    odd = _not_regular(here.st_mode)
    if odd is not None:
        return odd
    if not replace:
        return "a file that already exists (choose a new file name)"
    return _database_kind(target)


def _special(target: Path, database: Path | None) -> str | None:
    """The open database or its side files (even absent), or the side file of another database."""
    here = _stat(target)
    if database is not None:
        live = Path(os.path.realpath(database))
        for suffix in ("", *SIDE_FILES):
            other = Path(f"{live}{suffix}")
            name = "the open database" + (f"'s {suffix} file" if suffix else "")
            if target == other:
                return name
            there = _stat(other)
            if here is not None and there is not None and _same_file(here, there):
                return f"a hard link to {name}"
    for suffix in SIDE_FILES:
        if target.name.endswith(suffix) and len(target.name) > len(suffix):
            base = target.with_name(target.name[: -len(suffix)])
            kind = _database_kind(base)
            if kind is not None:
                return f"the {suffix} file of {kind} ({base})"
    return None


def check_output(out: str | Path, *, database: str | Path | None = None, replace: bool = True) -> Path:
    """The file to write for `out` (links followed), or OutputRefused saying why not.

    `database` is the open database, refused with its side files even before they exist.
    `replace=False` refuses any existing file too.
    """
    path = Path(out)
    target = Path(os.path.realpath(path))
    why = _what_it_is(target, Path(database) if database is not None else None, replace)
    if why is not None:
        if path.is_symlink():
            raise _refused(path, f"it links to {target}, which is {why}")
        raise _refused(path, f"it is {why}")
    return target


def refuse_unless_regular(path: str | Path) -> None:
    """OutputRefused when database `path` exists (links followed) and is not a regular file.

    For the database files rrp writes in place (`rrp restore`, `rrp demo`): a folder, a pipe or a
    device given as --db must not be written, nor renamed over.
    """
    here = _stat(path)
    why = None if here is None else _not_regular(here.st_mode)
    if why is not None:
        raise OutputRefused(f"refused to use {path} as the database: it is {why}")


def check_output_folder(out: str | Path, *, database: str | Path | None = None) -> Path:
    """Make sure folder `out` exists (creating it) and is a folder; returns it, links followed.

    Refused: anything there that is not a folder, and the open database's side files (absent
    now, a folder by that name would stop SQLite opening the database).
    """
    path = Path(out)
    target = Path(os.path.realpath(path))
    here = _stat(target)
    if here is None or not stat.S_ISDIR(here.st_mode):
        why = _special(target, Path(database) if database is not None else None)
        if why is None and here is not None:
            why = _database_kind(target) or _file_kind(here.st_mode)
        if why is not None:
            if path.is_symlink():
                raise _refused(path, f"it links to {target}, which is {why}, not a folder")
            raise _refused(path, f"it is {why}, not a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _failed(path, exc) from None
    return target


@contextlib.contextmanager
def output_path(
    out: str | Path, *, database: str | Path | None = None, replace: bool = True
) -> Iterator[Path]:
    """A temporary path beside `out` to write; renamed over `out` when the block ends cleanly.

    For writers that take a path (matplotlib, SQLite's backup). The temporary keeps the target's
    suffix (matplotlib chooses the format from it). On any error the temporary is removed, and
    an OSError becomes OutputFailed. `replace=False`: refuse an existing file (see check_output).
    """
    path = Path(out)
    target = check_output(path, database=database, replace=replace)
    # The temporary lives in a private folder made for this write (mkdtemp: an unpredictable name,
    # created exclusively, mode 0700), so nobody who can write beside `out` can plant a link
    # under its name and have rrp write through it (into the open database, say).
    try:
        private = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", suffix=".partial", dir=target.parent))
    except OSError as exc:
        raise _failed(path, exc) from None
    temporary = private / target.name
    try:
        try:
            yield temporary
            check_output(path, database=database, replace=replace)  # still safe to replace (nothing swapped in)?
            os.replace(temporary, target)
        except OSError as exc:
            raise _failed(path, exc) from None
    finally:
        shutil.rmtree(private, ignore_errors=True)


@contextlib.contextmanager
def output_stream(out: str | Path, *, database: str | Path | None = None) -> Iterator[IO[bytes]]:
    """A binary handle for `out` ('-': standard output), written through `output_path`."""
    if is_stdout(out):
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with output_path(out, database=database) as temporary:
        try:
            handle = temporary.open("wb")
        except OSError as exc:
            raise _failed(Path(out), exc) from None
        with handle:
            try:
                yield handle
            except OSError as exc:
                raise _failed(Path(out), exc) from None


def write_output(out: str | Path, data: bytes, *, database: str | Path | None = None) -> None:
    """Write `data` to `out` ('-': standard output) through the checks above."""
    with output_stream(out, database=database) as handle:
        handle.write(data)


def write_private(out: str | Path, data: bytes, *, database: str | Path | None = None) -> None:
    """Write a secret (a provider's private key) to a NEW file `out` that only its owner can read.

    As `write_output`, and: never to standard output, never over an existing file (a key
    replaced by mistake cannot be got back), and created with mode 0600 from the first byte
    (the temporary too), so no other user can ever open it.
    """
    path = Path(out)
    if is_stdout(out):
        raise _refused(path, "a private key is never written to the screen; give a file name")
    with output_path(path, database=database, replace=False) as temporary:
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise _failed(path, exc) from None
        with os.fdopen(fd, "wb") as handle:
            try:
                handle.write(data)
            except OSError as exc:
                raise _failed(path, exc) from None
