"""PDSA store: round trips with audit, stale versions, transitions, annotations, drafts, queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from rrp.models.change_package import ChangeIdea
from rrp.models.pdsa import ActDecision, InvalidTransition, PdsaCycle, PdsaStatus
from rrp.models.registry import Provider, Ward
from rrp.store import StaleEditError, Store, UnknownRecord
from rrp.store.change_package import load_shipped_change_package

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def store(engine_db: str | Path) -> Store:
    s = Store(engine_db, who="tester")
    s.registry.save_many(
        [Provider(code="NVT", name="Northvale")],
        [
            Ward(code="NVT-ASH", provider_code="NVT", name="Ash Ward", ward_type="acute_adult", beds=20),
            Ward(code="NVT-OAK", provider_code="NVT", name="Oak Ward", ward_type="picu", beds=10),
        ],
    )
    load_shipped_change_package(s)
    return s


def new_cycle(**changes) -> PdsaCycle:
    data = {"ward_code": "NVT-ASH", "change_idea_code": "HUDDLE", "title": "Huddle at 10:00",
            "planned_start": "2026-11-09", "planned_end": "2026-11-22", "scale": 1}
    data.update(changes)
    return PdsaCycle.model_validate(data)


def test_change_package_load_is_idempotent(store: Store) -> None:
    assert load_shipped_change_package(store) == 0
    assert len(store.change_package.ideas()) >= 20
    assert store.change_package.aim().reduction == pytest.approx(1 / 3)
    drivers = store.change_package.drivers()
    assert drivers[0].kind == "primary"


def test_local_idea_and_stale_idea_edit(store: Store) -> None:
    idea = ChangeIdea(code="ASH-MUSIC", driver_code="S2-2", name="Music at night", ward_code="NVT-ASH")
    saved = store.change_package.save_idea(idea, expected_version=None)
    assert saved.version == 1
    assert "ASH-MUSIC" in {s.idea.code for s in store.change_package.ideas(ward_code="NVT-ASH")}
    assert "ASH-MUSIC" not in {s.idea.code for s in store.change_package.ideas(ward_code="NVT-OAK")}
    with pytest.raises(StaleEditError):
        store.change_package.save_idea(idea, expected_version=None)
    # A cycle on another ward cannot use Ash's local idea.
    with pytest.raises(UnknownRecord, match="another ward"):
        store.pdsa.create(new_cycle(ward_code="NVT-OAK", change_idea_code="ASH-MUSIC"), today=TODAY)


def test_round_trip_with_audit(store: Store) -> None:
    created = store.pdsa.create(new_cycle(objective="Try it"), today=TODAY)
    assert created.version == 1 and created.updated_by == "tester"
    assert store.pdsa.get(created.cycle.id).cycle == created.cycle
    edited = created.cycle.model_copy(update={"predictions": "Everyone attends"})
    saved = store.pdsa.save(edited, expected_version=1, today=TODAY)
    assert saved.version == 2 and saved.cycle.predictions == "Everyone attends"
    history = store.pdsa.history(created.cycle.id)
    assert [h["action"] for h in history] == ["insert", "update"]
    assert history[1]["before"]["predictions"] is None
    assert history[1]["after"]["predictions"] == "Everyone attends"
    # Saving the same values writes nothing.
    assert store.pdsa.save(saved.cycle, expected_version=2, today=TODAY).version == 2


def test_stale_version_refused(store: Store) -> None:
    created = store.pdsa.create(new_cycle(), today=TODAY)
    store.pdsa.save(created.cycle.model_copy(update={"objective": "mine"}), expected_version=1)
    with pytest.raises(StaleEditError, match="while you were editing"):
        store.pdsa.save(created.cycle.model_copy(update={"objective": "theirs"}), expected_version=1)
    assert store.pdsa.get(created.cycle.id).cycle.objective == "mine"


def test_transitions_enforced_and_annotated(store: Store) -> None:
    created = store.pdsa.create(new_cycle(), today=TODAY)
    cid = created.cycle.id
    with pytest.raises(InvalidTransition):
        store.pdsa.save(created.cycle.model_copy(update={"status": PdsaStatus.DONE}), expected_version=1)
    s = store.pdsa.move(cid, "doing", expected_version=1, today=dt.date(2026, 11, 9))
    s = store.pdsa.move(cid, "studying", expected_version=s.version, today=TODAY)
    done = s.cycle.model_copy(update={"status": PdsaStatus.DONE, "act_decision": ActDecision.ADOPT})
    done = PdsaCycle.model_validate(done.model_dump())
    s = store.pdsa.save(done, expected_version=s.version, today=dt.date(2026, 11, 23))
    notes = store.annotations.list("NVT-ASH")
    assert [(n.annotation.on_date, n.annotation.kind, n.annotation.text) for n in notes] == [
        (dt.date(2026, 11, 9), "pdsa", "Cycle started: Huddle at 10:00"),
        (dt.date(2026, 11, 23), "pdsa", "Change adopted: Daily safety huddle"),
    ]
    assert all(n.annotation.pdsa_cycle_id == cid for n in notes)
    assert store.change_package.activity()["HUDDLE"].adopted == 1


def test_free_text_guard_in_store(store: Store) -> None:
    created = store.pdsa.create(new_cycle(), today=TODAY)
    bad = created.cycle.model_construct(**{**created.cycle.model_dump(), "observations": "NHS 9434765919"})
    with pytest.raises(ValidationError, match="NHS number"):
        store.pdsa.save(bad, expected_version=1)
    assert store.pdsa.get(created.cycle.id).cycle.observations is None


def test_ramp_links(store: Store) -> None:
    first = store.pdsa.create(new_cycle(), today=TODAY).cycle
    second = store.pdsa.create(
        new_cycle(previous_cycle_id=first.id, cycle_number=2, scale=3), today=TODAY
    ).cycle
    assert [s.cycle.id for s in store.pdsa.ramp(first.id)] == [first.id, second.id]
    assert [s.cycle.id for s in store.pdsa.ramp(second.id)] == [first.id, second.id]
    with pytest.raises(UnknownRecord, match="loop"):
        store.pdsa.save(first.model_copy(update={"previous_cycle_id": second.id, "cycle_number": 3}),
                        expected_version=1)
    with pytest.raises(UnknownRecord, match="another ward"):
        store.pdsa.create(new_cycle(ward_code="NVT-OAK", previous_cycle_id=first.id, cycle_number=2))
    with pytest.raises(UnknownRecord, match="follows"):
        store.pdsa.delete(first.id, expected_version=1)
    summaries = {s.cycle.id: s for s in store.pdsa.summaries(today=TODAY)}
    assert summaries[first.id].quality.ramp and summaries[second.id].quality.ramp
    assert "scale_jump" in {n.code for n in summaries[second.id].nudges}  # first not adopted yet


def test_running_and_due_for_study(store: Store) -> None:
    due = store.pdsa.create(new_cycle(status="doing", planned_end="2026-11-22"), today=TODAY).cycle
    overdue = store.pdsa.create(new_cycle(status="doing", planned_end="2026-11-10"), today=TODAY).cycle
    later = store.pdsa.create(new_cycle(status="doing", planned_end="2026-11-29"), today=TODAY).cycle
    store.pdsa.create(new_cycle(status="planned", planned_end="2026-11-20"), today=TODAY)
    other = store.pdsa.create(new_cycle(ward_code="NVT-OAK", status="doing", planned_end="2026-11-20"), today=TODAY)
    assert [s.cycle.id for s in store.pdsa.due_for_study("NVT-ASH", TODAY)] == [overdue.id, due.id]
    assert [s.cycle.id for s in store.pdsa.running("NVT-ASH", TODAY)] == [overdue.id, due.id, later.id]
    assert len(store.pdsa.due_for_study(None, TODAY)) == 3
    assert other.cycle.id in {s.cycle.id for s in store.pdsa.running(None, TODAY)}
    listed = store.pdsa.summaries(today=TODAY, ward_code="NVT-ASH", status=["doing"])
    assert [s.due_for_study for s in listed] == [True, True, False]
    assert "overdue" in listed[0].flags or "overdue" in listed[1].flags


def test_filters(store: Store) -> None:
    store.pdsa.create(new_cycle(), today=TODAY)
    store.pdsa.create(new_cycle(change_idea_code="SW-SW", status="doing"), today=TODAY)
    assert len(store.pdsa.list(ward_code="nvt-ash")) == 2
    assert len(store.pdsa.list(status="doing")) == 1
    assert len(store.pdsa.list(change_idea_code="sw-sw")) == 1
    assert store.pdsa.list(ward_code="NVT-OAK") == []


def test_drafts(store: Store) -> None:
    refused = store.pdsa.save_draft("new:NVT-ASH", {"title": "Half typed", "observations": "943 476 5919"})
    assert refused == ["observations"]
    payload, saved_at = store.pdsa.draft("new:NVT-ASH")
    assert payload == {"title": "Half typed"} and saved_at
    store.pdsa.save_draft("new:NVT-ASH", {"title": "More typed"})
    assert store.pdsa.draft("new:NVT-ASH")[0]["title"] == "More typed"
    store.pdsa.discard_draft("new:NVT-ASH")
    assert store.pdsa.draft("new:NVT-ASH") is None


def test_unknown_references(store: Store) -> None:
    with pytest.raises(UnknownRecord, match="change package"):
        store.pdsa.create(new_cycle(change_idea_code="NOPE"))
    with pytest.raises(UnknownRecord, match="registry"):
        store.pdsa.create(new_cycle(ward_code="NOPE"))


def test_two_ramps_on_a_ward_are_never_both_cycle_1(tmp_path: Path) -> None:
    """The list labels a cycle by ramp letter + number: A1, A2 and B1, never two '1's."""
    times = iter(f"2026-11-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z" for n in range(86400))
    store = Store(tmp_path / "r.sqlite", who="tester", clock=lambda: next(times))
    store.registry.save_many(
        [Provider(code="NVT", name="Northvale")],
        [Ward(code="NVT-ASH", provider_code="NVT", name="Ash Ward", ward_type="acute_adult", beds=20)],
    )
    load_shipped_change_package(store)
    a1 = store.pdsa.create(new_cycle(), today=TODAY).cycle
    b1 = store.pdsa.create(new_cycle(title="Safety pods"), today=TODAY).cycle
    a2 = store.pdsa.create(new_cycle(previous_cycle_id=a1.id, cycle_number=2), today=TODAY).cycle
    labels = {s.cycle.id: s.ramp_label for s in store.pdsa.summaries(today=TODAY)}
    assert labels == {a1.id: "A1", b1.id: "B1", a2.id: "A2"}
    # filtered by change idea, a cycle keeps the label it has in the whole ward
    assert {s.cycle.id: s.ramp_label for s in store.pdsa.summaries(today=TODAY, change_idea_code="HUDDLE")} == labels


def test_a_done_cycle_shows_the_day_it_was_marked_done(tmp_path: Path) -> None:
    """Its actual end (UK date of the move to done), not its planned end."""
    now = ["2026-11-01T09:00:00Z"]
    store = Store(tmp_path / "d.sqlite", who="tester", clock=lambda: now[0])
    store.registry.save_many(
        [Provider(code="NVT", name="Northvale")],
        [Ward(code="NVT-ASH", provider_code="NVT", name="Ash Ward", ward_type="acute_adult", beds=20)],
    )
    load_shipped_change_package(store)
    cycle = store.pdsa.create(new_cycle(status="studying", results="4 of 5"), today=TODAY)
    now[0] = "2026-11-30T23:30:00Z"  # 23:30 GMT: still 30 November in the UK
    done = store.pdsa.save(cycle.cycle.model_copy(update={"status": PdsaStatus.DONE, "act_decision": ActDecision.ADAPT}),
                           expected_version=1, today=TODAY)
    now[0] = "2026-12-05T10:00:00Z"  # a later edit of the done cycle does not move its end
    store.pdsa.save(done.cycle.model_copy(update={"learning": "more"}), expected_version=2, today=TODAY)
    (summary,) = store.pdsa.summaries(today=TODAY)
    assert summary.ended_on == dt.date(2026, 11, 30)
    assert summary.cycle.planned_end == dt.date(2026, 11, 22)


def test_activity_gives_the_day_a_cycle_was_marked_done_as_the_list_shows_it(tmp_path: Path) -> None:
    """The dashboard's read (`activity`) and the PDSA list agree on when a done cycle ended
    (rrp.models.pdsa.completed_on): the move to done, else the planned end; None while not done."""
    now = ["2026-11-01T09:00:00Z"]
    store = Store(tmp_path / "d.sqlite", who="tester", clock=lambda: now[0])
    store.registry.save_many(
        [Provider(code="NVT", name="Northvale")],
        [Ward(code="NVT-ASH", provider_code="NVT", name="Ash Ward", ward_type="acute_adult", beds=20)],
    )
    load_shipped_change_package(store)
    early = store.pdsa.create(new_cycle(status="studying", results="4 of 5"), today=TODAY)
    arrived = store.pdsa.create(new_cycle(status="done", results="ok", act_decision="adopt"), today=TODAY)
    running = store.pdsa.create(new_cycle(status="doing"), today=TODAY)
    now[0] = "2026-11-05T10:00:00Z"  # done before its planned end (22 Nov)
    store.pdsa.save(early.cycle.model_copy(update={"status": PdsaStatus.DONE, "act_decision": ActDecision.ADOPT}),
                    expected_version=1, today=TODAY)
    ends = {row["ended_on"] for row in store.pdsa.activity()}
    by_list = {s.cycle.id: s.ended_on for s in store.pdsa.summaries(today=TODAY)}
    assert by_list == {early.cycle.id: dt.date(2026, 11, 5), arrived.cycle.id: dt.date(2026, 11, 22),
                       running.cycle.id: None}
    assert ends == set(by_list.values())
    assert [row["ended_on"] for row in store.pdsa.activity(["NVT-OTHER"])] == []


def test_a_cycle_that_arrived_done_shows_its_planned_end(store: Store) -> None:
    """An imported (or demo) cycle inserted as done has no move to done: its insert time is not its end."""
    store.pdsa.create(new_cycle(status="done", results="ok", act_decision="adopt"), today=TODAY)
    (summary,) = store.pdsa.summaries(today=TODAY)
    assert summary.ended_on == dt.date(2026, 11, 22)


def test_a_cycle_without_planned_dates_is_refused_by_name(store: Store) -> None:
    """SQLite's CHECK refuses a blank date with a constraint message; the store names the field
    first, on both engines alike."""
    from rrp.store.errors import FieldRefused

    for name in ("planned_start", "planned_end"):
        with pytest.raises(FieldRefused) as refused:
            store.pdsa.create(new_cycle(**{name: None}), today=TODAY)
        assert refused.value.field == name and "required" in str(refused.value)
