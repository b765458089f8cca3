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
