"""The national dashboard (issue 15): first screen and dashboard painted at 2,000 wards x 260 weeks.

    .venv/bin/python benchmarks/national_dashboard.py                        # SQLite
    scripts/with_pg.sh .venv/bin/python benchmarks/national_dashboard.py --pg  # and PostgreSQL
    .venv/bin/python benchmarks/national_dashboard.py --wards 50 --weeks 52 --repeat 1   # smoke

Builds `rrp demo --wards N --weeks W` in a temporary folder (and, with --pg, copies it with
`rrp copy` into a new database of the server named by --url, default $RRP_TEST_PG_URL). Each
figure is a fresh process (imports count, as for a user), run headless at 120x40, median of
--repeat runs; peak memory is the process's own maximum resident set size (RUSAGE_SELF):

- bare: a bare Textual app whose DataTable shows as many rows (the baseline, measured in the
  same run);
- first screen: rrp until its home table holds every ward (ratio to bare; goal at most 1.5x);
- dashboard painted: from pressing `c` on the home screen until the dashboard's ward table is
  filled with figures, the wards' summaries stored and current (goal at most 1 s and 200 MB for
  the whole process), and the same with every summary out of date (the first opening after a
  new week when no one ran `rrp admin refresh-summaries`): the table is then painted from the
  figures the summaries held, every ward marked "updating"; then until the aggregate charts and
  the funnel, computed after the table is painted, are there too; then until every ward's
  figures are current and no ward is marked (the out-of-date wards computed in the background;
  the peak RSS there is the whole process's, computation included).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

TODAY = dt.date(2026, 11, 18)

BARE = r"""
import asyncio, json, resource, sys, time
started = time.perf_counter()
from textual.app import App
from textual.widgets import DataTable
rows = int(sys.argv[1])
class Bare(App):
    def compose(self):
        yield DataTable(id="t")
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Provider", "Ward", "Last week", "This week", "Trend")
        table.add_rows([(f"P{i // 10:03d}", f"Ward {i:05d}", "done", "due", "-") for i in range(rows)])
