"""Time the collaborative dashboard: reading rows from SQLite vs computing the dashboard.

    .venv/bin/python benchmarks/dashboard.py                       # the 19-ward demo, 104 weeks
    .venv/bin/python benchmarks/dashboard.py --wards 2000 --weeks 260

Builds a synthetic database in a temporary directory (or uses --db), then prints the time to read
the inputs (weekly rows, registry, PDSA, progress) and to compute the dashboard, and their ratio
(goal: compute <= 2 x read). Run by hand; CI runs it only as a smoke test, never as a timed assert.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=19)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--db", type=Path, default=None, help="Use this database instead of a new demo.")
    parser.add_argument("--repeat", type=int, default=3, help="Best of N runs.")
    args = parser.parse_args()

    from rrp.reports.dashboard import dashboard_from_inputs, read_inputs
    from rrp.store import Store
    from rrp.synthetic import build_demo

    end = dt.date(2026, 11, 16)
    today = dt.date(2026, 11, 18)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db
        if path is None:
            path = Path(tmp) / "bench.sqlite"
            t0 = time.perf_counter()
            store = Store(path, who="bench")
            build_demo(store, wards=args.wards, weeks=args.weeks, end=end)
            store.close()
            print(f"built {args.wards} wards x {args.weeks} weeks in {time.perf_counter() - t0:.2f} s")
        store = Store(path, create=False)
        reads, computes = [], []
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            inputs = read_inputs(store)
            t1 = time.perf_counter()
            dash = dashboard_from_inputs(inputs, today=today)
            t2 = time.perf_counter()
            reads.append(t1 - t0)
            computes.append(t2 - t1)
        store.close()
        read, compute = min(reads), min(computes)
        print(f"rows: {len(inputs.weekly):,} weekly, {len(dash.wards):,} wards")
        print(f"read rows from SQLite: {read:.3f} s")
        print(f"compute dashboard:     {compute:.3f} s")
        print(f"ratio compute / read:  {compute / read:.2f} (goal <= 2)")


if __name__ == "__main__":
    main()
