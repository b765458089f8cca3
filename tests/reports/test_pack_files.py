"""The learning-session deck (PPTX) and PDF, and a ward's A4 board, read back as a person's software
would (python-pptx, pypdf): the figures in them are the app's figures (the dashboard's shared
figures, its readings), every chart's markers are listed, and the demo's pack says SYNTHETIC on
every slide and page. A small pack (two wards) keeps the suite fast."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("pptx")
pypdf = pytest.importorskip("pypdf")

from rrp.models.annotation import Annotation, AnnotationKind  # noqa: E402
from rrp.reports.dashboard import ward_measure_figures, ward_reading  # noqa: E402
from rrp.reports.figures import completeness_marks, figures_caption, format_figure  # noqa: E402
from rrp.reports.pack_content import (  # noqa: E402
    SYNTHETIC_LABEL,
    marker_line,
    pack_content,
    pack_dashboard,
    read_pack_inputs,
)
from rrp.reports.pack_files import (  # noqa: E402
    DECK_NAME,
    PDF_NAME,
    board_name,
    completeness_marks_text,
    deck_slides,
    write_learning_session,
    write_ward_board,
)
from rrp.store import Store  # noqa: E402

TODAY = dt.date(2026, 11, 18)


def flat(text: str) -> str:
    """Text with every run of white space one space (lines wrap differently in each format)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):
    from rrp.synthetic import build_demo

    folder = tmp_path_factory.mktemp("pack")
    store = Store(folder / "d.sqlite", who="test")
    build_demo(store, wards=2, weeks=30, end=dt.date(2026, 11, 16))
    ward = store.registry.wards()[0].code
    # The other ward joined on 14 Oct: its recent weeks before that are not applicable, not missing.
    late = store.registry.wards()[1]
    store.registry.save_ward(late.model_copy(update={"participation_start": dt.date(2026, 10, 14)}))
    store.annotations.add(Annotation(ward_code=ward, on_date=dt.date(2026, 10, 12), kind=AnnotationKind.NOTE,
                                     text="Two new starters on nights"))
    store.annotations.add(Annotation(ward_code=ward, on_date=dt.date(2026, 9, 7), kind=AnnotationKind.REBASE,
                                     measure="restraint", text="New restraint training for every shift"))
    inputs = read_pack_inputs(store)
    store.close()
    dash = pack_dashboard(inputs, today=TODAY)
    content = pack_content(dash, inputs.annotations, synthetic=inputs.synthetic)
    calls: list[tuple[int, int]] = []
    paths = write_learning_session(content, folder / "out", progress=lambda d, t: calls.append((d, t)))
    return dash, content, paths, calls


