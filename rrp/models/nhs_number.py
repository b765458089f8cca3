"""The NHS number guard: free text in rrp must never carry an NHS number.

An NHS number is 10 digits. It is valid when its Modulus 11 check digit agrees: weights 10..2 on
digits 1-9, check = 11 - (sum mod 11), where 11 means 0 and 10 means the number is invalid. Only
valid numbers are flagged, so that dates, phone numbers and bed counts rarely raise false alarms
(a random 10-digit string passes about 1 time in 11).

How a number is found, whatever way it was written:

- A *digit* is any character with a digit value in Unicode: a decimal digit of any script
  (Arabic-Indic, Devanagari, fullwidth...) and the compatibility digits (superscript, circled),
  read as 0-9 with `unicodedata.digit`.
- Characters nobody sees (zero-width spaces and joiners, soft hyphens, bidi marks: Unicode format
  characters; and combining marks) are ignored: "943<ZWSP>4765919" is ten digits in a row.
- Digits next to each other form a *group* ("943", "5919"). Groups are joined into a *chain* when
  what lies between them holds no letter: spaces of any kind (NBSP, tabs, line breaks), dots,
  slashes, hyphens, brackets, any punctuation, however many. So 3-3-4, 4-3-3, ten plain digits,
  one digit at a time with any separators, "943 / 476 / 5919" and "943.....476.....5919" are all
  found, while "3 restraints, 4 seclusions" never joins across the words.
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

NHS_NUMBER_LENGTH = 10

_DIGITS = re.compile(r"[0-9]+")  # on text whose digits were read as ASCII first (_digits_read)
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


def _digits_read(text: str) -> str:
    """`text` with every character that has a digit value written as that ASCII digit, one
    character for one, so positions are kept ("٣" and "⑨" and "⁹" become "3", "9", "9")."""
    if text.isascii():
        return text
    out = []
    for char in text:
        value = unicodedata.digit(char, None)
        out.append(str(value) if value is not None else char)
    return "".join(out)


def _gap(text: str) -> str:
    """What lies between two digit runs: 'join' (nothing visible), 'separate' (anything that is
    not a letter) or 'break' (a letter)."""
    visible_separator = False
    for char in text:
        if char.isalpha():
            return "break"
        if unicodedata.category(char) not in _INVISIBLE:
            visible_separator = True
    return "separate" if visible_separator else "join"


def _candidates(groups: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """Every run of whole consecutive groups holding exactly ten digits, as their digit spans."""
    found = []
    for start in range(len(groups)):
        length = 0
        for end in range(start, len(groups)):
            length += sum(b - a for a, b in groups[end])
            if length >= NHS_NUMBER_LENGTH:
                if length == NHS_NUMBER_LENGTH:
                    found.append([span for group in groups[start : end + 1] for span in group])
                break
    return found


def _chains(read: str) -> list[list[list[tuple[int, int]]]]:
    """The chains of `read` (see the module doc): groups of digit-run spans."""
    chains: list[list[list[tuple[int, int]]]] = []
    groups: list[list[tuple[int, int]]] = []
    previous_end = -1
    for match in _DIGITS.finditer(read):
        span = match.span()
        kind = "break" if previous_end < 0 else _gap(read[previous_end : match.start()])
        if kind == "join":
            groups[-1].append(span)
        elif kind == "separate":
            groups.append([span])
        else:
            if groups:
                chains.append(groups)
            groups = [[span]]
        previous_end = match.end()
    if groups:
        chains.append(groups)
    return chains


def _found(text: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """Each valid NHS number in `text`: its 10 ASCII digits and where they stand in `text`."""
    read = _digits_read(text)
    # Most text has fewer than ten digits: skip the character-by-character look.
    if sum(len(run) for run in _DIGITS.findall(read)) < NHS_NUMBER_LENGTH:
        return []
    found = []
    for groups in _chains(read):
        for spans in _candidates(groups):
            digits = "".join(read[a:b] for a, b in spans)
            if is_valid_nhs_number(digits):
                found.append((digits, spans))
    return found


def find_nhs_numbers(text: str | None) -> list[str]:
    """Every valid NHS number written in `text`, as 10 ASCII digits, in order of appearance."""
    if not text:
        return []
    return [digits for digits, _ in _found(text)]


def redact_nhs_numbers(text: str) -> str:
    """`text` with the digits of every NHS number in it shown as '*' (separators kept): what rrp
    shows wherever it would otherwise repeat what a person typed or a file held."""
    found = _found(text) if text else []
    if not found:
        return text
    chars = list(text)
    for _, spans in found:
        for a, b in spans:
            chars[a:b] = "*" * (b - a)
    return "".join(chars)


NHS_NUMBER_MESSAGE = (
    "this looks like it holds an NHS number. rrp holds counts only: remove patient identifiers "
    "(if it is not one, write the numbers apart with words) and save again."
)


def nhs_number_problem(text: str | None) -> str | None:
    """A message for the user when `text` carries an NHS number, else None (never the number)."""
    return NHS_NUMBER_MESSAGE if find_nhs_numbers(text) else None
