"""UK local time for people: stored UTC shown as GMT or BST in UK format."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from rrp.messages import day_month
from rrp.models.when import local_time_text, month_text, short_day, uk_dates

# The clocks change at 01:00 UTC on the last Sunday of March and of October.
BST_STARTS = [dt.datetime(2026, 3, 29, 1, tzinfo=dt.UTC), dt.datetime(2027, 3, 28, 1, tzinfo=dt.UTC)]
BST_ENDS = [dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC), dt.datetime(2027, 10, 31, 1, tzinfo=dt.UTC)]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def test_the_issue_example_in_winter_is_gmt():
    assert local_time_text("2026-12-01T04:52:06Z") == "1 Dec 2026 04:52"


def test_summer_time_is_an_hour_ahead():
    assert local_time_text("2026-07-14T23:30:00Z") == "15 Jul 2026 00:30"


def test_dates_in_uk_format():
    assert day_month(dt.date(2026, 12, 1)) == "1 Dec 2026"


def test_short_days_months_and_iso_dates_in_text_in_uk_format():
    assert short_day(dt.date(2026, 6, 8)) == "8 Jun"  # no stray space (it was day_month(d)[:6]: "8 Jun ")
    assert short_day(dt.date(2026, 8, 24)) == "24 Aug"
    assert month_text(dt.date(2026, 12, 1)) == "Dec 2026"
    assert uk_dates("NVT-ASH 2024-12-09") == "NVT-ASH 9 Dec 2024"
    assert uk_dates("2026-02-30 and 12026-01-01") == "2026-02-30 and 12026-01-01"  # not dates: as they are
    assert uk_dates("saved 2026-12-01T04:52:06Z") == "saved 2026-12-01T04:52:06Z"  # a timestamp is local_time_text's


def test_text_that_is_not_a_timestamp_is_shown_as_it_is():
    assert local_time_text("yesterday") == "yesterday"
    assert local_time_text("") == ""


@given(
    change=st.sampled_from([(m, 1) for m in BST_STARTS] + [(m, 0) for m in BST_ENDS]),
    seconds=st.integers(min_value=-3 * 3600, max_value=3 * 3600),
)
def test_the_hour_around_each_clock_change(change, seconds):
    """Before a change the old offset applies, from the change the new one; never a raw ISO string."""
    moment, bst_after = change
    instant = moment + dt.timedelta(seconds=seconds)
    bst = bst_after if seconds >= 0 else 1 - bst_after
    wall = instant.replace(tzinfo=None) + dt.timedelta(hours=bst)
    text = local_time_text(_iso(instant))
    assert text == f"{wall.day} {wall:%b} {wall.year} {wall:%H:%M}"
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)
