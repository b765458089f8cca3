"""The collaborative's registry: providers (NHS trusts) and their wards."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from rrp.messages import WARD_TYPE_LABELS as _LABELS
from rrp.models.fields import FreeText, whole_number

MAX_BEDS = 60
#: A ward or provider name fits on one line of a table or a chart title.
NAME_MAX = 200


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
    name: FreeText("Provider name", max_length=NAME_MAX, required="A provider name is required", single_line=True)


class Ward(BaseModel):
    """One inpatient ward: the unit that logs weekly counts and runs PDSA cycles."""

    model_config = ConfigDict(frozen=True)

    code: Code
    provider_code: Code
    name: FreeText("Ward name", max_length=NAME_MAX, required="A ward name is required", single_line=True)
    ward_type: WardType
    beds: Annotated[int, BeforeValidator(lambda v: whole_number(v, "Beds", maximum=MAX_BEDS))]
    active: bool = True

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
