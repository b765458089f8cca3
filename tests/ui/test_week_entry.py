"""Pilot tests: log and correct a week from the keyboard, then check the database."""

from __future__ import annotations

import datetime as dt
import re

from pilot import confirm_week, settled, until

from rrp.models.week_status import WeekState
from rrp.store import Store

#: A Tuesday two weeks after the demo's last week: last week (THIS_WEEK, the one Enter opens) has
#: ended and is not entered yet.
NEXT_TODAY = dt.date(2026, 12, 1)
THIS_WEEK = dt.date(2026, 11, 23)


def stored(db, ward, week=THIS_WEEK):
    return Store(db, create=False).weekly.week(ward, week)


async def open_entry(pilot, app):
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)


async def type_counts(pilot, *values: str):
    for value in values:
        await pilot.press(*value, "tab")


async def test_log_this_weeks_counts_in_ten_keystrokes(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        first_ward = app.screen.selected_ward()
        keys = ["enter", "2", "tab", "1", "tab", "0", "tab", "1", "tab", "ctrl+s"]
        await pilot.press(keys[0])
        await until(pilot, lambda: getattr(app.screen, "ward", None) is not None)
        await pilot.press(*keys[1:])
        await until(pilot, lambda: stored(demo_db, first_ward) is not None)
        assert len(keys) == 10
    saved = stored(demo_db, first_ward)
    c = saved.counts
    assert (c.restraint, c.prone_restraint, c.seclusion, c.rapid_tranquillisation) == (2, 1, 0, 1)
    # Bed days were pre-filled from the ward's previous week.
    previous = Store(demo_db, create=False).weekly.latest_bed_days(first_ward, THIS_WEEK)
    assert c.occupied_bed_days == previous
    assert saved.updated_by == "nurse" and saved.version == 1
    assert Store(demo_db, create=False).preferences.get("last_ward") == first_ward


async def test_the_last_ward_used_is_remembered(demo_db, make_app):
    Store(demo_db).preferences.set("last_ward", "NVT-CEDAR")
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        assert app.screen.selected_ward() == "NVT-CEDAR"


async def test_bad_input_shows_beside_the_field_and_keeps_everything(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(pilot, app)
        ward = app.screen.ward
        await type_counts(pilot, "3", "5", "0", "0")
        await pilot.press("ctrl+a", "ctrl+k", *str(ward.max_bed_days + 1), "ctrl+s")
        await pilot.pause(0.2)
        screen = app.screen
        errors = {name: str(screen.query_one(f"#e-{name}").render()) for name in ("prone_restraint", "occupied_bed_days")}
        assert errors["prone_restraint"] == "Prone restraints (5) cannot exceed restraints (3)"
        assert f"cannot exceed beds x 7 ({ward.max_bed_days}" in errors["occupied_bed_days"]
        assert "Not saved" in str(screen.query_one("#week-banner").render())
        assert screen.form_values()["restraint"] == "3" and screen.form_values()["prone_restraint"] == "5"
        assert stored(demo_db, ward.code) is None
        # Correct the one field and save: it lands.
        await pilot.click("#f-prone_restraint")
        await pilot.press("ctrl+a", "ctrl+k", "1", "tab", "tab", "tab")
        await pilot.press("ctrl+a", "ctrl+k", *str(ward.max_bed_days), "ctrl+s")
        await until(pilot, lambda: stored(demo_db, ward.code) is not None)
    assert stored(demo_db, ward.code).counts.prone_restraint == 1


async def test_an_nhs_number_in_the_note_is_refused(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(pilot, app)
        ward = app.screen.ward
        await type_counts(pilot, "1", "0", "0", "0", "")
        await pilot.press(*"Pt 9434765919", "ctrl+s")
        await pilot.pause(0.2)
        assert "NHS number" in str(app.screen.query_one("#e-note").render())
        assert stored(demo_db, ward.code) is None


async def test_correct_an_earlier_week(demo_db, make_app):
    # The demo's 16 Nov was saved mid-week; confirmed (saved again on the 23rd), a change is a correction.
    confirm_week(demo_db, THIS_WEEK - dt.timedelta(weeks=1), at="2026-11-23T09:00:00Z")
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(pilot, app)
        ward = app.screen.ward.code
        before = stored(demo_db, ward, THIS_WEEK - dt.timedelta(weeks=1))
        await pilot.press("pageup")
        await until(pilot, lambda: app.screen.week_start == THIS_WEEK - dt.timedelta(weeks=1) and app.screen.stored)
        assert app.screen.form_values()["restraint"] == str(before.counts.restraint)
        new_value = before.counts.restraint + 1
        await pilot.press("ctrl+a", "ctrl+k", *str(new_value), "ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")  # a correction says why
        await pilot.press(*"miscounted", "enter")
        await until(pilot, lambda: stored(demo_db, ward, THIS_WEEK - dt.timedelta(weeks=1)).version == before.version + 1)
    after = stored(demo_db, ward, THIS_WEEK - dt.timedelta(weeks=1))
    assert after.counts.restraint == new_value
    history = Store(demo_db, create=False).database.query(
        "SELECT action, who FROM audit WHERE row_key = ?", (f"{ward}/{after.counts.week_start}",)
    )
    assert history[-1] == {"action": "update", "who": "nurse"}
    assert Store(demo_db, create=False).database.query_one(
        "SELECT after FROM audit WHERE row_key = ? ORDER BY id DESC LIMIT 1", (f"{ward}/{after.counts.week_start}",)
    )["after"].find('"reason": "miscounted"') > 0


async def test_a_stale_edit_is_refused_and_the_input_kept(demo_db, make_app):
    confirm_week(demo_db, THIS_WEEK - dt.timedelta(weeks=1), at="2026-11-23T09:00:00Z")  # a correction, with a reason
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(pilot, app)
        ward = app.screen.ward.code
        await pilot.press("pageup")
        week = THIS_WEEK - dt.timedelta(weeks=1)
        await until(pilot, lambda: app.screen.week_start == week and app.screen.stored)
        # Another station corrects the same week meanwhile.
        other = Store(demo_db, who="other-station")
        theirs = other.weekly.week(ward, week)
        other.weekly.save(theirs.counts.model_copy(update={"seclusion": theirs.counts.seclusion + 3}),
                          expected_version=theirs.version, today=NEXT_TODAY)
        await pilot.press("ctrl+a", "ctrl+k", "9", "ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")
        await pilot.press(*"miscounted", "enter")
        await until(pilot, lambda: "Not saved" in str(app.screen.query_one("#week-banner").render()))
        banner = str(app.screen.query_one("#week-banner").render())
        assert "other-station" in banner and "while you were editing" in banner
        assert re.search(r"at \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d while", banner)  # UK time and format, not ISO
        assert app.screen.form_values()["restraint"] == "9"
        assert "Ctrl+R reloads this week as saved" in banner  # the message names the key
        from svg_text import svg_lines

        footer = svg_lines(app.export_screenshot())[-1]
        assert "^r" in footer and "Reload" in footer and "Help" in footer  # all of it in 80 columns
        await pilot.press("ctrl+r")  # what is typed is unsaved: asked first
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen"
                    and app.screen.form_values()["seclusion"] == str(theirs.counts.seclusion + 3))
        assert app.screen.form_values()["restraint"] == str(theirs.counts.restraint)  # theirs shown
    final = stored(demo_db, ward, week)
    assert final.counts.seclusion == theirs.counts.seclusion + 3 and final.counts.restraint == theirs.counts.restraint


async def test_leaving_with_unsaved_changes_asks_first(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(pilot, app)
        await pilot.press("4", "escape")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "WeekEntryScreen"
        assert app.screen.form_values()["restraint"] == "4"
        await pilot.press("escape", "y")
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_back_fill_the_latest_missing_week(demo_db, make_app):
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(pilot, app)
        # Enter opened the latest missing week; Ctrl+G goes on to the next one missing or to
        # confirm: the demo's 16 Nov, saved before it ended, waits to be confirmed.
        missing = list(app.screen.missing)
        assert missing[0] == app.screen.week_start == THIS_WEEK
        assert missing[1] == THIS_WEEK - dt.timedelta(weeks=1) and app.screen.to_confirm == {missing[1]}
        assert "Missing or to confirm (last 26): 23 Nov, 16 Nov to confirm" in str(
            app.screen.query_one("#week-missing").render()
        )
        await pilot.press("ctrl+g")
        await until(pilot, lambda: app.screen.week_start == missing[1] and app.screen.stored is not None)
        assert "Ctrl+S confirms it" in str(app.screen.query_one("#week-state").render())


async def test_home_reads_once_at_start_and_shows_a_saved_week_on_return(demo_db, make_app, monkeypatch):
    from rrp.screens.home import HomeScreen

    shown = []
    original = HomeScreen.show
    monkeypatch.setattr(HomeScreen, "show", lambda self, rows, last: (shown.append(rows), original(self, rows, last)))
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        # Mount, first resume and the database opening asked together: one read, one fill.
        assert len(shown) == 1
        home = app.screen
        ward = home.selected_ward()
        assert next(r for r in home.rows if r.ward_code == ward).last_week is WeekState.MISSING
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "ward", None) is not None)
        await pilot.press("1", "tab", "0", "tab", "0", "tab", "0", "tab", "ctrl+s")
        await until(pilot, lambda: stored(demo_db, ward) is not None)
        await pilot.press("escape")
        await until(
            pilot,
            lambda: app.screen is home
            and next(r for r in home.rows if r.ward_code == ward).last_week is WeekState.ENTERED,
        )
        assert len(shown) == 2


async def test_keys_typed_ahead_land_in_the_right_fields(demo_db, make_app):
    """A fast typist's burst ("3", Tab, "1", Enter, "0", ...) reaches the app before any key is
    handled: each count must still land in its own field, as it does when typed slowly."""
    from textual import events

    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(pilot, app)
        screen = app.screen
        await until(pilot, lambda: app.focused is not None and app.focused.id == "f-restraint")
        ward = screen.ward_code
        burst = [("3", "3"), ("tab", "\t"), ("1", "1"), ("enter", "\r"), ("0", "0"), ("tab", "\t"),
                 ("2", "2"), ("ctrl+s", None)]
        for key, character in burst:  # all queued at once, none awaited (as a terminal delivers a burst)
            app.post_message(events.Key(key, character))
        await until(pilot, lambda: stored(demo_db, ward) is not None)
    c = stored(demo_db, ward).counts
    # Each count in its own field, and the save after the last digit typed before it.
    assert (c.restraint, c.prone_restraint, c.seclusion, c.rapid_tranquillisation) == (3, 1, 0, 2)


async def test_home_mounted_after_its_rows_arrived_shows_them_uncovered(demo_db, make_app, monkeypatch):
    """On a busy machine the database opens and the table fills before the home screen's mount
    is handled (seen in CI): the mount must not then cover the rows with "Loading..."."""
    from rrp.screens.home import HomeScreen

    reads = []
    original = HomeScreen.load
    monkeypatch.setattr(HomeScreen, "load", lambda self: (reads.append(1), original(self))[1])
    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await app.workers.wait_for_complete()
        home, table = app.screen, app.screen.query_one("#wards")
        assert len(reads) == 1
        home.on_mount()  # replay the late mount
        await pilot.pause(0.1)
        assert not table.loading and table._cover_widget is None
        assert len(reads) == 1  # and no second read


async def test_the_saved_message_is_not_covered_by_a_toast_at_80_columns(demo_db, make_app):
    """After Ctrl+S the form's own line says what was saved ('Saved week of ...'); nothing covers
    it (a "Week saved" toast used to, for 3 s, at 80x24)."""
    from svg_text import svg_lines

    app = make_app(demo_db, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # toasts shown, as in use
        await open_entry(pilot, app)
        form = app.screen
        await type_counts(pilot, "2", "1", "0", "1")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.stored is not None and not form.saving)
        await settled(pilot)
        banner = str(form.query_one("#week-banner").render())
        assert banner.startswith("Saved week of ")
        screen = " ".join(" ".join(svg_lines(app.export_screenshot())).split())
        assert " ".join(banner.split()) in screen  # whole, not covered
        assert "Week saved" not in screen
