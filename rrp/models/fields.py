"""Shared field rules, written once and used by every model (and so by forms and imports).

Pydantic's own messages ("Input should be a valid integer") are replaced with ones a nurse
understands, naming the field as the form labels it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError
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


def parse_date(value: Any, label: str) -> dt.date:
    """A date as ISO (2025-03-03) or UK (03/03/2025); anything else is a clear error."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            match = _UK_DATE.match(text)
            if match:
                day, month, year = (int(g) for g in match.groups())
                return dt.date(year, month, day)
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        raise PydanticCustomError(
            "date", f"{label} {text!r} is not a date (use 2025-03-03 or 03/03/2025)"
        )
    raise PydanticCustomError("date", f"{label} is required")


def free_text(value: Any, label: str, *, max_length: int = 4000) -> str | None:
    """Optional free text: stripped, bounded, and never carrying an NHS number."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("text", f"{label} must be text")
    text = value.strip()
    if not text:
        return None
    if "\x00" in text:
        raise PydanticCustomError("text", f"{label} contains a NUL character")
    if len(text) > max_length:
        raise PydanticCustomError("too_long", f"{label} is too long (at most {max_length} characters)")
    problem = nhs_number_problem(text)
    if problem:
        raise PydanticCustomError("nhs_number", f"{label}: {problem}")
    return text


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
