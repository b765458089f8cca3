"""Verifying a database's schema against the exact schema this release expects.

A database file is data from outside: someone may have added a trigger that rewrites another
provider's counts, put a view where the weekly table should be, or dropped a CHECK. SQLite runs
whatever schema it finds, so before a file is used, backed up or restored, every object in its
`sqlite_master` (tables, views, triggers, indexes, SQLite's own internal tables) is compared with
the schema that the release's own DDL produces (`schema.MIGRATIONS`, executed into an in-memory
database: one definition, never a hand-kept list). Anything extra, missing or altered is refused.

Why comparing `sqlite_master` is enough: SQLite builds its whole schema (columns, types,
constraints, foreign keys, index columns, trigger bodies) by parsing the `sql` text stored there on
every open, so equal text means an equal schema. The text is compared after removing comments and
collapsing whitespace outside string literals; identifiers' quoting and case are NOT folded,
because rrp writes this text itself and a genuine file matches it exactly (folding would only widen
what is accepted). When the text differs, PRAGMA table_xinfo / foreign_key_list name what changed.

An older file is verified against the schema of ITS version (MIGRATIONS[:version]), before it is
backed up or migrated; the migration then checks that it produced exactly the current schema
before it commits.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from rrp import __version__
from rrp.store.errors import SchemaMismatch
from rrp.store.schema import MIGRATIONS, statements


@dataclass(frozen=True)
class SchemaObject:
    """One row of sqlite_master, as compared."""

    type: str
    name: str
    tbl_name: str
    sql: str | None


#: A token of SQL text that must be kept as it is (a literal or quoted identifier), a comment to
#: drop, or a run of whitespace to collapse. Everything else is kept character for character.
_LEXEMES = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]"""  # literals, quoted names
    r"""|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$)"""  # comments
    r"""|\s+""",
    re.DOTALL,
)


def normalise_sql(sql: str | None) -> str | None:
    """SQL text without comments and with whitespace outside literals collapsed to one space."""
    if sql is None:
        return None

    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if text[0] in "'\"`[":
            return text
        return " "  # a comment or whitespace separates tokens exactly as one space does

    return re.sub(r" +", " ", _LEXEMES.sub(one, sql)).strip()


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, bool], SchemaObject]:
    """sqlite_master keyed by (name, is a trigger): triggers have their own namespace in SQLite."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    objects = {(name, kind == "trigger"): SchemaObject(kind, name, tbl_name, sql) for kind, name, tbl_name, sql in rows}
    if len(objects) != len(rows):  # only a hand-edited sqlite_master can hold a name twice
        objects[("", False)] = SchemaObject("entry", "(a name listed twice)", "", None)
    return objects


#: The in-memory expected schemas are shared by every thread; only the (rare) hint reads them.
_EXPECTED_LOCK = threading.Lock()


@functools.cache
def _expected_connection(version: int) -> sqlite3.Connection:
    """An in-memory database holding exactly the schema of `version`, built from the release's DDL."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    for script in MIGRATIONS[:version]:
        for statement in statements(script):
            conn.execute(statement)
    return conn


@functools.cache
def expected_objects(version: int) -> dict[tuple[str, bool], SchemaObject]:
    """What sqlite_master holds in a genuine database of schema `version` (0: a new, empty file)."""
    if not 0 <= version <= len(MIGRATIONS):
        raise ValueError(f"no schema version {version}")
    with _EXPECTED_LOCK:
        return _objects(_expected_connection(version))


def schema_differences(conn: sqlite3.Connection, version: int) -> list[str]:
    """Each way the schema in `conn` differs from schema `version`, in words; [] when identical."""
    expected = expected_objects(version)
    found = _objects(conn)
    differences: list[str] = []
    for key, obj in found.items():
        if key not in expected:
            differences.append(f"extra {_describe(obj)}")
    for key, want in expected.items():
        have = found.get(key)
        if have is None:
            differences.append(f"missing {_describe(want)}")
        elif have.type != want.type:
            differences.append(f"{want.type} {_quoted(want.name)} replaced by a {have.type}")
        elif have.sql == want.sql and have.tbl_name == want.tbl_name:
            continue  # the common case: byte-identical text, no normalising needed
        elif have.tbl_name != want.tbl_name or normalise_sql(have.sql) != normalise_sql(want.sql):
            differences.append(f"{_describe(want)} altered{_how(conn, version, want, have)}")
    return sorted(differences)


def verify_schema(conn: sqlite3.Connection, version: int, path: Path | str) -> None:
    """Raise SchemaMismatch, naming every difference, unless `conn` holds exactly schema `version`."""
    differences = schema_differences(conn, version)
    if differences:
        raise SchemaMismatch(
            f"refused {path}: its schema differs from what rrp {__version__} expects "
            f"(schema {version}): {'; '.join(differences)}. It was left untouched",
            differences,
        )


def _describe(obj: SchemaObject) -> str:
    if obj.type in ("trigger", "index") and obj.tbl_name != obj.name:
        return f"{obj.type} {_quoted(obj.name)} on {_quoted(obj.tbl_name)}"
    return f"{obj.type} {_quoted(obj.name)}"


def _quoted(name: str) -> str:
    """A name from the file, quoted, with any line break or control character shown escaped.

    The name is the attacker's text: it must not start a new line in the one-line refusal.
    """
    return repr(name)


def _how(conn: sqlite3.Connection, version: int, want: SchemaObject, have: SchemaObject) -> str:
    """A short hint of what changed in an altered object (only computed when one is)."""
    if have.tbl_name != want.tbl_name:
        return f" (now on {_quoted(have.tbl_name)}, expected {_quoted(want.tbl_name)})"
    if want.type != "table":
        return ""
    hints: list[str] = []
    try:
        with _EXPECTED_LOCK:
            expected_conn = _expected_connection(version)
            want_columns = _columns(expected_conn, want.name)
            want_keys = _foreign_keys(expected_conn, want.name)
        have_columns = _columns(conn, have.name)
        for name in have_columns.keys() - want_columns.keys():
            hints.append(f"column {_quoted(name)} added")
        for name in want_columns.keys() - have_columns.keys():
            hints.append(f"column {_quoted(name)} removed")
        for name in want_columns.keys() & have_columns.keys():
            if want_columns[name] != have_columns[name]:
                hints.append(f"column {_quoted(name)} changed")
        if want_keys != _foreign_keys(conn, have.name):
            hints.append("foreign keys changed")
    except sqlite3.Error:
        pass  # a hint only: the difference itself is already known
    checks_wanted, checks_found = _check_count(want.sql), _check_count(have.sql)
    if checks_found < checks_wanted:
        hints.append("CHECK removed")
    elif checks_found > checks_wanted:
        hints.append("CHECK added")
    if not hints:
        hints.append("constraint or definition changed")
    return f" ({', '.join(sorted(hints))})"


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple]:
    rows = conn.execute("SELECT * FROM pragma_table_xinfo(?)", (table,)).fetchall()
    # cid, name, type, notnull, dflt_value, pk, hidden: all but the position
    return {row[1]: tuple(row[2:]) for row in rows}


def _foreign_keys(conn: sqlite3.Connection, table: str) -> list[tuple]:
    return sorted(tuple(row[2:]) for row in conn.execute("SELECT * FROM pragma_foreign_key_list(?)", (table,)))


def _check_count(sql: str | None) -> int:
    text = normalise_sql(sql) or ""
    # Only outside literals: blank the literals before counting the keyword.
    bare = re.sub(r"'(?:[^']|'')*'", "''", text)
    return len(re.findall(r"\bcheck\b", bare, flags=re.IGNORECASE))
