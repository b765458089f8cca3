"""The NHS number guard: valid numbers are caught in any common format; near misses are not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rrp.models.fields import field_errors, free_text
from rrp.models.nhs_number import find_nhs_numbers, is_valid_nhs_number, nhs_number_problem
from rrp.models.pdsa import PdsaCycle


@pytest.mark.parametrize("digits", ["9434765919", "4010232137"])
def test_valid_check_digits(digits: str) -> None:
    assert is_valid_nhs_number(digits)


@pytest.mark.parametrize("digits", ["9434765910", "9434765918", "1234567890", "943476591", "94347659190"])
def test_invalid_check_digits_or_length(digits: str) -> None:
    assert not is_valid_nhs_number(digits)


@pytest.mark.parametrize(
    "text",
    [
        "943 476 5919",
        "943-476-5919",
        "9434765919",
        "Patient 943 476 5919 was calm",
        "seen (943-476-5919).",
        "nhs no:9434765919, ok",
    ],
)
def test_valid_number_found_in_any_format(text: str) -> None:
    assert find_nhs_numbers(text) == ["9434765919"]
    problem = nhs_number_problem(text)
    assert problem is not None and "NHS number" in problem
    assert "943" not in problem and "5919" not in problem  # the message never repeats the number


@pytest.mark.parametrize(
    "text",
    [
        "943 476 5910",  # wrong check digit
        "2025-03-03",  # a date
        "Review on 03/03/2025 at 10:00",
        "01632 960 001",  # a phone number (drama range); fails the check
        "07700 900123",  # a mobile (drama range); 11 digits, not 10
        "12 restraints over 130 bed days",
        "19434765919",  # the valid number inside a longer number is not an NHS number
    ],
)
def test_no_false_alarm(text: str) -> None:
    assert find_nhs_numbers(text) == []
    assert nhs_number_problem(text) is None


def test_ten_digit_phone_number_that_fails_the_check_is_not_flagged() -> None:
    # A 10-digit landline written 3-3-4 is a candidate; it is flagged only if the check passes.
    assert not is_valid_nhs_number("0113496002")
    assert nhs_number_problem("ring 011 349 6002") is None


def test_free_text_refuses_with_field_label() -> None:
    with pytest.raises(Exception) as info:
        free_text("ok then 943 476 5919", "Observations")
    assert "Observations" in str(info.value)
    assert free_text("  fine  ", "x") == "fine"


@pytest.mark.parametrize(
    "field",
    ["title", "objective", "questions", "predictions", "plan_details", "data_to_collect",
     "what_happened", "observations", "problems", "results", "learning", "next_step"],
)
def test_every_pdsa_text_field_is_guarded(field: str) -> None:
    data = {"ward_code": "W1", "change_idea_code": "HUDDLE", "title": "A test", field: "Pt 9434765919 upset"}
    with pytest.raises(ValidationError) as info:
        PdsaCycle.model_validate(data)
    errors = field_errors(info.value)
    assert field in errors and "NHS number" in errors[field]


@given(st.text(alphabet="0123456789 -", max_size=30))
def test_guard_never_crashes(text: str) -> None:
    found = find_nhs_numbers(text)
    assert all(is_valid_nhs_number(d) for d in found)
