"""An import's unusual values (the week form's plausibility check) are warnings: the rows are
imported as given, and each is named with the ward's usual range; a dry run warns the same."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from exchange_helpers import HEADER, TODAY, registry_store, write

import rrp.exchange.weekly_import as weekly_import
from rrp.cli import main
from rrp.exchange.weekly_import import import_weekly


def _history(n: int = 10) -> str:
    """NVT-ASH, n weeks from 5 Jan 2026: 2 restraints, 120 bed days each."""
    import datetime as dt

    start = dt.date(2026, 1, 5)
    return "".join(f"NVT-ASH,{(start + dt.timedelta(weeks=i)).isoformat()},2,0,1,1,120\n" for i in range(n))


def test_an_unusual_week_is_imported_with_a_warning(tmp_path: Path) -> None:
    store = registry_store(tmp_path / "rrp.sqlite")
    import_weekly(store, write(tmp_path / "history.csv", HEADER + _history()), today=TODAY)
    f = write(tmp_path / "slip.csv", HEADER + "NVT-ASH,2026-03-16,500,0,1,1,120\nNVT-ASH,2026-03-23,3,0,1,1,12\n")
    # The CLI prints them (a dry run: nothing written).
    out = CliRunner().invoke(main, ["import", "weekly", str(f), "--dry-run", "--db", str(tmp_path / "rrp.sqlite")])
    assert out.exit_code == 0
    assert "note: unusual, imported as given (check it): NVT-ASH week of 16 Mar 2026: Restraints 500" in out.output
    dry = import_weekly(store, f, today=TODAY, dry_run=True)
    unusual = [n for n in dry.notes if n.startswith("unusual")]
    assert unusual == [
        "unusual, imported as given (check it): NVT-ASH week of 16 Mar 2026: Restraints 500 is far outside this "
        "ward's usual range (2 to 2 a week over the 10 weeks entered in the last 52).",
        "unusual, imported as given (check it): NVT-ASH week of 23 Mar 2026: Occupied bed days 12 is far outside "
        "this ward's usual range (120 to 120 a week over the 11 weeks entered in the last 52).",
    ]
    result = import_weekly(store, f, today=TODAY)
    assert [n for n in result.notes if n.startswith("unusual")] == unusual  # the same, after the write
    assert len(result.inserted) == 2  # warned, never refused


def test_usual_weeks_bring_no_warning_and_a_huge_import_says_it_was_not_checked(tmp_path: Path, monkeypatch) -> None:
    store = registry_store(tmp_path / "rrp.sqlite")
    result = import_weekly(store, write(tmp_path / "history.csv", HEADER + _history()), today=TODAY)
    assert not [n for n in result.notes if n.startswith("unusual")]
    monkeypatch.setattr(weekly_import, "UNUSUAL_CHECK_MAX", 3)
    f = write(tmp_path / "more.csv", HEADER + _history(14).replace(",2,0,1,1,120", ",900,0,1,1,120"))
    result = import_weekly(store, f, today=TODAY)
    assert [n for n in result.notes if n.startswith("unusual")] == [
        "unusual values not checked: 14 weeks inserted or changed (the check runs on imports of up to 3; "
        "the week form checks each week as it is saved)"
    ]
