"""Pilot tests: go to a chosen week, the "are you sure?" on unusual values, a correction's
reason, deleting a week and reading its history, from the keyboard; database and screen asserted.
The keystroke counts quoted in the README and the closing note are pinned here."""

from __future__ import annotations

import datetime as dt

from pilot import until

from rrp.store import Store

WARD = "NVT-ASH"
#: The app's today is Wednesday 18 Nov: the week of 9 Nov ended and was saved (by the demo) after
#: it ended, so it is confirmed and a change to it is a correction. The week in progress (16 Nov)
#: is provisional: keeping it up to date asks no reason.
CONFIRMED = dt.date(2026, 11, 9)


def _store(db) -> Store:
    return Store(db, create=False)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def open_week_form(pilot, app, ward: str = WARD, week: dt.date | None = None):
    await until(pilot, lambda: app.store is not None)
    app.open_screen("week_entry", ward_code=ward, **({"week_start": week} if week else {}))
    await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)


async def test_f5_goes_to_the_week_containing_a_typed_date(demo_db, make_app):
    app = make_app(demo_db)
    wanted = dt.date(2026, 3, 2)
    expected = _store(demo_db).weekly.week(WARD, wanted)
    assert expected is not None
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app)
        form = app.screen
        assert form.week_start != wanted
        keys = ["f5", *"04/03/2026", "enter"]  # a Wednesday: its week starts Monday 2 March
        await pilot.press(keys[0])
        await until(pilot, lambda: type(app.screen).__name__ == "GoToWeekScreen")
        await pilot.press(*keys[1:])
        await until(pilot, lambda: app.screen is form and form.week_start == wanted and form.stored is not None)
        assert len(keys) == 12
        assert form.form_values()["restraint"] == str(expected.counts.restraint)
        assert "week starting Mon 2 Mar 2026" in _text(app, "#week-title")


async def test_f5_refuses_a_date_that_is_not_one_or_not_yet_begun(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app)
        form = app.screen
        before = form.week_start
        await pilot.press("f5")
        await until(pilot, lambda: type(app.screen).__name__ == "GoToWeekScreen")
        await pilot.press(*"31/02/2026", "enter")
        await until(pilot, lambda: "is not a date" in _text(app, "#e-goto"))
        assert type(app.screen).__name__ == "GoToWeekScreen"  # still asking, never silent
        await pilot.press(*["backspace"] * 10, *"2026-12-01", "enter")
        await until(pilot, lambda: "has not begun" in _text(app, "#e-goto"))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is form)
        assert form.week_start == before


async def test_f5_with_unsaved_changes_asks_first(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app)
        form = app.screen
        before = form.week_start
        await pilot.press("9")  # replaces the selected restraint count: unsaved
        await pilot.press("f5")
        await until(pilot, lambda: type(app.screen).__name__ == "GoToWeekScreen")
        await pilot.press(*"02/03/2026", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert form.week_start == before and form.form_values()["restraint"] == "9"


def _audit(db, ward: str, week: dt.date) -> list[dict]:
    from rrp.store import audit

    return audit.history(_store(db).database, "weekly", f"{ward}/{week.isoformat()}")


async def test_an_unusual_value_asks_are_you_sure_and_saves_only_on_y(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app, week=CONFIRMED)
        form = app.screen
        week, before = form.week_start, form.stored
        assert before is not None and before.counts.restraint < 100
        await pilot.press(*"500", "ctrl+s")  # a slipped key: 500 restraints on a 20-bed ward
        await until(pilot, lambda: type(app.screen).__name__ == "SureScreen")
        question = _text(app, "#confirm-question")
        assert "Are you sure?" in question and "Restraints 500 is far outside this ward's usual range" in question
        assert "a week over the" in question  # the usual range is named
        await pilot.press("enter")  # Enter alone never waves an unusual value through
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "SureScreen"
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form and not form.saving)
        assert "Not saved: check restraints" in _text(app, "#week-banner")
        assert form.focused is form.query_one("#f-restraint") and form.form_values()["restraint"] == "500"
        assert _store(demo_db).weekly.week(WARD, week).counts.restraint == before.counts.restraint
        await pilot.press("ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "SureScreen")
        await pilot.press("y")
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")  # a correction: why?
        await pilot.press(*"ward census", "enter")
        await until(pilot, lambda: _store(demo_db).weekly.week(WARD, week).counts.restraint == 500)
        await until(pilot, lambda: app.screen is form and not form.saving)
    last = _audit(demo_db, WARD, week)[-1]
    assert last["action"] == "update" and last["after"]["reason"] == "ward census" and last["who"] == "nurse"


async def test_a_usual_new_week_is_saved_without_questions(demo_db, make_app):
    store = _store(demo_db)
    week = dt.date(2026, 11, 9)
    stored = store.weekly.week(WARD, week)
    store.weekly.delete(WARD, week, reason="test set-up", expected_version=stored.version)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app, week=week)
        c = stored.counts
        await pilot.press(*str(c.restraint), "tab", *str(c.prone_restraint), "tab", *str(c.seclusion), "tab",
                          *str(c.rapid_tranquillisation), "tab", "ctrl+s")
        await until(pilot, lambda: _store(demo_db).weekly.week(WARD, week) is not None)
        assert type(app.screen).__name__ == "WeekEntryScreen"
    assert _audit(demo_db, WARD, week)[-1]["action"] == "insert"


