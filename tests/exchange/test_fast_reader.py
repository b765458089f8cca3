"""The fast CSV reader (byte pre-scan + pandas' C parser) gives exactly what the csv-module reader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrp.exchange import reading
from rrp.exchange.reading import FileRefused, read_table


def _outcome(path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    with monkeypatch.context() as m:
        m.setattr(reading, "FAST_READ_MIN_BYTES", 0 if fast else 1 << 62)
        try:
            table = read_table(path)
        except FileRefused as exc:
            return ("refused", str(exc))
        return ("table", table.header, table.rows, table.notes, table.numbers.tolist(), table.lengths.tolist())


def _same(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    slow = _outcome(path, False, monkeypatch)
    fast = _outcome(path, True, monkeypatch)
    assert fast == slow
    return fast


CASES = [
    b"a,b,c\n1,2\n\n3,4,5\n",
    b"a,b\n\n",
    b"a,b\r\n\r\n1,2\r\n",
    b"a,b\n  \n1,2",
    b"\xef\xbb\xbfa,b\n1,2\n",
    b'\xef\xbb\xbf"a",b\n1,2\n',
    b'a,b\n"x"y,2\n',
    b'a,b\n"a"b"c",2\n',
    b'a,b\nx"y,2\n',
    b'a,b\n"1,5",2\n"",""\n',
    b'a,b\n"x\ny",2\n',
    b"a,b\r1,2\r",
    b"a,b,\n1,2,3\n1,2,3,4,5\n",
    b"a,b\n , \n\t,\n,,,,\n1,2\n",
    b"a,b\nx\x00y,1\n",
    b"a,b\n" + b"7" * 70_000 + b"\n",
    b"a,b\ncaf\xc3\xa9,1\n",
    b"a,b\ncaf\xe9,1\n",
    b"a,b\n\x81\x8d,1\n",
    b"\xef\xbb\xbfa,b\ncaf\xe9,1\n",
    b"a,a\n1,2\n",
    b",,\n1,2\n",
    b"",
    b"\n\n",
    b"a," * 250 + b"\n",
    b"a,b\n" + b"1," * 250 + b"\n",
    b'a,b\n1,"unterminated\n',
    b"a,b\n1,2\xc3",
]


@pytest.mark.parametrize("data", CASES)
def test_fast_reader_matches_csv_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    _same(path, monkeypatch)


def test_fast_reader_reads_columns_without_row_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b,c\n1,2,3\n,,\n4,5\n")
    monkeypatch.setattr(reading, "FAST_READ_MIN_BYTES", 0)
    table = read_table(path)
    assert table._rows is None  # held column by column
    assert table.numbers.tolist() == [2, 4] and table.lengths.tolist() == [3, 2]
    assert table.column(2).tolist() == ["3", None]
    assert table.rows == [(2, ["1", "2", "3"]), (4, ["4", "5"])]


_ALPHABET = st.sampled_from(["a", "1", ",", ",", '"', '"', "\n", "\r\n", "\r", " ", "\t", "é", "=", "'", "\x0c"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_ALPHABET, max_size=60), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_fast_reader_matches_csv_module_fuzzed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: list[str], encoding: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(("h1,h2,h3\n" + "".join(parts)).encode(encoding))
    _same(path, monkeypatch)


_LINES = st.lists(st.sampled_from(["a", "1", ",", ",", '"', " ", "\t", "é", "="]), max_size=12).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_LINES, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_fast_reader_matches_csv_module_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], ending: str
) -> None:
    # No line breaks inside quotes here, so most files take the fast path (quotes re-parsed per line).
    path = tmp_path / "g.csv"
    path.write_bytes(("h1,h2,h3" + ending + ending.join(lines)).encode("utf-8"))
    _same(path, monkeypatch)


# -- the column-wise validator on a table read column by column -----------------------------------

_CELLS = {
    "code": st.sampled_from(["NVT-ASH", "NVT-CEDAR", "nvt-ash", " NVT-ASH", "HMC-SORREL", "NOPE", ""]),
    "date": st.sampled_from(["2026-03-02", "2026-03-09", "2026-03-08", "02/03/2026", "2026-03-03", "31/02/2025", "",
                             "2026-11-23", "2026-11-30", "2026-12-07"]),
    "count": st.sampled_from(["0", "1", "2", "7", "140", "141", "1001", "7001", "-0", "-1", "007", " 3 ", "", "1e309",
                              "=1+1", "'=1", "5.0", "99999999999"]),
    "note": st.sampled_from(["", " ", "busy", "'=SUM(A1)", "a, b", 'say "hi"', "a" * 501]),
}
_ROW = st.tuples(_CELLS["code"], _CELLS["date"], *[_CELLS["count"]] * 5, _CELLS["note"],
                 st.sampled_from(["", "", "", "stray", None, "blank"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_ROW, max_size=30), st.booleans())
def test_validator_on_columns_matches_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: list[tuple], with_note: bool
) -> None:
    import csv
    import datetime as dt
    import io

    from rrp.exchange.weekly_import import parse_weekly_rows, parse_weekly_table
    from rrp.models.registry_file import parse_registry
    from rrp.paths import DATA_DIR

    _, wards = parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8"))
    by_code = {w.code: w for w in wards}
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    header = ["ward_code", "week_start", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation",
              "occupied_bed_days"] + (["note"] if with_note else [])
    writer.writerow(header)
    for *cells, note, extra in data:
        if extra == "blank":
            writer.writerow([" "] * len(header))
            continue
        row = list(cells) + ([note] if with_note else [])
        if extra is None:
            row = row[:-2]  # a short row
        elif extra:
            row.append(extra)
        writer.writerow(row)
    path = tmp_path / "w.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    monkeypatch.setattr(reading, "FAST_READ_MIN_BYTES", 0)
    table = read_table(path)
    assert table._rows is None  # read column by column
    today = dt.date(2026, 11, 23)
    good, problems, hints = parse_weekly_table(table, by_code, today=today)
    fast, fast_problems, fast_hints = parse_weekly_rows(table, by_code, today=today)
    assert fast_problems == problems and fast_hints == hints
    expected = [(c.ward_code, c.week_start.isoformat(), c.restraint, c.prone_restraint, c.seclusion,
                 c.rapid_tranquillisation, c.occupied_bed_days, c.note) for _, c, _ in good]
    assert list(fast.tuples()) == expected
    assert fast.numbers == [n for n, _, _ in good]
