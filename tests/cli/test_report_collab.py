"""`rrp report collaborative` and `rrp report pack` on small demo databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main
from rrp.store import Store


def demo(path: Path, **kwargs) -> Path:
    from rrp.synthetic import build_demo

    store = Store(path, who="test")
    build_demo(store, end=dt.date(2026, 11, 16), **kwargs)
    store.close()
    return path


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo(tmp_path_factory.mktemp("collab") / "demo.sqlite")


def test_collaborative_prints_every_ward_and_icons(demo_db: Path) -> None:
    result = CliRunner().invoke(
        main, ["report", "collaborative", "--db", str(demo_db), "--today", "2026-11-25"]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    for text in ("Collaborative aggregate", "Maple Ward", "Sorrel Unit", "for learning, not for ranking",
                 "PDSA cycles per month", "weeks to 16 Nov 2026", "common cause"):
        assert text in out


def test_collaborative_provider_filter_and_errors(demo_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["report", "collaborative", "--db", str(demo_db), "--today", "2026-11-25", "--provider", "nvt"]
    )
    assert result.exit_code == 0, result.output
    assert "Ash Ward" in result.output and "Maple Ward" not in result.output
    bad = runner.invoke(main, ["report", "collaborative", "--db", str(demo_db), "--provider", "ZZZ"])
    assert bad.exit_code == 2 and "unknown provider" in bad.output
    missing = runner.invoke(main, ["report", "collaborative", "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_pack_writes_charts_and_index(tmp_path: Path) -> None:
    db = demo(tmp_path / "small.sqlite", wards=3, weeks=30)
    out = tmp_path / "pack"
    result = CliRunner().invoke(
        main, ["report", "pack", "--out", str(out), "--db", str(db), "--today", "2026-11-25"]
    )
    assert result.exit_code == 0, result.output
    pngs = sorted(p.name for p in out.glob("*.png"))
    svgs = sorted(p.name for p in out.glob("*.svg"))
    assert len(pngs) == len(svgs) == 5  # aggregate, funnel, 3 wards
    assert pngs[0] == "00-aggregate.png" and pngs[1] == "01-funnel.png"
    index = (out / "index.html").read_text(encoding="utf-8")
    positions = [index.index(name.replace(".png", ".svg")) for name in pngs]
    assert positions == sorted(positions)  # in slide order
    assert "for learning, not for ranking" in index.lower()
    # the deck and the PDF beside them, one slide / page per chart
    assert (out / "learning-session.pptx").stat().st_size > 10_000
    assert (out / "learning-session.pdf").read_bytes().startswith(b"%PDF")
    assert "learning-session.pptx" in result.output and "learning-session.pdf" in result.output
    # index.html: each ward's every measure (prone restraint included), with its reading
    assert index.count(": every measure</h2>") == 3
    assert index.count("Prone restraints (u chart); latest") == 3
    # the demo's pack says SYNTHETIC: in index.html and on every chart
    assert "SYNTHETIC DEMO DATA" in index
    for svg in out.glob("*.svg"):
        assert "SYNTHETIC" in svg.read_text(encoding="utf-8"), svg.name


def test_pack_ward_writes_only_its_board(tmp_path: Path) -> None:
    db = demo(tmp_path / "small.sqlite", wards=2, weeks=20)
    store = Store(db, who="test")
    code = store.registry.wards()[1].code
    store.close()
    out = tmp_path / "board"
    args = ["report", "pack", "--out", str(out), "--db", str(db), "--today", "2026-11-25"]
    result = CliRunner().invoke(main, [*args, "--ward", code.lower()])
    assert result.exit_code == 0, result.output
    board = out / f"board-{code.lower()}.pdf"
    assert [p.name for p in out.iterdir()] == [board.name]
    assert board.read_bytes().startswith(b"%PDF") and str(board) in result.output
    unknown = CliRunner().invoke(main, [*args, "--ward", "NOPE"])
    assert unknown.exit_code == 2 and "unknown ward 'NOPE': use one of" in unknown.output
    assert code in unknown.output and "Traceback" not in unknown.output


def test_collaborative_reads_every_chart_out_in_words(demo_db: Path) -> None:
    from rrp.reports.dashboard import (
        aggregate_reading,
        dashboard_from_inputs,
        read_inputs,
        ward_reading,
    )

    result = CliRunner().invoke(
        main, ["report", "collaborative", "--db", str(demo_db), "--today", "2026-11-25"]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    store = Store(demo_db, create=False)
    try:
        dash = dashboard_from_inputs(read_inputs(store), today=dt.date(2026, 11, 25))
    finally:
        store.close()
    for measure in dash.measures:
        assert " ".join(aggregate_reading(dash, measure)) in out
    for rec in dash.wards.to_dict("records"):
        line = f"{rec['ward_name']} ({rec['provider_code']}): " + " ".join(ward_reading(dash, rec["ward_code"]))
        assert line in out
    assert "H/L special cause high/low; P pass, F fail, ? hit and miss" in out


def test_collaborative_written_to_a_file_cuts_nothing(demo_db: Path) -> None:
    """`rrp report collaborative > file`: no terminal, and still no column cut to '…'."""
    result = CliRunner().invoke(main, ["report", "collaborative", "--db", str(demo_db), "--today", "2026-11-25"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\u2026" not in out
    assert "PDSA mo/run" in out and "Last 12 weeks" in out  # headers on one line, not wrapped or cut
    ward_rows = [line for line in out.splitlines() if line.startswith("│ Maple Ward")]
    assert ward_rows and sum(ch in "\u25a0\u00b7" for ch in ward_rows[0]) == 12  # all 12 weeks shown


def test_collaborative_lists_the_wards_not_submitted_in_text_and_json(demo_db: Path, tmp_path: Path) -> None:
    import json
    import shutil

    last_week = dt.date(2026, 11, 16)
    store = Store(demo_db, create=False)
    entered = {code for code, _ in store.weekly.entered([last_week])}
    wards = store.registry.wards(active_only=True)
    store.close()
    missing = [w for w in wards if w.code not in entered]
    assert missing
    args = ["report", "collaborative", "--db", str(demo_db), "--today", "2026-11-25"]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert f"Not submitted for the week of Mon 16 Nov 2026: {len(missing)} ward" in text.output
    for ward in missing:
        assert f"{ward.name} ({ward.code})" in text.output
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    assert sorted(w["ward_code"] for w in data["not_submitted"]) == sorted(w.code for w in missing)
    # A ward that joined after that week is neither on the list nor short of weeks.
    late = tmp_path / "late.sqlite"
    shutil.copy(demo_db, late)
    store = Store(late)
    store.registry.save_ward(missing[0].model_copy(update={"participation_start": dt.date(2026, 11, 23)}))
    store.close()
    data = json.loads(CliRunner().invoke(main, ["report", "collaborative", "--db", str(late), "--today", "2026-11-25",
                                                "--format", "json"]).output)
    assert missing[0].code not in {w["ward_code"] for w in data["not_submitted"]}
    assert len(data["not_submitted"]) == len(missing) - 1
    record = next(w for w in data["wards"] if w["ward_code"] == missing[0].code)
    assert (record["weeks_submitted"], record["weeks_expected"]) == (0, 0)
