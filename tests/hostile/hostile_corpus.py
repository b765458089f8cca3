"""The hostile-file corpus: how each small file in tests/hostile/corpus/ was made, and the big ones.

Run `python tests/hostile/hostile_corpus.py` to write the small files again (they are committed so
a reader can open them). The big ones (tens of MB, a zip bomb) are made in each test's tmp_path
by the `make_*` functions here and never committed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
HEADER = "ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,occupied_bed_days\n"
REGISTRY_HEADER = "provider_code,provider_name,ward_code,ward_name,ward_type,beds,active\n"
WEEKLY_COLUMNS = HEADER.strip().split(",")
#: Five valid weeks of the shipped registry's first ward (20 beds).
FIVE_WEEKS = [
    ["NVT-ASH", f"2026-0{m}-{d}", 1, 0, 0, 0, 100]
    for m, d in (("3", "02"), ("3", "09"), ("3", "16"), ("3", "23"), ("3", "30"))
]


# -- XLSX helpers: write with openpyxl, then patch the XML inside the zip ------------------------


def _xlsx_bytes(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _patch_zip(data: bytes, patches: dict[str, callable]) -> bytes:
    """A copy of the zip with some members' text changed by `patches[name](text)`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename in patches:
                body = patches[item.filename](body.decode("utf-8")).encode("utf-8")
            target.writestr(item, body)
    return out.getvalue()


def stale_dimension_xlsx() -> bytes:
    """Five data rows, but the sheet's stored size says A1:G2 (one data row)."""
    data = _xlsx_bytes([("Weekly", [WEEKLY_COLUMNS, *FIVE_WEEKS])])

    def stale(xml: str) -> str:
        if "<dimension" in xml:
            return re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:G2"/>', xml)
        return xml.replace("<sheetData>", '<dimension ref="A1:G2"/><sheetData>', 1)

    return _patch_zip(data, {"xl/worksheets/sheet1.xml": stale})


def hidden_first_sheet_xlsx() -> bytes:
    """A hidden first sheet holding an old, wrong row; the visible second sheet holds two weeks."""
    data = _xlsx_bytes(
        [("Old", [WEEKLY_COLUMNS, ["NVT-ASH", "2026-03-02", 9, 9, 9, 9, 9]]), ("Data", [WEEKLY_COLUMNS, *FIVE_WEEKS[:2]])]
    )
    return _patch_zip(
        data, {"xl/workbook.xml": lambda xml: re.sub(r'(<sheet name="Old"[^>]*?)state="visible"', r'\1state="hidden"', xml, count=1)}
    )


