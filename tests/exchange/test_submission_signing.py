"""Signed submissions: forged, altered, misattributed or future-dated files are refused whole.

Issue 15: one ward's file was rewritten to claim another provider's ward and the merge overwrote
101 weeks; a forged updated_at of 9999 then turned that ward's real corrections into conflicts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from exchange_helpers import END, TODAY, enrol, payload_of, registry_store, resign, signing_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrp.exchange.reading import FileRefused
from rrp.exchange.submission import (
    SubmissionRefused,
    merge_submission,
    open_submission,
    write_submission,
)
from rrp.store import Store, audit
from rrp.synthetic import build_demo

WARD = "NVT-ASH"
OTHER_WARD = "ERC-MAPLE"  # a ward of another provider (ERC)
NVT = signing_key("NVT")
ERC = signing_key("ERC")


@pytest.fixture
def ward(tmp_path: Path) -> Store:
    store = Store(tmp_path / "ward.sqlite", who="ward lead")
    build_demo(store, weeks=6, end=END)
    return store


@pytest.fixture
def hub(tmp_path: Path) -> Store:
    """The facilitator's database: the registry and both providers' keys, no records."""
    store = registry_store(tmp_path / "hub.sqlite", who="facilitator")
    from rrp.store.change_package import load_shipped_change_package

    load_shipped_change_package(store)
    enrol(store, NVT)
    enrol(store, ERC)
    return store


@pytest.fixture
def signed(ward: Store, tmp_path: Path) -> Path:
    out = tmp_path / "ash.json"
    write_submission(ward, WARD, out, key=NVT)
    return out


def _state(store: Store) -> tuple[bytes, int]:
    """The database file's bytes (all committed pages checkpointed in) and the size of its WAL."""
    store.database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{store.path}-wal")
    return store.path.read_bytes(), wal.stat().st_size if wal.exists() else 0


def _refused(store: Store, path: Path, match: str) -> None:
    """Refused whole, `match` found in its line or in one of the fields it names."""
    from rrp.exchange.summaries import problem_line

    before = _state(store)
    with pytest.raises(SubmissionRefused) as info:
        merge_submission(store, path, today=TODAY)
    said = [str(info.value), *(problem_line(p) for p in info.value.problems)]
    assert any(re.search(match, line) for line in said), said
    assert _state(store) == before  # byte for byte: nothing written, not even the audit


# -- the genuine path ------------------------------------------------------------------------


def test_signed_round_trip_merges_and_the_audit_names_the_signer(ward: Store, hub: Store, signed: Path) -> None:
    result = merge_submission(hub, signed, today=TODAY)
    assert result.inserted and not result.conflicts
    assert result.signed_by is not None and result.signed_by.provider == "NVT"
    assert result.signed_by.fingerprint == NVT.fingerprint
    assert [w.counts for w in hub.weekly.weeks(WARD)] == [w.counts for w in ward.weekly.weeks(WARD)]
    week = ward.weekly.weeks(WARD)[-1].counts.week_start
    history = audit.history(hub.database, "weekly", f"{WARD}/{week.isoformat()}")
    assert history[-1]["who"] == f"submission:NVT (signed, key {NVT.fingerprint[:16]}; imported by facilitator)"
    logged = hub.database.query_one("SELECT summary FROM sync_submission")
    assert json.loads(logged["summary"])["signed_by"] == "NVT"


def test_the_file_carries_the_signed_bytes_and_names_its_key(signed: Path) -> None:
    data = json.loads(signed.read_text())
    assert set(data) == {"format", "format_version", "provider", "signed_payload", "signature"}
    assert data["format_version"] == 2 and data["provider"] == "NVT"
    assert data["signature"]["algorithm"] == "ed25519" and data["signature"]["key"] == NVT.fingerprint
    payload = payload_of(signed)
    assert payload["provider"]["code"] == "NVT" and payload["ward"]["code"] == WARD
    assert payload["exported_at"] and "deleted" in payload


