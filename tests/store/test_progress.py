"""ProgressRepository: record, history, latest; versioned and audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rrp.models.progress import ProgressScore
from rrp.models.registry import Provider, Ward
from rrp.store import StaleEditError, Store, UnknownRecord
from rrp.store.audit import history


@pytest.fixture
def store(engine_db: str | Path) -> Store:
    s = Store(engine_db, who="facilitator")
    s.registry.save_many(
        [Provider(code="NVT", name="Northvale")],
        [Ward(code="NVT-ASH", provider_code="NVT", name="Ash Ward", ward_type="acute_adult", beds=20),
         Ward(code="NVT-OAK", provider_code="NVT", name="Oak Ward", ward_type="picu", beds=10)],
    )
    return s


def test_record_history_latest(store: Store) -> None:
    p = store.progress
    p.record(ProgressScore(ward_code="NVT-ASH", month="2026-09", score=2.0), expected_version=None)
    p.record(ProgressScore(ward_code="NVT-ASH", month="2026-10", score=2.5, note="Two ideas tested"),
             expected_version=None)
    p.record(ProgressScore(ward_code="NVT-OAK", month="2026-10", score=1.0), expected_version=None)
    assert [(s.score.month, s.score.score) for s in p.history("NVT-ASH")] == [
        (dt.date(2026, 9, 1), 2.0), (dt.date(2026, 10, 1), 2.5)]
    assert {k: v.score.score for k, v in p.latest().items()} == {"NVT-ASH": 2.5, "NVT-OAK": 1.0}
    assert len(p.for_month(dt.date(2026, 10, 15))) == 2

    with pytest.raises(StaleEditError, match="already scored"):
        p.record(ProgressScore(ward_code="NVT-ASH", month="2026-10", score=3.0), expected_version=None)
    updated = p.record(ProgressScore(ward_code="NVT-ASH", month="2026-10", score=3.0), expected_version=1)
    assert updated.version == 2 and updated.score.note is None
    rows = history(store.database, "progress_score", "NVT-ASH/2026-10-01")
    assert [r["action"] for r in rows] == ["insert", "update"]
    assert rows[1]["before"]["score"] == 2.5 and rows[1]["after"]["score"] == 3.0
    p.delete("NVT-ASH", dt.date(2026, 10, 1), expected_version=2)
    assert p.get("NVT-ASH", dt.date(2026, 10, 1)) is None


def test_unknown_ward(store: Store) -> None:
    with pytest.raises(UnknownRecord):
        store.progress.record(ProgressScore(ward_code="NOPE", month="2026-10", score=1), expected_version=None)
