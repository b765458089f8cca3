"""AnnotationRepository: add, list, update, delete; versioned, audited, free text guarded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from rrp.models.annotation import Annotation, AnnotationKind
from rrp.models.registry import Provider, Ward
from rrp.store import StaleEditError, Store, UnknownRecord
from rrp.store.audit import history


@pytest.fixture
def store(engine_db: str | Path) -> Store:
    s = Store(engine_db, who="tester")
    s.registry.save_many(
        [Provider(code="NVT", name="Northvale")],
        [Ward(code="NVT-ASH", provider_code="NVT", name="Ash Ward", ward_type="acute_adult", beds=20)],
    )
    return s


def test_add_list_update_delete(store: Store) -> None:
    note = store.annotations.add(Annotation(ward_code="NVT-ASH", on_date="2026-11-18", text="New manager"))
    rebase = store.annotations.add(
        Annotation(ward_code="NVT-ASH", on_date="2026-11-09", kind="rebase", measure="restraint",
                   text="Ward moved to a new building")
    )
    collab = store.annotations.add(Annotation(on_date="2026-11-16", text="Learning session 3"))
    listed = store.annotations.list("NVT-ASH")
    assert [a.annotation.id for a in listed] == [rebase.annotation.id, note.annotation.id]
    assert [a.annotation.id for a in store.annotations.list(None)] == [collab.annotation.id]
    assert [a.annotation.kind for a in store.annotations.list("NVT-ASH", kinds=["rebase"])] == ["rebase"]
    assert store.annotations.list("NVT-ASH", start=dt.date(2026, 11, 10)) == [note]

    changed = note.annotation.model_copy(update={"text": "New ward manager started"})
    updated = store.annotations.update(changed, expected_version=1)
    assert updated.version == 2
    with pytest.raises(StaleEditError):
        store.annotations.update(changed, expected_version=1)
    with pytest.raises(StaleEditError):
        store.annotations.delete(note.annotation.id, expected_version=1)
    store.annotations.delete(note.annotation.id, expected_version=2)
    assert store.annotations.get(note.annotation.id) is None
    actions = [h["action"] for h in history(store.database, "annotation", note.annotation.id)]
    assert actions == ["insert", "update", "delete"]
    with pytest.raises(UnknownRecord):
        store.annotations.delete(note.annotation.id, expected_version=2)


def test_guarded_and_checked(store: Store) -> None:
    with pytest.raises(ValidationError, match="NHS number"):
        store.annotations.add(
            Annotation.model_construct(id="a" * 32, ward_code="NVT-ASH", on_date=dt.date(2026, 11, 16),
                                       kind=AnnotationKind.NOTE, measure=None, text="re 943-476-5919", pdsa_cycle_id=None)
        )
    with pytest.raises(UnknownRecord):
        store.annotations.add(Annotation(ward_code="NOPE", on_date="2026-11-16", text="x"))
    assert store.annotations.list("NVT-ASH") == []
