"""`rrp import weekly` and `rrp export weekly` of a whole collaborative against pandas' own CSV I/O.

    .venv/bin/python benchmarks/import_export.py                      # 2,000 wards x 260 weeks
    .venv/bin/python benchmarks/import_export.py --wards 50 --weeks 52  # smoke (make bench)

Each rrp command runs as a user runs it (a fresh `python -m rrp` process, start-up included); pandas
reads and writes the same file in this process. Prints figures; asserts nothing. The goal is at
most 1.5x pandas.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Runs the rrp command line and prints its own peak RSS (KB) as the last line of stderr.
_MEASURED = (
    "import resource, sys\n"
    "from rrp.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:], standalone_mode=True)\n"
    "finally:\n"
    "    sys.stderr.write(f'\\nPEAK_RSS_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
)


def rrp(*args: str) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one rrp command in a fresh process (start-up included).

    The RSS is the command's own (RUSAGE_SELF in the child), not the maximum over every child
    this script has run, which is what RUSAGE_CHILDREN would give.
    """
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    stderr, _, peak = result.stderr.rpartition("PEAK_RSS_KB=")
    if result.returncode != 0:
        raise SystemExit(f"rrp {' '.join(args)} failed: {stderr}")
    return elapsed, int(peak.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    args = parser.parse_args()
    import pandas as pd

    folder = Path(tempfile.mkdtemp(prefix="rrp-bench-io-"))
    try:
        db = folder / "demo.sqlite"
        subprocess.run([sys.executable, "-m", "rrp", "demo", "--wards", str(args.wards), "--weeks", str(args.weeks),
                        "--no-tui", "--db", str(db)], check=True, capture_output=True)
        csv_path = folder / "weekly.csv"
        export_s, export_mb = rrp("export", "weekly", str(csv_path), "--db", str(db))
        started = time.perf_counter()
        frame = pd.read_csv(csv_path, encoding="utf-8-sig")
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        frame.to_csv(folder / "pandas.csv", index=False)
        write_s = time.perf_counter() - started
        rows = len(frame)
        del frame

        empty = folder / "empty.sqlite"
        shutil.copyfile(db, empty)
        conn = sqlite3.connect(empty)
        conn.execute("DELETE FROM weekly")
        conn.execute("DELETE FROM audit WHERE table_name = 'weekly'")
        conn.commit()
        conn.close()
        import_s, import_mb = rrp("import", "weekly", str(csv_path), "--db", str(empty))
        again_s, again_mb = rrp("import", "weekly", str(csv_path), "--db", str(empty))
        dry_s, dry_mb = rrp("import", "weekly", str(csv_path), "--db", str(empty), "--dry-run")

        print(f"weekly rows: {rows:,} ({args.wards} wards x {args.weeks} weeks), file {csv_path.stat().st_size / 1e6:.1f} MB")
        print(f"rrp export weekly              {export_s:7.2f} s  (peak RSS {export_mb:,.0f} MB)")
        print(f"pandas to_csv (same rows)      {write_s:7.2f} s  -> {export_s / write_s:.1f}x")
        print(f"rrp import weekly (all new)    {import_s:7.2f} s  (peak RSS {import_mb:,.0f} MB)")
        print(f"rrp import weekly (unchanged)  {again_s:7.2f} s  (peak RSS {again_mb:,.0f} MB)")
        print(f"rrp import weekly --dry-run    {dry_s:7.2f} s  (peak RSS {dry_mb:,.0f} MB)")
        print(f"pandas read_csv (same file)    {read_s:7.2f} s  -> {import_s / read_s:.1f}x (goal: at most 1.5x)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
