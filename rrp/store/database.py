"""Opening an rrp database: pragmas, recognising the file, creating and migrating the schema.

One `Database` object per file; each thread gets its own sqlite3 connection (connections are never
shared across threads). Every write goes through `transaction()`, which takes the write lock up
front (BEGIN IMMEDIATE) so that two stations saving at once wait for each other (busy timeout)
instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rrp.store.errors import (
    ConstraintError,
    DamagedDatabase,
    NewerSchemaError,
    NotAnRrpDatabase,
    StoreError,
    WriteFailed,
)
from rrp.store.schema import MIGRATIONS, RRP_APPLICATION_ID, SCHEMA_VERSION, statements
from rrp.store.verify import verify_schema

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 15_000
SQLITE_HEADER = b"SQLite format 3\x00"


def utc_now() -> str:
    """The current time as an ISO string in UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def default_user() -> str:
    """Who is making changes: RRP_USER if set (a shared PC), else the login name."""
    name = os.environ.get("RRP_USER")
    if name:
        return name
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # noqa: BLE001 - no login name on some systems; still record something
        return "unknown"


def _uri(path: Path, **params: str) -> str:
    """A file: URI for `path` (quoted, so a '?' or '#' in a folder name stays part of the path)."""
    from urllib.parse import quote

    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"file:{quote(Path(path).absolute().as_posix())}?{query}"


def error_name(exc: BaseException) -> str:
    """SQLite's name for an sqlite3 error (SQLITE_CORRUPT, SQLITE_CANTOPEN, ...), else ''."""
    return getattr(exc, "sqlite_errorname", "") or ""


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection that cannot change the file in any way.

    `mode=ro` first. A WAL database on a read-only medium (or in a folder this user cannot write)
    cannot be opened that way, because SQLite cannot create its shared-memory file beside it; then
    it is opened `immutable=1`, which SQLite allows exactly because nothing can change the file.
    Unless changes wait in its -wal file, which `immutable` would ignore: then StoreError.
    """
    path = Path(path)
    options: dict[str, Any] = {"uri": True, "isolation_level": None, "check_same_thread": False,
                               "timeout": BUSY_TIMEOUT_MS / 1000}
    conn = sqlite3.connect(_uri(path, mode="ro"), **options)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # reads the file: fails now, not later
    except sqlite3.OperationalError as exc:
        conn.close()
        if error_name(exc) != "SQLITE_CANTOPEN":
            raise
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            # immutable=1 would ignore the log, so rrp would show the file as it was before
            # those changes: refuse rather than show old figures.
            raise StoreError(
                f"{path} cannot be read here: it is on a read-only medium (or in a folder you cannot "
                f"write) and its latest changes are still in {wal.name}, which SQLite can read only "
                "with write access beside it. It was left untouched; open it once where it can be "
                "written, or copy it together with its -wal file"
            ) from None
        conn = sqlite3.connect(_uri(path, mode="ro", immutable="1"), **options)
    except BaseException:
        conn.close()
        raise
    return conn


def open_for_checking(path: str | Path) -> sqlite3.Connection:
    """A connection for `PRAGMA integrity_check` that also checks the rows against CHECK constraints.

    SQLite leaves CHECK constraints out of the schema it parses for a read-only connection (it
    could not enforce them there), so integrity_check on one silently skips them, and a 5,000
    stored while a CHECK was removed (then put back) passes. This connection is opened read-write,
    so they are parsed, with `query_only` on, so it cannot write. A file that cannot be opened
    read-write falls back to `open_readonly` (CHECKs then unchecked).
    """
    try:
        conn = sqlite3.connect(_uri(Path(path), mode="rw"), uri=True, isolation_level=None,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError:
        return open_readonly(path)
    return conn


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with rrp's pragmas: foreign keys on, WAL, a busy timeout, manual transactions."""
    if readonly:
        conn = open_readonly(path)
    else:
        conn = sqlite3.connect(
            str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def database_error(exc: BaseException) -> StoreError | None:
    """An sqlite3 (or psycopg) error that escaped a command (a damaged page met half-way) as a StoreError.

    For the command line's last net: the store's own calls raise StoreErrors already, but a
    damaged page can be met by any read. None for anything that is not an sqlite3 error.
    """
    if isinstance(exc, sqlite3.Error):
        return unreadable(Path("the database"), exc)
    if type(exc).__module__.startswith("psycopg"):
        from rrp.store.pg import refused

        return refused(exc)
    return None


def unreadable(path: Path, exc: sqlite3.Error) -> StoreError:
    """An SQLite error met while reading `path`, as one line the user can act on."""
    name = error_name(exc)
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in str(exc):
        return DamagedDatabase(
            f"{path} is damaged ({exc}): SQLite cannot read it. It was left untouched; "
            "restore a backup with `rrp restore FILE`"
        )
    if name == "SQLITE_READONLY" or "readonly" in str(exc):
        return WriteFailed(f"database is read-only: {path} ({exc}): nothing was saved")
    return StoreError(f"{path} cannot be read ({exc}); it was left untouched")


def _truncated(path: Path) -> bool:
    """Is the file shorter than its own header says? (A copy cut short, a disk that filled.)

    Only when the header's page count is valid (bytes 92-95 equal the change counter, 24-27),
    no write-ahead log holds newer pages than the file itself, and no rollback journal is waiting
    to put the file back as it was (SQLite does that on the next open).
    """
    wal = Path(f"{path}-wal")
    if (wal.exists() and wal.stat().st_size > 0) or Path(f"{path}-journal").exists():
        return False
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96] and pages > 0
    return valid and pages * page_size > path.stat().st_size


