"""The collaborative's registry: providers (NHS trusts) and their wards."""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from rrp.messages import WARD_TYPE_LABELS as _LABELS
from rrp.models.fields import FreeText, parse_date, whole_number

MAX_BEDS = 60
MAX_CODE_CHARS = 16
#: Provider and ward names: longer than any real one (the longest NHS trust name is ~80).
MAX_NAME_CHARS = 120
_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
#: The words a yes/no cell may hold (case-insensitive); anything else is refused, not guessed.
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")


class WardType(StrEnum):
    """Kinds of inpatient ward; compare like with like (funnels, dashboards filter by these)."""

    ACUTE_ADULT = "acute_adult"
    PICU = "picu"
    LD_AUTISM = "ld_autism"
    OLDER_ADULT = "older_adult"
    CAMHS = "camhs"
    FORENSIC = "forensic"
    REHAB = "rehab"

    @property
    def label(self) -> str:
        return WARD_TYPE_LABELS[self]


WARD_TYPE_LABELS = {WardType(value): label for value, label in _LABELS.items()}


def _code(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("code", "A code is required")
    text = value.strip().upper()
    odd = next((c for c in text if c not in _CODE_CHARS), None)
    if odd is not None and not odd.isascii():
        # A look-alike (Cyrillic 'А' for Latin 'A') would make a second, invisible ward.
        raise PydanticCustomError(
            "code",
            "A code is ASCII letters, digits, '-' or '_': {code} has {char} ({name})",
            {"code": repr(text[:40]), "char": repr(odd), "name": unicodedata.name(odd, f"U+{ord(odd):04X}")},
        )
    if len(text) > MAX_CODE_CHARS or odd is not None:
        raise PydanticCustomError(
            "code", "A code is up to 16 letters, digits, '-' or '_' (got {code})", {"code": repr(text[:40])}
        )
    return text


Code = Annotated[str, BeforeValidator(_code)]
#: The code rule as a function: a normalised code, or PydanticCustomError saying what is wrong.
parse_code = _code


def yes_no(value: Any, label: str = "Active") -> bool:
    """A yes/no cell: true/false, yes/no, 1/0 (any case), or a real bool; anything else is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise PydanticCustomError(
        "yes_no",
        "{label} must be one of true/false, yes/no or 1/0, not {value}",
        {"label": label, "value": repr(str(value)[:40])},
    )


def optional_date(value: Any, label: str = "Participation start") -> dt.date | None:
    """A date cell that may be empty (None, '' or spaces: no date); else as `parse_date`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value, label)


class Provider(BaseModel):
    """An NHS provider (trust) taking part in the collaborative."""

    model_config = ConfigDict(frozen=True)

    code: Code
    name: FreeText("Provider name", max_length=MAX_NAME_CHARS, required="A provider name is required", single_line=True)


class Ward(BaseModel):
    """One inpatient ward: the unit that logs weekly counts and runs PDSA cycles."""

    model_config = ConfigDict(frozen=True)

    code: Code
    provider_code: Code
    name: FreeText("Ward name", max_length=MAX_NAME_CHARS, required="A ward name is required", single_line=True)
    ward_type: WardType
    beds: Annotated[int, BeforeValidator(lambda v: whole_number(v, "Beds", maximum=MAX_BEDS))]
    active: Annotated[bool, BeforeValidator(yes_no)] = True
    #: The day the ward joined the collaborative (None: it always took part). Weeks before the
    #: week holding it are never due or missing (rrp.models.week_status).
    participation_start: Annotated[dt.date | None, BeforeValidator(optional_date)] = None

    @field_validator("beds")
    @classmethod
    def _beds(cls, value: int) -> int:
        if value < 1:
            raise PydanticCustomError("beds", "A ward has at least 1 bed")
        return value

    @property
    def max_bed_days(self) -> int:
        """At most every bed occupied at every midnight of the week."""
        return self.beds * 7
