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
    NewerSchemaError,
    NotAnRrpDatabase,
    StoreError,
    WriteFailed,
)
from rrp.store.schema import MIGRATIONS, RRP_APPLICATION_ID, SCHEMA_VERSION

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


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with rrp's pragmas: foreign keys on, WAL, a busy timeout, manual transactions."""
    if readonly:
        conn = sqlite3.connect(
            f"file:{Path(path).as_posix()}?mode=ro", uri=True, isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
        )
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


def inspect_file(path: Path) -> tuple[int, int] | None:
    """(application_id, user_version) of an existing SQLite file; None for a missing/empty file.

    Raises NotAnRrpDatabase for a file that is not SQLite at all. Reads without writing.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAnRrpDatabase(f"{path} is not an rrp database (not an SQLite file); it was left untouched")
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise NotAnRrpDatabase(f"{path} is not a readable SQLite database ({exc}); it was left untouched") from exc
    finally:
        conn.close()
    if app_id != RRP_APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return None  # an empty SQLite file: safe to initialise
        raise NotAnRrpDatabase(
            f"{path} is an SQLite database but not an rrp one; it was left untouched"
        )
    return app_id, version


def backup_copy(path: Path, label: str) -> Path:
    """A consistent copy of the database beside it (SQLite online backup, safe during writes)."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix or '.sqlite'}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{label}-{stamp}-{counter}{path.suffix or '.sqlite'}")
        counter += 1
    source = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target


class Database:
    """An rrp database file: created, recognised and migrated on open."""

    def __init__(
        self,
        path: str | Path,
        *,
        who: str | None = None,
        clock: Callable[[], str] = utc_now,
        create: bool = True,
    ) -> None:
        self.path = Path(path)
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
            conn = connect(self.path)
            self._local.conn = conn
        return conn

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

    # -- opening and migrating -------------------------------------------------------------

    def _open(self, create: bool) -> None:
        found = inspect_file(self.path)
        if found is None:
            if not create:
                raise NotAnRrpDatabase(f"{self.path} does not exist (run `rrp init` to create it)")
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
                for statement in _statements(MIGRATIONS[index]):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
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
        return WriteFailed(f"{path} is read-only ({text}): nothing was saved")
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


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (triggers contain ';' inside BEGIN ... END)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
