"""The synthetic collaborative looks like the real thing (and is valid by every rule)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from rrp.synthetic.collaborative import generate_weekly, plan_collaborative


def test_counts_obey_the_domain_rules_and_show_the_expected_shape():
    plan = plan_collaborative(seed=3, wards=19, weeks=104, end=dt.date(2026, 11, 16))
    rows = generate_weekly(plan)
    beds = {w.code: w.beds for w in plan.wards}
    arr = np.array([r[2:] for r in rows])
    assert (arr >= 0).all()
    assert (arr[:, 1] <= arr[:, 0]).all()  # prone within restraint
    for code, _, *_, bed_days in rows:
        assert 0.8 * beds[code] * 7 - 1 <= bed_days <= beds[code] * 7  # occupancy 80-100%
    # A few missing weeks, never a whole ward.
    assert 0 < len(plan.missing) < 0.05 * 19 * 104
    # Some wards adopted a change; their rates fell afterwards.
    assert plan.adoptions
    by_ward: dict[str, list[tuple]] = {}
    for row in rows:
        by_ward.setdefault(row[0], []).append(row)
    fell = 0
    for code, start in plan.adoptions.items():
        before = [r for r in by_ward[code] if r[1] < start.isoformat()]
        after = [r for r in by_ward[code] if r[1] >= start.isoformat()]
        rate = lambda rs: sum(r[2] + r[4] + r[5] for r in rs) / sum(r[6] for r in rs)  # noqa: E731
        fell += rate(after) < rate(before)
    assert fell >= 0.75 * len(plan.adoptions)
