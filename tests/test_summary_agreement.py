"""The dashboard painted from the wards' stored summaries equals the dashboard computed from every
row (rrp.reports.summaries vs rrp.reports.dashboard), on both engines, before and after saves,
edits, deletes, a rebase, a fixed baseline, a ward's own target and a new aim; and only the wards
touched are computed again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rrp.models.weekly import WeeklyCounts
from rrp.reports import summaries
from rrp.reports.dashboard import Dashboard, dashboard_from_inputs, read_inputs, ward_reading
from rrp.store import Store
from rrp.synthetic import build_demo

TODAY = dt.date(2026, 11, 18)
END = dt.date(2026, 11, 16)


@pytest.fixture
def store(engine_db: Path | str) -> Store:
    store = Store(engine_db, who="demo", clock=lambda: "2026-11-18T09:00:00Z")
    build_demo(store, wards=12, weeks=40, end=END)
    return store


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    assert list(a.columns) == list(b.columns), what
    assert len(a) == len(b), what
    for column in a.columns:
        left, right = a[column].tolist(), b[column].tolist()
        for i, (x, y) in enumerate(zip(left, right, strict=True)):
            if _blank(x) and _blank(y):
                continue
            if isinstance(x, pd.Timestamp | dt.date) or isinstance(y, pd.Timestamp | dt.date):
                x, y = pd.Timestamp(x), pd.Timestamp(y)
            assert x == y, f"{what}: {column} row {i}: {x!r} != {y!r}"


def _blank(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def assert_same(fast: Dashboard, full: Dashboard) -> None:
    assert fast.measures == full.measures and fast.weeks == full.weeks and fast.end_week == full.end_week
    assert fast.aim_reduction == full.aim_reduction and fast.notes == full.notes
    _frames_equal(fast.wards, full.wards, "wards")
    _frames_equal(fast.completeness.reset_index(), full.completeness.reset_index(), "completeness")
    _frames_equal(fast.aggregate, full.aggregate, "aggregate")
    _frames_equal(fast.aggregate_summary, full.aggregate_summary, "aggregate summary")
    _frames_equal(fast.funnel, full.funnel, "funnel")
    _frames_equal(fast.funnel_curve, full.funnel_curve, "funnel curve")
    _frames_equal(fast.pdsa_monthly, full.pdsa_monthly, "PDSA per month")
    for code in full.wards["ward_code"]:
        assert fast.readings[code] == ward_reading(full, code), code


def _both(store: Store, **filters: str) -> tuple[Dashboard, Dashboard]:
    fast = summaries.summary_dashboard(store, today=TODAY, **filters)
    full = dashboard_from_inputs(read_inputs(store), today=TODAY, **filters)
    return fast, full


def test_summaries_agree_with_the_dashboard_from_scratch(store: Store) -> None:
    fast, full = _both(store)
    assert len(full.wards) == 12 and not full.aggregate.empty and not full.funnel.empty
    assert_same(fast, full)
    codes = list(full.wards["ward_code"])
    assert summaries.out_of_date(store, codes, today=TODAY) == []  # all stored now
    provider = str(full.wards["provider_code"].iloc[0])
    assert_same(*_both(store, provider=provider))  # a filtered dashboard from the same summaries


def test_after_saves_edits_and_deletes_only_the_touched_wards_are_recomputed(store: Store) -> None:
    from rrp.models.annotation import Annotation
    from rrp.models.change_package import Aim

    fast, full = _both(store)
    codes = list(full.wards["ward_code"])
    a, b, c = codes[0], codes[1], codes[2]
    week = store.weekly.week(a, dt.date(2026, 11, 9))
    store.weekly.save(week.counts.model_copy(update={"restraint": week.counts.restraint + 5,
                                                      "prone_restraint": week.counts.prone_restraint}),
                      expected_version=week.version)
    old = store.weekly.week(b, dt.date(2026, 10, 5))
    store.weekly.delete(b, old.counts.week_start, expected_version=old.version, reason="entered twice")
    store.weekly.save(WeeklyCounts(ward_code=b, week_start=dt.date(2026, 11, 23), restraint=9, prone_restraint=0,
                                   seclusion=0, rapid_tranquillisation=0, occupied_bed_days=100),
                      expected_version=None)  # the week in progress: stored, not yet on the dashboard
    assert summaries.out_of_date(store, codes, today=TODAY) == [a, b]
    assert_same(*_both(store))
    assert summaries.out_of_date(store, codes, today=TODAY) == []

    store.annotations.add(Annotation(ward_code=a, on_date=dt.date(2026, 9, 7), kind="rebase", text="new manager"))
    store.preferences.set(f"huddle:{b}", {"fix_after": 14})
    store.measures.set_ward_target(c, "restraint", 5.0)
    assert set(summaries.out_of_date(store, codes, today=TODAY)) == {a, b, c}
    assert_same(*_both(store))

    store.change_package.set_aim(Aim(text=store.change_package.aim().text, reduction=0.5))
    assert summaries.out_of_date(store, codes, today=TODAY) == codes
    assert_same(*_both(store))


def test_a_new_week_makes_every_summary_out_of_date(store: Store) -> None:
    fast, full = _both(store)
    codes = list(full.wards["ward_code"])
    later = TODAY + dt.timedelta(days=7)
    assert summaries.out_of_date(store, codes, today=later) == codes
    fast = summaries.summary_dashboard(store, today=later)
    assert_same(fast, dashboard_from_inputs(read_inputs(store), today=later))


def test_painted_from_out_of_date_summaries_then_updated_in_batches_agrees(store: Store) -> None:
    """The dashboard's way with out-of-date summaries (rrp.screens.dashboard.compute): painted at
    once from the figures the summaries held, those wards listed as updating; then computed a
    batch at a time (`refresh`) and painted again: the same as from scratch, all stored."""
    fast, full = _both(store)
    codes = list(full.wards["ward_code"])
    a = codes[0]
    week = store.weekly.week(a, dt.date(2026, 11, 9))
    store.weekly.save(week.counts.model_copy(update={"restraint": week.counts.restraint + 7}),
                      expected_version=week.version)
    store.summaries.forget()  # and every other ward out of date too
    painted = summaries.summary_dashboard(store, today=TODAY, aggregates=False, compute_stale=False)
    assert list(painted.updating) == codes
    assert summaries.out_of_date(store, codes, today=TODAY) == codes  # nothing computed
    # The figures the summaries held: ward a's from before its new week.
    held = painted.wards.set_index("ward_code")
    assert held.at[a, "restraint_rate"] == fast.wards.set_index("ward_code").at[a, "restraint_rate"]
    done = []
    for start in range(0, len(codes), 5):
        part = codes[start : start + 5]
        computed = summaries.refresh(store, part, today=TODAY)
        batch = summaries.summary_dashboard(store, today=TODAY, aggregates=False, compute_stale=False,
                                            ward_codes=part, computed=computed)
        assert list(batch.wards["ward_code"]) == part and batch.updating == ()
        done += part
        assert summaries.out_of_date(store, codes, today=TODAY) == codes[len(done):]
    now = summaries.summary_dashboard(store, today=TODAY, compute_stale=False)
    assert now.updating == ()
    fresh = dashboard_from_inputs(read_inputs(store), today=TODAY)
    assert_same(now, fresh)
    assert fresh.wards.set_index("ward_code").at[a, "restraint_rate"] != held.at[a, "restraint_rate"]
