"""The PostgreSQL load benchmark, small: writers, dashboard readers and killed clients at once.

benchmarks/pg_load.py checks what matters itself (0 lost writes, 0 errors, every write audited
once, no batch half-written by a client killed with SIGKILL) and exits 1 otherwise; here it runs
with a few clients so the suite stays quick. `make bench-pg` runs it at full size (50 + 10).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "pg_load.py"


def test_writers_readers_and_killed_clients_lose_nothing(pg_url: str) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "--url", pg_url, "--writers", "6", "--readers", "2", "--killed", "2",
         "--weeks", "4", "--reads", "1", "--timeout", "240"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("lost writes: 0", "errors: 0", "writes without exactly one audit row: 0",
                 "batches half-written by a killed client: 0"):
        assert line in result.stdout, result.stdout
    assert "2 of 2 batch writers killed mid-write" in result.stdout, result.stdout