def row_number_bomb_xlsx() -> bytes:
    """A 5 KB workbook whose second row claims to be row 2,000,000,000: openpyxl makes every row between."""
    data = _xlsx_bytes([("Weekly", [WEEKLY_COLUMNS, FIVE_WEEKS[0]])])

    def far(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:G2000000000"/>', xml)
        xml = xml.replace('<row r="2"', '<row r="2000000000"', 1)
        return re.sub(r'r="([A-G])2"', r'r="\g<1>2000000000"', xml)

    return _patch_zip(data, {"xl/worksheets/sheet1.xml": far})


def make_zip_bomb(path: Path, megabytes: int = 300) -> None:
    """A valid workbook plus a part of `megabytes` MB of zeros (a few hundred KB compressed)."""
    data = _xlsx_bytes([("Weekly", [WEEKLY_COLUMNS, FIVE_WEEKS[0]])])
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/bomb.bin", "w") as part:
        block = b"\0" * (1 << 20)
        for _ in range(megabytes):
            part.write(block)
    path.write_bytes(out.getvalue())


def make_blank_lines(path: Path, megabytes: int = 40) -> None:
    """A header and then `megabytes` MB of empty lines (once used 5.1 GB)."""
    with path.open("wb") as handle:
        handle.write(HEADER.encode())
        block = b"\n" * (1 << 20)
        for _ in range(megabytes):
            handle.write(block)


def make_many_objects(path: Path, megabytes: int = 19) -> None:
    """A submission-sized file of empty JSON objects: 2 bytes each, 64 as Python dicts."""
    count = megabytes * (1 << 20) // 3
    path.write_bytes(b'{"format": "rrp-ward-submission", "tables": {"weekly": [' + b"{}," * count + b"{}]}}")


# -- submissions: a real one, patched, signed again with the corpus key ----------------------------

#: The corpus's provider key: fixed, so the committed files are the same each time they are made
#: (Ed25519 signatures are deterministic), and enrolled for NVT in every hostile test database
#: (hostile_helpers.make_database). A test key, never a real provider's.
CORPUS_KEY_SEED = hashlib.sha256(b"rrp hostile corpus: provider NVT").digest()


def corpus_key():
    """The corpus's private key of provider NVT (rrp.exchange.signing.SigningKey)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from rrp.exchange.signing import SigningKey

    return SigningKey("NVT", Ed25519PrivateKey.from_private_bytes(CORPUS_KEY_SEED))


def corpus_public_key() -> str:
    """What the facilitator enrols for NVT: the corpus key's 32 public bytes in base64."""
    import base64

    return base64.b64encode(corpus_key().public_raw).decode("ascii")


def resign(data: dict) -> bytes:
    """The (patched) submission payload signed with the corpus key, as a ward's provider would send
    it: so a field problem reaches the field validation instead of failing the signature."""
    from rrp.exchange.signing import seal
    from rrp.exchange.submission import FORMAT, FORMAT_VERSION, canonical

    sealed = seal(FORMAT, FORMAT_VERSION, canonical(data), corpus_key())
    return json.dumps(sealed, indent=1).encode("utf-8")


def unsigned(data: dict) -> bytes:
    """A format 1 submission (an older rrp's: a plain SHA-256 checksum anyone can recompute)."""
    from rrp.exchange.submission import canonical

    data = {**data, "format_version": 1}
    data["checksum"] = {"algorithm": "sha256", "value": hashlib.sha256(canonical(data)).hexdigest()}
    return json.dumps(data, indent=1).encode("utf-8")


def base_submission() -> dict:
    """A small, valid submission payload of ward NVT-ASH: two weeks, nothing else (sign it: resign)."""
    return {
        "format": "rrp-ward-submission",
        "format_version": 2,
        "rrp_version": "0.1.0",
        "exported_at": "2026-04-01T09:00:00Z",
        "exported_by": "ward-lead",
        "since": None,
        "ward": {
            "code": "NVT-ASH",
            "provider_code": "NVT",
            "name": "Ash Ward",
            "ward_type": "acute_adult",
            "beds": 20,
            "active": True,
        },
        "provider": {"code": "NVT", "name": "Northvale Healthcare NHS Trust (fictional)"},
        "tables": {
            "weekly": [
                {
                    "ward_code": "NVT-ASH",
                    "week_start": week,
                    "restraint": 1,
                    "prone_restraint": 0,
                    "seclusion": 0,
                    "rapid_tranquillisation": 0,
                    "occupied_bed_days": 100,
                    "note": None,
                    "version": 1,
                    "updated_at": "2026-03-31T10:00:00Z",
                    "updated_by": "ward-lead",
                }
                for week in ("2026-03-02", "2026-03-09")
            ]
        },
    }


def _submission(**patch) -> bytes:
    data = base_submission()
    for where, value in patch.items():
        if where.startswith("week0_"):
            data["tables"]["weekly"][0][where.removeprefix("week0_")] = value
        elif where.startswith("week1_"):
            data["tables"]["weekly"][1][where.removeprefix("week1_")] = value
        else:
            data[where] = value
    return resign(data)


# -- the small, committed files ------------------------------------------------------------------


def _csv(header: str, *lines: str) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode("utf-8")


def small_files() -> dict[str, bytes]:
    """Every committed corpus file by its path under corpus/."""
    long_name = "W" * 30_000
    return {
        "weekly/stale-dimension.xlsx": stale_dimension_xlsx(),
        "weekly/hidden-first-sheet.xlsx": hidden_first_sheet_xlsx(),
        "weekly/row-number-bomb.xlsx": row_number_bomb_xlsx(),
        "weekly/cyrillic-ward-code.csv": _csv(HEADER, "NVT-\u0410SH,2026-03-02,1,0,0,0,100"),
        "weekly/year-one.csv": _csv(HEADER, "NVT-ASH,0001-01-01,1,0,0,0,100"),
        "weekly/year-2099.csv": _csv(HEADER, "NVT-ASH,2099-01-05,1,0,0,0,100"),
        "wards/long-ward-name.csv": _csv(REGISTRY_HEADER, f"NVT,Northvale Healthcare NHS Trust (fictional),NVT-ASH,{long_name},acute_adult,20,1"),
        "wards/active-maybe.csv": _csv(REGISTRY_HEADER, "NVT,Northvale Healthcare NHS Trust (fictional),NVT-ASH,Ash Ward,acute_adult,20,maybe"),
        "wards/provider-two-names.csv": _csv(
            REGISTRY_HEADER,
            "NVT,Northvale Healthcare NHS Trust (fictional),NVT-ASH,Ash Ward,acute_adult,20,1",
            "NVT,Northvale NHS Trust,NVT-BIRCH,Birch Ward,acute_adult,18,1",
        ),
        "wards/cyrillic-ward-code.csv": _csv(REGISTRY_HEADER, "NVT,Northvale Healthcare NHS Trust (fictional),NVT-\u0410SH,Ash Ward,acute_adult,20,1"),
        "pdsa/bad-references.csv": _csv(
            "ward_code,change_idea_code,title,status\n",
            "NOPE-1,CI-NOPE,Test one,planned",
            "NVT-ASH,CI-NOPE,Test two,planned",
            "NOPE-2,CI-NOPE,Test three,planned",
        ),
        "submission/version-abc.json": _submission(week0_version="abc"),
        "submission/version-list.json": _submission(week0_version=[1, 2], week1_updated_by=["x"]),
        "submission/version-huge.json": _submission(week0_version=10**40),
        "submission/exported-in-the-future.json": _submission(exported_at="2099-01-01T00:00:00Z"),
        "submission/rrp-version-list.json": _submission(rrp_version=["0.1.0"]),
        "submission/ward-name-30000.json": _submission(ward={**base_submission()["ward"], "name": long_name}),
        "submission/updated-at-not-a-time.json": _submission(week1_updated_at="yesterday"),
        "submission/deletion-without-time.json": _submission(
            deleted=[{"table": "weekly", "record": {**base_submission()["tables"]["weekly"][0], "week_start": "2026-02-23"},
                      "deleted_by": "ward-lead", "reason": 7}]
        ),
        "submission/unsigned-format-1.json": unsigned(base_submission()),
    }


def write_corpus() -> None:
    for name, data in small_files().items():
        path = CORPUS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


if __name__ == "__main__":
    write_corpus()
