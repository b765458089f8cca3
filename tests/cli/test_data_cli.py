"""The data commands end to end: exit codes 0/1/2, messages, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main
from rrp.store import Store
from rrp.synthetic import build_demo

HEADER = "ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,occupied_bed_days\n"


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    store = Store(path, who="test")
    build_demo(store, weeks=20, end=dt.date(2026, 11, 16))
    store.close()
    return path


def run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_export_import_round_trip_and_exit_codes(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "weekly.csv"
    assert run("export", "weekly", out, "--db", demo_db).exit_code == 0
    target = tmp_path / "copy.sqlite"
    assert run("init", "--db", target).exit_code == 0  # only init (or demo) creates a database
    assert run("import", "wards", Path(__file__).parents[2] / "data" / "registry.csv", "--db", target).exit_code == 0
    dry = run("import", "weekly", out, "--db", target, "--dry-run")
    assert dry.exit_code == 0 and "would be inserted" in dry.output and "nothing was written" in dry.output
    assert Store(target).database.query_one("SELECT count(*) AS n FROM weekly")["n"] == 0
    done = run("import", "weekly", out, "--db", target)
    assert done.exit_code == 0 and "0 unchanged" in done.output
    again = run("import", "weekly", out, "--db", target)
    assert again.exit_code == 0 and "0 were inserted, 0 were updated" in again.output


def test_refused_rows_exit_1_usage_exit_2(demo_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "NVT-ASH,2026-03-03,1,0,0,0,10\nNOPE,2026-03-02,1,0,0,0,10\n")
    result = run("import", "weekly", bad, "--db", demo_db)
    assert result.exit_code == 1
    assert "did you mean 2026-03-02" in result.output and "NOPE" in result.output and "nothing" in result.output
    assert run("import", "weekly", tmp_path / "missing.csv", "--db", demo_db).exit_code == 2
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("ward_code,colour\nNVT-ASH,red\n")
    result = run("import", "weekly", unknown, "--db", demo_db)
    assert result.exit_code == 2 and "unknown column" in result.output


def test_db_given_before_the_command_is_the_one_used(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    """`rrp --db F import ...` reads and writes F, not the default database."""
    monkeypatch.delenv("RRP_DB", raising=False)
    monkeypatch.setattr("rrp.paths.default_database_path", lambda: tmp_path / "default.sqlite")
    exported = run("--db", demo_db, "export", "weekly", "-", "--ward", "NVT-ASH")
    assert exported.exit_code == 0 and "NVT-ASH,Ash Ward,2026-11-16" in exported.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "NVT-ASH,2026-03-03,1,0,0,0,10\n")
    refused = run("--db", demo_db, "import", "weekly", bad)
    # Judged against F's registry: the ward is known there, only the date is wrong.
    assert refused.exit_code == 1 and "did you mean 2026-03-02" in refused.output
    assert "not in the collaborative" not in refused.output
    assert not (tmp_path / "default.sqlite").exists()


def test_export_to_stdout_and_dictionary(demo_db: Path) -> None:
    result = run("export", "monthly", "-", "--db", demo_db, "--ward", "NVT-ASH")
    assert result.exit_code == 0 and "NVT-ASH" in result.output
    assert run("export", "dictionary", "-").exit_code == 0
    assert run("export", "weekly", "-", "--db", demo_db, "--ward", "NOPE").exit_code == 2


def test_backup_and_restore(demo_db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite"
    result = run("backup", backup, "--db", demo_db)
    assert result.exit_code == 0 and "integrity check: ok" in result.output
    result = run("restore", backup, "--db", demo_db, "--yes")
    assert result.exit_code == 0 and "kept at" in result.output
    not_db = tmp_path / "x.txt"
    not_db.write_text("hello")
    assert run("restore", not_db, "--db", demo_db, "--yes").exit_code == 1


def test_submission_conflict_exit_1_then_resolved(tmp_path: Path) -> None:
    end = dt.date(2026, 11, 16)
    ward_db, hub_db = tmp_path / "ward.sqlite", tmp_path / "hub.sqlite"
    for path, who in ((ward_db, "ward"), (hub_db, "hub")):
        store = Store(path, who=who)
        build_demo(store, weeks=10, end=end)
        stored = store.weekly.week("NVT-ASH", end)
        store.weekly.save(stored.counts.model_copy(update={"seclusion": 5 if who == "ward" else 2}),
                          expected_version=stored.version)
        store.close()
    sub = tmp_path / "s.json"
    key = tmp_path / "nvt.key"
    made = run("keys", "new", "--provider", "NVT", "--out", key)
    assert made.exit_code == 0, made.output
    public = next(line for line in made.output.splitlines() if line.startswith("ed25519:"))
    assert run("keys", "enrol", "--provider", "NVT", public, "--db", hub_db).exit_code == 0
    assert run("export", "submission", sub, "--db", ward_db, "--ward", "NVT-ASH", "--key", key).exit_code == 0
    assert json.loads(sub.read_text())["format"] == "rrp-ward-submission"
    result = run("import", "submission", sub, "--db", hub_db)
    assert result.exit_code == 1 and "weekly:NVT-ASH/2026-11-16" in result.output
    result = run("import", "submission", sub, "--db", hub_db, "--take", "theirs", "--key", "weekly:NVT-ASH/2026-11-16")
    assert result.exit_code == 0, result.output
    assert Store(hub_db).weekly.week("NVT-ASH", end).counts.seclusion == 5
    tampered = tmp_path / "t.json"
    text = sub.read_text()
    assert '\\"seclusion\\":5' in text
    tampered.write_text(text.replace('\\"seclusion\\":5', '\\"seclusion\\":6', 1))
    result = run("import", "submission", tampered, "--db", hub_db)
    assert result.exit_code == 1 and "fails its signature" in result.output


def test_export_workbook_and_board(demo_db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "governance.xlsx"
    result = run("export", "workbook", out, "--db", demo_db, "--provider", "NVT")
    assert result.exit_code == 0 and "Wrote the governance workbook" in result.output
    assert load_workbook(out, read_only=True).sheetnames[:3] == ["README", "board", "weekly"]
    refused = run("export", "workbook", tmp_path / "governance.csv", "--db", demo_db)
    assert refused.exit_code == 2 and ".xlsx" in refused.output
    board = run("export", "board", "-", "--db", demo_db)
    assert board.exit_code == 0
    lines = board.stdout.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("scope,provider_code") and lines[1].startswith("collaborative,")
