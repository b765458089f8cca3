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
    # Every SPC chart carries its reading: as a caption in the image and under it in index.html.
    import html as html_lib

    from rrp.reports.dashboard import aggregate_reading, ward_reading

    for code in dash.wards["ward_code"]:
        assert html_lib.escape(" ".join(ward_reading(dash, code))) in html
    assert html_lib.escape(" ".join(aggregate_reading(dash, dash.measures[0]))) in html
    first = next((tmp_path / "out").glob("02-*.svg")).read_text(encoding="utf-8")
    assert "usual" in first or "Too few weeks" in first  # the caption's words are in the SVG