def inspect_file(path: Path, *, verify: bool = True) -> tuple[int, int] | None:
    """(application_id, user_version) of an existing SQLite file; None for a missing/empty file.

    Raises NotAnRrpDatabase for a file that is not SQLite at all or a foreign SQLite file,
    DamagedDatabase for one SQLite cannot read, and (with `verify`) SchemaMismatch for an rrp
    database whose schema is not exactly its version's. Reads without writing.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAnRrpDatabase(f"{path} is not an rrp database (not an SQLite file); it was left untouched")
    if _truncated(path):
        raise DamagedDatabase(
            f"{path} is damaged (the file is shorter than its header says: truncated): it was left "
            "untouched; restore a backup with `rrp restore FILE`"
        )
    try:
        conn = open_readonly(path)
    except sqlite3.Error as exc:
        raise unreadable(path, exc) from None
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if app_id == RRP_APPLICATION_ID and verify and version <= SCHEMA_VERSION:
            verify_schema(conn, version, path)
    except sqlite3.Error as exc:
        raise unreadable(path, exc) from None
    finally:
        conn.close()
    if app_id != RRP_APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return None  # an empty SQLite file: safe to initialise
        raise NotAnRrpDatabase(
            f"{path} is an SQLite database but not an rrp one; it was left untouched"
        )
    return app_id, version


def _read_only_file(path: Path) -> bool:
    """An existing database this user cannot write (no permission, a read-only medium)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def backup_copy(path: Path, label: str) -> Path:
    """A consistent copy of the database beside it (SQLite online backup, safe during writes)."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix or '.sqlite'}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{label}-{stamp}-{counter}{path.suffix or '.sqlite'}")
        counter += 1
    source = open_readonly(path)
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target


class Database:
    """An rrp database file: created, recognised and migrated on open."""

    #: Which engine (rrp.store.pg.PgDatabase is "postgresql"), and the error(s) raised when the
    #: schema refuses a row (a duplicate key, a CHECK, a trigger).
    engine = "sqlite"
    integrity_error = sqlite3.IntegrityError

    def __init__(
        self,
        path: str | Path,
        *,
        who: str | None = None,
        clock: Callable[[], str] = utc_now,
        create: bool = True,
        readonly: bool | None = None,
    ) -> None:
        self.path = Path(path)
        #: Opened read-only: asked for, or a file this user cannot write (then reads work and
        #: every write is refused with one line). None: decided from the file's permissions.
        self.readonly = _read_only_file(self.path) if readonly is None else readonly
        self.who = who or default_user()
        self.clock = clock
        self.migrated_from: int | None = None
        self.backup_path: Path | None = None
        self._local = threading.local()
        self._open(create)

    # -- connections -----------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = connect(self.path, readonly=self.readonly)
                self._check_connection(conn)
            except sqlite3.Error as exc:
                raise unreadable(self.path, exc) from None
            self._local.conn = conn
        return conn

    def _check_connection(self, conn: sqlite3.Connection) -> None:
        """Verify the schema this connection sees (each thread's, not just the first one's).

        Cheap (one read of sqlite_master, compared with a cached copy), and it means a file
        changed after rrp opened it (another program, a newer rrp) is refused, not trusted.
        """
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            raise NewerSchemaError(
                f"{self.path} was written by a newer rrp (schema {version}, this rrp knows "
                f"{SCHEMA_VERSION}); update rrp to open it. The file was left untouched."
            )
        try:
            verify_schema(conn, version, self.path)
        except BaseException:
            conn.close()
            raise

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection wrapped by sqlite-utils, for its query helpers.

        sqlite-utils (which imports pandas when installed) is imported here, on first use, so
        opening a store stays cheap: the app's home screen never needs it.
        """
        import sqlite_utils

        wrapped = getattr(self._local, "db", None)
        if wrapped is None or wrapped.conn is not self.conn:
            wrapped = sqlite_utils.Database(self.conn)
            self._local.db = wrapped
        return wrapped

    def close(self) -> None:
        """Close this thread's connection (other threads close theirs when they end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            self._local.db = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it commits, or none of it (rolled back on any error)."""
        if self.readonly:
            raise WriteFailed(
                f"database is read-only: {self.path} (opened read-only: no write permission, or a "
                "read-only medium): nothing was saved"
            )
        conn = self.conn
        if conn.in_transaction:
            # Nested use joins the outer transaction (a repository call inside a bulk import).
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise write_failed(self.path, exc) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            _rollback(conn)
            raise ConstraintError(f"The database refused the change: {exc}") from exc
        except sqlite3.OperationalError as exc:
            _rollback(conn)
            raise write_failed(self.path, exc) from exc
        except sqlite3.DatabaseError as exc:  # SQLITE_CORRUPT met half-way: nothing was saved
            _rollback(conn)
            raise unreadable(self.path, exc) from exc
        except BaseException:
            _rollback(conn)
            raise

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows as dicts."""
        cursor = self.conn.execute(sql, params)
        columns = [c[0] for c in cursor.description or ()]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def query_one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    # -- what differs between engines (rrp.store.pg.PgDatabase has the same methods) --------

    def columns(self, table: str) -> list[str]:
        """A table's columns, in order (read from the database, so later migrations count)."""
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]

    def tables(self) -> list[str]:
        """The names of rrp's tables in this database (not SQLite's own)."""
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        ).fetchall()
        return sorted(row[0] for row in rows)

    def defer_foreign_keys(self) -> None:
        """Inside a transaction: check references at commit (a cycle may follow one in the batch)."""
        self.conn.execute("PRAGMA defer_foreign_keys = ON")

    def resync_counters(self) -> None:
        """After rows were written with their own ids: nothing to do (AUTOINCREMENT follows them)."""

    def broken_references(self) -> list[str]:
        """Inside a transaction: references that point nowhere, described."""
        return [
            f"a {table} record (rowid {rowid}) refers to a missing {parent}"
            for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check")
        ]

    # -- opening and migrating -------------------------------------------------------------

    def _open(self, create: bool) -> None:
        found = inspect_file(self.path)
        if found is None:
            if not create:
                raise NotAnRrpDatabase(f"{self.path} does not exist (run `rrp init` to create it)")
            if self.readonly:
                raise NotAnRrpDatabase(f"{self.path} does not exist or is empty, and was opened read-only")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._migrate(0)
            return
        _, version = found
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"{self.path} was written by a newer rrp (schema {version}, this rrp knows "
                f"{SCHEMA_VERSION}); update rrp to open it. The file was left untouched."
            )
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise WriteFailed(
                    f"database is read-only: {self.path} has schema {version} and needs upgrading to "
                    f"{SCHEMA_VERSION}, which needs write access; it was left untouched"
                )
            self.backup_path = backup_copy(self.path, f"before-schema-{SCHEMA_VERSION}")
            self.migrated_from = version
            self._migrate(version)

    def _migrate(self, from_version: int) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if from_version == 0:
                conn.execute(f"PRAGMA application_id = {RRP_APPLICATION_ID}")
            for index in range(from_version, SCHEMA_VERSION):
                for statement in statements(MIGRATIONS[index]):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            # The migrated schema must be exactly this release's, or nothing is committed.
            verify_schema(conn, SCHEMA_VERSION, self.path)
            conn.execute(
                "INSERT INTO audit (at, who, table_name, row_key, action, before, after) "
                "VALUES (?, ?, 'schema', '', 'update', ?, ?)",
                (self.clock(), self.who, str(from_version), str(SCHEMA_VERSION)),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open (SQLite ends some on its own: disk full, I/O error)."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def write_failed(path: Path, exc: sqlite3.OperationalError) -> StoreError:
    """A failed write as a message the user can act on (the change was rolled back)."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return WriteFailed(f"database is read-only: {path} ({text}): nothing was saved")
    if "full" in text:
        return WriteFailed(
            f"The disk holding {path} is full ({text}): nothing was saved. Free some space and try again"
        )
    if "locked" in text or "busy" in text:
        return WriteFailed(
            f"{path} was busy for more than {BUSY_TIMEOUT_MS // 1000} s (another station writing?): "
            "nothing was saved. Try again"
        )
    return WriteFailed(f"{path} could not be written ({text}): nothing was saved")
