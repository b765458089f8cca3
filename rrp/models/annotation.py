"""Annotations on a ward's chart: notes, rebases (a new SPC segment from a Monday) and PDSA events."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from rrp.models.fields import FreeText, parse_date
from rrp.models.registry import Code

ANNOTATION_MEASURES = ("restraint", "prone_restraint", "seclusion", "rapid_tranquillisation", "all_restrictive")
TEXT_MAX = 500


class AnnotationKind(StrEnum):
    NOTE = "note"
    REBASE = "rebase"
    PDSA = "pdsa"


def _id(value: Any) -> str:
    if value is None or value == "":
        return uuid.uuid4().hex
    if not isinstance(value, str) or len(value) != 32 or any(c not in "0123456789abcdef" for c in value):
        raise PydanticCustomError("id", "An annotation id is 32 lower-case hex characters")
    return value


def _optional(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _measure(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if value not in ANNOTATION_MEASURES:
        raise PydanticCustomError(
            "measure", f"Measure must be one of: {', '.join(ANNOTATION_MEASURES)} (or empty for all)"
        )
    return value


def _cycle_id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return _id(value)


class Annotation(BaseModel):
    """A dated note on a ward's chart (ward_code None: the collaborative's own chart).

    `measure` None applies to every measure. A rebase must fall on a Monday (a week start).
    `id` is generated when not given.
    """

    model_config = ConfigDict(frozen=True)

    id: Annotated[str, BeforeValidator(_id)] = ""
    ward_code: Annotated[Code | None, BeforeValidator(_optional)] = None
    on_date: Annotated[dt.date, BeforeValidator(lambda v: parse_date(v, "Date"))]
    kind: AnnotationKind = AnnotationKind.NOTE
    measure: Annotated[str | None, BeforeValidator(_measure)] = None
    text: FreeText("Text", max_length=TEXT_MAX, required="Text is required (what happened, or why rebase)")
    pdsa_cycle_id: Annotated[str | None, BeforeValidator(_cycle_id)] = None

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id"):
            data = {**data, "id": uuid.uuid4().hex}
        return data

    @model_validator(mode="after")
    def _rules(self) -> Annotation:
        if self.kind == AnnotationKind.REBASE and self.on_date.weekday() != 0:
            monday = self.on_date - dt.timedelta(days=self.on_date.weekday())
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "monday",
                            f"A rebase starts a new week: {self.on_date:%d/%m/%Y} is a "
                            f"{self.on_date:%A} (did you mean {monday:%d/%m/%Y}?)",
                        ),
                        loc=("on_date",),
                        input=self.on_date,
                    )
                ],
            )
        return self


class StoredAnnotation(BaseModel):
    model_config = ConfigDict(frozen=True)

    annotation: Annotation
    version: int
    updated_at: str
    updated_by: str
