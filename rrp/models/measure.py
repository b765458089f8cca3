"""The family of measures, as data: one `Measure` per outcome, process or balancing measure.

A measure is defined once (code, name, operational definition, how it is recorded, which way is
better, how often) and everything about charting it follows from `recorded_as`:

| recorded_as          | entered as                          | chart | shown as                          |
|----------------------|-------------------------------------|-------|-----------------------------------|
| count_per_bed_days   | a count; the week's bed days apply  | u     | per 1,000 occupied bed days       |
| proportion           | a numerator of a denominator        | p     | %                                 |
| count                | a count with no exposure            | c     | count                             |
| value                | a measured amount (hours, a score)  | XmR   | the value                         |

The four core outcome measures are *column-backed*: their counts live in the `weekly` table's own
columns (`column_name`), so every existing figure stays exactly as it is. Every other measure's
values live in the long `measure_value` table. `sum_of` measures (all restrictive practice) are
derived, never entered. `MeasureSet` checks a whole set (references, scopes, cycles).

The aim: `aim_change` (relative, -0.3333 = a third lower) and/or `aim_target` (absolute, in display
units). An outcome measure whose direction is decrease and that has no aim of its own takes the
collaborative's aim (data/aim.toml, stored as meta 'aim_reduction'): see `Measure.aim_change_with`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from rrp.models.fields import free_text, parse_date
from rrp.models.registry import Code

Kind = Literal["outcome", "process", "balancing"]
RecordedAs = Literal["count_per_bed_days", "proportion", "count", "value"]
Direction = Literal["decrease", "increase", "neutral"]
Frequency = Literal["weekly", "monthly"]

KINDS: tuple[str, ...] = ("outcome", "process", "balancing")
RECORDED_AS: tuple[str, ...] = ("count_per_bed_days", "proportion", "count", "value")
DIRECTIONS: tuple[str, ...] = ("decrease", "increase", "neutral")
FREQUENCIES: tuple[str, ...] = ("weekly", "monthly")

#: The weekly table's count columns that back the core outcome measures (code = column name).
CORE_COLUMNS: tuple[str, ...] = ("restraint", "prone_restraint", "seclusion", "rapid_tranquillisation")
#: Recorded as whole numbers (the numerator, and the denominator of a proportion).
COUNT_LIKE: frozenset[str] = frozenset({"count_per_bed_days", "proportion", "count"})
#: A sanity bound on one period's numerator or denominator (the schema repeats it).
MAX_MEASURE_NUMBER = 100_000

CODE_MIN, CODE_MAX = 2, 40
NAME_MAX, LABEL_MAX, DEFINITION_MAX = 120, 40, 2000
POSITION_MAX = 10_000
#: Where a measure with no position goes: after the shipped ones.
DEFAULT_POSITION = 1000

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

_CHART = {"count_per_bed_days": "u", "proportion": "p", "count": "c", "value": "xmr"}
_PER = {"count_per_bed_days": 1000.0, "proportion": 100.0, "count": 1.0, "value": 1.0}
_UNIT_TEXT = {"count_per_bed_days": "per 1,000 occupied bed days", "proportion": "%", "count": "", "value": ""}


def _measure_code(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("code", "A measure code is required (lowercase letters, digits and _)")
    text = value.strip()
    if not CODE_MIN <= len(text) <= CODE_MAX or not text.isascii() or not _CODE.match(text):
        raise PydanticCustomError(
            "code",
            "Measure code '{code}' must be {low}-{high} characters of lowercase a-z, 0-9 and _, starting with a letter",
            {"code": text[:60], "low": CODE_MIN, "high": CODE_MAX},
        )
    return text


def _text(label: str, maximum: int):
    def parse(value: Any) -> str:
        text = free_text(value, label, max_length=maximum)
        if text is None:
            raise PydanticCustomError("required", f"{label} is required")
        return text

    return BeforeValidator(parse)


def _number(label: str):
    def parse(value: Any) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise PydanticCustomError("number", f"{label} must be a number")
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError, OverflowError):
            raise PydanticCustomError("number", f"{label} must be a number") from None
        if not math.isfinite(number):
            raise PydanticCustomError("number", f"{label} must be a finite number")
        return number

    return BeforeValidator(parse)


def _optional_date(label: str):
    def parse(value: Any) -> dt.date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parse_date(value, label)

    return BeforeValidator(parse)


def _codes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise PydanticCustomError("codes", "sum_of must be a list of measure codes")
    return tuple(_measure_code(v) for v in value)


def _optional_code(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _measure_code(value)


def _position(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= POSITION_MAX:
        raise PydanticCustomError("position", f"position must be a whole number from 0 to {POSITION_MAX}")
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise PydanticCustomError("flag", "enabled must be true or false")


class Measure(BaseModel):
    """One measure of the family, defined once. Validate with `Measure.model_validate(dict)`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[str, BeforeValidator(_measure_code)]
    name: Annotated[str, _text("name", NAME_MAX)]
    label: Annotated[str, _text("label", LABEL_MAX)]
    definition: Annotated[str, _text("definition", DEFINITION_MAX)]
    kind: Kind
    recorded_as: RecordedAs
    direction: Direction
    frequency: Frequency
    part_of: Annotated[str | None, BeforeValidator(_optional_code)] = None
    sum_of: Annotated[tuple[str, ...], BeforeValidator(_codes)] = ()
    aim_change: Annotated[float | None, _number("aim_change")] = None
    aim_target: Annotated[float | None, _number("aim_target")] = None
    minimum: Annotated[float | None, _number("minimum")] = None
    maximum: Annotated[float | None, _number("maximum")] = None
    ward_code: Code | None = None
    column_name: Literal["restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"] | None = None
    enabled: Annotated[bool, BeforeValidator(_flag)] = True
    active_from: Annotated[dt.date | None, _optional_date("active_from")] = None
    active_to: Annotated[dt.date | None, _optional_date("active_to")] = None
    position: Annotated[int, BeforeValidator(_position)] = DEFAULT_POSITION

    @model_validator(mode="before")
    @classmethod
    def _label_defaults_to_name(cls, data: Any) -> Any:
        # The file format has no label: a short name serves as its own label.
        if isinstance(data, dict) and data.get("label") in (None, "") and isinstance(data.get("name"), str):
            return {**data, "label": data["name"]}
        return data

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Measure:
        problems = measure_problems(self)
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    # -- derived, one definition each ---------------------------------------------------------

    @property
    def chart(self) -> str:
        """The SPC chart: u (per bed days), p (proportion), c (count), xmr (value)."""
        return _CHART[self.recorded_as]

    @property
    def per(self) -> float:
        """What the charted value is per: 1,000 bed days, 100 (a %), or 1."""
        return _PER[self.recorded_as]

    @property
    def unit_text(self) -> str:
        return _UNIT_TEXT[self.recorded_as]

    @property
    def count_like(self) -> bool:
        return self.recorded_as in COUNT_LIKE

    @property
    def derived(self) -> bool:
        """A sum of other measures: computed, never entered."""
        return bool(self.sum_of)

    @property
    def column_backed(self) -> bool:
        return self.column_name is not None

    @property
    def local(self) -> bool:
        return self.ward_code is not None

    def active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )

    def aim_change_with(self, collaborative_reduction: float) -> float | None:
        """The relative change aimed for: the measure's own, else the collaborative's aim for a
        decreasing outcome measure (-reduction), else None (no relative aim)."""
        if self.aim_change is not None:
            return self.aim_change
        if self.kind == "outcome" and self.direction == "decrease" and self.aim_target is None:
            return -collaborative_reduction
        return None


