"""The provider_key table: one key in use per provider, a revoked key stays revoked, all audited.

On both engines (`engine_db`): the schema's own rules are proved with a raw connection of each.
"""

from __future__ import annotations

import sqlite3
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rrp.models.registry_file import parse_registry
from rrp.paths import DATA_DIR
from rrp.store import ConstraintError, Store, UnknownRecord

KEY_A = b64encode(bytes(range(32))).decode()
KEY_B = b64encode(bytes(range(1, 33))).decode()


@pytest.fixture
def store(engine_db: Path | str) -> Store:
    store = Store(engine_db, who="facilitator")
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    return store


def _raw(target: Path | str) -> tuple[Callable[..., Any], type[Exception], Callable[[], None]]:
    """(execute, the engine's integrity error, close) of a raw autocommit connection to the
    database at `target`: past rrp's own checks, so only the schema can refuse."""
    if isinstance(target, Path):
        conn = sqlite3.connect(target, isolation_level=None)  # a refused write holds no lock
        return conn.execute, sqlite3.IntegrityError, conn.close
    import psycopg

    pg = psycopg.connect(target, autocommit=True)
    return (lambda sql, params=(): pg.execute(sql.replace("?", "%s"), params)), psycopg.IntegrityError, pg.close


def test_enrol_replaces_and_revokes(store: Store) -> None:
    first = store.keys.enrol("NVT", KEY_A)
    assert store.keys.enrol("nvt", KEY_A) == first  # the same key again: nothing changes
    second = store.keys.enrol("NVT", KEY_B)
    assert store.keys.in_use("NVT") == second
    old = store.keys.by_fingerprint(first.fingerprint)
    assert old.revoked_at is not None and old.revoked_by == "facilitator" and old.version == 2
    with pytest.raises(ConstraintError, match="was revoked"):
        store.keys.enrol("NVT", KEY_A)


@pytest.mark.parametrize("bad", ["", "AAAA", "not base64!", b64encode(bytes(31)).decode()])
def test_only_32_byte_keys(store: Store, bad: str) -> None:
    with pytest.raises(ConstraintError):
        store.keys.enrol("NVT", bad)
    assert store.keys.all() == []


def test_unknown_provider_and_nothing_to_revoke(store: Store) -> None:
    with pytest.raises(UnknownRecord):
        store.keys.enrol("ZZZ", KEY_A)
    with pytest.raises(UnknownRecord):
        store.keys.revoke("NVT")


def test_the_schema_keeps_a_revoked_key_revoked_and_one_key_in_use(store: Store, engine_db: Path | str) -> None:
    store.keys.enrol("NVT", KEY_A)
    store.keys.revoke("NVT")
    execute, integrity_error, close = _raw(engine_db)
    try:
        with pytest.raises(integrity_error, match="stays revoked"):
            execute("UPDATE provider_key SET revoked_at = NULL, revoked_by = NULL")
        store.keys.enrol("NVT", KEY_B)
        with pytest.raises(integrity_error):
            execute(
                "INSERT INTO provider_key (provider_code, public_key, fingerprint, enrolled_at, enrolled_by) "
                "VALUES ('NVT', ?, ?, 'now', 'x')", (b64encode(bytes(32)).decode(), "0" * 64),
            )
        with pytest.raises(integrity_error):  # the CHECKs: 44 base64 characters, a 64-character fingerprint
            execute(
                "INSERT INTO provider_key (provider_code, public_key, fingerprint, enrolled_at, enrolled_by) "
                "VALUES ('ERC', 'short', ?, 'now', 'x')", ("1" * 64,),
            )
    finally:
        close()
