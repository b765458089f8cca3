"""Pilot tests of issue 12's app side: define measures in the measures screen, enter them in
week entry and monthly entry, from the keyboard; the database is checked after each."""

from __future__ import annotations

import datetime as dt
import sqlite3

from pilot import settled, until

from rrp.models.measure import Measure
from rrp.store import Store

#: A Wednesday in the week after the demo's last week (as in test_week_entry).
NEXT_TODAY = dt.date(2026, 11, 30)  # a Monday: the week of 23 Nov has ended and is missing, so Enter opens it
THIS_WEEK = dt.date(2026, 11, 23)
WEEKS = [THIS_WEEK, THIS_WEEK - dt.timedelta(weeks=1), THIS_WEEK - dt.timedelta(weeks=2)]

#: The issue's two measures, as a facilitator types them: (field values in form order, definition).
DEBRIEF = ("debrief_72h", "Incidents debriefed within 72 hours", "Debriefed in 72 h", "process",
           "proportion", "increase", "weekly")
ASSAULTS = ("staff_assaults", "Physical assaults on staff", "Assaults on staff", "balancing",
            "count_per_bed_days", "decrease", "weekly")
#: Tabs from the frequency field to the definition (minimum, maximum, aim, from, to, position).
TABS_TO_DEFINITION = 7


def store(db) -> Store:
    return Store(db, create=False)


async def type_text(pilot, text: str) -> None:
    keys = {" ": "space", "_": "underscore", "-": "minus", ".": "full_stop", "/": "slash"}
    await pilot.press(*(keys.get(c, c) for c in text))


async def home(pilot, app) -> None:
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)


def screen_is(app, name: str) -> bool:
    return type(app.screen).__name__ == name


async def open_measures(pilot, app) -> None:
    await pilot.press("m")
    await until(pilot, lambda: screen_is(app, "MeasuresScreen") and app.screen.rows)


async def add_measure(pilot, app, key: str, fields: tuple[str, ...], definition: str) -> None:
    """In the measures screen: `key` opens the form; type each field, Tab between, save."""
    count = len(app.screen.rows)
    await pilot.press(key)
    await until(pilot, lambda: screen_is(app, "MeasureForm"))
    for value in fields:
        await type_text(pilot, value)
        await pilot.press("tab")
    await pilot.press(*["tab"] * (TABS_TO_DEFINITION - 1))
    await type_text(pilot, definition)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: screen_is(app, "MeasuresScreen") and len(app.screen.rows) == count + 1)


def value_of(db, ward, code, period):
    stored = store(db).measures.value(ward, code, period)
    return None if stored is None else (stored.value.numerator, stored.value.denominator)