def _problem(field: str, kind: str, message: str, value: Any = None) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=(field,), input=value)


def measure_problems(m: Measure) -> list[InitErrorDetails]:
    """The rules that compare a measure's own fields (the set's rules are in MeasureSet)."""
    problems: list[InitErrorDetails] = []
    add = problems.append
    if m.sum_of:
        if m.part_of is not None:
            add(_problem("sum_of", "sum_part", "A measure cannot be both a sum (sum_of) and part of another (part_of)"))
        if m.recorded_as not in ("count_per_bed_days", "count"):
            add(_problem("sum_of", "sum_kind", "Only count measures (count_per_bed_days or count) can be a sum of others"))
        if len(m.sum_of) < 2 or len(set(m.sum_of)) != len(m.sum_of):
            add(_problem("sum_of", "sum_members", "sum_of needs at least two different measure codes", list(m.sum_of)))
        if m.code in m.sum_of:
            add(_problem("sum_of", "sum_self", "A measure cannot be a sum of itself"))
    if m.part_of is not None:
        if m.part_of == m.code:
            add(_problem("part_of", "part_self", "A measure cannot be part of itself"))
        if m.recorded_as not in COUNT_LIKE:
            add(_problem("part_of", "part_kind", "Only count-like measures can be part of another (not a value measure)"))
    if m.recorded_as == "count_per_bed_days" and m.frequency != "weekly":
        add(_problem("frequency", "bed_days_weekly", "A count_per_bed_days measure is weekly (bed days are entered per week)"))
    if m.column_name is not None:
        if m.column_name != m.code:
            add(_problem("column_name", "column", "A column-backed measure's code is its weekly column's name"))
        if m.recorded_as != "count_per_bed_days" or m.frequency != "weekly" or m.ward_code is not None or m.sum_of:
            add(_problem("column_name", "column", "A column-backed measure is a weekly count_per_bed_days measure of the collaborative"))
    if (m.minimum is not None or m.maximum is not None) and m.recorded_as != "value":
        add(_problem("minimum" if m.minimum is not None else "maximum", "bounds", "minimum and maximum are for value measures only"))
    if m.minimum is not None and m.maximum is not None and m.minimum > m.maximum:
        add(_problem("maximum", "bounds", "maximum is below minimum"))
    if m.direction == "neutral" and (m.aim_change is not None or m.aim_target is not None):
        add(_problem("direction", "neutral_aim", "A neutral measure (watched, not aimed at) has no aim"))
    if m.aim_change is not None:
        if m.aim_change <= -1 or m.aim_change > 10 or m.aim_change == 0:
            add(_problem("aim_change", "aim", "aim_change is a relative change above -1 (-0.25 = a quarter lower), not 0", m.aim_change))
        elif (m.direction == "decrease") != (m.aim_change < 0) and m.direction != "neutral":
            add(_problem("aim_change", "aim", f"aim_change {m.aim_change} goes the wrong way for a measure to {m.direction}", m.aim_change))
    if m.aim_target is not None:
        if m.aim_target < 0 or (m.recorded_as == "proportion" and m.aim_target > 100):
            add(_problem("aim_target", "aim", f"aim_target must be from 0 to {'100 (%)' if m.recorded_as == 'proportion' else 'any positive number'}", m.aim_target))
    if m.active_from and m.active_to and m.active_to < m.active_from:
        add(_problem("active_to", "dates", "active_to is before active_from"))
    return problems


