"""A week of counts for one ward: the collaborative's core measurement.

Counts are episodes in the week starting Monday `week_start`. The rules here are the single source of
truth: the entry form, the importers and the store all validate through `WeeklyCounts`; the database
repeats the hard rules as CHECK constraints and triggers.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from rrp.models.fields import FreeText, parse_date, whole_number
from rrp.models.registry import Code, Ward
from rrp.models.week_status import monday_of

#: The counted measures, in the order a form shows them, with the labels nurses see.
MEASURES: dict[str, str] = {
    "restraint": "Restraints",
    "prone_restraint": "Prone restraints",
    "seclusion": "Seclusions",
    "rapid_tranquillisation": "Rapid tranquillisations",
}
#: Measures that add up to all restrictive practice (prone is already inside restraint).
ALL_RESTRICTIVE_PARTS = ("restraint", "seclusion", "rapid_tranquillisation")
BED_DAYS_LABEL = "Occupied bed days"
#: A sanity bound on any one week's count for one ward (far above anything real).
MAX_WEEKLY_COUNT = 1000
COUNT_FIELDS = (*MEASURES, "occupied_bed_days")


#: The first week any rrp data can be for: a date before it is a typing slip (year 1, 0203).
EARLIEST_WEEK = dt.date(2000, 1, 3)


def week_containing(value: Any, label: str = "Date") -> dt.date:
    """The Monday of the week containing a typed date (ISO 2026-11-18 or UK 18/11/2026: the one
    date parser, `parse_date`); raises PydanticCustomError with a message for the person."""
    return monday_of(parse_date(value, label))


def _week_start(value: Any) -> dt.date:
    day = parse_date(value, "Week start")
    if day < EARLIEST_WEEK:
        raise PydanticCustomError(
            "too_early",
            "Week start {day} is before {earliest}: check the year",
            {"day": day.isoformat(), "earliest": EARLIEST_WEEK.isoformat()},
        )
    if day.weekday() != 0:
        raise PydanticCustomError(
            "monday",
            "Week start {day} is a {weekday}, not a Monday (did you mean {monday}?)",
            {
                "day": day.isoformat(),
                "weekday": day.strftime("%A"),
                "monday": monday_of(day).isoformat(),
            },
        )
    return day


def _count(label: str):
    return BeforeValidator(lambda v: whole_number(v, label, maximum=MAX_WEEKLY_COUNT))


class WeeklyCounts(BaseModel):
    """One ward's counts for one week.

    Validation context (optional): `ward` (a `Ward`, for the bed-days ceiling and active check) and
    `today` (a date, for "not in the future"; defaults to the real today).
    """

    model_config = ConfigDict(frozen=True)

    ward_code: Code
    week_start: Annotated[dt.date, BeforeValidator(_week_start)]
    restraint: Annotated[int, _count(MEASURES["restraint"])]
    prone_restraint: Annotated[int, _count(MEASURES["prone_restraint"])]
    seclusion: Annotated[int, _count(MEASURES["seclusion"])]
    rapid_tranquillisation: Annotated[int, _count(MEASURES["rapid_tranquillisation"])]
    occupied_bed_days: Annotated[
        int, BeforeValidator(lambda v: whole_number(v, BED_DAYS_LABEL, maximum=7 * 1000))
    ]
    note: FreeText("Note", max_length=500) = None

    @property
    def all_restrictive(self) -> int:
        return self.restraint + self.seclusion + self.rapid_tranquillisation

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo) -> WeeklyCounts:
        context = info.context or {}
        problems = cross_field_problems(
            self.model_dump(), ward=context.get("ward"), today=context.get("today")
        )
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self


def cross_field_problems(
    values: dict[str, Any], *, ward: Ward | None, today: dt.date | None
) -> list[InitErrorDetails]:
    """The rules that compare fields (and the ward), on whatever values are already valid.

    Each rule runs only when the fields it needs are present and parsed, so a form or an import
    row with one bad field still hears about the others (e.g. prone > restraint).
    """
    today = today or dt.date.today()
    problems: list[InitErrorDetails] = []

    def problem(field: str, kind: str, message: str, **ctx: Any) -> None:
        problems.append(
            InitErrorDetails(
                type=PydanticCustomError(kind, message, ctx or None), loc=(field,), input=values.get(field)
            )
        )

    def have(*fields: str) -> bool:
        return all(isinstance(values.get(f), int | dt.date) for f in fields)

    if have("prone_restraint", "restraint") and values["prone_restraint"] > values["restraint"]:
        problem(
            "prone_restraint",
            "prone_exceeds_restraint",
            "Prone restraints ({prone}) cannot exceed restraints ({restraint})",
            prone=values["prone_restraint"],
            restraint=values["restraint"],
        )
    if have("week_start") and values["week_start"] > monday_of(today):
        problem("week_start", "future", "Week start {day} is in the future", day=values["week_start"].isoformat())
    parts = [values.get(f) for f in ALL_RESTRICTIVE_PARTS]
    if have("occupied_bed_days") and values["occupied_bed_days"] == 0 and any(
        isinstance(p, int) and p > 0 for p in parts
    ):
        problem(
            "occupied_bed_days",
            "bed_days_zero",
            "Occupied bed days cannot be 0 in a week with restrictive practice",
        )
    if ward is not None:
        code = values.get("ward_code")
        if isinstance(code, str) and code.strip().upper() != ward.code:
            problem("ward_code", "ward", "These counts are for another ward")
        if not ward.active:
            problem("ward_code", "inactive", "Ward {code} is no longer active in the collaborative", code=ward.code)
        if have("occupied_bed_days") and values["occupied_bed_days"] > ward.max_bed_days:
            problem(
                "occupied_bed_days",
                "bed_days_ceiling",
                "Occupied bed days ({days}) cannot exceed beds x 7 ({ceiling} for {beds} beds)",
                days=values["occupied_bed_days"],
                ceiling=ward.max_bed_days,
                beds=ward.beds,
            )
    return problems


#: Field-level parsers, so the fields that are valid can be checked against each other even
#: when another field is not (see validate_week).
_FIELD_PARSERS: dict[str, Any] = {
    **{name: (lambda v, label=label: whole_number(v, label, maximum=MAX_WEEKLY_COUNT)) for name, label in MEASURES.items()},
    "occupied_bed_days": lambda v: whole_number(v, BED_DAYS_LABEL, maximum=7 * 1000),
    "week_start": _week_start,
}


def validate_week(data: dict[str, Any], *, ward: Ward | None, today: dt.date | None = None) -> WeeklyCounts:
    """Validate a week of counts against its ward; raises pydantic.ValidationError.

    When some fields are invalid, the error also carries every cross-field problem among the
    fields that are valid, so the user sees all that is wrong at once.
    """
    try:
        return WeeklyCounts.model_validate(data, context={"ward": ward, "today": today})
    except ValidationError as exc:
        failed = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        parsed: dict[str, Any] = {"ward_code": data.get("ward_code")}
        for name, parse in _FIELD_PARSERS.items():
            if name in failed or name not in data:
                continue
            try:
                parsed[name] = parse(data[name])
            except (PydanticCustomError, ValueError):
                continue
        extra = [
            p for p in cross_field_problems(parsed, ward=ward, today=today) if p["loc"][0] not in failed
        ]
        if not extra:
            raise
        details = [
            InitErrorDetails(
                type=PydanticCustomError(e["type"], e["msg"].removeprefix("Value error, ")),
                loc=tuple(e["loc"]),
                input=e.get("input"),
            )
            for e in exc.errors()
        ]
        raise ValidationError.from_exception_data(exc.title, details + extra) from None


class StoredWeek(BaseModel):
    """A week of counts as stored: the counts plus who last changed them, when, and the version.

    The version is what an edit is made against: saving with a stale version is refused.
    """

    model_config = ConfigDict(frozen=True)

    counts: WeeklyCounts
    version: int
    updated_at: str
    updated_by: str


class WeekDeletion(BaseModel):
    """Why a week of counts is deleted: kept in the audit, and sent with the ward's submission."""

    reason: FreeText("Reason for deleting", max_length=500, required="Say why the week is deleted")


class WeekCorrection(BaseModel):
    """Why a saved week is corrected: kept in the audit row of the change."""

    reason: FreeText("Reason for the correction", max_length=500, required="Say why the week is corrected")
