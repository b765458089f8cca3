"""PDSA cycles, as on the IHI worksheet: the rules of a cycle, its status moves, nudges and quality.

A cycle tests one change idea on one ward. Its life is

    planned -> doing -> studying -> done        (and any open stage -> abandoned)

with one step back allowed from doing, studying and done (a team that moved on too early), see
`TRANSITIONS`. The store refuses any other move.

**Scale** is one of five ordered levels (`ScaleLevel`), stored in `pdsa_cycle.scale` as the level's
key. "Larger scale" simply means a higher rank: a ramp should grow from one patient or one shift
towards the whole ward, and only after the smaller test was adopted or adapted. The free detail of
the scale (which nurse, which shift) belongs in the plan's "who, what, when, where".

**Nudges** (`nudges`) are gentle reminders of good PDSA practice; they never block a save.
**Quality** (`quality`) shows which of prediction, ramp link, scale, data and Act decision a cycle
has: the five letters P R S D A.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from rrp.models.fields import FreeText, parse_date, whole_number
from rrp.models.registry import Code


class PdsaStatus(StrEnum):
    """Where a cycle is in Plan-Do-Study-Act."""

    PLANNED = "planned"
    DOING = "doing"
    STUDYING = "studying"
    DONE = "done"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Still being tested (not done and not abandoned)."""
        return self in OPEN_STATUSES


STATUS_LABELS = {
    PdsaStatus.PLANNED: "Planned",
    PdsaStatus.DOING: "Doing",
    PdsaStatus.STUDYING: "Studying",
    PdsaStatus.DONE: "Done",
    PdsaStatus.ABANDONED: "Abandoned",
}
OPEN_STATUSES = frozenset({PdsaStatus.PLANNED, PdsaStatus.DOING, PdsaStatus.STUDYING})

#: The allowed status moves: forward one stage, back one stage, or abandon an open cycle.
TRANSITIONS: dict[PdsaStatus, frozenset[PdsaStatus]] = {
    PdsaStatus.PLANNED: frozenset({PdsaStatus.DOING, PdsaStatus.ABANDONED}),
    PdsaStatus.DOING: frozenset({PdsaStatus.STUDYING, PdsaStatus.PLANNED, PdsaStatus.ABANDONED}),
    PdsaStatus.STUDYING: frozenset({PdsaStatus.DONE, PdsaStatus.DOING, PdsaStatus.ABANDONED}),
    PdsaStatus.DONE: frozenset({PdsaStatus.STUDYING}),
    PdsaStatus.ABANDONED: frozenset({PdsaStatus.PLANNED}),
}
#: The next stage forward, for the editor's "move on" key.
NEXT_STATUS: dict[PdsaStatus, PdsaStatus] = {
    PdsaStatus.PLANNED: PdsaStatus.DOING,
    PdsaStatus.DOING: PdsaStatus.STUDYING,
    PdsaStatus.STUDYING: PdsaStatus.DONE,
}


def can_transition(current: PdsaStatus | str, new: PdsaStatus | str) -> bool:
    """True when a cycle may move from `current` to `new` (staying put is always allowed)."""
    current, new = PdsaStatus(current), PdsaStatus(new)
    return current == new or new in TRANSITIONS[current]


def check_transition(current: PdsaStatus | str, new: PdsaStatus | str) -> None:
    """Raise InvalidTransition (a ValueError) with a clear message for a move not allowed."""
    if not can_transition(current, new):
        current, new = PdsaStatus(current), PdsaStatus(new)
        allowed = ", ".join(s.label for s in sorted(TRANSITIONS[current], key=list(PdsaStatus).index))
        raise InvalidTransition(
            f"A cycle that is {current.label.lower()} cannot move to {new.label.lower()} "
            f"(it can move to: {allowed or 'nothing'})"
        )


class InvalidTransition(ValueError):
    """A status move that TRANSITIONS does not allow."""


class ActDecision(StrEnum):
    """The Act decision: what the team does with the change after studying it."""

    ADOPT = "adopt"
    ADAPT = "adapt"
    ABANDON = "abandon"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ScaleLevel(StrEnum):
    """How big the test is, smallest first. `rank` orders them (1..5)."""

    ONE = "one"
    FEW = "few"
    SHIFT_DAY = "day"
    WEEK = "week"
    WARD = "ward"

    @property
    def rank(self) -> int:
        return list(ScaleLevel).index(self) + 1

    @property
    def label(self) -> str:
        return SCALE_LABELS[self]


