"""The NHS-number guard against every way a number is written, and on every free-text field.

A valid number is always found: grouped 3-3-4, 4-3-3 or not at all, split by any mix of spaces
(NBSP, narrow NBSP, ideographic), zero-width characters, soft hyphens, dots, slashes, dashes, line
breaks and tabs, written in any script's digits, anywhere in a sentence. A number whose Modulus 11
check fails is never flagged. Every model's text field refuses one, naming the field, never
repeating the number.
"""

from __future__ import annotations

import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from rrp.models.fields import FreeTextRule, field_errors, free_text
from rrp.models.nhs_number import find_nhs_numbers, is_valid_nhs_number

VALID = "9434765919"

#: The zero of each digit set: ASCII, Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali,
#: Thai, fullwidth, mathematical bold.
ZEROS = ["0", "\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\uff10", "\U0001d7ce"]
#: Pieces of separators people (and their keyboards, word processors and copy-paste) write.
SEPARATOR_PARTS = [
    " ", "  ", "\u00a0", "\u202f", "\u3000", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
    ".", "/", "-", "\u2013", "\u2212", ":", "\n", "\r\n", "\t", "(", ")", "_", "*", "|", "\u200e",
]
WORDS = ["Pt", "seen", "on", "Ward", "NHS", "no:", "number", "3 restraints,", "(", "ok", "é", "Ωμέγα", "日本",
         "réf.", "x"]


def check_digit(nine: str) -> int:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    return (11 - total % 11) % 11  # 11 -> 0; 10 stays 10 (no valid number)


valid_numbers = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .filter(lambda nine: check_digit(nine) != 10)
    .map(lambda nine: nine + str(check_digit(nine)))
)
invalid_numbers = st.text(alphabet="0123456789", min_size=10, max_size=10).filter(
    lambda digits: not is_valid_nhs_number(digits)
)
separators = st.lists(st.sampled_from(SEPARATOR_PARTS), min_size=1, max_size=3).map("".join)
groupings = st.sampled_from([(3, 6), (4, 7), tuple(range(1, 10)), ()])


@st.composite
def written(draw: st.DrawFn, numbers: st.SearchStrategy[str], *, digits_around: bool) -> tuple[str, str]:
    """(text, the 10 ASCII digits): the number in some script, grouped and separated, in a sentence."""
    number = draw(numbers)
    zeros = draw(st.lists(st.sampled_from(ZEROS), min_size=10, max_size=10))
    glyphs = [chr(ord(zero) + int(d)) for zero, d in zip(zeros, number, strict=True)]
    breaks = draw(groupings)
    body = glyphs[0]
    for i in range(1, 10):
        body += (draw(separators) if i in breaks else draw(st.sampled_from(["", "\u200b"]))) + glyphs[i]
    words = WORDS if digits_around else [w for w in WORDS if not any(c.isdigit() for c in w)]
    before = " ".join(draw(st.lists(st.sampled_from(words), max_size=4)))
    after = " ".join(draw(st.lists(st.sampled_from(words), max_size=4)))
    # Something that is not a digit on each side, or nothing: the number is not glued to another.
    left = draw(st.sampled_from(["", " ", "\u00a0", "\n", "(", ":"])) if before else ""
    right = draw(st.sampled_from(["", " ", ".", ")", ",", "\n"])) if after else ""
    if before and before[-1].isdigit():
        left = left or " "
    if after and after[0].isdigit():
        right = right or " "
    return before + left + body + right + after, number


@settings(max_examples=400, deadline=None)
@given(written(valid_numbers, digits_around=True))
def test_a_valid_number_is_always_found(case: tuple[str, str]) -> None:
    text, number = case
    assert number in find_nhs_numbers(text), repr(text)


@settings(max_examples=400, deadline=None)
@given(written(invalid_numbers, digits_around=False))
def test_a_number_failing_modulus_11_is_never_flagged(case: tuple[str, str]) -> None:
    text, _ = case
    assert find_nhs_numbers(text) == [], repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "943\u00a0476\u00a05919", "943.476.5919", "943/476/5919", "943  476  5919", "943\n476\n5919",
        "943\u200b476\u200b5919", "9434\u00a0765\u00a0919", "9 4 3 4 7 6 5 9 1 9", "943 - 476 - 5919",
        "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669", "\uff19\uff14\uff13 476 5919",
        "Bed 7: 943 476 5919, 12 restraints", "943\u200b\u200b\u200b\u200b\u200b4765919",
        # any run of separators that holds no letter (the rule), and compatibility digits
        "943 - - 476 - - 5919", "943.....476.....5919", "943 ------ 476 5919",
        "\u2468\u2463\u2462\u2463\u2466\u2465\u2464\u2468\u2460\u2468", "\u2079\u2074\u00b3\u2074\u2077\u2076\u2075\u2079\u00b9\u2079",
    ],
)
def test_written_forms_found(text: str) -> None:
    assert find_nhs_numbers(text) == [VALID]


