"""Save a week -> the chart shows it: measured through Textual's Pilot, as a user drives it.

    .venv/bin/python benchmarks/save_to_chart.py                      # 2,000 wards x 260 weeks
    .venv/bin/python benchmarks/save_to_chart.py --wards 19 --weeks 52  # smoke (make bench)

Path measured: in the week entry form press ctrl+s -> "Saved week" banner (save round trip through
the store worker) -> escape back to home -> open the ward's huddle (HuddleScreen) -> its SPC chart
painted with the saved week. Times are from the ctrl+s key press. Prints the median of --repeat
runs; asserts nothing. The goal is under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 18)


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await pilot.pause(0.001)


async def measure(db: Path, repeat: int) -> tuple[list[float], list[float]]:
    from textual.widgets import Input, Static

    from rrp.app import RrpApp
    from rrp.screens.huddle import HuddleScreen

    saves, charts = [], []
    app = RrpApp(db, today=TODAY, who="bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        home = app.screen
        for n in range(repeat):
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
            entry = app.screen
            ward = entry.ward_code
            values = {"restraint": str(3 + n % 4), "prone_restraint": "0", "seclusion": "1",
                      "rapid_tranquillisation": "0", "occupied_bed_days": "60"}
            for name, value in values.items():
                entry.query_one(f"#f-{name}", Input).value = value
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press("ctrl+s")
            await until(pilot, lambda e=entry: str(e.query_one("#week-banner", Static).render()).startswith("Saved week"))
            saves.append(time.perf_counter() - started)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is home)
            huddle = HuddleScreen(ward)
            app.push_screen(huddle)
            await until(pilot, lambda h=huddle: getattr(h, "loaded", False))
            charts.append(time.perf_counter() - started)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is home)
    return saves, charts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rrp-bench-chart-"))
    try:
        db = folder / "demo.sqlite"
        subprocess.run([sys.executable, "-m", "rrp", "demo", "--wards", str(args.wards), "--weeks", str(args.weeks),
                        "--end", "2026-11-16", "--no-tui", "--db", str(db)], check=True, capture_output=True)
        saves, charts = asyncio.run(measure(db, args.repeat))
        ms = lambda xs: f"median {statistics.median(xs) * 1000:6.0f} ms (min {min(xs) * 1000:.0f}, max {max(xs) * 1000:.0f})"  # noqa: E731
        print(f"{args.wards:,} wards x {args.weeks} weeks, {args.repeat} saves:")
        print(f"ctrl+s -> 'Saved week' banner             {ms(saves)}")
        print(f"ctrl+s -> huddle chart painted with it     {ms(charts)} (goal: under 100 ms)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