SCALE_LABELS = {
    ScaleLevel.ONE: "1 One patient, one staff member or one shift",
    ScaleLevel.FEW: "2 A few patients or staff, a few shifts",
    ScaleLevel.SHIFT_DAY: "3 All shifts for a day, or one team",
    ScaleLevel.WEEK: "4 The whole ward for a week or more",
    ScaleLevel.WARD: "5 The whole ward, all the time",
}

#: The worksheet's text fields with their form labels, by stage.
STAGE_FIELDS: dict[str, dict[str, str]] = {
    "plan": {
        "objective": "Objective",
        "questions": "Questions",
        "predictions": "Predictions (one per question)",
        "plan_details": "Who, what, when, where",
        "data_to_collect": "Data to collect",
    },
    "do": {
        "what_happened": "What happened",
        "observations": "Observations",
        "problems": "Problems",
    },
    "study": {
        "results": "Results (against predictions)",
        "learning": "What we learned",
    },
    "act": {
        "next_step": "Next step (next cycle)",
    },
}
TEXT_FIELDS: dict[str, str] = {name: label for stage in STAGE_FIELDS.values() for name, label in stage.items()}
TITLE_MAX = 120
TEXT_MAX = 4000


def new_cycle_id() -> str:
    """A fresh cycle id: 32 hex characters."""
    return uuid.uuid4().hex


def _id(value: Any, label: str) -> str:
    if not isinstance(value, str) or len(value) != 32 or any(c not in "0123456789abcdef" for c in value):
        raise PydanticCustomError("id", f"{label} must be 32 lower-case hex characters")
    return value


def _optional_id(value: Any, label: str) -> str | None:
    if value is None or value == "":
        return None
    return _id(value, label)


def _optional_date(value: Any, label: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value, label)


def _scale(value: Any) -> ScaleLevel | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, ScaleLevel):
        return value
    text = str(value).strip().lower()
    for level in ScaleLevel:
        if text in (level.value, str(level.rank)):
            return level
    raise PydanticCustomError(
        "scale", "Scale must be one of 1 to 5 (1 = one patient or shift, 5 = the whole ward)"
    )


def _choice(enum: type[StrEnum], label: str):
    def parse(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return enum(str(value).strip().lower())
        except ValueError:
            options = ", ".join(m.value for m in enum)
            raise PydanticCustomError("choice", f"{label} must be one of: {options}") from None

    return BeforeValidator(parse)


def _code_ref(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("required", "Choose a change idea")
    return value.strip().upper()


class PdsaCycle(BaseModel):
    """One PDSA cycle. Every text field is `FreeText` (the NHS-number guard)."""

    model_config = ConfigDict(frozen=True)

    id: Annotated[str, BeforeValidator(lambda v: _id(v, "Cycle id"))]
    ward_code: Code
    change_idea_code: Annotated[str, BeforeValidator(_code_ref)]
    title: FreeText(
        "Title", max_length=TITLE_MAX, required="Title is required (a few words: what is being tested)",
        single_line=True,
    )
    cycle_number: Annotated[int, BeforeValidator(lambda v: whole_number(v, "Cycle number", maximum=999))] = 1
    previous_cycle_id: Annotated[
        str | None, BeforeValidator(lambda v: _optional_id(v, "Previous cycle"))
    ] = None
    scale: Annotated[ScaleLevel | None, BeforeValidator(_scale)] = None
    planned_start: Annotated[dt.date | None, BeforeValidator(lambda v: _optional_date(v, "Planned start"))] = None
    planned_end: Annotated[dt.date | None, BeforeValidator(lambda v: _optional_date(v, "Planned end"))] = None
    status: Annotated[PdsaStatus, _choice(PdsaStatus, "Status")] = PdsaStatus.PLANNED
    objective: FreeText("Objective", max_length=TEXT_MAX) = None
    questions: FreeText("Questions", max_length=TEXT_MAX) = None
    predictions: FreeText("Predictions", max_length=TEXT_MAX) = None
    plan_details: FreeText("Who, what, when, where", max_length=TEXT_MAX) = None
    data_to_collect: FreeText("Data to collect", max_length=TEXT_MAX) = None
    what_happened: FreeText("What happened", max_length=TEXT_MAX) = None
    observations: FreeText("Observations", max_length=TEXT_MAX) = None
    problems: FreeText("Problems", max_length=TEXT_MAX) = None
    results: FreeText("Results", max_length=TEXT_MAX) = None
    learning: FreeText("What we learned", max_length=TEXT_MAX) = None
    act_decision: Annotated[ActDecision | None, _choice(ActDecision, "Act decision")] = None
    next_step: FreeText("Next step", max_length=TEXT_MAX) = None

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id"):
            data = {**data, "id": new_cycle_id()}
        return data

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo) -> PdsaCycle:
        problems: list[InitErrorDetails] = []

        def problem(field: str, kind: str, message: str) -> None:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError(kind, message), loc=(field,), input=getattr(self, field)
                )
            )

        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            problem(
                "planned_end",
                "end_before_start",
                f"Planned end ({self.planned_end:%d/%m/%Y}) is before planned start "
                f"({self.planned_start:%d/%m/%Y})",
            )
        if self.previous_cycle_id is not None and self.previous_cycle_id == self.id:
            problem("previous_cycle_id", "self_link", "A cycle cannot follow itself")
        if self.previous_cycle_id is None and self.cycle_number != 1:
            problem(
                "cycle_number",
                "no_ramp",
                "Only the first cycle of a ramp can have no previous cycle: choose the previous "
                "cycle, or make this cycle number 1",
            )
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def moved_to(self, status: PdsaStatus | str) -> PdsaCycle:
        """This cycle at `status`; raises InvalidTransition for a move TRANSITIONS does not allow."""
        check_transition(self.status, status)
        return PdsaCycle.model_validate({**self.model_dump(), "status": PdsaStatus(status)})


