"""Verifying a PostgreSQL database's schema against the exact schema this release expects.

As `rrp.store.verify` does for an SQLite file: the schema found is compared with the schema the
release's own DDL produces (`pg_schema.PG_MIGRATIONS[:version]`, run into a throwaway schema in
the same database and rolled back: one definition, never a hand-kept list). Compared: every
relation (tables, views, indexes, sequences), column (type, nullability, default), constraint
(its full definition), trigger, function body, and row-level security policy of the schema.
Anything extra, missing or altered is refused with SchemaMismatch, naming each difference.

Building the expected schema takes the server ~50 ms, on every start of rrp. Its result depends
only on the release's DDL and the server's version, so it is kept in rrp's cache folder
(rrp.paths.cache_dir) under a name made from both, and read from there by later starts: the
cache holds what this release's own DDL produced on this server version, never anything read
from the database being verified. A cache file that cannot be read or is not a signature is
ignored (the schema is built again); one that cannot be written is not kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from rrp import __version__
from rrp.store.errors import SchemaMismatch
from rrp.store.pg_schema import PG_MIGRATIONS

_CACHE: dict[int, dict[str, str]] = {}
_LOCK = threading.Lock()

_QUERIES = {
    "relation": "SELECT c.relname, c.relkind::text || CASE WHEN c.relrowsecurity THEN ' rls' ELSE '' END "
                "FROM pg_class c WHERE c.relnamespace = %(ns)s::regnamespace",
    # pg_attribute, not information_schema: the latter hides columns of tables the user cannot read.
    "column": "SELECT c.relname || '.' || a.attname, concat_ws(' ', format_type(a.atttypid, a.atttypmod), "
              "a.attnotnull::text, a.attidentity, pg_get_expr(d.adbin, d.adrelid)) FROM pg_attribute a "
              "JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
              "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
              "AND c.relnamespace = %(ns)s::regnamespace",
    "constraint": "SELECT c.relname || '.' || k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
                  "JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = %(ns)s::regnamespace",
    "index": "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_class c "
             "WHERE c.relkind = 'i' AND c.relnamespace = %(ns)s::regnamespace",
    "trigger": "SELECT c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
               "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = %(ns)s::regnamespace",
    "function": "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
                "p.prosrc || ' ' || p.provolatile::text || ' ' || p.prosecdef::text FROM pg_proc p "
                "WHERE p.pronamespace = %(ns)s::regnamespace",
    "policy": "SELECT tablename || '.' || policyname, concat_ws(' ', permissive, roles::text, cmd, qual, with_check) "
              "FROM pg_policies WHERE schemaname = %(ns)s",
}

#: Every kind in one round trip (a regional server can be a network away).
_ALL_QUERIES = " UNION ALL ".join(
    f"SELECT '{kind}', name::text, definition::text FROM ({sql}) AS {kind}_rows (name, definition)"
    for kind, sql in _QUERIES.items()
)


def schema_signature(raw: Any, namespace: str) -> dict[str, str]:
    """Every schema object of `namespace` as "kind name" -> its definition (schema names removed)."""
    qualified = re.compile(rf'(?<![\w"]){re.escape(namespace)}\.')
    found: dict[str, str] = {}
    for kind, name, definition in raw.execute(_ALL_QUERIES, {"ns": namespace}).fetchall():
        found[f"{kind} {name!r}"] = qualified.sub("", definition or "")
    return found


def expected_signature(raw: Any, version: int) -> dict[str, str]:
    """The signature of a genuine schema `version`, built in a throwaway schema and rolled back.

    A role that may not create a schema (a provider's staff) cannot build it: then the signature
    recorded by the owner when it migrated (and verified) the database is used. Such a role
    cannot alter the schema or that record either: in PostgreSQL only the owner changes tables.
    """
    with _LOCK:
        if version in _CACHE:
            return _CACHE[version]
    server = str(raw.info.server_version)  # known from the connection: no round trip
    cached = _read_cached(_cache_file(version, server))
    if cached is not None:
        with _LOCK:
            _CACHE[version] = cached
        return cached
    may_create = raw.execute("SELECT has_database_privilege(current_database(), 'CREATE')").fetchone()[0]
    if not may_create:
        row = raw.execute("SELECT signature FROM rrp_schema WHERE version = %s", (version,)).fetchone()
        if row is None or not row[0]:
            raise SchemaMismatch(
                "this PostgreSQL role may not create a schema, and the database holds no verified "
                "record of its schema: open it once as its owner",
                ["no recorded schema"],
            )
        return json.loads(row[0])
    namespace = f"rrp_expected_{os.getpid()}_{threading.get_ident() % 100000}"
    nested = raw.info.transaction_status != 0  # already inside a transaction: use a savepoint
    raw.execute(f"SAVEPOINT {namespace}" if nested else "BEGIN")
    try:
        search_path = raw.execute("SHOW search_path").fetchone()[0]
        raw.execute(f"CREATE SCHEMA {namespace}")
        raw.execute(f"SET LOCAL search_path = {namespace}")
        for script in PG_MIGRATIONS[:version]:
            raw.execute(script)
        signature = schema_signature(raw, namespace)
    finally:
        raw.execute(f"ROLLBACK TO SAVEPOINT {namespace}" if nested else "ROLLBACK")
        if nested:
            raw.execute(f"SET LOCAL search_path = {search_path}")
    with _LOCK:
        _CACHE[version] = signature
    _write_cached(_cache_file(version, server), signature)
    return signature


def _cache_file(version: int, server: str) -> Path:
    """Where the expected signature of schema `version` on a server of version `server` is kept:
    named by a digest of everything it is made from (the DDL, the server, the queries, rrp)."""
    from rrp.paths import cache_dir

    made_from = json.dumps([__version__, server, PG_MIGRATIONS[:version], _QUERIES], sort_keys=True)
    return cache_dir() / f"pg-schema-{version}-{hashlib.sha256(made_from.encode()).hexdigest()[:32]}.json"


def _read_cached(path: Path) -> dict[str, str] | None:
    """A kept signature, or None (none kept, unreadable, or not a signature: built again)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or not found or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        return None
    return found


def _write_cached(path: Path, signature: dict[str, str]) -> None:
    """Keep `signature` (written whole or not at all: another rrp may be reading it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        partial.write_text(json.dumps(signature, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # a cache: the next start builds it again


def schema_differences(raw: Any, version: int) -> list[str]:
    """Each way the current schema differs from schema `version`, in words; [] when identical."""
    expected = expected_signature(raw, version)
    namespace = raw.execute("SELECT current_schema()").fetchone()[0]
    found = schema_signature(raw, namespace)
    differences = [f"extra {key}" for key in found.keys() - expected.keys()]
    differences += [f"missing {key}" for key in expected.keys() - found.keys()]
    differences += [f"{key} altered" for key in expected.keys() & found.keys() if expected[key] != found[key]]
    return sorted(differences)


def verify_pg_schema(conn: Any, version: int, where: str) -> None:
    """Raise SchemaMismatch, naming every difference, unless the database holds exactly `version`."""
    raw = getattr(conn, "raw", conn)
    differences = schema_differences(raw, version)
    if differences:
        raise SchemaMismatch(
            f"refused {where}: its schema differs from what rrp {__version__} expects "
            f"(schema {version}): {'; '.join(differences)}. It was left untouched",
            differences,
        )
