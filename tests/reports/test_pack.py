"""write_pack: one PNG and SVG per ward plus aggregate and funnel, index.html in order, progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rrp.reports.dashboard import dashboard_from_inputs, read_inputs
from rrp.reports.pack import write_pack
from rrp.store import Store


def test_write_pack(tmp_path: Path) -> None:
    from rrp.synthetic import build_demo

    store = Store(tmp_path / "d.sqlite", who="test")
    build_demo(store, wards=3, weeks=30, end=dt.date(2026, 11, 16))
    dash = dashboard_from_inputs(read_inputs(store), today=dt.date(2026, 11, 18))
    store.close()
    calls: list[tuple[int, int]] = []
    index = write_pack(dash, tmp_path / "out", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5, 5) and len(calls) == 5
    html = index.read_text(encoding="utf-8")
    for code in dash.wards["ward_code"]:
        stem = code.lower()
        assert any(stem in p.name for p in (tmp_path / "out").glob("*.png"))
        assert stem in html
    assert (tmp_path / "out" / "00-aggregate.svg").stat().st_size > 1000