async def test_f8_deletes_the_week_with_a_reason_after_are_you_sure(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app)
        form = app.screen
        week = form.week_start
        assert form.stored is not None and "F8 delete" in _text(app, "#week-state")
        await pilot.press("f8")
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")
        await pilot.press("enter")  # no reason: refused beside the box, still asking
        await until(pilot, lambda: "Say why the week is deleted" in _text(app, "#e-reason"))
        await pilot.press(*"Pt 9434765919", "enter")  # an NHS number never gets into the audit
        await until(pilot, lambda: "NHS number" in _text(app, "#e-reason"))
        await pilot.press(*["backspace"] * 13, *"wrong ward", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "Delete the week of" in _text(app, "#confirm-question")
        await pilot.press("n")  # not sure: nothing deleted
        await until(pilot, lambda: app.screen is form)
        assert _store(demo_db).weekly.week(WARD, week) is not None
        keys = ["f8", *"wrong ward", "enter", "y"]
        await pilot.press(keys[0])
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")
        await pilot.press(*keys[1:-1])
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press(keys[-1])
        await until(pilot, lambda: _store(demo_db).weekly.week(WARD, week) is None)
        await until(pilot, lambda: app.screen is form and form.stored is None and form.week_start == week)
        assert len(keys) == 13  # deleting a week, from the week form: F8, the reason, Enter, y
        assert "Not entered yet" in _text(app, "#week-state") and form.deleted_weeks == [week]
    last = _audit(demo_db, WARD, week)[-1]
    assert last["action"] == "delete" and last["after"] == {"reason": "wrong ward"} and last["who"] == "nurse"
    assert not any("9434765919" in str(row) for row in _audit(demo_db, WARD, week))


async def test_f8_on_a_week_not_saved_says_there_is_nothing_to_delete(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app, week=dt.date(2026, 11, 9))
        store = _store(demo_db)
        stored = store.weekly.week(WARD, dt.date(2026, 11, 9))
        store.weekly.delete(WARD, dt.date(2026, 11, 9), reason="set-up", expected_version=stored.version)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.screen.stored is None)
        await pilot.press("f8")
        await until(pilot, lambda: any("nothing to delete" in n.message for n in app._notifications))
        assert type(app.screen).__name__ == "WeekEntryScreen"


async def test_f6_shows_who_when_what_and_why_in_uk_time(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app, week=CONFIRMED)
        form = app.screen
        week = form.week_start
        old = form.stored.counts.seclusion
        await pilot.press("tab", "tab", *str(old + 1), "ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")
        await pilot.press(*"[b]late[/b] report", "enter")  # shown as typed, never as markup
        await until(pilot, lambda: _store(demo_db).weekly.week(WARD, week).counts.seclusion == old + 1)
        await until(pilot, lambda: app.screen is form and not form.saving)
        await pilot.press("f6")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekHistoryScreen" and app.screen.lines)
        text = _text(app, "#history-text")
        lines = text.splitlines()
        # Newest first: the correction (the app's clock: 09:00 UTC on 18 Nov is 09:00 GMT), then the entry.
        assert lines[0] == "18 Nov 2026 09:00  nurse  corrected"
        assert f"    Seclusions: {old} -> {old + 1}" in lines and "    Why: [b]late[/b] report" in lines
        assert lines[-1].startswith("Before that: loaded in bulk")  # the demo's weeks are generated
        assert "2026-11-18" not in text and "T09:00" not in text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is form)


