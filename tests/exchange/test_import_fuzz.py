"""Property: any file is either a clean import or a clear refusal; never a traceback or a partial write."""

from __future__ import annotations

import tempfile
from pathlib import Path

from exchange_helpers import HEADER, TODAY, registry_store, weekly_count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrp.exchange.reading import ExchangeError
from rrp.exchange.weekly_import import RowsRefused, import_weekly

_DB_DIR = Path(tempfile.mkdtemp(prefix="rrp-fuzz-"))
_STORE = registry_store(_DB_DIR / "fuzz.sqlite")

cells = st.one_of(
    st.sampled_from(["0", "1", "7", "-0", "-1", "1e309", "=1+1", "5.0", " 3 ", "", "NaN", "１", "99999999999"]),
    st.text(max_size=12),
    st.integers(min_value=-5, max_value=2000).map(str),
)
dates = st.one_of(
    st.sampled_from(["2026-03-02", "2026-03-03", "02/03/2026", "31/02/2026", "2026-13-01", "", "2099-01-05"]),
    st.dates().map(lambda d: d.isoformat()),
    st.text(max_size=10),
)
wards = st.sampled_from(["NVT-ASH", "nvt-birch", "NOPE", "", "SCP-ELM ", "x" * 40])


@st.composite
def weekly_files(draw) -> bytes:
    rows = draw(st.lists(st.tuples(wards, dates, cells, cells, cells, cells, cells), max_size=8))
    body = "".join(",".join(f'"{c}"' if ("," in c or '"' in c or "\n" in c) and '"' not in c else c.replace('"', "")
                            for c in row) + "\n" for row in rows)
    header = draw(st.sampled_from([HEADER, HEADER.upper(), HEADER.replace("seclusion", "seclusoin"), ""]))
    text = header + body
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if draw(st.booleans()):
        junk = draw(st.binary(max_size=20))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + junk + data[at:]
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weekly_files())
def test_any_file_is_clean_import_or_clear_refusal(data: bytes) -> None:
    path = _DB_DIR / "input.csv"
    path.write_bytes(data)
    before = weekly_count(_STORE)
    try:
        result = import_weekly(_STORE, path, today=TODAY)
    except RowsRefused as exc:
        assert exc.problems and all(p.row >= 2 and p.column and p.message for p in exc.problems)
        assert weekly_count(_STORE) == before
    except ExchangeError as exc:
        assert str(exc)
        assert weekly_count(_STORE) == before
    else:
        assert weekly_count(_STORE) == before + len(result.inserted)
