"""A week corrected at the ward with a reason: the reason travels in its next signed submission and
the facilitator's merge keeps it in the audit, as a deletion's does (issue 13), on both engines.
The signature covers it; a file written before reasons travelled (no `corrections`) still merges."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from exchange_helpers import END, TODAY, payload_of, resign, signing_key, station_and_hub

from rrp.exchange.submission import SubmissionRefused, merge_submission, write_submission
from rrp.reports.corrections import history_lines, week_history
from rrp.store import Store

WARD = "NVT-BIRCH"
KEY = signing_key("NVT")
DAY = END - dt.timedelta(weeks=1)
WHY = "restraint counted twice: one episode, two staff entries"


@pytest.fixture
def pair(tmp_path: Path, engine_db: Path | str) -> tuple[Store, Store]:
    """A ward station (SQLite) and the facilitator's hub (each engine), agreed on every week."""
    return station_and_hub(tmp_path, engine_db, WARD, KEY)


def _correct(ward: Store, *, reason: str | None, restraint_plus: int = 1) -> None:
    stored = ward.weekly.week(WARD, DAY)
    changed = stored.counts.model_copy(update={"restraint": stored.counts.restraint + restraint_plus})
    ward.weekly.save(changed, expected_version=stored.version, today=TODAY, reason=reason)


def test_a_correction_and_its_reason_reach_the_facilitators_audit(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, hub = pair
    _correct(ward, reason=WHY)
    second = tmp_path / "second.json"
    assert write_submission(ward, WARD, second, key=KEY).counts["corrections"] == 1
    (carried,) = payload_of(second)["corrections"]
    assert carried["record"] == {"ward_code": WARD, "week_start": DAY.isoformat()}
    assert (carried["table"], carried["reason"], carried["corrected_by"]) == ("weekly", WHY, "ward nurse")

    result = merge_submission(hub, second, today=TODAY)
    assert result.updated == [f"weekly:{WARD}/{DAY.isoformat()}"] and not result.conflicts
    assert hub.weekly.week(WARD, DAY).counts == ward.weekly.week(WARD, DAY).counts
    last = hub.weekly.history(WARD, DAY)[-1]
    assert last["action"] == "update" and last["after"]["reason"] == WHY
    assert last["who"].startswith("submission:NVT (signed")  # merged here from NVT's signed file
    lines = history_lines(week_history(hub.weekly.history(WARD, DAY)), exists=True)
    assert lines[0].endswith("corrected") and f"    Why: {WHY}" in lines


def test_a_later_edit_without_a_reason_does_not_carry_the_old_one(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, _ = pair
    _correct(ward, reason=WHY)
    _correct(ward, reason=None)  # the values the reason explained are gone
    out = tmp_path / "later.json"
    assert write_submission(ward, WARD, out, key=KEY).counts["corrections"] == 0
    assert payload_of(out)["corrections"] == []


def test_the_signature_covers_the_reason(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, hub = pair
    _correct(ward, reason=WHY)
    second = tmp_path / "second.json"
    write_submission(ward, WARD, second, key=KEY)
    data = json.loads(second.read_text(encoding="utf-8"))
    payload = payload_of(second)
    payload["corrections"][0]["reason"] = "nothing wrong, just tidying"
    data["signed_payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    second.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SubmissionRefused, match="fails its signature"):
        merge_submission(hub, second, today=TODAY)
    assert hub.weekly.week(WARD, DAY).counts != ward.weekly.week(WARD, DAY).counts  # nothing merged


def test_an_older_submission_without_reasons_still_merges(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, hub = pair
    _correct(ward, reason=WHY)
    second = tmp_path / "second.json"
    write_submission(ward, WARD, second, key=KEY)
    payload = payload_of(second)
    del payload["corrections"]  # as a version 2 file written before reasons travelled
    resign(second, payload, KEY)
    result = merge_submission(hub, second, today=TODAY)
    assert result.updated == [f"weekly:{WARD}/{DAY.isoformat()}"] and not result.conflicts
    last = hub.weekly.history(WARD, DAY)[-1]
    assert last["action"] == "update" and "reason" not in last["after"]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda c: c.update(reason="x" * 501), "corrections[1].reason", "500"),
        (lambda c: c.update(reason="  "), "corrections[1].reason", "Say why"),
        (lambda c: c["record"].update(week_start="2026-09-07"), "corrections[1]", "does not carry"),
        (lambda c: c["record"].update(ward_code="NVT-ASH"), "corrections[1].ward_code", "not the submitting ward"),
    ],
)
def test_a_bad_correction_reason_refuses_the_whole_submission(
    pair: tuple[Store, Store], tmp_path: Path, change, where: str, message: str
) -> None:
    ward, hub = pair
    _correct(ward, reason=WHY)
    second = tmp_path / "second.json"
    write_submission(ward, WARD, second, key=KEY)
    payload = payload_of(second)
    change(payload["corrections"][0])
    resign(second, payload, KEY)
    with pytest.raises(SubmissionRefused) as refused:
        merge_submission(hub, second, today=TODAY)
    assert any(p.column == where and message in p.message for p in refused.value.problems), refused.value.problems
    assert hub.weekly.week(WARD, DAY).counts != ward.weekly.week(WARD, DAY).counts  # nothing merged