async def test_keystrokes_to_correct_a_week_with_a_reason_from_home(demo_db, make_app):
    """From the home screen: Enter opens the ward's week (the week in progress, provisional: no
    correction), PgUp to last week (confirmed), a new count over the old one, Ctrl+S, the reason,
    Enter: 9 keystrokes with a 4-letter reason."""
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        ward = app.screen.selected_ward()
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
        form = app.screen
        assert form.week_start == CONFIRMED + dt.timedelta(weeks=1)  # this week, in progress
        await pilot.press("pageup")
        await until(pilot, lambda: form.week_start == CONFIRMED and form.stored is not None)
        week, before = form.week_start, form.stored.counts.restraint  # saved after it ended: a correction
        new = (before + 1) % 10
        keys = ["enter", "pageup", str(new), "ctrl+s", *"typo", "enter"]
        await pilot.press(*keys[2:4])
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")
        await pilot.press(*keys[4:])
        await until(pilot, lambda: _store(demo_db).weekly.week(ward, week).counts.restraint == new)
        assert len(keys) == 9
    assert _audit(demo_db, ward, week)[-1]["after"]["reason"] == "typo"


async def test_keystrokes_to_log_last_week_from_home(demo_db, make_app):
    """Last week missing: from the home screen Enter opens it, four counts with Tab between them
    (bed days pre-filled from the week before), Ctrl+S: 10 keystrokes."""
    last_week = dt.date(2026, 11, 9)  # the app's today is Wednesday 18 Nov
    store = _store(demo_db)
    store.preferences.set("last_ward", WARD)
    stored = store.weekly.week(WARD, last_week)
    store.weekly.delete(WARD, last_week, reason="test set-up", expected_version=stored.version)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        assert app.screen.selected_ward() == WARD
        keys = ["enter", "2", "tab", "1", "tab", "0", "tab", "1", "tab", "ctrl+s"]
        await pilot.press(keys[0])
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
        assert app.screen.week_start == last_week
        await pilot.press(*keys[1:])
        await until(pilot, lambda: _store(demo_db).weekly.week(WARD, last_week) is not None)
        assert len(keys) == 10
    c = _store(demo_db).weekly.week(WARD, last_week).counts
    assert (c.restraint, c.prone_restraint, c.seclusion, c.rapid_tranquillisation) == (2, 1, 0, 1)
    assert c.occupied_bed_days == _store(demo_db).weekly.latest_bed_days(WARD, last_week)


async def test_f1_on_the_week_form_lists_the_keys_the_footer_leaves_out(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week_form(pilot, app)
        shown = {b.key for b in type(app.screen).BINDINGS if b.show}
        assert {"f8", "ctrl+g"}.isdisjoint(shown) and {"f5", "f6", "ctrl+r"} <= shown  # 80 columns
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        text = str(app.screen.query_one("#help-text").render())
        for line in ("Go to the week containing a date you type", "This week's history: who changed what",
                     "Delete this week (entered by mistake), with a reason", "Go to the latest missing week",
                     "Reload this week as saved", "asks 'are you sure?'"):
            assert line in text


async def test_the_data_screen_warns_of_an_unusual_week_in_an_import(demo_db, make_app, tmp_path):
    week = dt.date(2026, 11, 9)
    c = _store(demo_db).weekly.week(WARD, week).counts
    slip = tmp_path / "slip.csv"
    slip.write_text(
        "ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,occupied_bed_days\n"
        f"{WARD},{week},500,{c.prone_restraint},{c.seclusion},{c.rapid_tranquillisation},{c.occupied_bed_days}\n",
        encoding="utf-8",
    )
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await pilot.press("i")
        await until(pilot, lambda: type(app.screen).__name__ == "DataIoScreen")
        screen = app.screen
        screen.query_one("#import-path").value = str(slip)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: screen.busy is None and "Checking" not in _text(app, "#import-status"))
        text = " ".join(_text(app, "#import-status").split())
        assert f"note: unusual, imported as given (check it): {WARD} week of 9 Nov 2026: Restraints 500 is far" in text
        await pilot.press("ctrl+s")  # a warning, never a refusal
        await until(pilot, lambda: _store(demo_db).weekly.week(WARD, week).counts.restraint == 500)
