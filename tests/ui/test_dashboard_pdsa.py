"""Pilot: the dashboard's PDSA tab agrees with the PDSA list and the huddle (rrp.models.pdsa's
running / due for Study / done rules): a cycle done early counts as completed in the month it was
marked done, every month is shown (empty ones too), and each ward's cycles due for Study are a
column. Keys in (c, F4 to the tab); the screen and the database asserted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pilot import until
from rich.console import Console

from rrp.models.pdsa import ActDecision, PdsaCycle, PdsaStatus
from rrp.store import Store

TODAY = dt.date(2026, 11, 18)  # the tests' app day (tests/conftest.py)
WARD = "NVT-ASH"


def done_early(db: Path) -> str:
    """A cycle on Ash Ward planned to run to 20 Dec, marked done on 17 Nov: its id."""
    now = ["2026-11-02T09:00:00Z"]
    store = Store(db, create=False, who="nurse", clock=lambda: now[0])
    try:
        cycle = store.pdsa.create(
            PdsaCycle.model_validate(
                {"ward_code": WARD, "change_idea_code": "HUDDLE", "title": "Huddle at 10:00", "scale": 1,
                 "planned_start": "2026-11-02", "planned_end": "2026-12-20", "status": "studying",
                 "predictions": "fewer", "results": "4 of 5"}
            ),
            today=dt.date(2026, 11, 2),
        )
        now[0] = "2026-11-17T10:00:00Z"
        store.pdsa.save(
            cycle.cycle.model_copy(update={"status": PdsaStatus.DONE, "act_decision": ActDecision.ADOPT}),
            expected_version=1, today=TODAY,
        )
        return cycle.cycle.id
    finally:
        store.close()


def rendered(widget, width: int = 118) -> str:
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.content)  # the rich renderable the widget shows
    return console.export_text()


async def test_pdsa_tab_counts_done_when_marked_done_shows_every_month_and_due_for_study(demo_db, make_app):
    cycle_id = done_early(demo_db)
    store = Store(demo_db, create=False)
    # The PDSA list's view: when each cycle ended, and the cycles due for Study (the huddle's).
    listed = store.pdsa.summaries(today=TODAY)
    # (Done by today: a demo cycle that arrived done is dated by its planned end, some after today.)
    ended_in_november = [s for s in listed if s.ended_on and dt.date(2026, 11, 1) <= s.ended_on <= TODAY]
    due_by_ward = {w.code: len(store.pdsa.due_for_study(w.code, TODAY)) for w in store.registry.wards()}
    store.close()
    assert cycle_id in {s.cycle.id for s in ended_in_november}
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await pilot.press("c")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.view is not None)
        for _ in range(4):  # Wards -> Aggregate -> Completeness -> Funnel -> PDSA
            await pilot.press("f4")
        screen = app.screen
        await until(pilot, lambda: screen.query_one("#dash-tabs").active == "tab-pdsa")
        view = screen.view
        months = [m for m, _, _ in view.pdsa_monthly]
        # Every month from the first with activity to this one: no gaps.
        assert months[-1] == dt.date(2026, 11, 1)
        for earlier, later in zip(months, months[1:], strict=False):
            assert (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month) == 1
        november = next(c for m, _, c in view.pdsa_monthly if m == dt.date(2026, 11, 1))
        assert november == len(ended_in_november)  # as the PDSA list dates them
        assert {r.ward_code: r.pdsa_due_for_study for r in view.rows} == {
            code: n for code, n in due_by_ward.items() if code in {r.ward_code for r in view.rows}
        }
        text = rendered(screen.query_one("#dash-pdsa"))
        assert "Due for Study" in text and "Nov 2026" in text
        rows = [line.split()[:4] for line in text.splitlines() if line.strip()[:3] in {"Aug", "Sep", "Oct", "Nov"}]
        assert ["Sep", "2026", "0", "0"] in rows  # the demo starts no cycle and ends none in September
        assert ["Nov", "2026", str(next(s for m, s, _ in view.pdsa_monthly if m == dt.date(2026, 11, 1))),
                str(november)] in rows
