"""The annotations export: one row per chart annotation, filtered like the others, Excel-safe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from rrp.exchange.dictionary import columns_of
from rrp.exchange.exports import EXPORT_KINDS, ExportFilter, export, export_table
from rrp.models.annotation import Annotation
from rrp.store import Store


def _add(store: Store, ward: str | None, on: dt.date, text: str, **extra: object) -> None:
    store.annotations.add(Annotation.model_validate({"ward_code": ward, "on_date": on, "text": text, **extra}))


def test_annotations_export_rows_filters_and_excel_safety(demo_store: Store, tmp_path: Path) -> None:
    assert "annotations" in EXPORT_KINDS
    _add(demo_store, "NVT-ASH", dt.date(2026, 10, 5), "=HYPERLINK(\"http://x\")", measure="seclusion")
    _add(demo_store, "NVT-ASH", dt.date(2026, 9, 7), "New seclusion policy", kind="rebase")
    _add(demo_store, None, dt.date(2026, 10, 1), "Collaborative learning event")
    pdsa_rows = demo_store.database.query_one("SELECT count(*) AS n FROM annotation")["n"] - 3

    table = export_table(demo_store, "annotations")
    assert list(table.columns) == columns_of("annotations") == [
        "ward_code", "ward_name", "provider_code", "on_date", "kind", "measure", "text",
        "pdsa_cycle_id", "updated_at", "updated_by",
    ]
    assert len(table) == pdsa_rows + 3  # one row per annotation, the demo's PDSA events included
    collaborative = table[table["ward_code"].isna()]
    assert list(collaborative["text"]) == ["Collaborative learning event"]
    assert table.index[table["ward_code"].isna()].tolist() == [len(table) - 1]  # sorted last

    ash = export_table(demo_store, "annotations", ExportFilter(wards=("nvt-ash",), start=dt.date(2026, 9, 1)))
    assert set(ash["ward_code"]) == {"NVT-ASH"} and (ash["on_date"] >= "2026-09-01").all()
    rebase = ash[ash["kind"] == "rebase"].iloc[0]
    assert (rebase["ward_name"], rebase["provider_code"], rebase["on_date"]) == ("Ash Ward", "NVT", "2026-09-07")
    assert rebase["updated_by"] == "test" and rebase["updated_at"]
    # A provider filter leaves out the collaborative's own annotations (they have no ward).
    nvt = export_table(demo_store, "annotations", ExportFilter(provider="NVT"))
    assert set(nvt["provider_code"]) == {"NVT"}

    result = export(demo_store, "annotations", tmp_path / "annotations.csv", ExportFilter(wards=("NVT-ASH",)))
    raw = (tmp_path / "annotations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfward_code,ward_name,provider_code,on_date,kind,measure,text,")
    back = pd.read_csv(tmp_path / "annotations.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert result.rows == len(back) and result.columns == columns_of("annotations")
    formula = back[back["measure"] == "seclusion"].iloc[0]
    assert formula["text"] == "'=HYPERLINK(\"http://x\")"  # neutralised: a spreadsheet shows, never runs it


def test_cli_exports_annotations(demo_store: Store, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rrp.cli import main

    _add(demo_store, "NVT-ASH", dt.date(2026, 10, 5), "Staffing review")
    db = demo_store.database.path
    out = tmp_path / "a.csv"
    result = CliRunner().invoke(main, ["export", "annotations", str(out), "--db", str(db), "--ward", "NVT-ASH"])
    assert result.exit_code == 0, result.output
    assert "annotations rows to" in result.output
    assert "Staffing review" in out.read_text(encoding="utf-8-sig")
