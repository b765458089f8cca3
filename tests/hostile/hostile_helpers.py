"""Helpers for the hostile-file tests: a registry database, its fingerprint, the CLI measured."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from measured import MEASURED

from rrp.models.registry_file import parse_registry
from rrp.paths import DATA_DIR
from rrp.store import Store

TODAY = dt.date(2026, 11, 23)
TABLES = ("provider", "ward", "weekly", "pdsa_cycle", "progress_score", "annotation", "change_idea", "audit")


def make_database(path: Path) -> Path:
    """The shipped registry and change package, the corpus key enrolled for NVT, no weekly data."""
    from hostile_corpus import corpus_public_key

    from rrp.store.change_package import load_shipped_change_package

    store = Store(path, who="test")
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    load_shipped_change_package(store)
    store.keys.enrol("NVT", corpus_public_key())
    store.close()
    return path


def fingerprint(path: Path) -> dict[str, int]:
    """Row counts of every table an import could touch (what 'unchanged' means here)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()




def rrp_measured(*args: str, timeout: float = 120) -> tuple[int, str, float]:
    """(exit code, stderr without the measurement, peak RSS growth in MB) of `rrp ARGS`."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"},
    )
    lines = result.stderr.rstrip().splitlines()
    growth = float(lines[-1].split("=")[1])
    return result.returncode, "\n".join(lines[:-1]), growth


_MEASURED_MANY = r"""
import json, resource, sys
from rrp.cli import main
runs = json.loads(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = []
for args in runs:
    try:
        main(args, standalone_mode=True)
    except SystemExit as exc:
        codes.append(exc.code if isinstance(exc.code, int) else 1)
    else:
        codes.append(0)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"codes": codes, "growth_mb": (after - before) / 1024}))
"""


def rrp_many_measured(runs: list[list[str]], timeout: float = 300) -> tuple[list[int], float]:
    """Exit codes of several `rrp ARGS` runs in one child, and the child's peak RSS growth over all.

    Peak RSS only grows, so the growth over all runs bounds the growth of each one.
    """
    import json

    result = subprocess.run(
        [sys.executable, "-c", _MEASURED_MANY, json.dumps(runs)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"},
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["codes"], report["growth_mb"]