async def test_facilitator_adds_the_issues_two_measures_and_a_ward_enters_three_weeks(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        ward = app.screen.selected_ward()
        await open_measures(pilot, app)
        await add_measure(pilot, app, "a", DEBRIEF, "Incidents debriefed with the patient within 72 hours.")
        await add_measure(pilot, app, "a", ASSAULTS, "Patients' physical assaults on staff, from the incident system.")
        await pilot.press("escape")
        await home(pilot, app)

        # Week one (not entered yet): the 4 core counts, then the two measures, one Ctrl+S.
        await pilot.press("enter")
        await until(pilot, lambda: screen_is(app, "WeekEntryScreen") and app.screen.query("#m-staff_assaults"))
        await pilot.press("2", "tab", "1", "tab", "0", "tab", "1", "tab", "tab", "tab")
        assert app.screen.focused.id == "m-debrief_72h"
        await pilot.press("1", "tab", "3", "tab", "2", "ctrl+s")
        await until(pilot, lambda: value_of(demo_db, ward, "staff_assaults", WEEKS[0]) is not None)
        assert value_of(demo_db, ward, "debrief_72h", WEEKS[0]) == (1, 3)
        assert store(demo_db).weekly.week(ward, WEEKS[0]).counts.restraint == 2

        # Two earlier weeks (core counts entered already): the measures only.
        for week, debrief, assaults in ((WEEKS[1], ("2", "2"), "0"), (WEEKS[2], ("0", "4"), "5")):
            await pilot.press("pageup")
            await until(pilot, lambda w=week: app.screen.week_start == w and app.screen.stored is not None)
            await pilot.press(*["tab"] * 6)
            assert app.screen.focused.id == "m-debrief_72h"
            await pilot.press(debrief[0], "tab", debrief[1], "tab", assaults, "ctrl+s")
            await until(pilot, lambda w=week: value_of(demo_db, ward, "staff_assaults", w) is not None)

        # The focused measure's definition is on screen.
        assert "Physical assaults on staff" in str(app.screen.query_one(".measure-definition").render())

    assert [value_of(demo_db, ward, "debrief_72h", w) for w in WEEKS] == [(1, 3), (2, 2), (0, 4)]
    assert [value_of(demo_db, ward, "staff_assaults", w) for w in WEEKS] == [(2, None), (0, None), (5, None)]
    defined = store(demo_db).measures.all()
    assert defined["debrief_72h"].kind == "process" and defined["debrief_72h"].chart == "p"
    assert defined["staff_assaults"].kind == "balancing" and defined["staff_assaults"].chart == "u"
    assert defined["debrief_72h"].definition == "Incidents debriefed with the patient within 72 hours."
    with sqlite3.connect(demo_db) as conn:
        audited = dict(conn.execute(
            "SELECT table_name, count(*) FROM audit WHERE table_name IN ('measure', 'measure_value') "
            "AND who = 'nurse' GROUP BY table_name"
        ).fetchall())
    assert audited == {"measure": 2, "measure_value": 6}


def _add(db, **fields) -> None:
    data = {"kind": "process", "direction": "increase", "frequency": "weekly", "definition": "As defined.", **fields}
    s = Store(db)
    s.measures.save(Measure.model_validate(data), expected_version=None)


async def test_numerator_over_denominator_is_shown_on_the_field_and_kept(demo_db, make_app):
    _add(demo_db, code="debrief_72h", name="Debriefed in 72 hours", recorded_as="proportion")
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        ward = app.screen.selected_ward()
        await pilot.press("enter")
        await until(pilot, lambda: screen_is(app, "WeekEntryScreen") and app.screen.query("#m-debrief_72h"))
        await pilot.press("2", "tab", "1", "tab", "0", "tab", "1", "tab", "tab", "tab", "5", "tab", "3", "ctrl+s")
        await until(pilot, lambda: "Not saved" in str(app.screen.query_one("#week-banner").render()))
        error = str(app.screen.query_one("#me-debrief_72h").render())
        assert error == "numerator (5) cannot exceed denominator (3)"
        assert app.screen.query_one("#m-debrief_72h").value == "5"
        assert app.screen.query_one("#m-debrief_72h-of").value == "3"
        assert app.screen.form_values()["restraint"] == "2"
    # All or nothing: the core counts were not saved either.
    assert store(demo_db).weekly.week(ward, THIS_WEEK) is None
    assert value_of(demo_db, ward, "debrief_72h", THIS_WEEK) is None


async def test_the_core_path_stays_ten_keystrokes_with_measures_switched_on(demo_db, make_app):
    _add(demo_db, code="debrief_72h", name="Debriefed in 72 hours", recorded_as="proportion")
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        ward = app.screen.selected_ward()
        keys = ["enter", "2", "tab", "1", "tab", "0", "tab", "1", "tab", "ctrl+s"]
        await pilot.press(keys[0])
        await until(pilot, lambda: getattr(app.screen, "ward", None) is not None)
        await pilot.press(*keys[1:])
        await until(pilot, lambda: store(demo_db).weekly.week(ward, THIS_WEEK) is not None)
    assert len(keys) == 10
    # Blank is "not entered": no value row, never a zero.
    assert value_of(demo_db, ward, "debrief_72h", THIS_WEEK) is None


async def test_a_wards_own_measure_is_seen_by_that_ward_only(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        ward = app.screen.selected_ward()
        await open_measures(pilot, app)
        await add_measure(pilot, app, "w", ("sensory_room", "Sensory room sessions", "Sensory room", "process",
                                            "count", "increase", "weekly"), "Sessions held in the sensory room.")
        assert app.screen.rows[-1].measure.ward_code == ward
        await pilot.press("escape")
        await home(pilot, app)
        await pilot.press("enter")
        await until(pilot, lambda: screen_is(app, "WeekEntryScreen") and app.screen.query("#m-sensory_room"))
        await pilot.press("escape")
        await home(pilot, app)
        await settled(pilot)  # the home table reads again on return; then move to another ward
        await pilot.press("down")
        other = app.screen.selected_ward()
        assert other != ward
        await open_measures(pilot, app)
        assert "sensory_room" not in [s.measure.code for s in app.screen.rows]
        await pilot.press("escape")
        await home(pilot, app)
        await settled(pilot)
        assert app.screen.selected_ward() == other
        await pilot.press("enter")
        await until(pilot, lambda: screen_is(app, "WeekEntryScreen") and app.screen.ward is not None)
        await settled(pilot)
        assert app.screen.ward.code == other
        assert not app.screen.query("#m-sensory_room")
    stored = store(demo_db).measures.get("sensory_room")
    assert stored.measure.ward_code == ward
    measures = store(demo_db).measures.all()
    assert "sensory_room" not in [m.code for m in measures.active_for(other, THIS_WEEK)]
    assert "sensory_room" in [m.code for m in measures.active_for(ward, THIS_WEEK)]


async def test_switching_a_measure_off_is_saved_and_audited(demo_db, make_app):
    _add(demo_db, code="debrief_72h", name="Debriefed in 72 hours", recorded_as="proportion")
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        await open_measures(pilot, app)
        await pilot.press(*["down"] * (len(app.screen.rows) - 1))
        assert app.screen.selected_code() == "debrief_72h"
        await pilot.press("t")
        await until(pilot, lambda: not store(demo_db).measures.get("debrief_72h").measure.enabled)
    stored = store(demo_db).measures.get("debrief_72h")
    assert stored.version == 2 and stored.updated_by == "nurse"


async def test_a_bad_field_in_the_measure_form_is_named_and_kept(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        await open_measures(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: screen_is(app, "MeasureForm"))
        for value in ("Bad Code", "A name", "", "process", "proportion", "increase", "monthly"):
            await type_text(pilot, value)
            await pilot.press("tab")
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        form = app.screen
        assert screen_is(app, "MeasureForm")
        assert "Measure code 'Bad Code'" in str(form.query_one("#mfe-code").render())
        assert "Definition is required" in str(form.query_one("#mfe-definition").render())
        assert form.query_one("#mf-code").value == "Bad Code"
        assert form.query_one("#mf-name").value == "A name"
    assert store(demo_db).measures.get("Bad Code") is None


async def test_monthly_entry_saves_a_monthly_value(demo_db, make_app):
    _add(demo_db, code="safewards", name="Safewards interventions in place", recorded_as="value",
         frequency="monthly", minimum=0, maximum=10)
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        ward = app.screen.selected_ward()
        await pilot.press("M")
        await until(pilot, lambda: screen_is(app, "MonthEntryScreen") and app.screen.query("#m-safewards"))
        assert app.screen.month == dt.date(2026, 10, 1)  # the last complete month
        await pilot.press("1", "1", "ctrl+s")
        await until(pilot, lambda: "above" in str(app.screen.query_one("#me-safewards").render()))
        await pilot.press("backspace", "ctrl+s")
        await until(pilot, lambda: value_of(demo_db, ward, "safewards", dt.date(2026, 10, 1)) is not None)
        await pilot.press("pageup")
        await until(pilot, lambda: app.screen.month == dt.date(2026, 9, 1))
        assert app.screen.query_one("#m-safewards").value == ""
    assert value_of(demo_db, ward, "safewards", dt.date(2026, 10, 1)) == (1, None)


async def test_a_stale_measure_edit_is_refused_with_who_and_when_and_kept(demo_db, make_app):
    _add(demo_db, code="debrief_72h", name="Debriefed in 72 hours", recorded_as="proportion")
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        await open_measures(pilot, app)
        await pilot.press(*["down"] * (len(app.screen.rows) - 1), "enter")
        await until(pilot, lambda: screen_is(app, "MeasureForm"))
        # Someone else saves the measure while the form is open.
        other = Store(demo_db, who="facilitator")
        current = other.measures.get("debrief_72h")
        other.measures.save(current.measure.model_copy(update={"label": "Theirs"}), expected_version=current.version)
        await pilot.press("end")
        await type_text(pilot, " (mine)")
        await pilot.press("ctrl+s")
        banner = app.screen.query_one("#measure-form-banner")
        await until(pilot, lambda: "Not saved" in str(banner.render()))
        assert "saved by facilitator" in str(banner.render())
        assert app.screen.query_one("#mf-name").value == "Debriefed in 72 hours (mine)"
    assert store(demo_db).measures.get("debrief_72h").measure.name == "Debriefed in 72 hours"


async def test_esc_in_the_measure_form_asks_before_losing_what_was_typed(demo_db, make_app):
    """Esc with nothing typed closes at once; with something typed it asks, as the week and PDSA
    forms do: n keeps the form and the typing, y leaves and nothing is saved."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot, app)
        await open_measures(pilot, app)
        count = len(app.screen.rows)
        await pilot.press("a")
        await until(pilot, lambda: screen_is(app, "MeasureForm"))
        await pilot.press("escape")  # nothing typed: closed, no question
        await until(pilot, lambda: screen_is(app, "MeasuresScreen"))
        await pilot.press("a")
        await until(pilot, lambda: screen_is(app, "MeasureForm"))
        form = app.screen
        await type_text(pilot, "calm_box")
        await pilot.press("escape")
        await until(pilot, lambda: screen_is(app, "ConfirmScreen"))
        assert "unsaved changes to this measure" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert form.query_one("#mf-code").value == "calm_box"  # kept
        await pilot.press("escape")
        await until(pilot, lambda: screen_is(app, "ConfirmScreen"))
        await pilot.press("y")
        await until(pilot, lambda: screen_is(app, "MeasuresScreen"))
        assert len(app.screen.rows) == count
    assert store(demo_db).measures.get("calm_box") is None
