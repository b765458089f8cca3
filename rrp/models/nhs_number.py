"""The NHS number guard: free text in rrp must never carry an NHS number.

An NHS number is 10 digits, often written 3-3-4 with spaces or dashes. It is valid when its
Modulus 11 check digit agrees: weights 10..2 on digits 1-9, check = 11 - (sum mod 11), where 11
means 0 and 10 means the number is invalid. Only valid numbers are flagged, so that dates, phone
numbers and bed counts do not raise false alarms (a random 10-digit string passes about 1 time in 11).
"""

from __future__ import annotations

import re

# Ten digits, optionally grouped 3-3-4 by single spaces or dashes, not part of a longer number.
_CANDIDATE = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")


def is_valid_nhs_number(digits: str) -> bool:
    """True when `digits` (exactly 10 digits) has a correct Modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def find_nhs_numbers(text: str | None) -> list[str]:
    """Every valid NHS number written in `text`, as the 10 digits, in order of appearance."""
    if not text:
        return []
    found = []
    for match in _CANDIDATE.finditer(text):
        digits = "".join(match.groups())
        if is_valid_nhs_number(digits):
            found.append(digits)
    return found


NHS_NUMBER_MESSAGE = (
    "This text contains what looks like an NHS number ({masked}). rrp holds counts only: "
    "remove patient identifiers before saving."
)


def nhs_number_problem(text: str | None) -> str | None:
    """A message for the user when `text` carries an NHS number, else None."""
    found = find_nhs_numbers(text)
    if not found:
        return None
    masked = found[0][:3] + " *** ****"
    return NHS_NUMBER_MESSAGE.format(masked=masked)


def check_free_text(value: str | None) -> str | None:
    """Pydantic-friendly check: returns the value stripped, or raises ValueError on an NHS number."""
    if value is None:
        return None
    problem = nhs_number_problem(value)
    if problem:
        raise ValueError(problem)
    return value