def validate_cycle(data: dict[str, Any]) -> PdsaCycle:
    """Validate a cycle from form or import data; raises pydantic.ValidationError."""
    return PdsaCycle.model_validate(data)


class StoredCycle(BaseModel):
    """A cycle as stored: the cycle plus its version (what an edit is made against) and history."""

    model_config = ConfigDict(frozen=True)

    cycle: PdsaCycle
    version: int
    created_at: str
    updated_at: str
    updated_by: str


# -- nudges and quality ------------------------------------------------------------------------


@dataclass(frozen=True)
class Nudge:
    """A gentle reminder of good PDSA practice: `code` for tests and flags, `field` to point at."""

    code: str
    flag: str
    message: str
    field: str


NUDGE_CODES = ("no_prediction", "no_results", "no_decision", "scale_jump", "overdue")


def week_end(today: dt.date) -> dt.date:
    """The Sunday that ends the week containing `today`."""
    return today + dt.timedelta(days=6 - today.weekday())


#: "PDSA running": cycles being tested or studied now (the one definition: the huddle, the
#: dashboard, both reports and the pack count these).
RUNNING_STATUSES: tuple[PdsaStatus, ...] = (PdsaStatus.DOING, PdsaStatus.STUDYING)


def is_running(status: str) -> bool:
    """A cycle in Do or in Study."""
    return str(status) in {s.value for s in RUNNING_STATUSES}


def due_for_study_on(status: str, planned_end: dt.date | None, today: dt.date) -> bool:
    """In Do and planned to end by the end of this week (or already past its end)."""
    return str(status) == PdsaStatus.DOING.value and planned_end is not None and planned_end <= week_end(today)


def completed_on(status: str, marked_done: dt.date | None, planned_end: dt.date | None) -> dt.date | None:
    """The day a done cycle counts as completed (the PDSA list's "Done 2 Dec", the dashboard's
    completed per month): the UK day it was marked done; for one that arrived done (an import,
    the demo: no such move recorded), its planned end, the best date known. None when not done."""
    if str(status) != PdsaStatus.DONE.value:
        return None
    return marked_done if marked_done is not None else planned_end


def is_due_for_study(cycle: PdsaCycle, today: dt.date) -> bool:
    """Running (doing) and planned to end by the end of this week (or already past its end)."""
    return due_for_study_on(cycle.status, cycle.planned_end, today)


