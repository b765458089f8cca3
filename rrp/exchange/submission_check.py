"""The strict shape of a ward submission: its envelope, deletions and every record's history fields.

A submission's signed payload is validated as strictly as an import, field by field, before
anything is merged: the rrp version is a version string, timestamps are real UTC times not in the
future (beyond the one CLOCK_SKEW of rrp.exchange.trust), each deletion names its table, record,
time and reason with the right types (and each correction its record, time and reason), a record's
version is a whole number (not 'abc', a list or a 40-digit integer), the ward and provider are
valid registry records. The records' content is checked by the app's own models
(`submission._validate`); this module checks what those models do not cover.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictInt, StrictStr, ValidationError
from pydantic_core import PydanticCustomError

from rrp.exchange.trust import CLOCK_SKEW
from rrp.models.registry import Provider, Ward

#: A record's version is a counter of saves: at least 1, far below anything SQLite cannot hold.
MAX_RECORD_VERSION = 1_000_000_000
MAX_NAME_CHARS = 120
_VERSION = re.compile(r"\d{1,4}(\.\d{1,4}){1,3}([.+-]?[A-Za-z0-9]{1,20})?")
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def timestamp(value: Any, *, now: dt.datetime | None = None) -> str:
    """An ISO time in UTC between 2000 and now (+ CLOCK_SKEW), returned as given.

    The one check of "a time in the future" for everything a submission says: a forged
    updated_at of 9999 would otherwise win every later comparison of the merge.
    """
    if not isinstance(value, str) or len(value) > 40:
        raise PydanticCustomError("timestamp", "must be a time such as 2026-03-02T09:30:00Z")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "timestamp", "{value} is not a time such as 2026-03-02T09:30:00Z", {"value": _short(value)}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    if moment > now + CLOCK_SKEW:
        raise PydanticCustomError("future", "{value} is in the future", {"value": value})
    if moment < EARLIEST:
        raise PydanticCustomError("too_early", "{value} is before 2000", {"value": value})
    return value


def person(value: Any) -> str:
    """Who saved a record: a short line of printable text."""
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("person", "must be a name (text)")
    if len(value) > MAX_NAME_CHARS:
        raise PydanticCustomError("too_long", "is longer than {n} characters", {"n": MAX_NAME_CHARS})
    if not value.isprintable():
        raise PydanticCustomError("control", "contains control characters")
    return value


def record_version(value: Any) -> int:
    if type(value) is not int:  # not bool, not str, not float
        raise PydanticCustomError("version", "must be a whole number, not {value}", {"value": _short(value)})
    if not 1 <= value <= MAX_RECORD_VERSION:
        raise PydanticCustomError(
            "version", "must be between 1 and {n}, not {value}", {"n": f"{MAX_RECORD_VERSION:,}", "value": _short(value)}
        )
    return value


def rrp_version(value: Any) -> str:
    if not isinstance(value, str) or not _VERSION.fullmatch(value):
        raise PydanticCustomError("rrp_version", "must be a version such as 0.1.0, not {value}", {"value": _short(value)})
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _since(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("since", "must be a date such as 2026-03-02")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("since", "{value} is not a date such as 2026-03-02", {"value": _short(value)}) from None
    return value


Timestamp = Annotated[str, BeforeValidator(timestamp)]
Person = Annotated[str, BeforeValidator(person)]


class RecordHistory(BaseModel):
    """The history fields every submitted record carries."""

    model_config = ConfigDict(extra="ignore")

    version: Annotated[int, BeforeValidator(record_version)]
    updated_at: Timestamp
    updated_by: Person
    created_at: Annotated[str | None, BeforeValidator(lambda v: None if v is None else timestamp(v))] = None


def deletable_table(value: Any) -> str:
    """A table whose deletions a submission carries (the store deletes only these)."""
    from rrp.exchange.submission import DELETABLE_TABLES

    if value not in DELETABLE_TABLES:
        raise PydanticCustomError(
            "table", "must be one of {tables}, not {value}", {"tables": ", ".join(DELETABLE_TABLES), "value": _short(value)}
        )
    return value


class Deletion(BaseModel):
    """A record the ward deleted: which, when, by whom and why (the reason's text: WeekDeletion)."""

    model_config = ConfigDict(extra="forbid")

    table: Annotated[str, BeforeValidator(deletable_table)]
    record: dict[StrictStr, Any]
    deleted_at: Timestamp
    deleted_by: Person
    reason: StrictStr | None = None


def correctable_table(value: Any) -> str:
    """A table whose correction reasons a submission carries."""
    from rrp.exchange.submission import CORRECTABLE_TABLES

    if value not in CORRECTABLE_TABLES:
        raise PydanticCustomError(
            "table", "must be one of {tables}, not {value}", {"tables": ", ".join(CORRECTABLE_TABLES), "value": _short(value)}
        )
    return value


class Correction(BaseModel):
    """Why the ward corrected a record it submits: which, when, by whom, why (the reason's text:
    WeekCorrection)."""

    model_config = ConfigDict(extra="forbid")

    table: Annotated[str, BeforeValidator(correctable_table)]
    record: dict[StrictStr, Any]
    corrected_at: Timestamp
    corrected_by: Person
    reason: StrictStr


class Envelope(BaseModel):
    """Everything in a submission's signed payload but its records' content."""

    model_config = ConfigDict(extra="forbid")

    format: str
    format_version: StrictInt
    rrp_version: Annotated[str, BeforeValidator(rrp_version)]
    exported_at: Timestamp
    exported_by: Person
    since: Annotated[str | None, BeforeValidator(_since)] = None
    ward: Ward
    provider: Provider | None = None
    tables: dict[str, list[Any]]
    deleted: list[Deletion] = []
    #: Absent from files written before correction reasons travelled: none, as then.
    corrections: list[Correction] = []


def problems_of(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, message) for each problem pydantic found, in words."""
    out = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ())) or "(file)"
        message = item.get("msg", "invalid").removeprefix("Value error, ")
        if item.get("type") == "extra_forbidden":
            message = "is not a field of a ward submission"
        elif item.get("type") == "missing":
            message = "is missing"
        out.append((where, message))
    return out
