"""The plausibility check against a ward's own history and bed count, and a week's history."""

from __future__ import annotations

import datetime as dt

from rrp.models import Ward, WeeklyCounts
from rrp.reports.corrections import needs_reason, unusual_question, unusual_values, week_history

WARD = Ward(code="ASH", provider_code="NVT", name="Ash", ward_type="picu", beds=20)
WEEK = dt.date(2026, 11, 9)


def week(start: dt.date, restraint: int = 3, bed_days: int = 130, **other: int) -> WeeklyCounts:
    data = dict(ward_code="ASH", week_start=start, restraint=restraint, prone_restraint=0,
                seclusion=other.get("seclusion", 1), rapid_tranquillisation=other.get("rt", 2),
                occupied_bed_days=bed_days)
    return WeeklyCounts.model_construct(**data)


def history(n: int, **kwargs: int) -> list[WeeklyCounts]:
    return [week(WEEK - dt.timedelta(weeks=i), **kwargs) for i in range(1, n + 1)]


def fields(found) -> list[str]:
    return [u.field for u in found]


def test_a_slipped_key_is_unusual_and_names_the_usual_range():
    past = history(20, restraint=10)  # at most 10 a week
    assert unusual_values(week(WEEK, restraint=30), ward=WARD, history=past) == []  # 3 x 10: not over
    found = unusual_values(week(WEEK, restraint=500), ward=WARD, history=past)
    assert fields(found) == ["restraint"]
    assert found[0].usual == "10 to 10 a week over the 20 weeks entered in the last 52"
    assert "Restraints 500 is far outside" in unusual_question(found)


def test_both_thresholds_must_be_passed():
    past = history(20, restraint=2)
    # 3 x the max (6) but not max + 10 (12): a quiet ward's busy week is not questioned.
    assert unusual_values(week(WEEK, restraint=7), ward=WARD, history=past) == []
    assert unusual_values(week(WEEK, restraint=12), ward=WARD, history=past) == []
    assert fields(unusual_values(week(WEEK, restraint=13), ward=WARD, history=past)) == ["restraint"]
    past = history(20, restraint=30)
    assert unusual_values(week(WEEK, restraint=90), ward=WARD, history=past) == []  # not > 3 x 30
    assert fields(unusual_values(week(WEEK, restraint=91), ward=WARD, history=past)) == ["restraint"]


def test_bed_days_under_half_the_least_are_unusual():
    past = history(10, bed_days=120)
    assert unusual_values(week(WEEK, bed_days=60), ward=WARD, history=past) == []
    found = unusual_values(week(WEEK, bed_days=59), ward=WARD, history=past)
    assert fields(found) == ["occupied_bed_days"]


def test_with_little_history_the_bed_count_judges():
    past = history(7)  # under 8 weeks: the ward's history is not enough
    assert unusual_values(week(WEEK, restraint=40), ward=WARD, history=past) == []  # 2 per bed
    assert fields(unusual_values(week(WEEK, restraint=41), ward=WARD, history=past)) == ["restraint"]
    assert fields(unusual_values(week(WEEK, bed_days=19), ward=WARD, history=[])) == ["occupied_bed_days"]
    assert unusual_values(week(WEEK, bed_days=20), ward=WARD, history=[]) == []


def test_only_the_52_weeks_before_count():
    old = [week(WEEK - dt.timedelta(weeks=60 + i), restraint=200) for i in range(10)]
    later = [week(WEEK + dt.timedelta(weeks=i), restraint=200) for i in range(1, 10)]
    found = unusual_values(week(WEEK, restraint=100), ward=WARD, history=old + later + history(10, restraint=5))
    assert fields(found) == ["restraint"]
    # The week's own stored row (a correction of it) is not its own history.
    own = history(10, restraint=5) + [week(WEEK, restraint=100)]
    assert fields(unusual_values(week(WEEK, restraint=100), ward=WARD, history=own)) == ["restraint"]


def test_a_history_row_reads_in_uk_time_and_lists_the_changes():
    rows = [
        {"at": "2026-01-12T09:30:00Z", "who": "ana", "action": "insert", "before": None,
         "after": {"ward_code": "ASH", "week_start": "2026-01-05", "restraint": 3, "note": None}},
        {"at": "2026-06-01T23:30:00Z", "who": "ben", "action": "update",
         "before": {"restraint": 3, "note": None}, "after": {"restraint": 30, "note": "x", "reason": "slip"}},
    ]
    first, second = week_history(rows)
    assert (first.when, first.who, first.action, first.changes) == ("12 Jan 2026 09:30", "ana", "entered", ["Restraints: 3"])
    assert second.when == "2 Jun 2026 00:30"  # BST: the next day in London
    assert second.changes == ["Restraints: 3 -> 30", "Note: (blank) -> x"] and second.reason == "slip"