def test_a_key_of_another_provider_cannot_sign_the_ward(ward: Store, tmp_path: Path) -> None:
    with pytest.raises(SubmissionRefused, match="belongs to NVT"):
        write_submission(ward, WARD, tmp_path / "x.json", key=ERC)
    assert not (tmp_path / "x.json").exists()


# -- forgeries -------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["restraint", "ward", "exported_at", "provider", "deleted"])
def test_a_changed_payload_fails_the_signature(hub: Store, signed: Path, where: str) -> None:
    data = json.loads(signed.read_text())
    payload = payload_of(signed)
    if where == "restraint":
        payload["tables"]["weekly"][0]["restraint"] += 1
    elif where == "ward":
        payload["ward"]["name"] += " "
    elif where == "exported_at":
        payload["exported_at"] = "2026-01-01T00:00:00Z"
    elif where == "provider":
        payload["provider"]["code"] = "ERC"
    else:
        payload["deleted"] = [{"table": "weekly", "record": payload["tables"]["weekly"][0], "reason": "x"}]
    data["signed_payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    signed.write_text(json.dumps(data))
    _refused(hub, signed, "fails its signature")


def test_a_changed_signature_is_refused(hub: Store, signed: Path) -> None:
    import base64

    data = json.loads(signed.read_text())
    raw = bytearray(base64.b64decode(data["signature"]["value"]))
    raw[10] ^= 1
    data["signature"]["value"] = base64.b64encode(bytes(raw)).decode()
    signed.write_text(json.dumps(data))
    _refused(hub, signed, "fails its signature")


def test_signed_by_one_provider_claiming_another(hub: Store, signed: Path) -> None:
    """NVT's genuine signature, the envelope relabelled ERC: ERC's key does not verify it."""
    data = json.loads(signed.read_text())
    data["provider"] = "ERC"
    signed.write_text(json.dumps(data))
    _refused(hub, signed, "not signed with the key enrolled for ERC")


def test_a_provider_cannot_sign_a_payload_claiming_another_provider(hub: Store, signed: Path) -> None:
    payload = payload_of(signed)
    payload["provider"] = {"code": "ERC", "name": "Eastridge Care NHS Trust (fictional)"}
    resign(signed, payload, NVT)
    _refused(hub, signed, "signed by NVT but claims to be from provider 'ERC'")


def test_the_forgery_of_issue_15_is_refused_whole(ward: Store, hub: Store, signed: Path) -> None:
    """NVT's file rewritten to claim ERC's ward: unsigned by ERC, and not NVT's to sign."""
    erc = Store(hub.path.with_name("erc.sqlite"), who="erc lead")
    build_demo(erc, weeks=6, end=END)
    genuine = hub.path.with_name("maple.json")
    write_submission(erc, OTHER_WARD, genuine, key=ERC)
    merge_submission(hub, genuine, today=TODAY)  # ERC-MAPLE's real weeks, from ERC
    maple = [w.counts for w in hub.weekly.weeks(OTHER_WARD)]
    assert maple
    payload = payload_of(signed)
    erc_ward = next(w for w in hub.registry.wards() if w.code == OTHER_WARD).model_dump(mode="json")
    forged = {**payload, "ward": {**erc_ward, "provider_code": "NVT"}}
    for rows in forged["tables"].values():
        for row in rows:
            row["ward_code"] = OTHER_WARD
    # Kept NVT's signature: it no longer matches.
    data = json.loads(signed.read_text())
    data["signed_payload"] = json.dumps(forged, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    signed.write_text(json.dumps(data))
    _refused(hub, signed, "fails its signature")
    # Signed again by NVT (an insider with NVT's key): ERC-MAPLE is not NVT's ward.
    resign(signed, forged, NVT)
    _refused(hub, signed, f"ward '{OTHER_WARD}', which is not one of NVT's wards")
    # Claiming to be ERC too, still signed by NVT: refused before anything is read.
    data = json.loads(signed.read_text())
    data["provider"] = "ERC"
    signed.write_text(json.dumps(data))
    _refused(hub, signed, "not signed with the key enrolled for ERC")
    # Honest about the ward's provider, signed by NVT: still not NVT's to send.
    resign(signed, {**forged, "ward": erc_ward}, NVT)
    _refused(hub, signed, "signed by NVT but says its ward belongs to 'ERC'")
    assert [w.counts for w in hub.weekly.weeks(OTHER_WARD)] == maple


def test_one_record_of_another_providers_ward_refuses_the_whole_file(hub: Store, signed: Path) -> None:
    payload = payload_of(signed)
    payload["tables"]["weekly"][-1]["ward_code"] = OTHER_WARD
    resign(signed, payload, NVT)
    _refused(hub, signed, f"a weekly record is for ward '{OTHER_WARD}'")
    assert hub.weekly.weeks(WARD) == []


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("updated_at", "9999-12-31T00:00:00Z", "weekly.updated_at: 9999-12-31T00:00:00Z is in the future"),
        ("updated_at", "9999", "is not a time"),  # compared as text, "9999" beat every real time
        ("exported_at", "9999-01-01T00:00:00Z", "exported_at: 9999-01-01T00:00:00Z is in the future"),
        ("updated_at", "not a time", "is not a time"),
    ],
)
def test_a_time_in_the_future_is_refused(hub: Store, signed: Path, field: str, value: str, match: str) -> None:
    payload = payload_of(signed)
    if field == "exported_at":
        payload["exported_at"] = value
    else:
        payload["tables"]["weekly"][0][field] = value
    resign(signed, payload, NVT)
    _refused(hub, signed, match)


