"""Many processes writing one database at once: every write lands or is refused clearly.

On both engines (an SQLite file; a PostgreSQL database, where rrp serialises writers as SQLite does).

Each process saves its own ward's weeks (no contention on rows, only on the write lock) and, in
between, edits a few weeks that every process shares, each edit made against the version it read
(as the entry form does). What must hold afterwards:

- no process saw "database is locked" or any error other than StaleEditError;
- every successful write left exactly one audit row (insert or update), and nothing else did;
- no lost update: each shared week's version is 1 + the number of edits to it that succeeded;
- each process's own weeks are all there, with its values.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import traceback
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import TODAY, counts_of, integrity, mondays, registry_store

from rrp.models.weekly import WeeklyCounts

#: Wards of the shipped registry, one per process (each with at least 10 beds: 70 bed days a week).
WARDS = ["NVT-ASH", "NVT-BIRCH", "NVT-CEDAR", "NVT-DOVE", "SCP-ELM", "SCP-FERN", "SCP-GORSE", "WDH-IVY"]
SHARED_WARD = "HMC-QUAY"
SHARED_WEEKS = [dt.date(2026, 11, 16), dt.date(2026, 11, 9), dt.date(2026, 11, 2)]


def _worker(path: str, number: int, own_ward: str, weeks: int, shared_every: int, start: Any, out: Any) -> None:
    """Save `weeks` weeks of `own_ward`, editing a shared week every `shared_every` saves."""
    from rrp.store import StaleEditError, Store

    outcome: dict[str, Any] = {"inserted": 0, "updates": {}, "stale": 0, "errors": []}
    try:
        store = Store(path, who=f"station-{number}")
        start.wait(30)
        days = mondays(weeks, before=SHARED_WEEKS[-1] - dt.timedelta(weeks=1))
        for i, day in enumerate(days):
            counts = WeeklyCounts(
                ward_code=own_ward, week_start=day, restraint=i % 5, prone_restraint=0,
                seclusion=number % 3, rapid_tranquillisation=0, occupied_bed_days=60,
            )
            store.weekly.save(counts, expected_version=None, today=TODAY)
            outcome["inserted"] += 1
            if i % shared_every == 0:
                day = SHARED_WEEKS[i % len(SHARED_WEEKS)]
                stored = store.weekly.week(SHARED_WARD, day)
                edited = stored.counts.model_copy(update={"note": f"station {number} edit {i}"})
                try:
                    store.weekly.save(edited, expected_version=stored.version, today=TODAY)
                except StaleEditError as exc:
                    assert "while you were editing" in str(exc)
                    outcome["stale"] += 1
                else:
                    key = day.isoformat()
                    outcome["updates"][key] = outcome["updates"].get(key, 0) + 1
        store.close()
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        outcome["errors"].append(traceback.format_exc())
    out.put(outcome)


def _run(path: Path | str, processes: int, weeks: int, shared_every: int) -> None:
    store = registry_store(path)
    for day in SHARED_WEEKS:
        store.weekly.save(
            WeeklyCounts(ward_code=SHARED_WARD, week_start=day, restraint=1, prone_restraint=0, seclusion=0,
                         rapid_tranquillisation=0, occupied_bed_days=100),
            expected_version=None, today=TODAY,
        )
    store.close()
    audit_before = counts_of(path, "SELECT count(*) FROM audit WHERE table_name = 'weekly'")

    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    workers = [
        context.Process(target=_worker, args=(str(path), n, WARDS[n % len(WARDS)], weeks, shared_every, start, out))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [out.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0

    errors = [e for o in outcomes for e in o["errors"]]
    assert not errors, errors[0]
    inserted = sum(o["inserted"] for o in outcomes)
    updates: dict[str, int] = {}
    for o in outcomes:
        for key, n in o["updates"].items():
            updates[key] = updates.get(key, 0) + n
    stale = sum(o["stale"] for o in outcomes)
    attempts = sum(len(range(0, weeks, shared_every)) for _ in workers)
    assert sum(updates.values()) + stale == attempts
    print(f"{processes} processes: {inserted} inserts, {sum(updates.values())} shared edits, {stale} refused as stale")

    assert integrity(path) == "ok"
    assert counts_of(path, "SELECT count(*) FROM weekly") == inserted + len(SHARED_WEEKS)
    audit_rows = counts_of(path, "SELECT count(*) FROM audit WHERE table_name = 'weekly'") - audit_before
    assert audit_rows == inserted + sum(updates.values())
    for day in SHARED_WEEKS:
        key = day.isoformat()
        version = counts_of(path, "SELECT version FROM weekly WHERE ward_code = ? AND week_start = ?", (SHARED_WARD, key))
        assert version == 1 + updates.get(key, 0), f"lost update on {key}"
        logged = counts_of(
            path, "SELECT count(*) FROM audit WHERE row_key = ? AND action = 'update'", (f"{SHARED_WARD}/{key}",)
        )
        assert logged == updates.get(key, 0)
    for n in range(processes):
        ward = WARDS[n % len(WARDS)]
        assert counts_of(path, "SELECT count(*) FROM weekly WHERE ward_code = ? AND updated_by = ?",
                         (ward, f"station-{n}")) == weeks


def test_four_processes_write_one_database(engine_db: Path | str) -> None:
    _run(engine_db, processes=4, weeks=60, shared_every=3)


@pytest.mark.long
def test_eight_processes_500_weeks_each(engine_db: Path | str) -> None:
    _run(engine_db, processes=8, weeks=500, shared_every=5)
