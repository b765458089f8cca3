"""Save a week -> the huddle's chart shows it: measured through Textual's Pilot, as a user drives it.

    .venv/bin/python benchmarks/save_to_chart.py                      # 2,000 wards x 260 weeks
    .venv/bin/python benchmarks/save_to_chart.py --wards 19 --weeks 52  # smoke (make bench)

Path measured (the ward lead at the huddle): home -> h opens the highlighted ward's huddle ->
e opens the week entry form for that ward -> new counts for this week -> ctrl+s -> the "Saved
week" banner -> escape back to the huddle -> its SPC chart painted with the saved week (the last
point's value is the new rate and the chart has rendered since). Times are from the ctrl+s key
press; each repeat saves different counts. Also printed: the first h from home to the huddle
painted (pandas and the engine are pre-imported after the home screen paints). Prints medians
of --repeat runs; asserts nothing. The goal is save -> chart updated under 100 ms.

Keys go through `Pilot.press`, but by default each press runs as a task and the clock stops when
the screen shows the result: `Pilot.press` itself only returns after Textual's idle detection
(two 20 ms sleeps with little CPU, plus animations), which would add 40-250 ms that the user
does not wait for. --pilot-waits awaits every press before checking (the older, pessimistic way).
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
THIS_MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await pilot.pause(0.001)


async def poll(condition, timeout: float = 30.0) -> None:
    """Yield to the app's event loop until `condition()` (no Pilot idle waits)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.0005)


async def measure(db: Path, repeat: int, pilot_waits: bool = False, read_pause: float = 0.0) -> dict[str, list[float]]:
    from textual.widgets import Input, Static

    from rrp.app import RrpApp

    out: dict[str, list[float]] = {"open": [], "banner": [], "chart": [], "escape": []}
    app = RrpApp(db, today=TODAY, who="bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await until(pilot, lambda: app.prewarmed)
        await app.workers.wait_for_complete()  # the pre-import worker, as a user would after a second
        started = time.perf_counter()
        await pilot.press("h")
        await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen" and app.screen.loaded
                    and app.screen.query_one("#huddle-chart").drawn)
        out["open"].append(time.perf_counter() - started)
        huddle = app.screen
        chart = huddle.query_one("#huddle-chart")
        if huddle.measure != "all_restrictive":
            await pilot.press("1")
            await until(pilot, lambda: huddle.summary.measure == "all_restrictive")
        for n in range(repeat):
            await pilot.press("e")
            await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
            entry = app.screen
            bed_days = int(entry.query_one("#f-occupied_bed_days", Input).value or 50)
            counts = {"restraint": 1 + n % 5, "prone_restraint": 0, "seclusion": n % 3, "rapid_tranquillisation": 1}
            values = {**{k: str(v) for k, v in counts.items()}, "occupied_bed_days": str(bed_days)}
            for name, value in values.items():
                entry.query_one(f"#f-{name}", Input).value = value
            await pilot.pause()
            expected = 1000 * (counts["restraint"] + counts["seclusion"] + counts["rapid_tranquillisation"]) / bed_days
            before = chart.drawn

            painted = {"renders": chart.renders}  # chart renders counted at the Esc press

            def shows_new_week(before=before, expected=expected, painted=painted) -> bool:
                points = chart.points
                return (
                    app.screen is huddle and points is not None and chart.drawn is not before
                    and chart.renders > painted["renders"]  # painted on screen since Esc, not just built
                    and points["x"].iloc[-1] == THIS_MONDAY and abs(points["value"].iloc[-1] - expected) < 1e-9
                )

            def banner_saved(e=entry) -> bool:
                return str(e.query_one("#week-banner", Static).render()).startswith("Saved week")

            started = time.perf_counter()
            if pilot_waits:
                await pilot.press("ctrl+s")
                await until(pilot, banner_saved)
                out["banner"].append(time.perf_counter() - started)
                escaped = time.perf_counter()
                painted["renders"] = chart.renders
                await pilot.press("escape")
                await until(pilot, shows_new_week)
                out["chart"].append(time.perf_counter() - started)
                out["escape"].append(time.perf_counter() - escaped)
            else:
                save_press = asyncio.create_task(pilot.press("ctrl+s"))
                await poll(banner_saved)
                out["banner"].append(time.perf_counter() - started)
                if read_pause:
                    await asyncio.sleep(read_pause)  # the user reads the banner before pressing Esc
                escaped = time.perf_counter()
                painted["renders"] = chart.renders
                escape_press = asyncio.create_task(pilot.press("escape"))
                await poll(shows_new_week)
                out["chart"].append(time.perf_counter() - started)
                out["escape"].append(time.perf_counter() - escaped)
                await save_press
                await escape_press
            await pilot.pause()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pilot-waits", action="store_true", help="await each Pilot.press before checking")
    parser.add_argument("--read-pause", type=float, default=0.0,
                        help="seconds between the banner and Esc (a user reading it); the chart is built beneath meanwhile")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rrp-bench-chart-"))
    try:
        db = folder / "demo.sqlite"
        subprocess.run([sys.executable, "-m", "rrp", "demo", "--wards", str(args.wards), "--weeks", str(args.weeks),
                        "--end", "2026-11-16", "--no-tui", "--db", str(db)], check=True, capture_output=True)
        t = asyncio.run(measure(db, args.repeat, args.pilot_waits, args.read_pause))
        ms = lambda xs: f"median {statistics.median(xs) * 1000:6.0f} ms (min {min(xs) * 1000:.0f}, max {max(xs) * 1000:.0f})"  # noqa: E731
        how = "each Pilot.press awaited" if args.pilot_waits else "presses as tasks, clock stops on screen"
        if args.read_pause:
            how += f", Esc {args.read_pause:g} s after the banner"
        print(f"{args.wards:,} wards x {args.weeks} weeks, {args.repeat} saves from the huddle ({how}):")
        print(f"home h -> huddle chart painted (first open)     {t['open'][0] * 1000:6.0f} ms")
        print(f"ctrl+s -> 'Saved week' banner                   {ms(t['banner'])}")
        print(f"ctrl+s -> escape -> huddle chart with the week  {ms(t['chart'])} (goal: under 100 ms)")
        print(f"  of which escape -> chart                      {ms(t['escape'])}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
