"""Shared field rules, written once and used by every model (and so by forms and imports).

Pydantic's own messages ("Input should be a valid integer") are replaced with ones a nurse
understands, naming the field as the form labels it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from rrp.models.nhs_number import nhs_number_problem

_UK_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def whole_number(value: Any, label: str, *, maximum: int | None = None) -> int:
    """Parse a count: a whole number >= 0 (strings of digits allowed, as typed into a form)."""
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", f"{label} must be a whole number (0 or more)")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise PydanticCustomError("whole_number", f"{label} must be a whole number (0 or more)")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            raise PydanticCustomError("required", f"{label} is required (enter 0 if none)")
        if not text.isdigit() or not text.isascii():
            if text.startswith("-") and text[1:].isdigit():
                raise PydanticCustomError("negative", f"{label} cannot be negative")
            raise PydanticCustomError(
                "whole_number", f"{label} must be a whole number (0 or more), not {text!r}"
            )
        if len(text) > 9:
            raise PydanticCustomError("too_large", f"{label} ({text}) is too large")
        value = int(text)
    if value is None:
        raise PydanticCustomError("required", f"{label} is required (enter 0 if none)")
    if not isinstance(value, int):
        raise PydanticCustomError("whole_number", f"{label} must be a whole number (0 or more)")
    if value < 0:
        raise PydanticCustomError("negative", f"{label} cannot be negative")
    if maximum is not None and value > maximum:
        raise PydanticCustomError("too_large", f"{label} ({value}) is more than {maximum}")
    return value


#: The dates rrp works with: the programme's data starts in this century, and a date in year 1 or
#: 9999 is a slip that would otherwise overflow date arithmetic (a week's end, a month's start).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_date(value: Any, label: str) -> dt.date:
    """A date as ISO (2025-03-03) or UK (03/03/2025) in the years 2000 to 2100; anything else is a
    clear error."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        day: dt.date | None = None
        try:
            match = _UK_DATE.match(text)
            if match:
                d, m, y = (int(g) for g in match.groups())
                day = dt.date(y, m, d)
            else:
                day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        if day is None:
            raise PydanticCustomError(
                "date", f"{label} {text!r} is not a date (use 2025-03-03 or 03/03/2025)"
            )
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise PydanticCustomError(
                "date", f"{label} {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}"
            )
        return day
    raise PydanticCustomError("date", f"{label} is required")


#: Control characters (Unicode Cc: C0, DEL, C1; the start of every terminal escape sequence) and
#: the bidi embeddings, overrides and isolates that reorder what is shown ("Trojan source"; nobody
#: types them on purpose; the marks U+200E/U+200F stay allowed, IMEs insert them).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL_MULTI_LINE = re.compile(f"[{_CONTROL}]")
_CONTROL_SINGLE_LINE = re.compile(f"[{_CONTROL}\\t\\n]")


def _control_problem(text: str, label: str, *, single_line: bool) -> PydanticCustomError | None:
    """A control character refused at the door; line breaks and tabs are text in multi-line
    fields only."""
    found = (_CONTROL_SINGLE_LINE if single_line else _CONTROL_MULTI_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    what = {"\n": "a line break", "\t": "a tab"}.get(char, f"a control character (U+{ord(char):04X})")
    return PydanticCustomError("text", f"{label} contains {what}: remove it")


#: Validation context for a record read back from the database (`Model.model_validate(row,
#: context=STORED)`): its text was checked when it was written, perhaps under older rules, so the
#: rules for text coming in (length, control characters, line breaks, NHS numbers) are not applied
#: again: a database written before a rule was added still opens (display shows any control
#: character as a visible escape; the next save of the record applies every rule).
STORED = {"stored": True}


def free_text(
    value: Any, label: str, *, max_length: int = 4000, single_line: bool = False, stored: bool = False
) -> str | None:
    """Optional free text: stripped, bounded, no control characters, never carrying an NHS number.

    The one check of every free-text field (use it through `FreeText`). Line endings are
    normalised to \\n; a refusal names the field and never repeats what was typed. `stored`:
    text read back from the database (see `STORED`): only stripped.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("text", f"{label} must be text")
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    if stored:
        return text
    if len(text) > max_length:
        # The label goes in as text (not a template field) so a brace in it cannot break the message.
        raise PydanticCustomError(
            "too_long",
            label.replace("{", "{{").replace("}", "}}") + " is at most {n} characters (this one has {length})",
            {"n": max_length, "length": f"{len(text):,}"},
        )
    problem = _control_problem(text, label, single_line=single_line)
    if problem is not None:
        raise problem
    nhs = nhs_number_problem(text)
    if nhs:
        raise PydanticCustomError("nhs_number", f"{label}: {nhs}")
    return text


class FreeTextRule:
    """The mark `FreeText` leaves on a field, so a test can prove every text field is checked."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f"FreeTextRule({self.label!r})"


def FreeText(  # noqa: N802 - used as a type: `note: FreeText("Note", max_length=500)`
    label: str,
    *,
    max_length: int,
    required: str | None = None,
    blank: str | None = None,
    single_line: bool = False,
) -> Any:
    """The type of every free-text field: `free_text` on the way in, under the field's label.

    `required`: the message when it is left empty (the field is then `str`, else `str | None`).
    `blank`: what an empty field holds instead of None (e.g. "": the field is then `str`).
    `single_line`: names and titles (a line break or tab is refused).
    """

    def parse(value: Any, info: ValidationInfo) -> str | None:
        stored = bool(info.context and info.context.get("stored"))
        text = free_text(value, label, max_length=max_length, single_line=single_line, stored=stored)
        if text is None and required is not None:
            raise PydanticCustomError("required", required)
        return blank if text is None else text

    if required is not None or blank is not None:
        return Annotated[str, BeforeValidator(parse), FreeTextRule(label)]
    return Annotated[str | None, BeforeValidator(parse), FreeTextRule(label)]


def field_errors(error: ValidationError) -> dict[str, str]:
    """Map each failing field to its first message, for inline errors beside form fields.

    Model-level rules (e.g. prone <= restraint) name their field in the error's `loc`.
    """
    messages: dict[str, str] = {}
    for item in error.errors():
        loc = item.get("loc") or ("",)
        field = str(loc[0]) if loc else ""
        message = item.get("msg", "invalid")
        # Pydantic prefixes ValueError messages raised in validators; keep the user's text only.
        message = message.removeprefix("Value error, ")
        messages.setdefault(field, message)
    return messages
