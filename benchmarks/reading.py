"""Does reading the chart out in words slow the huddle? huddle_summary with and without it.

    .venv/bin/python benchmarks/reading.py                 # 19 wards x 104 weeks (the demo)
    .venv/bin/python benchmarks/reading.py --weeks 260     # five years a ward

Builds a synthetic collaborative in a temporary database, reads each ward's weeks once, then
times `huddle_summary` for every ward and chart type (run, XmR, u) with the reading and with
`chart_reading` replaced by a stub, alternating the two (and which goes first) so machine load
falls on both alike.
Prints, per chart type, the median over --repeat rounds of the per-ward time, and the time of
`chart_reading` alone. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 18)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=19)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import rrp.reports.huddle as huddle
    from rrp.reports.reading import chart_reading, rate_unit
    from rrp.store import Store
    from rrp.synthetic import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite", who="bench")
        build_demo(store, wards=args.wards, weeks=args.weeks, end=TODAY - dt.timedelta(days=TODAY.weekday()))
        weekly = store.weekly.frame()
        store.close()
    frames = {code: part for code, part in weekly.groupby("ward_code")}
    real = huddle.chart_reading

    def stub(*_args, **_kwargs) -> list[str]:
        return []

    def per_ward(chart: str) -> float:
        started = time.perf_counter()
        for code, frame in frames.items():
            huddle.huddle_summary(frame, today=TODAY, chart=chart, ward_code=code)
        return (time.perf_counter() - started) / len(frames) * 1000

    print(f"{len(frames)} wards x {args.weeks} weeks; median of {args.repeat} rounds, ms per ward")
    for chart in huddle.HUDDLE_CHARTS:
        with_reading, without = [], []
        for i in range(args.repeat):
            # Which goes first alternates, so neither gains from the other warming the caches.
            for reading in ((True, False) if i % 2 else (False, True)):
                huddle.chart_reading = real if reading else stub
                (with_reading if reading else without).append(per_ward(chart))
        huddle.chart_reading = real
        a, b = statistics.median(with_reading), statistics.median(without)
        print(f"  {chart:4} with reading {a:6.3f}  without {b:6.3f}  difference {a - b:+6.3f}")

    code, frame = next(iter(frames.items()))
    summary = huddle.huddle_summary(frame, today=TODAY, chart="u", ward_code=code)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for _ in range(100):
            chart_reading(summary.result, label="Restraint", unit=rate_unit(1000), aim=30.0)
        times.append((time.perf_counter() - started) / 100 * 1000)
    print(f"  chart_reading alone (u chart, {len(summary.result.points)} points): {statistics.median(times):.3f} ms")


if __name__ == "__main__":
    main()
