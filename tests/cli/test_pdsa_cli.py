"""`rrp pdsa list`: cycles named by the ramp label the PDSA list screen shows."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from rrp.cli import main
from rrp.store import Store

WARD = "SCP-ELM"  # two ramps on one ward: two different cycles numbered 1


def test_pdsa_list_names_each_cycle_by_its_ramp_label(demo_db) -> None:
    store = Store(demo_db, create=False)
    try:
        rows = store.pdsa.summaries(today=dt.date(2026, 11, 18), ward_code=WARD)
    finally:
        store.close()
    labels = [row.ramp_label for row in rows]
    assert len(set(labels)) == len(labels) > 1  # unique on the ward, as the screen shows them
    result = CliRunner().invoke(
        main, ["pdsa", "list", "--ward", WARD, "--db", str(demo_db), "--today", "2026-11-18"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    cells = [line.split("│")[2].strip() for line in result.output.splitlines() if line.count("│") > 3]
    assert sorted(label for label in cells if label) == sorted(labels)
