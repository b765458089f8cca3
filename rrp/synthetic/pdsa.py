"""Synthetic PDSA cycles, PDSA annotations and progress scores for the demo (a DEMO_HOOK).

Consistent with the synthetic weekly data: every ward in `plan.adoptions` gets a ramp of 2 to 4
linked cycles ending (adopted) just before the Monday its rates fell, and its progress scores rise
after that. Every ward also has a ramp in progress, and a few wards carry thin cycles that earn each
fidelity nudge. Deterministic for `plan.seed`: ids are md5 hex of the seed, ward and sequence.

"Today" for the demo is the Monday after the last week of data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

from rrp.models.annotation import Annotation, AnnotationKind
from rrp.models.pdsa import ActDecision, PdsaCycle, PdsaStatus, ScaleLevel
from rrp.models.progress import PROGRESS_LABELS, ProgressScore
from rrp.store import Store
from rrp.store.change_package import load_shipped_change_package
from rrp.synthetic.collaborative import SyntheticPlan

_CYCLE_DAYS = 13  # a two-week test: Monday to the Sunday of the next week
_SCALES = list(ScaleLevel)
_DAY = dt.timedelta(days=1)


def demo_today(plan: SyntheticPlan) -> dt.date:
    """The demo's "today": the Monday after the last week of weekly data."""
    return plan.week_starts[-1] + dt.timedelta(days=7)


@dataclass
class _Builder:
    plan: SyntheticPlan
    ideas: dict[str, str]
    rng: random.Random
    cycles: list[PdsaCycle] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    sequence: int = 0

    def cycle_id(self, ward_code: str) -> str:
        self.sequence += 1
        return hashlib.md5(
            f"rrp-demo-pdsa/{self.plan.seed}/{ward_code}/{self.sequence}".encode(), usedforsecurity=False
        ).hexdigest()

    def add(
        self,
        ward_code: str,
        idea: str,
        start: dt.date,
        status: PdsaStatus,
        *,
        previous: PdsaCycle | None = None,
        decision: ActDecision | None = None,
        scale: ScaleLevel | None = None,
        thin: set[str] | frozenset[str] = frozenset(),
        days: int = _CYCLE_DAYS,
    ) -> PdsaCycle:
        """One cycle with worksheet text fitting its status; `thin` names fields left empty."""
        name = self.ideas[idea]
        number = 1 if previous is None else previous.cycle_number + 1
        scale = scale or _SCALES[min(number - 1, len(_SCALES) - 1)]
        started = status in (PdsaStatus.DOING, PdsaStatus.STUDYING, PdsaStatus.DONE)
        studied = status in (PdsaStatus.STUDYING, PdsaStatus.DONE)
        staff = self.rng.choice(("the charge nurse", "the QI lead", "an HCA", "the ward manager"))
        shifts = self.rng.randint(3, 6)
        text = {
            "objective": f"Find out whether {name.lower()} works on our ward at {scale.label[2:].lower()}.",
            "questions": "Will staff use it on every shift? Do patients find it helpful?",
            "predictions": f"Used on at least {shifts - 1} of {shifts} shifts; patients say it helps; "
            "no more than one restraint during the test.",
            "plan_details": f"Led by {staff}; {scale.label[2:].lower()}; explained at handover.",
            "data_to_collect": "Tally of shifts using it; staff and patient comments; restraint count.",
            "what_happened": f"Tried on {shifts} shifts; the night shift needed a reminder."
            if started else None,
            "observations": "Patients joined in more than expected; two staff found it awkward at first."
            if started else None,
            "problems": "Agency staff did not know about it." if started else None,
            "results": f"Used on {shifts - 1} of {shifts} shifts, as predicted; one restraint in the period."
            if studied else None,
            "learning": "Works when the shift lead starts it; needs a prompt on the handover sheet."
            if studied else None,
            "act_decision": decision if status == PdsaStatus.DONE else None,
            "next_step": {
                ActDecision.ADOPT: "Make it routine: add it to the ward induction and the huddle.",
                ActDecision.ADAPT: "Add a prompt to the handover sheet and test on more shifts.",
                ActDecision.ABANDON: "Stop; try a different calm-down idea instead.",
                None: None,
            }[decision] if status == PdsaStatus.DONE else None,
        }
        for name_ in thin:
            text[name_] = None
        cycle = PdsaCycle(
            id=self.cycle_id(ward_code),
            ward_code=ward_code,
            change_idea_code=idea,
            title=f"{name}: {'first test' if number == 1 else f'cycle {number}'}",
            cycle_number=number,
            previous_cycle_id=previous.id if previous else None,
            scale=scale,
            planned_start=start,
            planned_end=start + dt.timedelta(days=days),
            status=status,
            **text,
        )
        self.cycles.append(cycle)
        if started:
            self.annotate(cycle, start, f"Cycle started: {cycle.title}")
        if status == PdsaStatus.DONE and cycle.act_decision == ActDecision.ADOPT:
            self.annotate(cycle, cycle.planned_end or start, f"Change adopted: {name}")
        return cycle

    def annotate(self, cycle: PdsaCycle, on: dt.date, text: str) -> None:
        self.annotations.append(
            Annotation(
                id=hashlib.md5(f"{cycle.id}/{text}".encode(), usedforsecurity=False).hexdigest(),
                ward_code=cycle.ward_code,
                on_date=on,
                kind=AnnotationKind.PDSA,
                text=text,
                pdsa_cycle_id=cycle.id,
            )
        )

    def ramp(
        self, ward_code: str, idea: str, start: dt.date, statuses: list[tuple[PdsaStatus, ActDecision | None]]
    ) -> PdsaCycle:
        previous = None
        for status, decision in statuses:
            previous = self.add(ward_code, idea, start, status, previous=previous, decision=decision)
            start = start + dt.timedelta(days=_CYCLE_DAYS + 1)
        assert previous is not None
        return previous


