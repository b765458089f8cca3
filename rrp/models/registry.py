"""The collaborative's registry: providers (NHS trusts) and their wards."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from rrp.messages import WARD_TYPE_LABELS as _LABELS
from rrp.models.fields import whole_number

MAX_BEDS = 60


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
    if len(text) > 16 or not all(c.isalnum() or c in "-_" for c in text):
        raise PydanticCustomError(
            "code", "A code is up to 16 letters, digits, '-' or '_' (got {code!r})", {"code": text}
        )
    return text


Code = Annotated[str, BeforeValidator(_code)]


class Provider(BaseModel):
    """An NHS provider (trust) taking part in the collaborative."""

    model_config = ConfigDict(frozen=True)

    code: Code
    name: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("name", "A provider name is required")
        return value


class Ward(BaseModel):
    """One inpatient ward: the unit that logs weekly counts and runs PDSA cycles."""

    model_config = ConfigDict(frozen=True)

    code: Code
    provider_code: Code
    name: str
    ward_type: WardType
    beds: Annotated[int, BeforeValidator(lambda v: whole_number(v, "Beds", maximum=MAX_BEDS))]
    active: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("name", "A ward name is required")
        return value

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