def test_a_clock_a_little_ahead_is_allowed_but_not_more(hub: Store, signed: Path) -> None:
    from rrp.exchange.trust import CLOCK_SKEW

    now = dt.datetime.now(dt.UTC)
    payload = payload_of(signed)
    payload["exported_at"] = (now + CLOCK_SKEW / 2).strftime("%Y-%m-%dT%H:%M:%SZ")
    resign(signed, payload, NVT)
    assert merge_submission(hub, signed, dry_run=True, today=TODAY).inserted
    payload["exported_at"] = (now + CLOCK_SKEW * 2).strftime("%Y-%m-%dT%H:%M:%SZ")
    resign(signed, payload, NVT)
    _refused(hub, signed, "in the future")


def test_unknown_key_refused(hub: Store, ward: Store, tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    write_submission(ward, WARD, out, key=signing_key("NVT"))  # a key NVT never enrolled
    _refused(hub, out, "not signed with the key enrolled for NVT")


def test_no_key_enrolled_refused(ward: Store, signed: Path, tmp_path: Path) -> None:
    bare = registry_store(tmp_path / "bare.sqlite")
    _refused(bare, signed, "has no key enrolled here")


def test_revoked_key_refused_and_a_new_key_works(hub: Store, ward: Store, signed: Path, tmp_path: Path) -> None:
    hub.keys.revoke("NVT")
    _refused(hub, signed, "revoked at")
    replacement = signing_key("NVT")
    enrol(hub, replacement)
    _refused(hub, signed, "revoked at")  # the old key stays revoked
    out = tmp_path / "new.json"
    write_submission(ward, WARD, out, key=replacement)
    assert merge_submission(hub, out, today=TODAY).inserted


def test_enrolling_a_new_key_revokes_the_old_and_is_audited(hub: Store) -> None:
    old = hub.keys.in_use("NVT")
    replacement = signing_key("NVT")
    enrol(hub, replacement)
    assert hub.keys.in_use("NVT").fingerprint == replacement.fingerprint
    assert hub.keys.by_fingerprint(old.fingerprint).revoked_at is not None
    actions = [r["action"] for r in hub.database.query("SELECT action FROM audit WHERE table_name = 'provider_key'")]
    assert actions.count("insert") == 3 and actions.count("update") == 1


def test_a_key_enrolled_for_one_provider_cannot_be_enrolled_for_another(hub: Store) -> None:
    from base64 import b64encode

    from rrp.store import ConstraintError

    with pytest.raises(ConstraintError, match="already enrolled for provider NVT"):
        hub.keys.enrol("ERC", b64encode(NVT.public_raw).decode())


def test_an_unsigned_submission_is_refused(hub: Store, signed: Path) -> None:
    """Format 1 (a plain sha256 anyone can recompute) is refused, however well it checks out."""
    import hashlib

    from rrp.exchange.submission import canonical

    payload = payload_of(signed)
    payload["format_version"] = 1
    payload.pop("deleted")
    payload["checksum"] = {"algorithm": "sha256", "value": hashlib.sha256(canonical(payload)).hexdigest()}
    signed.write_text(json.dumps(payload))
    _refused(hub, signed, "unsigned submission.*must be signed")


# -- deletions -------------------------------------------------------------------------------


def _delete(store: Store, day: dt.date, reason: str) -> None:
    stored = store.weekly.week(WARD, day)
    store.weekly.delete(WARD, day, reason=reason, expected_version=stored.version)


def test_deletions_travel_and_apply(ward: Store, hub: Store, tmp_path: Path) -> None:
    first = tmp_path / "1.json"
    write_submission(ward, WARD, first, key=NVT)
    merge_submission(hub, first, today=TODAY)
    day = END - dt.timedelta(weeks=2)
    _delete(ward, day, "entered for the wrong ward")
    second = tmp_path / "2.json"
    written = write_submission(ward, WARD, second, key=NVT)
    assert written.counts["deleted"] == 1
    assert payload_of(second)["deleted"][0]["reason"] == "entered for the wrong ward"
    result = merge_submission(hub, second, today=TODAY)
    ref = f"weekly:{WARD}/{day.isoformat()}"
    assert result.deleted == [ref] and not result.conflicts
    assert hub.weekly.week(WARD, day) is None
    last = audit.history(hub.database, "weekly", f"{WARD}/{day.isoformat()}")[-1]
    assert last["action"] == "delete" and last["after"] == {"reason": "entered for the wrong ward"}
    assert last["who"].startswith("submission:NVT (signed, key ")
    again = merge_submission(hub, second, today=TODAY)
    assert again.unchanged and not again.deleted and not again.conflicts

    # The ward enters the week again: the next submission brings it back.
    week = ward.weekly.weeks(WARD)[0].counts.model_copy(update={"week_start": day})
    ward.weekly.save(week, expected_version=None, today=TODAY)
    third = tmp_path / "3.json"
    assert write_submission(ward, WARD, third, key=NVT).counts["deleted"] == 0
    assert merge_submission(hub, third, today=TODAY).inserted == [ref]
    assert hub.weekly.week(WARD, day).counts == week


def test_an_old_copy_of_a_deleted_week_does_not_come_back_silently(ward: Store, hub: Store, tmp_path: Path) -> None:
    first = tmp_path / "1.json"
    write_submission(ward, WARD, first, key=NVT)
    merge_submission(hub, first, today=TODAY)
    day = END - dt.timedelta(weeks=2)
    _delete(ward, day, "duplicate")
    second = tmp_path / "2.json"
    write_submission(ward, WARD, second, key=NVT)
    assert merge_submission(hub, second, today=TODAY).deleted
    # An older file imported again: its copy of the week predates the deletion.
    old = payload_of(first)
    for row in old["tables"]["weekly"]:
        row["updated_at"] = "2026-01-05T09:00:00Z"
    resign(first, old, NVT)
    ref = f"weekly:{WARD}/{day.isoformat()}"
    result = merge_submission(hub, first, today=TODAY)
    assert ref in [c.ref for c in result.conflicts] and hub.weekly.week(WARD, day) is None


def test_a_deletion_of_a_week_edited_here_is_a_conflict(ward: Store, hub: Store, tmp_path: Path) -> None:
    first = tmp_path / "1.json"
    write_submission(ward, WARD, first, key=NVT)
    merge_submission(hub, first, today=TODAY)
    day = END - dt.timedelta(weeks=1)
    stored = hub.weekly.week(WARD, day)
    hub.weekly.save(stored.counts.model_copy(update={"seclusion": 9}), expected_version=stored.version, today=TODAY)
    _delete(ward, day, "duplicate")
    second = tmp_path / "2.json"
    write_submission(ward, WARD, second, key=NVT)
    ref = f"weekly:{WARD}/{day.isoformat()}"
    result = merge_submission(hub, second, today=TODAY)
    assert [c.ref for c in result.conflicts] == [ref] and hub.weekly.week(WARD, day) is not None
    assert "deleted there: duplicate" in str(result.conflicts[0].differences())
    merge_submission(hub, second, take={ref: "theirs"}, today=TODAY)
    assert hub.weekly.week(WARD, day) is None


def test_a_deletion_must_give_a_reason(hub: Store, signed: Path) -> None:
    payload = payload_of(signed)
    gone = payload["tables"]["weekly"].pop()
    payload["deleted"] = [{"table": "weekly", "record": gone, "deleted_at": gone["updated_at"],
                           "deleted_by": "x", "reason": "   "}]
    resign(signed, payload, NVT)
    before = _state(hub)
    with pytest.raises(SubmissionRefused) as info:
        merge_submission(hub, signed, today=TODAY)
    assert "reason" in info.value.problems[0].column.lower()
    assert _state(hub) == before


def test_week_delete_refuses_a_stale_version_and_an_empty_reason(ward: Store) -> None:
    from pydantic import ValidationError

    from rrp.store import StaleEditError, UnknownRecord

    stored = ward.weekly.weeks(WARD)[0]
    day = stored.counts.week_start
    with pytest.raises(StaleEditError):
        ward.weekly.delete(WARD, day, reason="mistake", expected_version=stored.version + 1)
    with pytest.raises(ValidationError):
        ward.weekly.delete(WARD, day, reason=" ", expected_version=stored.version)
    assert ward.weekly.week(WARD, day) is not None
    ward.weekly.delete(WARD, day, reason="mistake", expected_version=stored.version)
    with pytest.raises(UnknownRecord):
        ward.weekly.delete(WARD, day, reason="mistake", expected_version=stored.version)


# -- no mutation of a signed file is ever merged ------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, bytes, dict]:
    folder = tmp_path_factory.mktemp("fuzz")
    ward = Store(folder / "ward.sqlite", who="ward")
    build_demo(ward, weeks=2, end=END)
    hub = registry_store(folder / "hub.sqlite", who="facilitator")
    enrol(hub, NVT)
    enrol(hub, ERC)
    out = folder / "s.json"
    write_submission(ward, WARD, out, key=NVT)
    return hub, out.read_bytes(), payload_of(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_mutations_of_a_signed_file_are_never_merged(
    fuzz_case: tuple[Store, bytes, dict], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """A changed byte is refused, unless it leaves the same signed payload (JSON whitespace, an
    escape spelled another way): what is merged is always exactly what the provider signed."""
    hub, original, payload = fuzz_case
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        at = data.draw(st.integers(0, len(mutated) - 1), label="at")
        mutated[at] = data.draw(st.integers(0, 255).filter(lambda b, at=at: b != mutated[at]), label="byte")
    path = tmp_path_factory.mktemp("mutant") / "s.json"
    path.write_bytes(bytes(mutated))
    try:
        found, signed_by = open_submission(path, hub)
    except (SubmissionRefused, FileRefused):
        return
    found.pop("checksum")
    assert found == payload and signed_by.provider == "NVT"
