"""Property tests: symmetry of limits, order invariance of the u centre, constant series."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rrp.reports.spc import compute_chart

counts = st.lists(st.integers(0, 40), min_size=2, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=40))
def test_xmr_limits_symmetric_about_centre(values):
    p = compute_chart(values, chart="xmr").points
    ok = p["upper_limit"].notna()
    np.testing.assert_allclose(
        (p["upper_limit"] - p["centre"])[ok], (p["centre"] - p["lower_limit"])[ok], atol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_u_limits_symmetric_before_clipping(data):
    c = data.draw(counts)
    n = data.draw(st.lists(st.integers(1, 5000), min_size=len(c), max_size=len(c)))
    p = compute_chart(c, denominators=n, chart="u", per=1000).points
    ok = p["upper_limit"].notna()
    half = (p["upper_limit"] - p["centre"])[ok]
    np.testing.assert_allclose(
        p["lower_limit"][ok], np.maximum(p["centre"][ok] - half, 0), atol=1e-9
    )
    np.testing.assert_allclose((p["upper_2sigma"] - p["centre"])[ok], half * 2 / 3, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_u_centre_invariant_to_reordering(data):
    c = data.draw(counts)
    n = data.draw(st.lists(st.integers(1, 5000), min_size=len(c), max_size=len(c)))
    order = data.draw(st.permutations(range(len(c))))
    a = compute_chart(c, denominators=n, chart="u").points["centre"].iloc[0]
    b = (
        compute_chart([c[i] for i in order], denominators=[n[i] for i in order], chart="u")
        .points["centre"]
        .iloc[0]
    )
    assert np.isclose(a, b, rtol=1e-12, atol=0)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0, 1e6, allow_nan=False),
    st.integers(2, 60),
    st.sampled_from(["run", "xmr", "c"]),
    st.sampled_from(["anhoej", "ihi"]),
)
def test_constant_series_has_no_signals(value, n, chart, rules):
    if chart == "c":
        value = float(int(value))
    r = compute_chart([value] * n, chart=chart, rules=rules, target=1.0)
    assert r.points["rules"].eq("").all()
    if chart == "c":
        # Poisson limits remain on a constant segment unless the centre is zero.
        assert r.points["upper_limit"].notna().all() == (value > 0)
    else:
        assert r.summary["assurance_icon"] is None


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(["p", "pprime"]), st.sampled_from([1.0, 100.0]))
def test_p_limits_ordered_within_zero_and_per(data, chart, per):
    n = data.draw(st.lists(st.integers(1, 500), min_size=2, max_size=40))
    x = [data.draw(st.integers(0, k)) for k in n]
    p = compute_chart(x, denominators=n, chart=chart, per=per).points
    ok = p["upper_limit"].notna()
    cols = ["lower_limit", "lower_2sigma", "centre", "upper_2sigma", "upper_limit"]
    grid = p.loc[ok, cols].to_numpy()
    assert (grid >= 0).all() and (grid <= per * (1 + 1e-12)).all()
    assert (np.diff(grid, axis=1) >= -1e-9).all()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 30), max_size=20),
    st.lists(st.integers(1, 4), min_size=6, max_size=10),
    st.booleans(),
    st.lists(st.integers(0, 30), max_size=20),
    st.sampled_from(["xmr", "c"]),
    st.sampled_from(["decrease", "increase"]),
)
def test_trend_points_inside_the_limits_take_the_trends_class(
    before, steps, rising, after, chart, direction
):
    # QI-METHODS precedence: outside limits, then trend, then two of three, then shift. A point in
    # a trend that is not outside the limits is classed by the trend's direction, whatever its side.
    from rrp.reports.spc.control_rules import trend
    from rrp.reports.spc.segments import build_layout

    # A 7+ point trend (strictly monotone steps) between two random stretches.
    run = np.cumsum([0, *steps]) if rising else 60 - np.cumsum([0, *steps])
    values = [*before, *(int(x) for x in run), *after]
    r = compute_chart(values, chart=chart, direction=direction)
    p = r.points
    v = p["value"].to_numpy(float)
    t = trend(v, build_layout(np.zeros(len(v), dtype=bool), None))
    good = -1 if direction == "decrease" else 1
    assert (t != 0).sum() >= 7
    for i in range(len(v)):
        if t[i] != 0 and "outside_limits" not in p["rules"].iloc[i]:
            assert p["special_cause"].iloc[i] == ("improvement" if t[i] == good else "concern")