def nudges(
    cycle: PdsaCycle, *, previous: PdsaCycle | None = None, today: dt.date | None = None
) -> list[Nudge]:
    """The nudges a cycle earns now (never a reason to refuse a save).

    - no prediction once the cycle is past Plan (doing, studying or done);
    - no results once it is being studied or done;
    - done without an Act decision;
    - a larger scale (higher ScaleLevel rank) than the previous cycle, when that one was not
      adopted or adapted;
    - still "doing" after its planned end (`today` defaults to the real today).
    """
    today = today or dt.date.today()
    found: list[Nudge] = []
    status = cycle.status
    if status in (PdsaStatus.DOING, PdsaStatus.STUDYING, PdsaStatus.DONE) and not cycle.predictions:
        found.append(
            Nudge(
                "no_prediction",
                "no prediction",
                "No prediction yet: write what you expect to happen before you test, so the Study "
                "step can compare.",
                "predictions",
            )
        )
    if status in (PdsaStatus.STUDYING, PdsaStatus.DONE) and not cycle.results:
        found.append(
            Nudge(
                "no_results",
                "no results",
                "No results yet: record what the data showed, against your predictions.",
                "results",
            )
        )
    if status == PdsaStatus.DONE and cycle.act_decision is None:
        found.append(
            Nudge(
                "no_decision",
                "no decision",
                "Done without an Act decision: adopt, adapt or abandon?",
                "act_decision",
            )
        )
    if (
        previous is not None
        and cycle.scale is not None
        and previous.scale is not None
        and cycle.scale.rank > previous.scale.rank
        and previous.act_decision not in (ActDecision.ADOPT, ActDecision.ADAPT)
    ):
        found.append(
            Nudge(
                "scale_jump",
                "scale jump",
                f"Larger scale than cycle {previous.cycle_number}, which was not adopted or adapted: "
                "consider testing small again first.",
                "scale",
            )
        )
    if status == PdsaStatus.DOING and cycle.planned_end is not None and cycle.planned_end < today:
        days = (today - cycle.planned_end).days
        found.append(
            Nudge(
                "overdue",
                "overdue",
                f"Planned to end {days} day{'s' if days != 1 else ''} ago: time to Study?",
                "planned_end",
            )
        )
    return found


def transition_nudges(
    cycle: PdsaCycle, status: PdsaStatus | str, *, previous: PdsaCycle | None = None,
    today: dt.date | None = None,
) -> list[Nudge]:
    """The nudges the cycle would earn at `status` (shown when the user moves it on)."""
    moved = cycle.model_copy(update={"status": PdsaStatus(status)})
    return nudges(moved, previous=previous, today=today)


@dataclass(frozen=True)
class Quality:
    """Which of the five marks of a well-documented cycle this one has."""

    prediction: bool
    ramp: bool
    scale: bool
    data: bool
    decision: bool

    LETTERS = "PRSDA"

    @property
    def marks(self) -> tuple[bool, bool, bool, bool, bool]:
        return (self.prediction, self.ramp, self.scale, self.data, self.decision)

    @property
    def score(self) -> int:
        return sum(self.marks)

    @property
    def text(self) -> str:
        """The letters, with '.' for each missing mark: e.g. 'P.SD.'."""
        return "".join(letter if lit else "." for letter, lit in zip(self.LETTERS, self.marks, strict=True))


QUALITY_HELP = (
    "P prediction recorded; R linked in a ramp (follows or is followed by another cycle); "
    "S scale chosen; D data to collect (or results) recorded; A Act decision made"
)


def quality(cycle: PdsaCycle, *, has_next: bool = False) -> Quality:
    """The cycle's quality marks. `has_next`: a later cycle follows this one."""
    return Quality(
        prediction=bool(cycle.predictions),
        ramp=cycle.previous_cycle_id is not None or has_next,
        scale=cycle.scale is not None,
        data=bool(cycle.data_to_collect or cycle.results),
        decision=cycle.act_decision is not None,
    )


# -- ramps -------------------------------------------------------------------------------------


def ramp_letter(index: int) -> str:
    """The `index`-th (from 0) ramp letter: 'A'..'Z', then 'AA', 'AB'..."""
    text, n = "", index
    while True:
        text = chr(ord("A") + n % 26) + text
        n = n // 26 - 1
        if n < 0:
            return text