def test_the_set_based_check_agrees_with_the_one_week_check():
    """An import's check (`unusual_in_frame`) and the form's (`unusual_values`): the same rules."""
    import random

    import pandas as pd

    from rrp.reports.corrections import unusual_in_frame

    rng = random.Random(5)
    wards = {"ASH": WARD, "OAK": Ward(code="OAK", provider_code="NVT", name="Oak", ward_type="picu", beds=6)}
    weeks: list[WeeklyCounts] = []
    for code, ward in wards.items():
        start = dt.date(2025, 1, 6)
        for i in range(80):
            if rng.random() < 0.15:
                continue  # gaps: a missing week
            restraint = rng.choice([0, 1, 2, 3, 5, 40, 200]) if i > 3 else rng.randint(0, 60)
            data = dict(ward_code=code, week_start=start + dt.timedelta(weeks=i), restraint=restraint,
                        prone_restraint=0, seclusion=rng.choice([0, 1, 30]), rapid_tranquillisation=rng.randint(0, 4),
                        occupied_bed_days=rng.choice([ward.beds * 7, ward.beds * 6, ward.beds * 2, 3, 0]))
            weeks.append(WeeklyCounts.model_construct(**data))
    frame = pd.DataFrame([w.model_dump() for w in weeks])
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    keys = {(w.ward_code, w.week_start.isoformat()) for w in weeks}
    got = {(c, d, u) for c, d, u in unusual_in_frame(frame, {c: w.beds for c, w in wards.items()}, keys)}
    want = {
        (w.ward_code, w.week_start, u)
        for w in weeks
        for u in unusual_values(w, ward=wards[w.ward_code], history=weeks)
    }
    assert got == want and len(want) > 10
    # Only the weeks asked about are judged.
    some = sorted(keys)[:5]
    assert {(c, d.isoformat()) for c, d, _ in unusual_in_frame(frame, {"ASH": 20, "OAK": 6}, some)} <= set(some)


def test_a_provisional_weeks_updates_and_confirmation_need_no_reason():
    monday = dt.date(2026, 11, 30)
    mid_week = "2026-12-02T10:00:00Z"  # saved on the Wednesday: provisional
    after = "2026-12-08T10:00:00Z"  # saved on the Tuesday after: confirmed
    assert not needs_reason(monday, mid_week, changed=True)  # an update during the week, or the confirmation
    assert not needs_reason(monday, mid_week, changed=False)
    assert needs_reason(monday, after, changed=True)  # once confirmed, a change is a correction
    assert not needs_reason(monday, after, changed=False)
    assert needs_reason(monday, None, changed=True)  # other measures' values only: as before


def test_a_week_in_progress_is_not_judged_on_its_bed_days_so_far():
    past = history(10, restraint=5, bed_days=120)
    in_progress = week(WEEK, bed_days=20)
    during = WEEK + dt.timedelta(days=2)
    assert fields(unusual_values(in_progress, ward=WARD, history=past)) == ["occupied_bed_days"]
    assert unusual_values(in_progress, ward=WARD, history=past, today=during) == []
    # Once the week has ended, its bed days are judged in full.
    ended = WEEK + dt.timedelta(days=7)
    assert fields(unusual_values(in_progress, ward=WARD, history=past, today=ended)) == ["occupied_bed_days"]
    # The counts still get the high-side check while the week is in progress.
    slipped = week(WEEK, restraint=500, bed_days=20)
    assert fields(unusual_values(slipped, ward=WARD, history=past, today=during)) == ["restraint"]
    # Fewer than 8 weeks of history: the bed-count rule is skipped the same way.
    assert unusual_values(week(WEEK, bed_days=3), ward=WARD, history=[], today=during) == []


def test_history_says_updated_without_a_reason_and_corrected_with_one():
    rows = [
        {"action": "insert", "at": "2026-12-03T15:00:00Z", "who": "nurse", "before": None,
         "after": {"restraint": 2, "occupied_bed_days": 20}},
        {"action": "update", "at": "2026-12-08T09:00:00Z", "who": "nurse", "before": {"occupied_bed_days": 20},
         "after": {"occupied_bed_days": 58}},
        {"action": "update", "at": "2026-12-09T09:00:00Z", "who": "nurse", "before": {"restraint": 2},
         "after": {"restraint": 3, "reason": "late report"}},
    ]
    assert [(e.action, e.reason) for e in week_history(rows)] == [
        ("entered", None), ("updated", None), ("corrected", "late report")
    ]
