"""Fuzzing every reader: random bytes and random mutations of valid files, through each importer.

The property: a clean result, or a clear refusal (an ExchangeError or StoreError with a message in
words, no SQL), never any other exception. Valid CSV, XLSX and submission files are mutated at the
byte level, inside the XLSX's sheet XML (re-zipped), and field by field inside a submission's
payload (signed again with the corpus key, enrolled in the fuzz database, so the field validation,
not the signature, has to catch it). A byte changed in a signed file must be refused (the
signature) unless it leaves the signed payload exactly as it was (JSON whitespace, an escape).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

from hostile_corpus import CORPUS, HEADER, base_submission, resign
from hostile_helpers import TODAY, make_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrp.exchange.pdsa_import import import_pdsa
from rrp.exchange.reading import ExchangeError
from rrp.exchange.registry_import import import_registry
from rrp.exchange.submission import merge_submission, open_submission
from rrp.exchange.weekly_import import import_weekly
from rrp.store import Store
from rrp.store.errors import StoreError

_DIR = Path(tempfile.mkdtemp(prefix="rrp-hostile-fuzz-"))
_STORE = Store(make_database(_DIR / "fuzz.sqlite"), who="fuzz")

IMPORTERS = {
    "weekly": lambda path: import_weekly(_STORE, path, dry_run=True, today=TODAY),
    "wards": lambda path: import_registry(_STORE, path, dry_run=True),
    "pdsa": lambda path: import_pdsa(_STORE, path, dry_run=True),
    "submission": lambda path: merge_submission(_STORE, path, dry_run=True, today=TODAY),
}
VALID_CSV = {
    "weekly": (HEADER + "NVT-ASH,2026-03-02,1,0,0,0,100\nNVT-ASH,09/03/2026,2,1,0,0,120\n").encode(),
    "wards": b"".join((CORPUS.parent.parent.parent / "data" / "registry.csv").read_bytes().splitlines(keepends=True)[:6]),
    "pdsa": b"ward_code,change_idea_code,title,status\nNVT-ASH,SW-CME,Test one,planned\n",
}
SETTINGS = settings(max_examples=int(__import__("os").environ.get("RRP_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(kind: str, data: bytes, suffix: str) -> None:
    """Import `data` as `kind`; only a result or a clear refusal may come out."""
    path = _DIR / f"input{suffix}"
    path.write_bytes(data)
    try:
        IMPORTERS[kind](path)
    except (ExchangeError, StoreError) as exc:
        message = str(exc)
        assert message and "Traceback" not in message
        assert "constraint failed" not in message and "SELECT " not in message, message
        for problem in getattr(exc, "problems", []):
            assert problem.column and problem.message
            assert "constraint failed" not in problem.message


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """`data` with 1-4 random edits: flip, insert, delete or repeat a slice."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if how == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif how == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif how == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 16)) :]
        else:
            data = data[:at] + data[at : at + 32] * draw(st.integers(2, 50)) + data[at + 32 :]
    return data


@SETTINGS
@given(kind=st.sampled_from(sorted(IMPORTERS)), data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".json"]))
def test_random_bytes_through_every_reader(kind: str, data: bytes, suffix: str) -> None:
    _read(kind, data, suffix)


@SETTINGS
@given(data=st.data(), kind=st.sampled_from(sorted(VALID_CSV)))
def test_mutated_csv_through_every_table_reader(data: st.DataObject, kind: str) -> None:
    _read(kind, data.draw(mutated(VALID_CSV[kind])), ".csv")


_XLSX = (CORPUS / "weekly" / "stale-dimension.xlsx").read_bytes()


def _rezip(sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_XLSX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item.filename, body)
    return out.getvalue()


@SETTINGS
@given(data=st.data(), inside=st.booleans())
def test_mutated_xlsx(data: st.DataObject, inside: bool) -> None:
    if inside:  # the sheet's XML mutated, the zip intact: openpyxl's parser meets it
        sheet = zipfile.ZipFile(io.BytesIO(_XLSX)).read("xl/worksheets/sheet1.xml")
        body = _rezip(data.draw(mutated(sheet)))
    else:
        body = data.draw(mutated(_XLSX))
    _read("weekly", body, ".xlsx")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document a value could be replaced."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


@settings(max_examples=2 * int(__import__("os").environ.get("RRP_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_submission_fields(data: st.DataObject) -> None:
    document = base_submission()
    places = _paths(document)
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(places))
        target = document
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = data.draw(json_values)
        places = _paths(document)
    _read("submission", resign(document), ".json")


@SETTINGS
@given(data=st.data())
def test_mutated_submission_bytes(data: st.DataObject) -> None:
    """Raw bytes of a signed file changed: refused, or read as exactly the payload that was signed."""
    payload = base_submission()
    path = _DIR / "signed-mutant.json"
    path.write_bytes(data.draw(mutated(resign(payload))))
    try:
        found, signed_by = open_submission(path, _STORE)
    except (ExchangeError, StoreError) as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return
    found.pop("checksum")
    assert found == payload and signed_by.provider == "NVT"


def _demo_submission() -> dict:
    """A real ward's submission (weekly rows, PDSA cycles, progress scores, an annotation)."""
    import datetime as dt

    from rrp.exchange.submission import build_submission
    from rrp.synthetic import build_demo

    ward = Store(_DIR / "ward.sqlite", who="ward")
    build_demo(ward, weeks=8, end=dt.date(2026, 11, 16))
    try:
        return build_submission(ward, "NVT-ASH", now="2026-11-20T09:00:00Z")
    finally:
        ward.close()


_DEMO = json.dumps(_demo_submission())


@settings(max_examples=2 * int(__import__("os").environ.get("RRP_FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_fields_of_every_record_kind(data: st.DataObject) -> None:
    document = json.loads(_DEMO)
    places = [p for p in _paths(document) if p[0] == "tables" and len(p) == 4]
    for _ in range(data.draw(st.integers(1, 3))):
        _, table, number, column = data.draw(st.sampled_from(places))
        document["tables"][table][number][column] = data.draw(json_values)
    _read("submission", resign(document), ".json")


def test_the_unmutated_submissions_merge() -> None:
    """The fuzzed submissions start from files the fuzz database accepts: signed with the enrolled
    corpus key, so a mutated field is caught by the field validation, never by the signature."""
    for document in (base_submission(), json.loads(_DEMO)):
        path = _DIR / "unmutated.json"
        path.write_bytes(resign(document))
        result = merge_submission(_STORE, path, dry_run=True, today=TODAY)
        assert result.inserted and not result.conflicts