@pytest.mark.parametrize(
    "text",
    [
        "19434765919",  # one longer number
        "9434765919123",
        "3 restraints, 4 seclusions, 3 rapid tranq, 4 prone, 7 days, 6 staff, 5 debriefs, 9 beds, 1 x, 9 y",
    ],
)
def test_not_one_number(text: str) -> None:
    assert find_nhs_numbers(text) == []


# -- every free-text field -------------------------------------------------------------------

def _models() -> list[type[BaseModel]]:
    from rrp.models import annotation, change_package, pdsa, progress, registry, weekly

    found = []
    for module in (annotation, change_package, pdsa, progress, registry, weekly):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                found.append(value)
    return found


#: Text fields that are not free text: codes (letters, digits, '-', '_'), ids, choices, history.
NOT_FREE_TEXT = {"code", "ward_code", "provider_code", "driver_code", "parent_code", "change_idea_code", "id",
                 "previous_cycle_id", "pdsa_cycle_id", "measure", "updated_at", "updated_by", "created_at"}


def _is_text(annotation: object) -> bool:
    return annotation is str or (typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType)
                                 and str in typing.get_args(annotation))


def test_every_text_field_of_every_model_is_free_text() -> None:
    """A new text field gets the guard by being `FreeText`; this fails for one that is not."""
    unchecked = []
    checked = 0
    for model in _models():
        for name, info in model.model_fields.items():
            if name in NOT_FREE_TEXT or not _is_text(info.annotation):
                continue
            if any(isinstance(m, FreeTextRule) for m in info.metadata):
                checked += 1
            else:
                unchecked.append(f"{model.__name__}.{name}")
    assert unchecked == []
    assert checked >= 20  # weekly and progress notes, 12 PDSA fields, annotation, names, ideas, aim


FIELDS = [
    ("rrp.models.registry:Provider", {"code": "P1"}, "name", "Provider name"),
    ("rrp.models.registry:Ward", {"code": "W1", "provider_code": "P1", "ward_type": "picu", "beds": 10},
     "name", "Ward name"),
    ("rrp.models.weekly:WeeklyCounts", {"ward_code": "W1", "week_start": "2026-11-09", "restraint": 0,
     "prone_restraint": 0, "seclusion": 0, "rapid_tranquillisation": 0, "occupied_bed_days": 70}, "note", "Note"),
    ("rrp.models.progress:ProgressScore", {"ward_code": "W1", "month": "2026-11", "score": 2}, "note", "Note"),
    ("rrp.models.annotation:Annotation", {"ward_code": "W1", "on_date": "2026-11-09"}, "text", "Text"),
    ("rrp.models.change_package:ChangeIdea", {"code": "I1", "driver_code": "D1"}, "name", "Change idea name"),
    ("rrp.models.change_package:ChangeIdea", {"code": "I1", "driver_code": "D1", "name": "Calm box"},
     "description", "Description"),
    ("rrp.models.change_package:Driver", {"code": "D1", "kind": "primary"}, "name", "Driver name"),
    ("rrp.models.change_package:Aim", {}, "text", "Aim"),
    ("rrp.models.pdsa:PdsaCycle", {"ward_code": "W1", "change_idea_code": "I1"}, "title", "Title"),
]


@pytest.mark.parametrize(("target", "data", "field", "label"), FIELDS, ids=[f"{t.split(':')[1]}.{f}" for t, _, f, _ in FIELDS])
@pytest.mark.parametrize("written_as", ["943\u00a0476\u00a05919", "9434.765.919", "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",
                                        "943\u200b476\u200b5919"])
def test_every_field_refuses_a_number_naming_the_field(
    target: str, data: dict, field: str, label: str, written_as: str
) -> None:
    import importlib

    module, name = target.split(":")
    model = getattr(importlib.import_module(module), name)
    with pytest.raises(ValidationError) as info:
        model.model_validate({**data, field: f"Seen {written_as} today"})
    message = field_errors(info.value)[field]
    assert message.startswith(label) and "NHS number" in message
    assert not any(chunk in message for chunk in ("943", "476", "5919", "765", "\u0669"))


@pytest.mark.parametrize("text", ["a\x1b[2Jb", "a\x1b]0;pwned\x07", "a\x9b2J", "a\u202eb", "a\x00b"])
def test_control_characters_are_refused_at_the_door(text: str) -> None:
    with pytest.raises(Exception, match="Ward name contains a control character"):
        free_text(text, "Ward name", single_line=True)


def test_one_line_fields_refuse_line_breaks_and_stored_text_is_only_stripped() -> None:
    from rrp.models.fields import STORED
    from rrp.models.registry import Ward

    data = {"code": "W1", "provider_code": "P1", "ward_type": "picu", "beds": 10, "name": "Elm\nWard"}
    with pytest.raises(ValidationError, match="line break"):
        Ward.model_validate(data)
    # A database written before the rule still opens: its rows are read, display neutralises.
    assert Ward.model_validate({**data, "name": "Elm\x1b[2J 943 476 5919"}, context=STORED).name.startswith("Elm")
