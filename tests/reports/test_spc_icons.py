"""Variation and assurance icons (QI-METHODS "Variation icon", "Assurance icon")."""

import math

import pytest

from rrp.reports.spc import compute_chart

BASE = [18, 22] * 6  # mean 20, limits 9.36 .. 30.64


@pytest.mark.parametrize(
    ("direction", "last", "icon"),
    [
        ("decrease", 31, "concern_high"),
        ("decrease", 9, "improvement_low"),
        ("increase", 31, "improvement_high"),
        ("increase", 9, "concern_low"),
        ("neutral", 31, "neither_high"),
        ("neutral", 9, "neither_low"),
        ("decrease", 20, "common_cause"),
    ],
)
def test_variation_icon_from_last_point(direction, last, icon):
    r = compute_chart(BASE + [last], chart="xmr", fix_after=12, direction=direction)
    assert r.summary["variation_icon"] == icon


def test_assurance_lower_is_better():
    def icon(target):
        return compute_chart(BASE + [20], chart="xmr", target=target).summary["assurance_icon"]

    assert icon(31) == "pass"  # target above the upper limit
    assert icon(9) == "fail"  # target below the lower limit
    assert icon(20) == "hit_and_miss"


def test_assurance_higher_is_better_mirrored():
    def icon(target):
        return compute_chart(BASE + [20], chart="xmr", target=target, direction="increase").summary[
            "assurance_icon"
        ]

    assert icon(9) == "pass"
    assert icon(31) == "fail"
    assert icon(25) == "hit_and_miss"


def test_assurance_comparisons_are_strict():
    upper = 5 + 3 * math.sqrt(5)
    values = [4, 6, 5, 5] * 4
    at = compute_chart(values, chart="c", target=upper).summary
    assert at["assurance_icon"] == "hit_and_miss"
    above = compute_chart(values, chart="c", target=math.nextafter(upper, 99)).summary
    assert above["assurance_icon"] == "pass"


def test_no_assurance_without_target_or_when_neutral():
    assert compute_chart(BASE + [20], chart="xmr").summary["assurance_icon"] is None
    r = compute_chart(BASE + [20], chart="xmr", target=40, direction="neutral")
    assert r.summary["assurance_icon"] is None


def test_assurance_uses_last_points_limits_on_u_chart():
    counts = [2, 3] * 7
    beds = [100] * 13 + [10000]
    r = compute_chart(counts, denominators=beds, chart="u", per=1000, target=10)
    upper_last = r.points["upper_limit"].iloc[-1]
    assert upper_last < 10 < r.points["upper_limit"].iloc[0]
    assert r.summary["assurance_icon"] == "pass"


def test_summary_keys_and_types():
    r = compute_chart(BASE + [20], chart="xmr")
    assert set(r.summary) == {
        "chart",
        "rules",
        "direction",
        "n",
        "variation_icon",
        "assurance_icon",
    }
    assert r.summary["n"] == 13 and isinstance(r.summary["n"], int)
    assert list(r.points.columns) == [
        "x",
        "value",
        "centre",
        "lower_limit",
        "upper_limit",
        "lower_2sigma",
        "upper_2sigma",
        "segment",
        "special_cause",
        "rules",
        "trial",
    ]
