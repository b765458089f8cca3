"""The dashboard from every row vs from the wards' summaries, in one process each (time, peak RSS).

    .venv/bin/python -m rrp demo --wards 2000 --weeks 260 --end 2026-11-16 --no-tui --db /tmp/big.sqlite
    .venv/bin/python benchmarks/dashboard_summaries.py /tmp/big.sqlite --repeat 3

Alternates three fresh processes per round: `read_inputs` + `dashboard_from_inputs` (from every
row), `summary_dashboard(aggregates=False)` (the ward table the screen paints first) and
`summary_dashboard()` (with the aggregate and funnel); the summaries are brought up to date first
(`rrp admin refresh-summaries`). Prints each run and the medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

ONE = r"""
import datetime as dt, json, resource, sys, time
from rrp.store import Store
from rrp.reports import summaries
from rrp.reports.dashboard import read_inputs, dashboard_from_inputs
import pandas  # loaded before the clock starts, as in the app (pre-warmed)
store = Store(sys.argv[1], create=False)
today = dt.date.fromisoformat(sys.argv[3])
started = time.perf_counter()
if sys.argv[2] == "from every row":
    dashboard_from_inputs(read_inputs(store), today=today)
elif sys.argv[2] == "summaries: ward table":
    summaries.summary_dashboard(store, today=today, aggregates=False)
else:
    summaries.summary_dashboard(store, today=today)
print(json.dumps({"s": time.perf_counter() - started, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

MODES = ("from every row", "summaries: ward table", "summaries: with aggregate and funnel")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--today", default="2026-11-18")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "rrp", "admin", "refresh-summaries", "--db", args.db, "--today", args.today],
                   check=True)
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in MODES}
    for _ in range(args.repeat):
        for mode in MODES:
            out = subprocess.run([sys.executable, "-c", ONE, args.db, mode, args.today],
                                 capture_output=True, text=True, check=True)
            runs[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for mode, found in runs.items():
        times = ", ".join(f"{r['s']:.2f}" for r in found)
        print(f"{mode:<40} median {statistics.median(r['s'] for r in found):6.2f} s ({times}); "
              f"peak RSS {statistics.median(r['rss'] for r in found):.0f} MB")


if __name__ == "__main__":
    main()
