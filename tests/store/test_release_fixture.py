"""A database made by release 0.1.0 (schema 2) opens, is backed up and migrates with nothing lost.

tests/fixtures/release_0_1_0.sqlite was built by the release code (`rrp demo --no-tui --wards 3
--weeks 20 --seed 7 --end 2026-11-23`, then VACUUMed); tests/fixtures/release_0_1_0_exports/ holds
what that code exported from it. Never regenerate them with newer code: they are the old release.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from rrp.exchange.exports import export
from rrp.models.measure_file import parse_measures
from rrp.paths import DATA_DIR
from rrp.store import Store
from rrp.store.measures import load_shipped_measures, measure_row
from rrp.store.schema import SCHEMA_VERSION

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RELEASE_DB = FIXTURES / "release_0_1_0.sqlite"
RELEASE_EXPORTS = FIXTURES / "release_0_1_0_exports"


def contents(path: Path) -> dict[str, list[dict]]:
    """Every row of every table, in primary-key order (sqlite-utils introspects the tables)."""
    db = sqlite_utils.Database(path)
    try:
        return {
            name: list(db.query(f"SELECT * FROM [{name}] ORDER BY {', '.join(db[name].pks)}"))
            for name in db.table_names()
        }
    finally:
        db.close()


@pytest.fixture
def old_copy(tmp_path: Path) -> Path:
    target = tmp_path / "release.sqlite"
    shutil.copy(RELEASE_DB, target)
    return target


def test_the_release_database_migrates_with_nothing_lost(old_copy: Path) -> None:
    before = contents(old_copy)
    assert sqlite_utils.Database(old_copy).execute("PRAGMA user_version").fetchone()[0] == 2
    store = Store(old_copy, who="upgrader")
    assert store.database.migrated_from == 2 and store.database.schema_version == SCHEMA_VERSION
    backup = store.database.backup_path
    assert backup is not None and backup.parent == old_copy.parent
    assert contents(backup) == before  # the backup is the old database, whole
    store.close()

    after = contents(old_copy)
    for table, rows in before.items():
        if table == "audit":  # append-only: the old rows, then the migration's own row
            assert after[table][: len(rows)] == rows
            assert [(r["table_name"], r["before"], r["after"]) for r in after[table][len(rows):]] == [
                ("schema", "2", str(SCHEMA_VERSION))
            ]
        elif table == "sqlite_sequence":
            continue
        elif table == "ward":  # schema 5 adds participation_start, empty: every ward always took part
            assert [{k: v for k, v in r.items() if k != "participation_start"} for r in after[table]] == rows
            assert {r["participation_start"] for r in after[table]} == {None}
        else:
            assert after[table] == rows, table
    assert set(after) - set(before) == {"measure", "measure_value", "measure_target", "provider_key", "ward_summary"}
    assert after["measure_value"] == [] and after["measure_target"] == []


def test_the_migrated_core_measures_are_the_shipped_definitions(old_copy: Path) -> None:
    store = Store(old_copy)
    stored = {s.measure.code: s.measure for s in store.measures.stored()}
    shipped = {m.code: m for m in parse_measures((DATA_DIR / "measures.toml").read_text(encoding="utf-8"))}
    assert sorted(stored) == ["all_restrictive", "prone_restraint", "rapid_tranquillisation", "restraint", "seclusion"]
    for code, measure in stored.items():
        assert measure_row(measure) == measure_row(shipped[code]), code
    # `rrp init`'s hook then adds the switched-off process and balancing measures, and only those.
    assert load_shipped_measures(store) == 6
    assert {m.code for m in store.measures.all()} == set(shipped)
    assert load_shipped_measures(store) == 0


#: Exports changed on purpose: spc's figures by issue 12 (one definition of every figure), weekly's
#: provisional and monthly's provisional_weeks columns by issue 13 (each tested below against the
#: release's bytes).
CHANGED_BY_DESIGN = {"spc", "weekly", "monthly"}


@pytest.mark.parametrize("kind", sorted(p.stem for p in RELEASE_EXPORTS.glob("*.csv") if p.stem not in CHANGED_BY_DESIGN))
def test_exports_after_migration_are_the_release_bytes(old_copy: Path, kind: str) -> None:
    store = Store(old_copy)
    out = io.BytesIO()
    export(store, kind, out)
    assert out.getvalue() == (RELEASE_EXPORTS / f"{kind}.csv").read_bytes()


def test_the_spc_export_differs_from_the_release_only_by_the_shared_aim(old_copy: Path) -> None:
    """Issue 12: the spc export charts each measure as the dashboard does, so its assurance target
    is now the ward's aim (baseline x (1 - the aim's reduction)) and its assurance icon the
    dashboard's (0.1.0 wrote neither), and its rows follow the measure list's order (all
    restrictive practice first). Every other cell is the release's, character for character."""
    import pandas as pd

    store = Store(old_copy)
    out = io.BytesIO()
    export(store, "spc", out)
    read = {"encoding": "utf-8-sig", "keep_default_na": False, "dtype": str}
    now = pd.read_csv(io.BytesIO(out.getvalue()), **read)
    then = pd.read_csv(RELEASE_EXPORTS / "spc.csv", **read)
    assert list(now.columns) == list(then.columns)
    assert (then["target"] == "").all() and (then["assurance_icon"] == "").all()
    assert (now["target"] != "").all() and (now["assurance_icon"] != "").any()
    key = ["provider_code", "ward_code", "measure", "week_start"]
    same = [c for c in then.columns if c not in ("target", "assurance_icon")]
    assert now[same].sort_values(key).reset_index(drop=True).equals(then[same].sort_values(key).reset_index(drop=True))
    assert now["measure"].drop_duplicates().tolist()[0] == "all_restrictive"


def test_the_weekly_export_is_the_release_bytes_with_a_provisional_column_last(old_copy: Path) -> None:
    """Issue 13: governance readers must tell a week saved before it ended (part of a week) from a
    whole one, so the weekly export says which, in a new last column: every earlier column is the
    release's, byte for byte, so a spreadsheet or script that reads columns by position or name
    still works. The release's weeks were all saved after they ended: none is provisional."""
    store = Store(old_copy)
    out = io.BytesIO()
    export(store, "weekly", out)
    then = (RELEASE_EXPORTS / "weekly.csv").read_bytes().split(b"\r\n")
    now = out.getvalue().split(b"\r\n")
    assert now[0] == then[0] + b",provisional"
    assert now[1:-1] == [line + b",False" for line in then[1:-1]] and now[-1] == then[-1] == b""


def test_the_monthly_export_is_the_release_bytes_with_a_provisional_weeks_column_last(old_copy: Path) -> None:
    """Issue 13: the monthly export says how many of each month's weeks are provisional (part of a
    week, counted in its sums), in a new last column; every earlier column is the release's, byte for
    byte. None of the release's weeks is provisional."""
    store = Store(old_copy)
    out = io.BytesIO()
    export(store, "monthly", out)
    then = (RELEASE_EXPORTS / "monthly.csv").read_bytes().split(b"\r\n")
    now = out.getvalue().split(b"\r\n")
    assert now[0] == then[0] + b",provisional_weeks"
    assert now[1:-1] == [line + b",0" for line in then[1:-1]] and now[-1] == then[-1] == b""
