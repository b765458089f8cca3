"""A week deleted at the ward with a reason travels with its next submission and is deleted at
the facilitator's, the reason kept in the audit there, on both engines (issue 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from exchange_helpers import END, TODAY, payload_of, signing_key, station_and_hub

from rrp.exchange.submission import merge_submission, write_submission
from rrp.reports.corrections import history_lines, week_history

WARD = "NVT-ASH"
KEY = signing_key("NVT")


def test_a_deletion_and_its_reason_reach_the_facilitator_on_either_engine(tmp_path: Path, engine_db: Path | str) -> None:
    ward, hub = station_and_hub(tmp_path, engine_db, WARD, KEY)
    day = END - dt.timedelta(weeks=1)
    stored = ward.weekly.week(WARD, day)
    ward.weekly.delete(WARD, day, reason="entered for the wrong ward", expected_version=stored.version)
    second = tmp_path / "second.json"
    assert write_submission(ward, WARD, second, key=KEY).counts["deleted"] == 1
    (gone,) = payload_of(second)["deleted"]
    assert gone["reason"] == "entered for the wrong ward" and gone["deleted_by"] == "ward nurse"

    result = merge_submission(hub, second, today=TODAY)
    assert result.deleted == [f"weekly:{WARD}/{day.isoformat()}"] and not result.conflicts
    assert hub.weekly.week(WARD, day) is None
    history = hub.weekly.history(WARD, day)
    assert history[-1]["action"] == "delete" and history[-1]["after"] == {"reason": "entered for the wrong ward"}
    # The facilitator reads why in the week's history, as the ward does.
    lines = history_lines(week_history(history), exists=False)
    assert lines[0].endswith("deleted") and "    Why: entered for the wrong ward" in lines
    assert merge_submission(hub, second, today=TODAY).deleted == []  # once only