class MeasureSetError(ValueError):
    """A set of measures that does not hold together; `problems` are (code, field, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{c}, {f}: {m}" for c, f, m in problems[:5]))


class MeasureSet:
    """An ordered, checked collection of measures (by position, then code)."""

    def __init__(self, measures: Iterable[Measure]) -> None:
        items = list(measures)
        problems = set_problems(items)
        if problems:
            raise MeasureSetError(problems)
        self._items = sorted(items, key=lambda m: (m.position, m.code))
        self._by_code = {m.code: m for m in self._items}

    def __iter__(self) -> Iterator[Measure]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Measure:
        return self._by_code[code]

    def get(self, code: str) -> Measure | None:
        return self._by_code.get(code)

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self._items]

    def weekly(self) -> list[Measure]:
        return [m for m in self._items if m.frequency == "weekly"]

    def monthly(self) -> list[Measure]:
        return [m for m in self._items if m.frequency == "monthly"]

    def enabled(self) -> list[Measure]:
        return [m for m in self._items if m.enabled]

    def active_for(self, ward_code: str | None, day: dt.date) -> list[Measure]:
        """The enabled measures a ward sees on `day`: the collaborative's and its own local ones."""
        return [
            m for m in self._items
            if m.enabled and m.active_on(day) and (m.ward_code is None or m.ward_code == ward_code)
        ]

    def components(self, code: str) -> list[Measure]:
        """The measures a sum adds up (empty for a measure that is not a sum)."""
        return [self._by_code[c] for c in self._by_code[code].sum_of]

    def parts(self, code: str) -> list[Measure]:
        """The measures that are part of this one (prone restraint of restraint)."""
        return [m for m in self._items if m.part_of == code]

    def column_backed(self) -> list[Measure]:
        return [m for m in self._items if m.column_backed]

    def replace(self, measures: Iterable[Measure]) -> MeasureSet:
        """This set with the given measures added or replaced (by code), checked as a whole."""
        merged = dict(self._by_code)
        for m in measures:
            merged[m.code] = m
        return MeasureSet(merged.values())


def set_problems(measures: list[Measure]) -> list[tuple[str, str, str]]:
    """Rules across measures: unique codes, known references, shared scale, scope, no cycles."""
    problems: list[tuple[str, str, str]] = []
    by_code: dict[str, Measure] = {}
    for m in measures:
        if m.code in by_code:
            problems.append((m.code, "code", f"measure {m.code} appears twice"))
        by_code[m.code] = m

    def compatible(m: Measure, other: Measure, field: str) -> None:
        if other.recorded_as != m.recorded_as or other.frequency != m.frequency:
            problems.append((m.code, field, f"{other.code} is {other.recorded_as}, {other.frequency}; "
                             f"{m.code} is {m.recorded_as}, {m.frequency}: they must match"))
        if other.ward_code is not None and other.ward_code != m.ward_code:
            problems.append((m.code, field, f"{other.code} is ward {other.ward_code}'s local measure"))

    for m in measures:
        if m.part_of is not None:
            whole = by_code.get(m.part_of)
            if whole is None:
                problems.append((m.code, "part_of", f"unknown measure {m.part_of}"))
            else:
                compatible(m, whole, "part_of")
                if whole.sum_of:
                    problems.append((m.code, "part_of", f"{whole.code} is a sum; a part belongs to an entered measure"))
        for code in m.sum_of:
            member = by_code.get(code)
            if member is None:
                problems.append((m.code, "sum_of", f"unknown measure {code}"))
                continue
            compatible(m, member, "sum_of")
            if member.sum_of:
                problems.append((m.code, "sum_of", f"{code} is itself a sum; sums do not nest"))
    for m in measures:  # part_of chains must end
        seen = {m.code}
        whole = by_code.get(m.part_of) if m.part_of else None
        while whole is not None:
            if whole.code in seen:
                problems.append((m.code, "part_of", "part_of goes round in a circle"))
                break
            seen.add(whole.code)
            whole = by_code.get(whole.part_of) if whole.part_of else None
    return problems
