"""Helpers and fixtures for exchange tests: small databases with the shipped 19-ward registry.

`empty_store` and `demo_store` run each test on both engines (engine_db: an SQLite file, a
PostgreSQL database).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rrp.models.registry_file import parse_registry
from rrp.paths import DATA_DIR
from rrp.store import Store

END = dt.date(2026, 11, 16)
TODAY = dt.date(2026, 11, 23)
HEADER = "ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,occupied_bed_days\n"


def registry_store(path: Path | str, who: str = "test") -> Store:
    store = Store(path, who=who)
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    return store


@pytest.fixture
def empty_store(engine_db: Path | str) -> Store:
    """The registry and no weekly data."""
    return registry_store(engine_db)


@pytest.fixture
def demo_store(engine_db: Path | str) -> Store:
    """A small synthetic collaborative (19 wards, 30 weeks)."""
    from rrp.synthetic import build_demo

    store = Store(engine_db, who="test")
    build_demo(store, weeks=30, end=END)
    return store


def weekly_count(store: Store) -> int:
    return store.database.query_one("SELECT count(*) AS n FROM weekly")["n"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- signed submissions -----------------------------------------------------------------------


def signing_key(provider: str = "NVT"):
    """A new private key of `provider` (in memory: no file)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from rrp.exchange.signing import SigningKey

    return SigningKey(provider, Ed25519PrivateKey.generate())


def enrol(store: Store, key) -> None:
    """The facilitator trusts `key` for its provider's submissions."""
    from base64 import b64encode

    store.keys.enrol(key.provider, b64encode(key.public_raw).decode("ascii"))


def payload_of(path: Path) -> dict:
    """The payload a signed submission file carries (not verified)."""
    import json

    return json.loads(json.loads(path.read_text(encoding="utf-8"))["signed_payload"])


def resign(path: Path, payload: dict, key) -> Path:
    """Write `payload` to `path` as a submission signed with `key` (a provider may sign anything)."""
    import json

    from rrp.exchange.signing import seal
    from rrp.exchange.submission import FORMAT, FORMAT_VERSION, canonical

    path.write_text(json.dumps(seal(FORMAT, FORMAT_VERSION, canonical(payload), key)), encoding="utf-8")
    return path


def station_and_hub(tmp_path: Path, engine_db: Path | str, ward_code: str, key) -> tuple[Store, Store]:
    """A ward station (SQLite) and the facilitator's hub (`engine_db`: either engine), both with 8
    demo weeks to END, agreed on every week: the hub trusts `key` and has merged the ward's first
    signed submission (of `ward_code`)."""
    from rrp.exchange.submission import merge_submission, write_submission
    from rrp.synthetic import build_demo

    ward = Store(tmp_path / "ward.sqlite", who="ward nurse")
    build_demo(ward, weeks=8, end=END)
    hub = Store(engine_db, who="facilitator")
    build_demo(hub, weeks=8, end=END)
    enrol(hub, key)
    first = tmp_path / "first.json"
    write_submission(ward, ward_code, first, key=key)
    merge_submission(hub, first, today=TODAY)
    return ward, hub
