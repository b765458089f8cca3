"""Load on PostgreSQL: many stations saving weeks and reading the dashboard at once.

    .venv/bin/python benchmarks/pg_load.py --url postgresql://user@host/postgres
    scripts/with_pg.sh .venv/bin/python benchmarks/pg_load.py     # a throwaway local server

`--url` (default $RRP_TEST_PG_URL) names a server database that may create databases: the
benchmark makes a new database there and drops it afterwards. Then, all at once:

- `--writers` processes (50), each saving `--weeks` weeks of its own ward, one save per week (as
  the entry form saves), each then edited once against the version it read;
- `--readers` processes (10), each computing the collaborative dashboard `--reads` times;
- `--killed` more writers, each saving a batch of weeks in ONE transaction (an import), killed
  with SIGKILL while their transaction is open.

Then it checks and prints: lost writes (a save that returned but whose row or version is not
there), errors, writes without exactly one audit row, batches half-written by a killed client,
and timings. Exit 1 if any check fails. Bounded: every process has a deadline (`--timeout`).
Run by hand (or `make bench-pg`); not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import signal
import statistics
import sys
import time
import traceback
import uuid
from typing import Any

END = dt.date(2026, 11, 16)
TODAY = dt.date(2026, 11, 18)


def _week(ward: str, day: dt.date, restraint: int, note: str | None = None) -> Any:
    from rrp.models.weekly import WeeklyCounts

    return WeeklyCounts(ward_code=ward, week_start=day, restraint=restraint, prone_restraint=0, seclusion=1,
                        rapid_tranquillisation=0, occupied_bed_days=70, note=note)


def _writer(url: str, number: int, ward: str, weeks: int, start: Any, out: Any, deadline: float) -> None:
    """Save `weeks` weeks of `ward`, one transaction each, then edit each once; report timings."""
    result: dict[str, Any] = {"saved": [], "errors": [], "latencies": []}
    try:
        from rrp.store import Store

        store = Store(url, who=f"writer-{number}", create=False)
        start.wait(60)
        days = [END - dt.timedelta(weeks=i) for i in range(weeks)]
        for i, day in enumerate(days):
            if time.time() > deadline:
                result["errors"].append("deadline reached")
                break
            t0 = time.perf_counter()
            stored = store.weekly.save(_week(ward, day, i % 7), expected_version=None, today=TODAY)
            edited = store.weekly.save(stored.counts.model_copy(update={"note": f"edit {number}"}),
                                       expected_version=stored.version, today=TODAY)
            result["latencies"].append((time.perf_counter() - t0) / 2)
            result["saved"].append((day.isoformat(), edited.version))
        store.close()
    except BaseException:  # noqa: BLE001 - reported to the parent
        result["errors"].append(traceback.format_exc(limit=3))
    out.put(("writer", number, result))


def _reader(url: str, number: int, reads: int, start: Any, out: Any, deadline: float) -> None:
    result: dict[str, Any] = {"reads": 0, "errors": [], "latencies": []}
    try:
        from rrp.reports.dashboard import dashboard_from_inputs, read_inputs
        from rrp.store import Store

        store = Store(url, who=f"reader-{number}", create=False)
        start.wait(60)
        for _ in range(reads):
            if time.time() > deadline:
                break
            t0 = time.perf_counter()
            dashboard_from_inputs(read_inputs(store), today=TODAY)
            result["latencies"].append(time.perf_counter() - t0)
            result["reads"] += 1
        store.close()
    except BaseException:  # noqa: BLE001
        result["errors"].append(traceback.format_exc(limit=3))
    out.put(("reader", number, result))


def _batch_writer(url: str, number: int, ward: str, weeks: int) -> None:
    """Save `weeks` weeks of `ward` in ONE transaction that stalls half-way, to be killed there."""
    from rrp.store import Store

    store = Store(url, who=f"killed-{number}", create=False)
    # Named, so that the parent can see when this client's transaction is open.
    store.database.conn.execute(f"SET application_name = 'rrp_batch_{number}'")
    days = [END - dt.timedelta(weeks=i) for i in range(weeks)]

    def half_then_stall() -> Any:
        for i, day in enumerate(days):
            if i == len(days) // 2:
                time.sleep(3600)  # half the batch written, uncommitted: the parent kills it now
            yield _week(ward, day, 1)

    store.weekly.save_many(half_then_stall(), today=TODAY)


def _open_transaction(url: str, number: int) -> bool:
    """Has batch writer `number` written rows in its (uncommitted) transaction yet?"""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_xid IS NOT NULL AND application_name = %s",
            (f"rrp_batch_{number}",),
        ).fetchone()[0] > 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("RRP_TEST_PG_URL"))
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--killed", type=int, default=5)
    parser.add_argument("--weeks", type=int, default=20, help="Weeks each writer saves (and edits once).")
    parser.add_argument("--reads", type=int, default=5, help="Dashboards each reader computes.")
    parser.add_argument("--timeout", type=float, default=300, help="Seconds before every client gives up.")
    args = parser.parse_args()
    if not args.url:
        print("no server: give --url postgresql://... or run under scripts/with_pg.sh", file=sys.stderr)
        return 2

    import psycopg

    from rrp.store import Store
    from rrp.synthetic import build_demo

    name = f"rrp_load_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = args.url.rsplit("/", 1)[0] + "/" + name
    try:
        return _run(args, url, Store, build_demo)
    finally:
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(args: argparse.Namespace, url: str, Store: Any, build_demo: Any) -> int:  # noqa: N803
    wards_needed = args.writers + args.killed
    t0 = time.perf_counter()
    store = Store(url, who="bench")
    # A synthetic collaborative with a ward per client and 52 weeks of history, ending before the
    # weeks the clients save.
    # (More wards than clients: each client needs an active ward of 10 beds or more.)
    build_demo(store, wards=wards_needed * 2, weeks=52, end=END - dt.timedelta(weeks=max(args.weeks, 40)))
    wards = [w.code for w in store.registry.wards(active_only=True) if w.beds >= 10][:wards_needed]
    store.close()
    if len(wards) < wards_needed:
        print(f"only {len(wards)} wards with 10+ beds; lower --writers/--killed", file=sys.stderr)
        return 2
    print(f"built {wards_needed * 2} wards x 52 weeks on PostgreSQL in {time.perf_counter() - t0:.1f} s")

    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    deadline = time.time() + args.timeout
    clients = [context.Process(target=_writer, args=(url, n, wards[n], args.weeks, start, out, deadline))
               for n in range(args.writers)]
    clients += [context.Process(target=_reader, args=(url, n, args.reads, start, out, deadline))
                for n in range(args.readers)]
    killed_wards = wards[args.writers:]
    victims = [context.Process(target=_batch_writer, args=(url, n, ward, args.weeks))
               for n, ward in enumerate(killed_wards)]
    for process in clients + victims:
        process.start()
    started = time.perf_counter()
    start.set()
    # Kill each batch writer as soon as its transaction has written rows (not yet committed).
    killed_mid_write = 0
    waiting = dict(enumerate(victims))
    while waiting and time.time() < deadline:
        for number, victim in list(waiting.items()):
            if not victim.is_alive():
                del waiting[number]  # it failed before writing (its errors show in its output)
            elif _open_transaction(url, number):
                os.kill(victim.pid, signal.SIGKILL)
                killed_mid_write += 1
                del waiting[number]
        time.sleep(0.005)
    for victim in victims:
        if victim.is_alive() and victim.pid:  # never caught writing before the deadline
            os.kill(victim.pid, signal.SIGKILL)
        victim.join(30)
    results = []
    for _ in clients:
        results.append(out.get(timeout=max(1.0, deadline - time.time() + 30)))
    for process in clients:
        process.join(30)
    elapsed = time.perf_counter() - started

    errors = [e for kind, _, r in results for e in r["errors"]]
    writers = [(n, r) for kind, n, r in results if kind == "writer"]
    readers = [r for kind, _, r in results if kind == "reader"]
    saves = sum(len(r["saved"]) * 2 for _, r in writers)

    check = Store(url, who="check", create=False)
    lost = 0
    for n, r in writers:
        stored = {row["week_start"]: row["version"] for row in check.database.query(
            "SELECT week_start, version FROM weekly WHERE ward_code = ? AND updated_by = ?", (wards[n], f"writer-{n}"))}
        lost += sum(1 for day, version in r["saved"] if stored.get(day) != version)
    audited = check.database.query_one(
        "SELECT count(*) AS n FROM audit WHERE table_name = 'weekly' AND who LIKE 'writer-%'")["n"]
    unaudited = abs(saves - audited)
    half_written = 0
    for ward in killed_wards:
        rows = check.database.query_one("SELECT count(*) AS n FROM weekly WHERE ward_code = ? AND week_start > ?",
                                        (ward, (END - dt.timedelta(weeks=args.weeks)).isoformat()))["n"]
        half_written += rows not in (0, args.weeks)
    check.close()

    latencies = sorted(x for _, r in writers for x in r["latencies"])
    reads = sorted(x for r in readers for x in r["latencies"])
    print(f"{args.writers} writers x {args.weeks} weeks (save + edit each), {args.readers} dashboard readers, "
          f"{killed_mid_write} of {len(victims)} batch writers killed mid-write, in {elapsed:.1f} s")
    print(f"saves: {saves:,} ({saves / elapsed:,.0f}/s); save latency median {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms" if latencies else "saves: none")
    if reads:
        print(f"dashboards: {len(reads)}; median {statistics.median(reads) * 1000:.0f} ms, max {reads[-1] * 1000:.0f} ms")
    print(f"lost writes: {lost}")
    print(f"errors: {len(errors)}")
    print(f"writes without exactly one audit row: {unaudited}")
    print(f"batches half-written by a killed client: {half_written}")
    for error in errors[:3]:
        print(error, file=sys.stderr)
    return 1 if lost or errors or unaudited or half_written else 0


if __name__ == "__main__":
    sys.exit(main())
