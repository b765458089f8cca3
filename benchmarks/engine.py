"""Benchmark the SPC engine against reading the data it needs from SQLite.

Generates synthetic weekly data (seeded), writes it to a temporary SQLite file, then times
(1) reading it back with pandas.read_sql and (2) computing every ward's u chart and XmR chart
(rules and icons) with compute_charts. Prints plain figures and the ratio compute / read
(goal: at most 2).

    python benchmarks/engine.py                      # 2,000 wards x 260 weeks
    python benchmarks/engine.py --wards 50 --weeks 60  # quick smoke run
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rrp.reports.spc import compute_charts  # noqa: E402

MEASURES = ("restraint", "seclusion", "rapid_tranquillisation", "prone_restraint")


def synthetic(wards: int, weeks: int, seed: int = 20240101) -> pd.DataFrame:
    """Weekly counts for `wards` wards over `weeks` weeks, with some wards improving."""
    rng = np.random.default_rng(seed)
    ward_codes = np.array([f"W{i:05d}" for i in range(wards)])
    starts = pd.date_range("2019-01-07", periods=weeks, freq="7D").strftime("%Y-%m-%d").to_numpy()
    beds = rng.integers(10, 25, wards)
    obd = np.clip(
        np.rint(beds[:, None] * 7 * rng.uniform(0.8, 1.0, (wards, weeks))), 1, None
    ).astype(np.int64)
    base_rate = rng.gamma(2.0, 0.015, wards)[:, None]
    improving = (rng.random(wards) < 0.3)[:, None]
    trend = np.where(improving, np.linspace(1.0, 0.6, weeks)[None, :], 1.0)
    restraint = rng.poisson(obd * base_rate * trend)
    frame = pd.DataFrame(
        {
            "ward_code": np.repeat(ward_codes, weeks),
            "week_start": np.tile(starts, wards),
            "restraint": restraint.ravel(),
            "seclusion": rng.poisson(obd * base_rate * 0.3).ravel(),
            "rapid_tranquillisation": rng.poisson(obd * base_rate * 0.5).ravel(),
            "prone_restraint": rng.binomial(restraint, 0.2).ravel(),
            "occupied_bed_days": obd.ravel(),
        }
    )
    return frame


def write_sqlite(frame: pd.DataFrame, path: str) -> None:
    """The weekly table, written with the sqlite3 standard library."""
    con = sqlite3.connect(path)
    try:
        con.execute(
            "CREATE TABLE weekly(ward_code TEXT, week_start TEXT, restraint INT, seclusion INT,"
            " rapid_tranquillisation INT, prone_restraint INT, occupied_bed_days INT)"
        )
        con.executemany(
            "INSERT INTO weekly VALUES (?, ?, ?, ?, ?, ?, ?)",
            frame.itertuples(index=False, name=None),
        )
        con.commit()
    finally:
        con.close()


def best_of(fn, repeat: int) -> tuple[float, object]:
    """Fastest wall time of `repeat` runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    frame = synthetic(args.wards, args.weeks)
    fd, path = tempfile.mkstemp(suffix=".sqlite")
    os.close(fd)
    try:
        write_sqlite(frame, path)

        def read() -> pd.DataFrame:
            con = sqlite3.connect(path)
            try:
                return pd.read_sql("SELECT * FROM weekly", con)
            finally:
                con.close()

        read_s, data = best_of(read, args.repeat)
        assert isinstance(data, pd.DataFrame)

        def compute() -> tuple:
            common = dict(group="ward_code", value="restraint", x="week_start")
            u = compute_charts(
                data, denominator="occupied_bed_days", chart="u", per=1000, target=20.0, **common
            )
            xmr = compute_charts(
                data, denominator="occupied_bed_days", chart="xmr", per=1000, target=20.0, **common
            )
            return u, xmr

        compute_s, (u, xmr) = best_of(compute, args.repeat)
        rows = len(data)
        print(f"wards: {args.wards}")
        print(f"weeks: {args.weeks}")
        print(f"rows: {rows}")
        print(f"read_sql seconds: {read_s:.3f}")
        print(f"compute u + xmr seconds: {compute_s:.3f}")
        print(f"ratio compute/read: {compute_s / read_s:.2f} (goal <= 2)")
        u_points, u_summary = u
        print(f"u charts: {len(u_summary)}; points flagged: {(u_points['rules'] != '').sum()}")
        print(
            "u variation icons: "
            + ", ".join(f"{k} {v}" for k, v in u_summary["variation_icon"].value_counts().items())
        )
    finally:
        os.remove(path)


if __name__ == "__main__":
    main()