async def main():
    app = Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        while app.query_one(DataTable).row_count < rows:
            await pilot.pause(0.01)
        took = time.perf_counter() - started
    print(json.dumps({"first": took, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
asyncio.run(main())
"""

RRP = r"""
import asyncio, datetime as dt, json, resource, sys, time
started = time.perf_counter()
from rrp.app import RrpApp
db, wards, dashboard = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
async def main():
    app = RrpApp(db, today=dt.date.fromisoformat(sys.argv[4]), who="bench")
    out = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while not (app.screen.query("#wards") and getattr(app.screen, "rows", None)
                   and app.screen.query_one("#wards").row_count >= wards):
            await pilot.pause(0.005)
        out["first"] = time.perf_counter() - started
        out["rss_first"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if dashboard:
            while app.store is None:  # the full store loads after the home table has painted
                await pilot.pause(0.005)
            await pilot.pause(0.5)  # let the start-up work behind the first screen finish
            t0 = time.perf_counter()
            asyncio.ensure_future(pilot.press("c"))
            def painted():
                screen = app.screen
                if type(screen).__name__ != "DashboardScreen" or screen.view is None:
                    return False
                table = screen.query_one("#dash-wards")
                return table.row_count > 0 and not table.loading
            while not painted():
                await asyncio.sleep(0.002)
            out["dashboard"] = time.perf_counter() - t0
            out["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            while app.screen.dashboard is None or app.screen.dashboard.aggregate.empty:
                await asyncio.sleep(0.005)  # the aggregate charts and funnel follow the table
            out["whole"] = time.perf_counter() - t0
            out["rss_whole"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            # Out-of-date wards are painted marked "updating" and computed after: until none is.
            while app.screen.view.updating or app.screen.dashboard.updating:
                await asyncio.sleep(0.05)
            out["updated"] = time.perf_counter() - t0
            out["rss_updated"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
asyncio.run(main())
"""


def _runs(values: object) -> str:
    return ", ".join(f"{v:.2f}" for v in values)  # type: ignore[attr-defined]


def run(script: str, *args: str) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"benchmark process failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def rrp(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "rrp", *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"rrp {' '.join(args[:2])} failed: {result.stderr or result.stdout}")
    return result.stdout


def stale(db: str) -> None:
    """Mark every ward's summary out of date (as a new week does)."""
    from rrp.store import Store

    store = Store(db, create=False)
    try:
        store.summaries.forget()
    finally:
        store.close()


def measure(label: str, db: str, wards: int, repeat: int, bare: dict[str, float]) -> None:
    median = statistics.median
    firsts = [run(RRP, db, str(wards), "0", TODAY.isoformat()) for _ in range(repeat)]
    rrp("admin", "refresh-summaries", "--db", db, "--today", TODAY.isoformat())
    warm = [run(RRP, db, str(wards), "1", TODAY.isoformat()) for _ in range(repeat)]
    cold = []
    for _ in range(repeat):
        stale(db)
        cold.append(run(RRP, db, str(wards), "1", TODAY.isoformat()))
    first = median(r["first"] for r in firsts)
    print(f"\n{label}")
    print(f"  first screen (home holds every ward)   {first:6.2f} s  -> {first / bare['first']:.2f}x bare "
          f"(goal <= 1.5x); runs {_runs(r['first'] for r in firsts)}; "
          f"peak RSS {median(r['rss_first'] for r in firsts):.0f} MB")
    for name, runs in (("dashboard painted, summaries current", warm),
                       ("dashboard painted, every summary out of date", cold)):
        print(f"  {name:<45} {median(r['dashboard'] for r in runs):6.2f} s (goal <= 1 s); runs "
              f"{_runs(r['dashboard'] for r in runs)}; process peak RSS "
              f"{median(r['rss'] for r in runs):.0f} MB (goal <= 200 MB)")
        print(f"    + aggregate charts and funnel shown      {median(r['whole'] for r in runs):6.2f} s; runs "
              f"{_runs(r['whole'] for r in runs)}; process peak RSS {median(r['rss_whole'] for r in runs):.0f} MB")
        print(f"    + every ward's figures current, no mark  {median(r['updated'] for r in runs):6.2f} s; runs "
              f"{_runs(r['updated'] for r in runs)}; process peak RSS {median(r['rss_updated'] for r in runs):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", action="store_true", help="Also on PostgreSQL (a copy of the same data).")
    parser.add_argument("--url", default=os.environ.get("RRP_TEST_PG_URL"),
                        help="A server database that may create databases (default $RRP_TEST_PG_URL).")
    parser.add_argument("--sqlite", default=None, help="Use this demo database instead of building one.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rrp-bench-national-"))
    pg_database = None
    try:
        load = os.getloadavg()
        print(f"{args.wards:,} wards x {args.weeks} weeks; median of {args.repeat}; "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
        db = args.sqlite
        if db is None:
            db = str(folder / "national.sqlite")
            rrp("demo", "--wards", str(args.wards), "--weeks", str(args.weeks), "--end", "2026-11-16",
                "--no-tui", "--db", db)
        bares = [run(BARE, str(args.wards)) for _ in range(args.repeat)]
        bare = {k: statistics.median(b[k] for b in bares) for k in ("first", "rss")}
        print(f"  bare Textual app, DataTable of {args.wards:,} rows: first paint {bare['first']:.2f} s "
              f"(runs {_runs(b['first'] for b in bares)}), peak RSS {bare['rss']:.0f} MB")
        measure("SQLite", db, args.wards, args.repeat, bare)
        if args.pg:
            if not args.url:
                raise SystemExit("--pg needs --url or RRP_TEST_PG_URL (scripts/with_pg.sh sets it)")
            import psycopg

            name = f"rrp_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(args.url, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {name}")
            pg_database = name
            url = args.url.rsplit("/", 1)[0] + "/" + name
            rrp("copy", db, url)
            measure("PostgreSQL (the same data, rrp copy)", url, args.wards, args.repeat, bare)
    finally:
        if pg_database:
            import psycopg

            with psycopg.connect(args.url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)")
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