_DONE_ADAPT = (PdsaStatus.DONE, ActDecision.ADAPT)
_DONE_ADOPT = (PdsaStatus.DONE, ActDecision.ADOPT)


def build_pdsa_demo(store: Store, plan: SyntheticPlan) -> None:
    """The DEMO_HOOK: change package, cycles, PDSA annotations and monthly progress scores."""
    load_shipped_change_package(store)
    ideas = {s.idea.code: s.idea.name for s in store.change_package.ideas()}
    codes = sorted(ideas)
    rng = random.Random(f"rrp-pdsa-demo/{plan.seed}")
    builder = _Builder(plan=plan, ideas=ideas, rng=rng)
    today = demo_today(plan)
    first = plan.week_starts[0]
    this_monday = today

    for index, ward in enumerate(plan.wards):
        code = ward.code
        picks = rng.sample(codes, 3)
        adopted = plan.adoptions.get(code)
        if adopted is not None:
            length = rng.randint(2, 4)
            start = adopted - dt.timedelta(days=3 + length * (_CYCLE_DAYS + 1) - 1)
            start = max(start, first)
            start -= dt.timedelta(days=start.weekday())
            builder.ramp(code, picks[0], start, [_DONE_ADAPT] * (length - 1) + [_DONE_ADOPT])
        # A ramp in progress on every ward, at a status that depends on the ward.
        stage = index % 5
        progress = {
            0: [(PdsaStatus.PLANNED, None)],
            1: [_DONE_ADAPT, (PdsaStatus.DOING, None)],
            2: [_DONE_ADAPT, _DONE_ADAPT, (PdsaStatus.STUDYING, None)],
            3: [(PdsaStatus.DONE, ActDecision.ABANDON)],
            4: [_DONE_ADAPT, _DONE_ADAPT, _DONE_ADAPT, (PdsaStatus.DOING, None)],
        }[stage]
        # The last cycle of the ramp starts: next week (planned), last week (doing, due for Study
        # this week), three weeks ago (studying), five weeks ago (done) or this week (doing).
        last_start = this_monday + dt.timedelta(weeks={0: 1, 1: -1, 2: -3, 3: -5, 4: 0}[stage])
        begin = max(first, last_start - dt.timedelta(days=(len(progress) - 1) * (_CYCLE_DAYS + 1)))
        builder.ramp(code, picks[1], begin, progress)
        if stage == 3:  # abandoned that idea early on; an abandoned planned cycle too
            builder.add(code, picks[2], this_monday + dt.timedelta(days=14), PdsaStatus.ABANDONED)
        # Thin cycles, each earning one nudge, spread across the wards.
        nudge = index % 7
        recent = this_monday - dt.timedelta(weeks=1)
        if nudge == 0:
            builder.add(code, picks[2], recent, PdsaStatus.DOING, thin={"predictions"})
        elif nudge == 1:
            builder.add(code, picks[2], recent - dt.timedelta(weeks=2), PdsaStatus.STUDYING, thin={"results"})
        elif nudge == 2:
            builder.add(code, picks[2], recent - dt.timedelta(weeks=4), PdsaStatus.DONE, thin={"act_decision", "next_step"})
        elif nudge == 3:
            small = builder.add(
                code, picks[2], recent - dt.timedelta(weeks=5), PdsaStatus.DONE,
                decision=ActDecision.ABANDON, scale=ScaleLevel.ONE,
            )
            builder.add(code, picks[2], this_monday + dt.timedelta(days=7), PdsaStatus.PLANNED,
                        previous=small, scale=ScaleLevel.WARD)
        elif nudge == 4:
            builder.add(code, picks[2], recent - dt.timedelta(weeks=3), PdsaStatus.DOING)

    store.pdsa.bulk_load(builder.cycles, source=f"synthetic demo (seed {plan.seed})")
    store.annotations.bulk_load(builder.annotations, source=f"synthetic demo (seed {plan.seed})")
    store.progress.bulk_load(_scores(plan, rng, today), source=f"synthetic demo (seed {plan.seed})")


def _scores(plan: SyntheticPlan, rng: random.Random, today: dt.date) -> list[ProgressScore]:
    """Monthly scores: rising from 1.0 as teams form; above 3.0 only after a ward's adoption."""
    first = plan.week_starts[0]
    month = first.replace(day=1)
    if month < first:
        month = (month + dt.timedelta(days=32)).replace(day=1)
    months = []
    while month <= today:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    notes = {1.0: "Team formed; QI lead named.", 2.0: "Testing started.", 3.0: "Data showing a fall.",
             4.0: "Sustained fall for three months."}
    scores = []
    for ward in plan.wards:
        adopted = plan.adoptions.get(ward.code)
        plateau = rng.choice((2.0, 2.5, 2.5))
        ceiling = rng.choice((3.5, 4.0, 4.0, 4.5))
        score = 0.5
        for number, month in enumerate(months):
            if adopted is not None and month > adopted:
                target = ceiling
            else:
                target = plateau
            if number % 2 == 0 and score < target:
                score += 0.5
            score = min(score, 5.0)
            assert score in PROGRESS_LABELS
            scores.append(
                ProgressScore(ward_code=ward.code, month=month, score=score, note=notes.get(score)
                              if number % 3 == 0 else None)
            )
    return scores


