"""`rrp admin refresh-summaries`: computes the out-of-date wards' dashboard summaries (both engines)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from rrp.cli import main
from rrp.reports import summaries
from rrp.store import Store
from rrp.synthetic import build_demo

TODAY = dt.date(2026, 11, 18)


def test_refresh_summaries(engine_db: Path | str) -> None:
    store = Store(engine_db, who="demo")
    build_demo(store, wards=6, weeks=30, end=dt.date(2026, 11, 16))
    codes = [w.code for w in store.registry.wards() if w.active]
    store.close()
    runner = CliRunner()
    args = ["admin", "refresh-summaries", "--db", str(engine_db), "--today", TODAY.isoformat()]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Computed 6 of 6 ward summaries" in result.output and "up to date" in result.output
    store = Store(engine_db, create=False)
    try:
        assert summaries.out_of_date(store, codes, today=TODAY) == []
        week = store.weekly.week(codes[2], dt.date(2026, 11, 9))
        store.weekly.save(week.counts.model_copy(update={"seclusion": week.counts.seclusion + 1}),
                          expected_version=week.version)
        assert summaries.out_of_date(store, codes, today=TODAY) == [codes[2]]
    finally:
        store.close()
    result = runner.invoke(main, args)
    assert "Computed 1 of 6 ward summaries" in result.output, result.output
    result = runner.invoke(main, [*args, "--all"])
    assert "Computed 6 of 6 ward summaries" in result.output, result.output
