"""Time to the first screen with data: rrp's home screen against a bare Textual DataTable app.

    .venv/bin/python benchmarks/startup.py                      # 2,000 wards x 260 weeks
    .venv/bin/python benchmarks/startup.py --wards 50 --weeks 52  # smoke (make bench)

Both apps run headless (`run_test`) in this process, timed from constructing the app until its
table holds every ward's row. The bare app is given the same number of rows, already in memory.
Each is measured in a fresh subprocess (so imports count, as they do for a user). Prints figures;
asserts nothing. The goal is at most 1.5x the bare app.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RRP = r"""
import asyncio, datetime as dt, sys, time
started = time.perf_counter()
from rrp.app import RrpApp
async def main():
    app = RrpApp(sys.argv[1], today=dt.date(2026, 11, 18), who="bench")
    async with app.run_test(size=(120, 40)) as pilot:
        # The first screen with data: the home table holds every ward (as the bare app's table
        # holds its rows). The full store may still be loading behind it.
        while not (app.screen.query("#wards") and getattr(app.screen, "rows", None)
                   and app.screen.query_one("#wards").row_count >= int(sys.argv[2])):
            await pilot.pause(0.01)
        print(time.perf_counter() - started)
asyncio.run(main())
"""

BARE = r"""
import asyncio, sys, time
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
        print(time.perf_counter() - started)
asyncio.run(main())
"""


def timed(script: str, *args: str) -> float:
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rrp-bench-start-"))
    try:
        db = folder / "demo.sqlite"
        subprocess.run([sys.executable, "-m", "rrp", "demo", "--wards", str(args.wards), "--weeks", str(args.weeks),
                        "--end", dt.date(2026, 11, 16).isoformat(), "--no-tui", "--db", str(db)],
                       check=True, capture_output=True)
        rrp_s = min(timed(RRP, str(db), str(args.wards)) for _ in range(args.repeat))
        bare_s = min(timed(BARE, str(args.wards)) for _ in range(args.repeat))
        print(f"first screen with {args.wards:,} wards ({args.weeks} weeks of data), best of {args.repeat}:")
        print(f"rrp home screen            {rrp_s:6.2f} s")
        print(f"bare Textual DataTable     {bare_s:6.2f} s  -> {rrp_s / bare_s:.2f}x (goal: at most 1.5x)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
