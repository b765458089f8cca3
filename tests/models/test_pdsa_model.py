"""PDSA model rules: status transitions, Act decisions, scale, nudges, quality; progress scores;
the change package file; annotations."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from rrp.models.annotation import Annotation
from rrp.models.change_package import ChangePackageFileError, parse_aim, parse_change_package
from rrp.models.fields import field_errors
from rrp.models.pdsa import (
    NEXT_STATUS,
    TRANSITIONS,
    ActDecision,
    InvalidTransition,
    PdsaCycle,
    PdsaStatus,
    ScaleLevel,
    can_transition,
    check_transition,
    is_due_for_study,
    nudges,
    quality,
    transition_nudges,
)
from rrp.models.progress import PROGRESS_LABELS, ProgressScore
from rrp.paths import DATA_DIR

TODAY = dt.date(2026, 11, 18)  # a Wednesday


def cycle(**changes) -> PdsaCycle:
    data = {"ward_code": "nvt-ash", "change_idea_code": "huddle", "title": "Huddle at 10:00"}
    data.update(changes)
    return PdsaCycle.model_validate(data)


# -- transitions ---------------------------------------------------------------------------

ALLOWED = {
    ("planned", "doing"), ("planned", "abandoned"),
    ("doing", "studying"), ("doing", "planned"), ("doing", "abandoned"),
    ("studying", "done"), ("studying", "doing"), ("studying", "abandoned"),
    ("done", "studying"), ("abandoned", "planned"),
}


@pytest.mark.parametrize("current", list(PdsaStatus))
@pytest.mark.parametrize("new", list(PdsaStatus))
def test_transition_table(current: PdsaStatus, new: PdsaStatus) -> None:
    expected = current == new or (current.value, new.value) in ALLOWED
    assert can_transition(current, new) is expected
    if expected:
        check_transition(current, new)
    else:
        with pytest.raises(InvalidTransition, match="cannot move"):
            check_transition(current, new)


def test_forward_path_and_moved_to() -> None:
    c = cycle()
    assert c.status == PdsaStatus.PLANNED and len(c.id) == 32
    for status in (PdsaStatus.DOING, PdsaStatus.STUDYING, PdsaStatus.DONE):
        assert NEXT_STATUS[c.status] == status
        c = c.moved_to(status)
        assert c.status == status
    with pytest.raises(InvalidTransition):
        c.moved_to(PdsaStatus.PLANNED)
    assert set(TRANSITIONS) == set(PdsaStatus)


@pytest.mark.parametrize("value", ["adopt", "ADAPT", " abandon "])
def test_act_decision_values(value: str) -> None:
    assert cycle(act_decision=value).act_decision == ActDecision(value.strip().lower())


@pytest.mark.parametrize("value", ["keep", "yes", "3"])
def test_act_decision_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        cycle(act_decision=value)
    assert "adopt, adapt, abandon" in field_errors(info.value)["act_decision"]


def test_status_refused() -> None:
    with pytest.raises(ValidationError) as info:
        cycle(status="finished")
    assert "status" in field_errors(info.value)


def test_title_required_and_dates_checked() -> None:
    with pytest.raises(ValidationError) as info:
        cycle(title="  ", planned_start="2026-11-20", planned_end="2026-11-10")
    errors = field_errors(info.value)
    assert "Title is required" in errors["title"]
    with pytest.raises(ValidationError) as info:
        cycle(planned_start="20/11/2026", planned_end="10/11/2026")
    assert "before planned start" in field_errors(info.value)["planned_end"]
    assert cycle(planned_start="16/11/2026").planned_start == dt.date(2026, 11, 16)


def test_ramp_rules() -> None:
    with pytest.raises(ValidationError) as info:
        cycle(cycle_number=2)
    assert "previous cycle" in field_errors(info.value)["cycle_number"]
    c = cycle()
    with pytest.raises(ValidationError):
        cycle(id=c.id, previous_cycle_id=c.id, cycle_number=2)
    assert cycle(previous_cycle_id=c.id, cycle_number=2).previous_cycle_id == c.id


@pytest.mark.parametrize("value,level", [("1", ScaleLevel.ONE), ("ward", ScaleLevel.WARD), (3, ScaleLevel.SHIFT_DAY), ("", None)])
def test_scale_levels(value, level) -> None:
    assert cycle(scale=value).scale == level


def test_scale_refused() -> None:
    with pytest.raises(ValidationError) as info:
        cycle(scale="huge")
    assert "1 to 5" in field_errors(info.value)["scale"]
    assert [s.rank for s in ScaleLevel] == [1, 2, 3, 4, 5]


# -- nudges --------------------------------------------------------------------------------


def codes(c: PdsaCycle, **kwargs) -> set[str]:
    return {n.code for n in nudges(c, today=TODAY, **kwargs)}


def test_nudge_no_prediction_only_after_plan() -> None:
    assert codes(cycle()) == set()
    assert "no_prediction" in codes(cycle(status="doing"))
    assert "no_prediction" not in codes(cycle(status="doing", predictions="Fewer restraints"))
    assert {n.code for n in transition_nudges(cycle(), "doing", today=TODAY)} == {"no_prediction"}


def test_nudge_no_results_and_no_decision() -> None:
    base = {"predictions": "x"}
    assert codes(cycle(status="studying", **base)) == {"no_results"}
    assert codes(cycle(status="done", results="as predicted", **base)) == {"no_decision"}
    assert codes(cycle(status="done", results="r", act_decision="adopt", **base)) == set()


def test_nudge_scale_jump() -> None:
    small = cycle(scale=1, act_decision="abandon", status="done")
    bigger = cycle(scale=4, previous_cycle_id=small.id, cycle_number=2)
    assert codes(bigger, previous=small) == {"scale_jump"}
    adapted = cycle(scale=1, act_decision="adapt", status="done")
    assert codes(bigger, previous=adapted) == set()
    same = cycle(scale=1, previous_cycle_id=small.id, cycle_number=2)
    assert codes(same, previous=small) == set()


def test_nudge_overdue_and_due_for_study() -> None:
    running = cycle(status="doing", predictions="p", planned_start="2026-11-02", planned_end="2026-11-17")
    assert codes(running) == {"overdue"}
    assert is_due_for_study(running, TODAY)
    this_week = cycle(status="doing", predictions="p", planned_end="2026-11-22")  # Sunday
    assert codes(this_week) == set() and is_due_for_study(this_week, TODAY)
    next_week = cycle(status="doing", predictions="p", planned_end="2026-11-23")
    assert not is_due_for_study(next_week, TODAY)
    assert not is_due_for_study(cycle(planned_end="2026-11-17"), TODAY)  # planned, not running


def test_quality_letters() -> None:
    thin = cycle()
    assert quality(thin).text == "....." and quality(thin).score == 0
    assert quality(thin, has_next=True).text == ".R..."
    full = cycle(predictions="p", previous_cycle_id=thin.id, cycle_number=2, scale=2,
                 data_to_collect="tally", act_decision="adapt")
    assert quality(full).text == "PRSDA" and quality(full).score == 5


# -- progress scores -----------------------------------------------------------------------


@pytest.mark.parametrize("score", [0.5, 1, "2.5", 5.0])
def test_progress_score_steps(score) -> None:
    p = ProgressScore(ward_code="NVT-ASH", month="2026-03", score=score)
    assert p.month == dt.date(2026, 3, 1) and p.score == float(score)
    assert p.label == PROGRESS_LABELS[float(score)]


@pytest.mark.parametrize("score", [0, 0.25, 2.7, 5.5, -1, "high", "", True, float("nan")])
def test_progress_score_refused(score) -> None:
    with pytest.raises(ValidationError) as info:
        ProgressScore(ward_code="NVT-ASH", month="2026-03-01", score=score)
    assert "score" in field_errors(info.value)


def test_progress_labels_and_month_normalised() -> None:
    assert len(PROGRESS_LABELS) == 10 and PROGRESS_LABELS[2.5] == "Changes tested, no improvement yet"
    assert ProgressScore(ward_code="A", month="2026-03-17", score=1).month == dt.date(2026, 3, 1)
    with pytest.raises(ValidationError):
        ProgressScore(ward_code="A", month="2026-03-01", score=1, note="nhs 943 476 5919")


# -- change package and annotations ------------------------------------------------------------


def test_shipped_change_package_parses() -> None:
    package = parse_change_package((DATA_DIR / "change_package.csv").read_text(encoding="utf-8"))
    names = {i.name for i in package.ideas}
    for name in ("Soft words", "Talk down", "Discharge messages", "Daily safety huddle",
                 "Broset Violence Checklist each shift", "Sensory room", "Reviewing blanket restrictions"):
        assert name in names
    assert len([i for i in package.ideas if i.code.startswith("SW-")]) == 10
    assert all(i.description for i in package.ideas)
    aim = parse_aim((DATA_DIR / "aim.toml").read_text(encoding="utf-8"))
    assert abs(aim.reduction - 1 / 3) < 1e-6


def test_change_package_problems_name_rows() -> None:
    text = (
        "kind,code,parent_code,name,description\n"
        "primary,P1,,Culture,\n"
        "idea,X1,P1,Bad parent,desc\n"
        "secondary,S1,P9,Orphan,\n"
        "thing,Z,,What,\n"
    )
    with pytest.raises(ChangePackageFileError) as info:
        parse_change_package(text)
    rows = {(p.row, p.column) for p in info.value.problems}
    assert rows == {(3, "parent_code"), (4, "parent_code"), (5, "kind")}


def test_annotation_rules() -> None:
    a = Annotation(ward_code="nvt-ash", on_date="2026-11-18", text="Agency staff week")
    assert a.kind == "note" and len(a.id) == 32 and a.ward_code == "NVT-ASH"
    with pytest.raises(ValidationError) as info:
        Annotation(ward_code="NVT-ASH", on_date="2026-11-18", kind="rebase", text="New ward manager")
    assert "did you mean 16/11/2026" in field_errors(info.value)["on_date"]
    with pytest.raises(ValidationError) as info:
        Annotation(on_date="2026-11-16", text="Patient 943 476 5919")
    assert "NHS number" in field_errors(info.value)["text"]
    with pytest.raises(ValidationError):
        Annotation(on_date="2026-11-16", text="x", measure="falls")


def test_ramp_letters_go_on_past_z() -> None:
    from rrp.models.pdsa import ramp_letters

    letters = ramp_letters(28)
    assert letters[:3] == ["A", "B", "C"] and letters[25:] == ["Z", "AA", "AB"]


@pytest.mark.parametrize("typed", ["Mar 2026", "March 2026", " mar  2026 ", "03/2026", "3/2026", "2026-03", "2026-03-17",
                                   "17/03/2026"])
def test_a_progress_month_as_rrp_shows_it_or_as_typed(typed) -> None:
    assert ProgressScore(ward_code="NVT-ASH", month=typed, score=1).month == dt.date(2026, 3, 1)


@pytest.mark.parametrize("typed", ["Mar 1999", "13/2026", "Marc 2026", "2026"])
def test_a_progress_month_that_is_not_one_is_refused(typed) -> None:
    with pytest.raises(ValidationError) as info:
        ProgressScore(ward_code="NVT-ASH", month=typed, score=1)
    assert "month" in field_errors(info.value)
