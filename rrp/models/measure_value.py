"""One value of a measure for one ward and period, checked against the measure's own rules.

The rules follow from the measure (rrp.models.measure): a count-like numerator is a whole number,
a proportion has a denominator at least its numerator, a value measure's amount is within its
minimum and maximum, a weekly period starts on a Monday and a monthly one on the 1st, and no period
is in the future. Rules that need other rows (the week's bed days, a part against its whole) are
the importer's and the store's; the database repeats all of them as triggers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from rrp.models.fields import parse_date, whole_number
from rrp.models.measure import MAX_MEASURE_NUMBER, Measure
from rrp.models.weekly import monday_of


class MeasureValue(BaseModel):
    """A measure's numerator (and a proportion's denominator) for one ward and period."""

    model_config = ConfigDict(frozen=True)

    ward_code: str
    measure_code: str
    period_start: dt.date
    numerator: int | float
    denominator: int | None = None


def period_of(measure: Measure, day: dt.date) -> dt.date:
    """The start of the measure's period containing `day`: its Monday, or the 1st of its month."""
    return monday_of(day) if measure.frequency == "weekly" else day.replace(day=1)


def _amount(value: Any, label: str) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PydanticCustomError("required", f"{label} is required")
    if isinstance(value, bool):
        raise PydanticCustomError("number", f"{label} must be a number")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise PydanticCustomError("number", f"{label} must be a number, not {str(value)[:40]!r}") from None
    if not math.isfinite(number) or number < 0:
        raise PydanticCustomError("number", f"{label} must be a number, 0 or more")
    if number > MAX_MEASURE_NUMBER:
        raise PydanticCustomError("too_large", f"{label} ({number:g}) is more than {MAX_MEASURE_NUMBER}")
    return number


def validate_value(
    data: dict[str, Any], *, measure: Measure, today: dt.date | None = None
) -> MeasureValue:
    """A MeasureValue for `measure` from raw fields, or ValidationError naming every bad field.

    `data`: ward_code, period_start, numerator, denominator (cells as typed or read from a file).
    """
    problems: list[InitErrorDetails] = []
    parsed: dict[str, Any] = {"ward_code": str(data.get("ward_code") or "").strip().upper(), "measure_code": measure.code}

    def check(field: str, parse: Any) -> None:
        try:
            parsed[field] = parse(data.get(field))
        except PydanticCustomError as exc:
            problems.append(InitErrorDetails(type=exc, loc=(field,), input=data.get(field)))

    def period(value: Any) -> dt.date:
        day = parse_date(value, "period_start")
        start = period_of(measure, day)
        if day != start:
            what = "a Monday" if measure.frequency == "weekly" else "the 1st of a month"
            raise PydanticCustomError(
                "period", f"period_start {day.isoformat()} is not {what} ({measure.code} is {measure.frequency}; did you mean {start.isoformat()}?)"
            )
        if start > period_of(measure, today or dt.date.today()):
            raise PydanticCustomError("future", f"period_start {day.isoformat()} is in the future")
        return day

    check("period_start", period)
    if measure.count_like:
        check("numerator", lambda v: whole_number(v, "numerator", maximum=MAX_MEASURE_NUMBER))
    else:
        check("numerator", lambda v: _amount(v, "numerator"))
    denominator = data.get("denominator")
    if measure.recorded_as == "proportion":
        check("denominator", lambda v: whole_number(v, "denominator", maximum=MAX_MEASURE_NUMBER))
    elif denominator is not None and not (isinstance(denominator, str) and not denominator.strip()):
        if measure.recorded_as != "count_per_bed_days":  # per bed days: the importer compares it
            problems.append(InitErrorDetails(
                type=PydanticCustomError("denominator", f"{measure.code} is {measure.recorded_as}: leave denominator empty"),
                loc=("denominator",), input=denominator,
            ))
    numerator, denom = parsed.get("numerator"), parsed.get("denominator")
    if isinstance(numerator, int) and isinstance(denom, int) and numerator > denom:
        problems.append(InitErrorDetails(
            type=PydanticCustomError("proportion", f"numerator ({numerator}) cannot exceed denominator ({denom})"),
            loc=("numerator",), input=numerator,
        ))
    if isinstance(numerator, float):
        if measure.minimum is not None and numerator < measure.minimum:
            problems.append(InitErrorDetails(
                type=PydanticCustomError("bounds", f"{numerator:g} is below {measure.code}'s minimum ({measure.minimum:g})"),
                loc=("numerator",), input=numerator,
            ))
        if measure.maximum is not None and numerator > measure.maximum:
            problems.append(InitErrorDetails(
                type=PydanticCustomError("bounds", f"{numerator:g} is above {measure.code}'s maximum ({measure.maximum:g})"),
                loc=("numerator",), input=numerator,
            ))
    if problems:
        raise ValidationError.from_exception_data("MeasureValue", problems)
    return MeasureValue(
        ward_code=parsed["ward_code"],
        measure_code=measure.code,
        period_start=parsed["period_start"],
        numerator=parsed["numerator"],
        denominator=parsed.get("denominator"),
    )
