"""The NHS number guard: free text in rrp must never carry an NHS number.

An NHS number is 10 digits. It is valid when its Modulus 11 check digit agrees: weights 10..2 on
digits 1-9, check = 11 - (sum mod 11), where 11 means 0 and 10 means the number is invalid. Only
valid numbers are flagged, so that dates, phone numbers and bed counts rarely raise false alarms
(a random 10-digit string passes about 1 time in 11).

How a number is found, whatever way it was written:

- A *digit* is a decimal digit of any script (Arabic-Indic, Devanagari, fullwidth...), read as 0-9
  with `unicodedata.digit`.
- Characters nobody sees (zero-width spaces and joiners, soft hyphens, bidi marks: Unicode format
  characters; and combining marks) are ignored: "943<ZWSP>4765919" is ten digits in a row.
- Digits next to each other form a *group* ("943", "5919"). Groups are joined into a *chain* when
  what lies between them is short and holds no letter: spaces of any kind (NBSP, tabs, line
  breaks; a run of them counts once), dots, slashes, hyphens, brackets, any punctuation, at most
  `MAX_SEPARATOR` of them. So 3-3-4, 4-3-3, ten plain digits, one digit at a time with any
  separators, "943 / 476 / 5919" and "943  -  476  -  5919" are all found, while "3 restraints,
  4 seclusions" never joins across the words.
- Every run of whole consecutive groups of a chain that holds exactly ten digits is a candidate
  (a number written next to other numbers is still found: "Bed 7: 943 476 5919, 12"). A group of
  more than ten digits is one longer number (an 11-digit phone number, a reference), never cut
  into ten: its digits are not an NHS number as written.

The known cost: a list of ten single numbers ("1, 0, 2, 0, ...") is a candidate and is refused
about 1 time in 11. We accept that: a missed NHS number is worse than asking the user to word a
list differently, and the refusal says what to change.
"""

from __future__ import annotations

import re
import unicodedata

#: At most this many separator characters between two groups of one number (a run of spaces
#: counts as one; invisible characters count as none): "943 - 476" is 3, "943  -  476" is 3.
MAX_SEPARATOR = 4
NHS_NUMBER_LENGTH = 10

_DIGITS = re.compile(r"\d+")  # str patterns: \d is any script's decimal digit (category Nd)
_INVISIBLE = frozenset(("Cf", "Mn", "Me"))


def is_valid_nhs_number(digits: str) -> bool:
    """True when `digits` (exactly 10 ASCII digits) has a correct Modulus 11 check digit."""
    if len(digits) != NHS_NUMBER_LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def _ascii_digits(run: str) -> str:
    return run if run.isascii() else "".join(str(unicodedata.digit(c)) for c in run)


def _gap(text: str) -> str:
    """What lies between two digit runs: 'join' (nothing visible), 'separate' (a short separator)
    or 'break' (a letter, or too long a separator)."""
    weight = 0
    in_space = False
    for char in text:
        if char.isalpha():
            return "break"
        if char.isspace():
            if not in_space:
                weight += 1
            in_space = True
        elif unicodedata.category(char) in _INVISIBLE:
            continue  # neither adds nor ends a run of spaces
        else:
            weight += 1
            in_space = False
        if weight > MAX_SEPARATOR:
            return "break"
    return "join" if weight == 0 else "separate"


def _candidates(groups: list[str]) -> list[str]:
    """Every run of whole consecutive groups holding exactly ten digits."""
    found = []
    for start in range(len(groups)):
        length = 0
        for end in range(start, len(groups)):
            length += len(groups[end])
            if length >= NHS_NUMBER_LENGTH:
                if length == NHS_NUMBER_LENGTH:
                    found.append("".join(groups[start : end + 1]))
                break
    return found


def _chains(text: str) -> list[list[str]]:
    chains: list[list[str]] = []
    groups: list[str] = []
    previous_end = -1
    for match in _DIGITS.finditer(text):
        run = _ascii_digits(match.group())
        kind = "break" if previous_end < 0 else _gap(text[previous_end : match.start()])
        if kind == "join":
            groups[-1] += run
        elif kind == "separate":
            groups.append(run)
        else:
            if groups:
                chains.append(groups)
            groups = [run]
        previous_end = match.end()
    if groups:
        chains.append(groups)
    return chains


def find_nhs_numbers(text: str | None) -> list[str]:
    """Every valid NHS number written in `text`, as 10 ASCII digits, in order of appearance."""
    if not text:
        return []
    # Most text has fewer than ten digits: skip the character-by-character look.
    if sum(len(run) for run in _DIGITS.findall(text)) < NHS_NUMBER_LENGTH:
        return []
    found = []
    for groups in _chains(text):
        found += [digits for digits in _candidates(groups) if is_valid_nhs_number(digits)]
    return found


NHS_NUMBER_MESSAGE = (
    "this looks like it holds an NHS number. rrp holds counts only: remove patient identifiers "
    "(if it is not one, write the numbers apart with words) and save again."
)


def nhs_number_problem(text: str | None) -> str | None:
    """A message for the user when `text` carries an NHS number, else None (never the number)."""
    return NHS_NUMBER_MESSAGE if find_nhs_numbers(text) else None
