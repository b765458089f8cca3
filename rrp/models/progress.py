"""Monthly progress scores on the IHI collaborative assessment scale (0.5 to 5.0 in steps of 0.5)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from rrp.models.fields import FIRST_YEAR, LAST_YEAR, FreeText, parse_date
from rrp.models.registry import Code

#: The IHI assessment scale, as facilitators score it.
PROGRESS_LABELS: dict[float, str] = {
    0.5: "Intent to participate",
    1.0: "Team formed",
    1.5: "Planning begun",
    2.0: "Activity but no changes",
    2.5: "Changes tested, no improvement yet",
    3.0: "Modest improvement",
    3.5: "Improvement",
    4.0: "Significant improvement",
    4.5: "Sustainable improvement",
    5.0: "Outstanding sustainable results",
}
PROGRESS_SCORES = tuple(PROGRESS_LABELS)


def progress_label(score: float) -> str:
    return PROGRESS_LABELS.get(float(score), "")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month(value: Any) -> dt.date:
    """A month: Mar 2026 (as rrp shows it), 03/2026, 2026-03, or any date in it (stored as its
    first day)."""
    if isinstance(value, str):
        text = " ".join(value.split())
        for shape in ("%b %Y", "%B %Y", "%m/%Y", "%Y-%m"):
            try:
                month = dt.datetime.strptime(text, shape).date()
            except ValueError:
                continue
            if not FIRST_YEAR <= month.year <= LAST_YEAR:
                raise PydanticCustomError("date", f"Month {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
            return month
    return month_start(parse_date(value, "Month"))


def _score(value: Any) -> float:
    message = "Score must be 0.5 to 5.0 in steps of 0.5 (e.g. 2.5)"
    if isinstance(value, bool):
        raise PydanticCustomError("score", message)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise PydanticCustomError("required", "Score is required")
        try:
            value = float(text)
        except ValueError:
            raise PydanticCustomError("score", message) from None
    if not isinstance(value, int | float) or value != value:
        raise PydanticCustomError("score", message)
    value = float(value)
    if value not in PROGRESS_LABELS:
        raise PydanticCustomError("score", message)
    return value


class ProgressScore(BaseModel):
    """One ward's score for one month, with the facilitator's note."""

    model_config = ConfigDict(frozen=True)

    ward_code: Code
    month: Annotated[dt.date, BeforeValidator(_month)]
    score: Annotated[float, BeforeValidator(_score)]
    note: FreeText("Note", max_length=1000) = None

    @property
    def label(self) -> str:
        return progress_label(self.score)


class StoredProgressScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    score: ProgressScore
    version: int
    updated_at: str
    updated_by: str
