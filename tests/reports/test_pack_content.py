"""pack_content: per ward a chart of every measure shown (prone restraint included) with the
dashboard's figures, its reading and the ward's annotations as P/A/R/N markers; the aggregate;
the SYNTHETIC banner only on the demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rrp.models.annotation import Annotation, AnnotationKind
from rrp.reports.dashboard import ward_measure_figures, ward_reading
from rrp.reports.pack_content import (
    SYNTHETIC_LABEL,
    chart_markers,
    marker_line,
    pack_content,
    pack_dashboard,
    read_pack_inputs,
)
from rrp.store import Store

TODAY = dt.date(2026, 11, 18)
END = dt.date(2026, 11, 16)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rrp.synthetic import build_demo

    path = tmp_path_factory.mktemp("pack") / "d.sqlite"
    store = Store(path, who="test")
    build_demo(store, wards=3, weeks=40, end=END)
    ward = store.registry.wards()[0].code
    store.annotations.add(Annotation(ward_code=ward, on_date=dt.date(2026, 9, 7), kind=AnnotationKind.REBASE,
                                     measure="seclusion", text="New seclusion room opened"))
    store.annotations.add(Annotation(ward_code=ward, on_date=dt.date(2026, 10, 14), kind=AnnotationKind.NOTE,
                                     text="Two new starters on nights"))
    store.close()
    return path


def content(path: Path, **kwargs):
    store = Store(path, who="test")
    try:
        inputs = read_pack_inputs(store)
    finally:
        store.close()
    dash = pack_dashboard(inputs, today=TODAY)
    return dash, inputs, pack_content(dash, inputs.annotations, synthetic=inputs.synthetic, **kwargs)


def test_every_ward_every_measure_with_the_dashboards_figures(small: Path) -> None:
    dash, _, pack = content(small)
    assert pack.synthetic and pack.banner == SYNTHETIC_LABEL
    assert [w.ward_code for w in pack.wards] == list(dash.wards["ward_code"])
    assert "prone_restraint" in dash.measures
    for ward, record in zip(pack.wards, dash.wards.to_dict("records"), strict=True):
        assert [c.measure for c in ward.charts] == list(dash.measures)
        assert ward.weeks_submitted == record["weeks_submitted"]
        for chart in ward.charts:
            assert chart.figures == ward_measure_figures(dash, record, chart.measure)
            assert chart.reading == ward_reading(dash, ward.ward_code, measure=chart.measure)
            assert len(chart.points) > 0
            assert set(chart.points["special_cause"]) <= {"", "improvement", "concern", "neither"}
        # the headline's points are the dashboard's ward_points
        head = dash.ward_points[dash.ward_points["ward_code"] == ward.ward_code]
        assert list(ward.charts[0].points["value"]) == list(head.sort_values("x")["value"])
    assert [a.measure for a in pack.aggregates] == list(dash.aggregate_summary["measure"])


def test_markers_rebases_notes_and_pdsa(small: Path) -> None:
    _, inputs, pack = content(small)
    first = pack.wards[0]
    seclusion = next(c for c in first.charts if c.measure == "seclusion")
    restraint = next(c for c in first.charts if c.measure == "restraint")
    letters = {m.label for m in seclusion.markers}
    assert "R" in letters and "N" in letters
    assert "R" not in {m.label for m in restraint.markers}  # the rebase was for seclusion only
    rebase = next(m for m in seclusion.markers if m.label == "R")
    assert rebase.x == dt.date(2026, 9, 7) and marker_line(rebase).startswith("R 07 Sep 2026: New seclusion")
    pdsa = [a for a in inputs.annotations[first.ward_code] if a.kind == AnnotationKind.PDSA]
    if pdsa:  # the demo's PDSA cycles annotate their wards' charts
        assert {m.label for m in restraint.markers} & {"P", "A"}
    # markers stay within the chart's weeks
    for chart in first.charts:
        for marker in chart.markers:
            assert chart.points["x"].min().date() <= marker.x <= chart.points["x"].max().date()


def test_chart_markers_outside_the_weeks_are_left_out() -> None:
    import pandas as pd

    labels = list(pd.date_range("2026-01-05", periods=5, freq="7D"))
    notes = [
        Annotation(ward_code="W1", on_date=dt.date(2025, 12, 1), text="before"),
        Annotation(ward_code="W1", on_date=dt.date(2026, 1, 14), text="inside " + "x" * 200),
        Annotation(ward_code="W1", on_date=dt.date(2026, 1, 19), kind=AnnotationKind.REBASE, text="rebase"),
    ]
    marks = chart_markers(notes, "restraint", labels)
    assert [(m.label, m.x) for m in marks] == [("N", dt.date(2026, 1, 12)), ("R", dt.date(2026, 1, 19))]
    assert len(marks[0].text) <= 90 and marks[0].text.endswith("\u2026")  # a long note is cut


def test_real_data_has_no_banner_and_one_ward(small: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "real.sqlite", who="test")  # not the demo: no 'synthetic' marker
    try:
        assert read_pack_inputs(store).synthetic is False
    finally:
        store.close()
    dash, inputs, _ = content(small)
    real = pack_content(dash, inputs.annotations, synthetic=False)
    assert real.banner == ""
    code = real.wards[1].ward_code
    one = pack_content(dash, inputs.annotations, wards=[code.lower()])
    assert [w.ward_code for w in one.wards] == [code]
    assert [c.summary for c in one.ward(code).charts] == [c.summary for c in real.ward(code).charts]