def ramp_letters(count: int) -> list[str]:
    """'A'..'Z', then 'AA', 'AB'...: one label per ramp of a ward."""
    return [ramp_letter(index) for index in range(count)]


def ramp_labels(cycles: list[PdsaCycle]) -> dict[str, str]:
    """Each cycle's label in its ward: ramp letter + cycle number ('A1', 'A2', 'B1'), and a branch
    mark when the ramp forks ('A3b').

    A ramp is a first cycle and every cycle that follows it (previous_cycle_id). Ramps are
    lettered per ward in the order of `cycles` (pass them oldest first), so two ramps on one
    ward are never both '1': the second is 'B1'. A cycle whose previous cycle is not among
    `cycles` starts its own ramp.

    A ramp can fork: an adapted cycle started from a cycle that was not the ramp's latest is a
    second 'cycle 3' of ramp A. The first one (in the order of `cycles`) is 'A3'; a later one gets
    the next free mark, 'A3b' (then 'A3c'...), and its own followers keep that mark while they
    can ('A4b' follows 'A3b'), so a branch reads as one. Labels are unique within a ward for any
    shape of ramp, and a cycle added last never changes an earlier cycle's label. The three parts
    cannot run into each other: the letter is upper case, the number digits, the mark lower case.
    """
    by_id = {c.id: c for c in cycles}

    def root(cycle: PdsaCycle) -> str:
        # Only along the ward's own cycles (the store refuses a link to another ward's, an import
        # might not), and never round a loop.
        seen = {cycle.id}
        while (previous := by_id.get(cycle.previous_cycle_id or "")) is not None \
                and previous.ward_code == cycle.ward_code and previous.id not in seen:
            cycle = previous
            seen.add(cycle.id)
        return cycle.id

    roots: dict[str, list[str]] = {}  # ward -> its ramp roots, in order
    root_of = {}
    for cycle in cycles:
        found = root(cycle)
        root_of[cycle.id] = found
        ward_roots = roots.setdefault(cycle.ward_code, [])
        if found not in ward_roots:
            ward_roots.append(found)
    letter = {
        found: text
        for ward_roots in roots.values()
        for found, text in zip(ward_roots, ramp_letters(len(ward_roots)), strict=True)
    }
    taken: dict[str, set[str]] = {}  # ward -> the labels given so far
    mark: dict[str, str] = {}  # cycle id -> its branch mark ('' on a ramp's first line)
    labels: dict[str, str] = {}
    for cycle in cycles:
        used = taken.setdefault(cycle.ward_code, set())
        base = f"{letter[root_of[cycle.id]]}{cycle.cycle_number}"
        inherited = mark.get(cycle.previous_cycle_id or "", "")  # '' for a ramp's first cycle
        chosen = inherited
        if base + chosen in used:
            # the next free mark: 'b', 'c'... 'z', 'aa'... (the ramp letters from the second, lower case)
            n = 1
            while base + (chosen := ramp_letter(n).lower()) in used:
                n += 1
        mark[cycle.id] = chosen
        labels[cycle.id] = base + chosen
        used.add(base + chosen)
    return labels


#: How a ramp label reads, in words (ramp_labels above makes the labels): the PDSA list's legend
#: and the worksheet's help both say it with this text.
RAMP_LABEL_KEY = "A2 follows A1; B1 is another ramp; A3b is a second cycle 3 of ramp A: a branch"


def by_creation(stored: list[StoredCycle]) -> list[PdsaCycle]:
    """The cycles oldest first (creation time, then id): the order ramps are lettered in."""
    return [s.cycle for s in sorted(stored, key=lambda s: (s.created_at, s.cycle.id))]


def ramp_label_for(cycle: PdsaCycle, ward_cycles: list[PdsaCycle]) -> str:
    """The label `cycle` has (or will have, once saved) among its ward's cycles, oldest first.

    The editor shows a cycle as it is being typed: its stored self in `ward_cycles` is replaced
    by this version (the ramp link may have changed), and a new cycle comes last, as it will be
    the newest when saved.
    """
    others = [c for c in ward_cycles if c.id != cycle.id]
    position = next((i for i, c in enumerate(ward_cycles) if c.id == cycle.id), len(others))
    return ramp_labels([*others[:position], cycle, *others[position:]])[cycle.id]
