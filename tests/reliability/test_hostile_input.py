"""Hostile and broken files through the real command line: one clear refusal, bounded memory and time.

tests/exchange covers the reader and the validator through the API; here each file goes through
`rrp import weekly` in a fresh interpreter, which must exit 1 (bad rows) or 2 (not a usable file)
with one `rrp:` line and no traceback, grow its peak RSS by less than 300 MB and finish in seconds.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_helpers import HEADER, counts_of, registry_store, rrp_measured

MAX_RSS_GROWTH_MB = 300
MAX_SECONDS = 20


@pytest.fixture(scope="module")
def registry_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "registry.sqlite"
    registry_store(path).close()
    return path


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(2 * 1024 * 1024))


def _wide_header(path: Path) -> None:
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n", encoding="utf-8")


def _wide_row(path: Path) -> None:
    path.write_text(HEADER + "NVT-ASH,2026-03-02" + ",0" * 100_000 + "\n", encoding="utf-8")


def _fifty_mb_line(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(HEADER.encode())
        chunk = b"7" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)


def _many_short_columns_quoted(path: Path) -> None:
    # One logical CSV record spread over many physical lines inside quotes: bounded too.
    path.write_text(HEADER + 'NVT-ASH,2026-03-02,"' + "1\n" * 200_000 + '",0,0,0,100\n', encoding="utf-8")


def _utf16_broken(path: Path) -> None:
    path.write_bytes((HEADER + "NVT-ASH,2026-03-02,1,0,0,0,100\n").encode("utf-16") + b"\x00")


def _not_windows_1252(path: Path) -> None:
    path.write_bytes(HEADER.encode() + b"NVT-ASH,2026-03-02,1,0,0,0,100\n" + b"\x81\x8d\x8f\x90\x9d\n")


def _nul_bytes(path: Path) -> None:
    path.write_bytes(HEADER.encode() + b"NVT-ASH,2026-03-02,1,0,0,0,100\nNVT-ASH,2026-03-09,\x00,0,0,0,100\n")


def _rows(*lines: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")

    return write


CASES: list[tuple[str, Callable[[Path], None], int, str]] = [
    ("random-bytes", _random_bytes, 2, ""),
    ("100k-columns-header", _wide_header, 2, ""),
    ("100k-cells-in-a-row", _wide_row, 2, ""),
    ("50MB-line", _fifty_mb_line, 2, "longer than"),
    ("huge-quoted-cell", _many_short_columns_quoted, 2, ""),
    ("utf16-bom-broken", _utf16_broken, 2, ""),
    ("not-utf8-nor-1252", _not_windows_1252, 2, "Windows-1252"),
    ("nul-bytes", _nul_bytes, 2, "NUL"),
    ("formula", _rows("NVT-ASH,2026-03-02,=1+1,0,0,0,100", "NVT-ASH,2026-03-09,@SUM(A1),0,0,0,100"), 1, "formula"),
    ("31-february", _rows("NVT-ASH,31/02/2025,1,0,0,0,100"), 1, "'31/02/2025' is not a date"),
    ("1e309", _rows("NVT-ASH,2026-03-02,1e309,0,0,0,100"), 1, "not '1e309'"),
    ("minus-zero", _rows("NVT-ASH,2026-03-02,-0,0,0,0,100"), 1, "not '-0'"),
    ("huge-number", _rows("NVT-ASH,2026-03-02,99999999999999999999,0,0,0,100"), 1, "too large"),
    ("nan-inf", _rows("NVT-ASH,2026-03-02,NaN,0,inf,0,100"), 1, "whole number"),
    ("fake-xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 5000), 2, "xlsx"),
    ("old-xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 5000), 2, ".xls"),
]


@pytest.mark.parametrize(("name", "make", "code", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_hostile_file_is_refused_clearly(
    registry_db: Path, tmp_path: Path, name: str, make: Callable[[Path], None], code: int, fragment: str
) -> None:
    db = tmp_path / "db.sqlite"
    shutil.copyfile(registry_db, db)
    path = tmp_path / f"{name}.csv"
    make(path)
    started = time.perf_counter()
    result, growth = rrp_measured("import", "weekly", str(path), "--db", str(db))
    elapsed = time.perf_counter() - started
    assert result.returncode == code, result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("rrp:") == 1, result.stderr
    assert fragment in result.stderr
    if code == 2:  # not a usable file: exactly one line
        assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr
    assert growth < MAX_RSS_GROWTH_MB, f"peak RSS grew {growth:.0f} MB"
    assert elapsed < MAX_SECONDS
    assert counts_of(db, "SELECT count(*) FROM weekly") == 0


def test_latin1_file_imports_and_says_how_it_was_read(registry_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    shutil.copyfile(registry_db, db)
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER.strip() + ",note\nNVT-ASH,2026-03-02,1,0,0,0,100,Café débrief\n").encode("latin-1"))
    result, _ = rrp_measured("import", "weekly", str(path), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "Windows-1252" in result.stdout
    assert counts_of(db, "SELECT count(*) FROM weekly WHERE note = 'Café débrief'") == 1
