"""Every validation rule of a week of counts, with the message a nurse sees."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rrp.models import Ward, field_errors, monday_of, validate_week

TODAY = dt.date(2026, 11, 18)
WARD = Ward(code="ash", provider_code="nvt", name="Ash Ward", ward_type="acute_adult", beds=20)


def week(**changes):
    data = dict(
        ward_code="ASH", week_start="2026-11-09", restraint="3", prone_restraint="1",
        seclusion="0", rapid_tranquillisation="2", occupied_bed_days="130", note=None,
    )
    data.update(changes)
    return data


def errors(**changes) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        validate_week(week(**changes), ward=WARD, today=TODAY)
    return field_errors(info.value)


def test_a_valid_week_from_form_strings():
    counts = validate_week(week(), ward=WARD, today=TODAY)
    assert (counts.restraint, counts.prone_restraint, counts.occupied_bed_days) == (3, 1, 130)
    assert counts.all_restrictive == 5
    assert counts.week_start == dt.date(2026, 11, 9)


def test_uk_dates_are_accepted():
    assert validate_week(week(week_start="09/11/2026"), ward=WARD, today=TODAY).week_start == dt.date(2026, 11, 9)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("restraint", "-1", "Restraints cannot be negative"),
        ("seclusion", "two", "Seclusions must be a whole number (0 or more), not 'two'"),
        ("rapid_tranquillisation", "1.5", "Rapid tranquillisations must be a whole number (0 or more), not '1.5'"),
        ("restraint", "", "Restraints is required (enter 0 if none)"),
        ("occupied_bed_days", "", "Occupied bed days is required (enter 0 if none)"),
        ("restraint", "1001", "Restraints (1001) is more than 1000"),
    ],
)
def test_counts_must_be_whole_numbers(field, value, message):
    assert errors(**{field: value})[field] == message


def test_prone_cannot_exceed_restraint():
    assert errors(restraint="3", prone_restraint="4")["prone_restraint"] == (
        "Prone restraints (4) cannot exceed restraints (3)"
    )


def test_bed_days_cannot_exceed_beds_times_seven():
    assert errors(occupied_bed_days="141")["occupied_bed_days"] == (
        "Occupied bed days (141) cannot exceed beds x 7 (140 for 20 beds)"
    )
    assert validate_week(week(occupied_bed_days="140"), ward=WARD, today=TODAY).occupied_bed_days == 140


def test_bed_days_must_be_positive_when_anything_happened():
    assert errors(occupied_bed_days="0")["occupied_bed_days"] == (
        "Occupied bed days cannot be 0 in a week with restrictive practice"
    )
    quiet = week(restraint="0", prone_restraint="0", seclusion="0", rapid_tranquillisation="0", occupied_bed_days="0")
    assert validate_week(quiet, ward=WARD, today=TODAY).occupied_bed_days == 0


def test_week_start_must_be_a_monday_and_says_which():
    assert errors(week_start="2026-11-11")["week_start"] == (
        "Week start 2026-11-11 is a Wednesday, not a Monday (did you mean 2026-11-09?)"
    )


def test_week_start_cannot_be_in_the_future():
    assert errors(week_start="2026-11-23")["week_start"] == "Week start 2026-11-23 is in the future"
    # The current week (started this Monday) may be entered.
    assert validate_week(week(week_start="2026-11-16"), ward=WARD, today=TODAY)


def test_week_start_must_be_a_date():
    assert "is not a date" in errors(week_start="31/02/2025")["week_start"]


def test_ward_must_be_active_and_match():
    retired = WARD.model_copy(update={"active": False})
    with pytest.raises(ValidationError) as info:
        validate_week(week(), ward=retired, today=TODAY)
    assert field_errors(info.value)["ward_code"] == "Ward ASH is no longer active in the collaborative"


def test_note_refuses_an_nhs_number():
    message = errors(note="Pt 943 476 5919 restrained")["note"]
    assert "NHS number" in message and "943" not in message


def test_several_errors_are_reported_together():
    found = errors(restraint="1", prone_restraint="2", occupied_bed_days="500")
    assert set(found) == {"prone_restraint", "occupied_bed_days"}


def test_monday_of():
    assert monday_of(dt.date(2026, 11, 22)) == dt.date(2026, 11, 16)
    assert monday_of(dt.date(2026, 11, 16)) == dt.date(2026, 11, 16)


@given(
    restraint=st.one_of(st.integers(-5, 1200), st.text(max_size=6)),
    prone=st.one_of(st.integers(-5, 1200), st.text(max_size=6)),
    bed_days=st.one_of(st.integers(-5, 200), st.text(max_size=6), st.none()),
)
def test_any_input_is_either_valid_or_a_clear_field_error(restraint, prone, bed_days):
    data = week(restraint=restraint, prone_restraint=prone, occupied_bed_days=bed_days)
    try:
        counts = validate_week(data, ward=WARD, today=TODAY)
    except ValidationError as exc:
        found = field_errors(exc)
        assert found and all(isinstance(m, str) and m for m in found.values())
        assert set(found) <= {"restraint", "prone_restraint", "occupied_bed_days"}
    else:
        assert 0 <= counts.prone_restraint <= counts.restraint <= 1000
        assert counts.occupied_bed_days <= WARD.max_bed_days


def test_cross_field_problems_show_even_when_another_field_is_bad():
    found = errors(restraint="1", prone_restraint="2", seclusion="x", occupied_bed_days="500", note="943 476 5919")
    assert found["prone_restraint"] == "Prone restraints (2) cannot exceed restraints (1)"
    assert found["occupied_bed_days"].startswith("Occupied bed days (500) cannot exceed beds x 7")
    assert "whole number" in found["seclusion"] and "NHS number" in found["note"]


def test_braces_typed_by_a_user_survive_in_messages():
    assert "'{a}'" in errors(seclusion="{a}", prone_restraint="9")["seclusion"]