def slide_texts(path: Path) -> list[str]:
    from pptx import Presentation

    texts = []
    for slide in Presentation(str(path)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        texts.append(flat(" ".join(parts)))
    return texts


def page_texts(path: Path) -> list[str]:
    return [flat(page.extract_text()) for page in pypdf.PdfReader(str(path)).pages]


def test_deck_and_pdf_have_every_page_in_order_and_say_synthetic(written) -> None:
    _, content, paths, calls = written
    deck, pdf = paths
    assert (deck.name, pdf.name) == (DECK_NAME, PDF_NAME)
    slides, pages = slide_texts(deck), page_texts(pdf)
    n = deck_slides(content)
    assert len(slides) == len(pages) == n == 1 + len(content.aggregates) + 1 + 1 + 1 + sum(
        len(w.charts) for w in content.wards
    )
    assert calls[-1] == (2 * n, 2 * n) and len(calls) == 2 * n
    for text in slides + pages:
        assert SYNTHETIC_LABEL in text
    # a ward's charts come after the collaborative's, one per measure, prone restraint included
    for texts in (slides, pages):
        first = next(i for i, t in enumerate(texts) if content.wards[0].title in t)
        assert first > 2 and "Funnel" in " ".join(texts[:first])
        assert any("Prone restraint" in t for t in texts[first:])


def test_every_ward_chart_carries_the_apps_figures_reading_and_markers(written) -> None:
    dash, content, (deck, pdf), _ = written
    slides, pages = " | ".join(slide_texts(deck)), " | ".join(page_texts(pdf))
    records = {r["ward_code"]: r for r in dash.wards.to_dict("records")}
    for ward in content.wards:
        for chart in ward.charts:
            # the app's figures (the dashboard's shared figures) and the chart in words
            app = ward_measure_figures(dash, records[ward.ward_code], chart.measure)
            caption = flat(figures_caption(app))
            reading = flat(" ".join(ward_reading(dash, ward.ward_code, measure=chart.measure)))
            assert caption in slides, (ward.ward_code, chart.measure)
            assert reading in slides, (ward.ward_code, chart.measure)
            assert caption in pages, (ward.ward_code, chart.measure)
            assert reading in pages, (ward.ward_code, chart.measure)
            for marker in chart.markers[-3:]:
                assert flat(marker_line(marker)) in slides
    noted = content.wards[0]
    restraint = next(c for c in noted.charts if c.measure == "restraint")
    assert "R 07 Sep 2026: New restraint training for every shift" in slides
    assert {"R", "N"} <= {m.label for m in restraint.markers}
    for aggregate in content.aggregates:
        assert flat(" ".join(aggregate.reading)) in slides and flat(" ".join(aggregate.reading)) in pages


def test_completeness_and_pdsa_tables(written) -> None:
    dash, content, (deck, pdf), _ = written
    slides, pages = " | ".join(slide_texts(deck)), " | ".join(page_texts(pdf))
    for record in dash.wards.to_dict("records"):
        weeks = f"{record['weeks_submitted']}/{record['weeks_expected']}"
        assert f"{record['ward_name']} {record['provider_code']} {weeks}" in slides
        assert f"{record['ward_name']} {record['provider_code']} {weeks}" in pages
        # one mark per recent week, as the dashboard's completeness grid: filled submitted, open
        # not, a dash before the ward joined
        marks = completeness_marks_text(completeness_marks(dash.completeness, dash.wards)[record["ward_code"]])
        assert f"{weeks} {marks}" in slides and f"{weeks} {marks}" in pages
        pdsa = f"{record['pdsa_this_month']} {record['pdsa_running']} {record['pdsa_due_for_study']} {record['ideas_adopted']}"
        assert f"{record['ward_name']} {record['provider_code']} {pdsa}" in slides
    # The ward that joined on 14 Oct: its 7 recent weeks before that are not applicable.
    (late,) = [r for r in dash.wards.to_dict("records") if isinstance(r["participation_start"], str)]
    assert late["participation_start"] == "2026-10-14" and late["weeks_expected"] == 5
    row = f"{late['ward_name']} {late['provider_code']} {late['weeks_submitted']}/5 {chr(0x2013) * 7}"
    assert row in slides and row in pages


def test_a_wards_board_is_an_a4_pdf_with_its_figures(written, tmp_path: Path) -> None:
    dash, content, _, _ = written
    ward = content.wards[1]
    path = write_ward_board(content, ward.ward_code.lower(), tmp_path)
    assert path.name == board_name(ward.ward_code) and path.name.startswith("board-")
    reader = pypdf.PdfReader(str(path))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 portrait in points
    text = " | ".join(flat(page.extract_text()) for page in reader.pages)
    assert all(SYNTHETIC_LABEL in flat(page.extract_text()) for page in reader.pages)
    record = dash.wards[dash.wards["ward_code"] == ward.ward_code].iloc[0].to_dict()
    for chart in ward.charts:
        app = ward_measure_figures(dash, record, chart.measure)
        assert f"{chart.name} {format_figure(app.latest_value)} {format_figure(app.baseline)}" in text
        assert flat(" ".join(ward_reading(dash, ward.ward_code, measure=chart.measure))) in text
    assert f"Weeks submitted: {ward.weeks_submitted} of the last {ward.weeks_expected}" in text
    with pytest.raises(KeyError):
        write_ward_board(content, "NO-SUCH", tmp_path)


def test_real_data_says_nothing_synthetic(written, tmp_path: Path) -> None:
    import dataclasses

    _, content, _, _ = written
    real = dataclasses.replace(content, synthetic=False, wards=content.wards[:1])
    deck, pdf = write_learning_session(real, tmp_path)
    assert not any("SYNTHETIC" in t for t in slide_texts(deck) + page_texts(pdf))


def test_completeness_rows_draw_weeks_before_a_ward_joined_as_not_applicable():
    from types import SimpleNamespace

    from rrp.reports.pack_files import COMPLETENESS_HEADINGS, completeness_rows

    assert completeness_marks_text([None, None, True, False]) == "\u2013\u2013\u25a0\u25a1"
    ward = SimpleNamespace(ward_name="Ash", provider_code="NVT", weeks_submitted=1, weeks_expected=2,
                           submitted=[None, True, False])
    assert completeness_rows(SimpleNamespace(wards=[ward])) == [["Ash", "NVT", "1/2", "\u2013\u25a0\u25a1"]]
    assert "\u2013 not yet taking part" in COMPLETENESS_HEADINGS[-1]
