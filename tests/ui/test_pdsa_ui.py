"""Pilot tests: create a PDSA cycle and move it through Plan, Do, Study and Act by keyboard, at 80x24;
the list, driver diagram and progress screens open and show the demo data."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path

import pytest
from pilot import until

from rrp.app import RrpApp
from rrp.messages import day_month
from rrp.models.pdsa import ActDecision, PdsaCycle, PdsaStatus
from rrp.store import Store

TODAY = dt.date(2026, 11, 23)  # the demo's "today": the Monday after its last week
CLOCK = "2026-11-18T09:00:00Z"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rrp.synthetic import build_demo

    path = tmp_path_factory.mktemp("pdsa-ui") / "demo.sqlite"
    store = Store(path, who="demo", clock=lambda: CLOCK)
    build_demo(store, end=dt.date(2026, 11, 16))
    store.close()
    return path


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ui.sqlite"
    shutil.copy(demo_db, target)
    return target


def make_app(db: Path) -> RrpApp:
    return RrpApp(db, today=TODAY, who="nurse", clock=lambda: CLOCK)


def read(db: Path):
    store = Store(db, create=False)
    return store


async def open_editor_for_new_cycle(pilot, app: RrpApp, *, draft: bool = False):
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
    await pilot.pause(0.3)
    home = app.screen
    await until(pilot, lambda: bool(home.rows))
    ward = home.selected_ward()
    await pilot.press("p")
    await until(pilot, lambda: type(app.screen).__name__ == "PdsaListScreen")
    await until(pilot, lambda: app.screen.query_one("#pdsa-cycles").loading is False)
    await pilot.press("n")
    expected = "ConfirmScreen" if draft else "PdsaEditScreen"
    await until(pilot, lambda: type(app.screen).__name__ == expected)
    if not draft:
        await until(pilot, lambda: app.screen.loaded)
    return ward


def test_create_and_move_through_all_stages(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            ward = await open_editor_for_new_cycle(pilot, app)
            editor = app.screen
            assert app.focused.id == "f-title"
            await pilot.press(*"Music")
            await pilot.press("tab", "enter", "down", "enter")  # change idea: the first in the list
            await until(pilot, lambda: editor.form_values()["change_idea_code"] != "")
            await pilot.press("f4")  # Plan tab, cursor in Objective
            assert app.focused.id == "f-objective"
            await pilot.press(*"Calm", "tab")
            await pilot.press(*"Sleep?", "tab")
            await pilot.press(*"Fewer")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: editor.stored is not None)
            cycle_id = editor.stored.cycle.id
            store = read(db)
            stored = store.pdsa.get(cycle_id)
            assert stored.cycle.status == "planned" and stored.cycle.ward_code == ward
            assert stored.cycle.predictions == "Fewer"
            assert stored.cycle.title == "Music"

            await pilot.press("f3")  # -> doing; the Do tab opens with the cursor in it
            await until(pilot, lambda: editor.status == "doing" and not editor.saving)
            assert app.focused.id == "f-what_happened"
            await pilot.press(*"5 nights")
            await pilot.press("f3")  # -> studying (saves what was typed too)
            await until(pilot, lambda: editor.status == "studying" and not editor.saving)
            assert app.focused.id == "f-results"
            await pilot.press(*"4 of 5")
            await pilot.press("f4")  # Act tab: decision
            assert app.focused.id == "f-act_decision"
            await pilot.press("enter", "down", "enter")  # Adopt
            await until(pilot, lambda: editor.form_values()["act_decision"] == "adopt")
            await pilot.press("f2")  # the plain save key
            await until(pilot, lambda: editor.stored.version == 4 and not editor.saving)
            await pilot.press("f3")  # no next step yet: Act asks for it instead of marking done
            await until(pilot, lambda: app.focused.id == "f-next_step")
            assert editor.status == "studying" and editor.stored.version == 4
            assert "Before Done, Act" in str(editor.query_one("#pdsa-banner").render())
            await pilot.press(*"Ward-wide")
            await pilot.press("f3")  # -> done
            await until(pilot, lambda: editor.status == "done" and not editor.saving)

            stored = store.pdsa.get(cycle_id)
            c = stored.cycle
            assert (c.status, c.act_decision) == ("done", "adopt")
            assert c.what_happened == "5 nights"
            assert c.results == "4 of 5" and c.next_step == "Ward-wide"
            assert stored.version == 5 and stored.updated_by == "nurse"
            actions = [h["action"] for h in store.pdsa.history(cycle_id)]
            assert actions == ["insert", "update", "update", "update", "update"]
            events = [a.annotation.text for a in store.annotations.list(ward) if a.annotation.pdsa_cycle_id == cycle_id]
            assert events[0] == "Cycle started: Music"
            assert events[1].startswith("Change adopted: ")
            assert store.pdsa.draft(cycle_id) is None
            store.close()

    asyncio.run(run())


def test_nhs_number_refused_and_text_kept(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_editor_for_new_cycle(pilot, app)
            editor = app.screen
            await pilot.press(*"9434765919")
            await pilot.press("ctrl+s")
            await pilot.pause(0.2)
            assert editor.stored is None
            error = str(editor.query_one("#e-title").render())
            assert "NHS number" in error
            assert editor.form_values()["title"] == "9434765919"  # nothing typed is lost

    asyncio.run(run())


def test_draft_autosaved_and_restored(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_editor_for_new_cycle(pilot, app)
            editor = app.screen
            ward = editor.ward_code
            await pilot.press(*"Half")
            store = read(db)
            await until(pilot, lambda: store.pdsa.draft(f"new:{ward}") is not None, timeout=5)
            assert store.pdsa.draft(f"new:{ward}")[0]["title"] == "Half"
            store.close()
        # The terminal closed; opening a new cycle for the ward offers the draft.
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_editor_for_new_cycle(pilot, app, draft=True)
            await pilot.press("y")
            await until(pilot, lambda: type(app.screen).__name__ == "PdsaEditScreen")
            assert app.screen.form_values()["title"] == "Half"

    asyncio.run(run())


def test_list_filters_and_other_screens(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            await pilot.pause(0.3)
            app.open_screen("pdsa_list")  # the whole collaborative
            screen = app.screen
            await until(pilot, lambda: bool(screen.rows))
            total = len(screen.rows)
            assert screen.rows[0].due_for_study  # due for Study comes first
            await pilot.press("f")  # status: open
            await until(pilot, lambda: screen.status_filter == "open" and len(screen.rows) < total)
            assert all(r.cycle.status.is_open for r in screen.rows)
            await pilot.press("f")  # status: planned
            await until(pilot, lambda: all(r.cycle.status == "planned" for r in screen.rows))
            await pilot.press("d")
            await until(pilot, lambda: type(app.screen).__name__ == "DriverDiagramScreen")
            tree = app.screen.query_one("#drivers")
            # Wait for the content itself: `loading` may not have been set yet when first checked.
            await until(pilot, lambda: "AIM" in str(tree.root.label) and len(tree.root.children) == 4)
            await pilot.press("escape")
            await pilot.press("s")
            await until(pilot, lambda: type(app.screen).__name__ == "ProgressScreen")
            progress = app.screen
            await until(pilot, lambda: bool(progress.history))
            await pilot.press("s")  # record this month's score
            await until(pilot, lambda: type(app.screen).__name__ == "ScoreForm")
            await pilot.press("tab", "enter", "down", "down", "down", "enter")  # 1.5
            await pilot.press("tab", *"Plan", "ctrl+s")
            await until(pilot, lambda: type(app.screen).__name__ == "ProgressScreen")

            def saved():
                store = read(db)
                try:
                    return store.progress.get(progress.ward_code, dt.date(2026, 11, 1))
                finally:
                    store.close()

            await until(pilot, lambda: saved().score.note == "Plan")
            assert saved().version == 2

    asyncio.run(run())


def test_a_ramp_next_cycle_follows_the_previous_one(db: Path) -> None:
    """Choosing 'Follows cycle' links the ramp, numbers the cycle after it and takes its idea."""

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            ward = await open_editor_for_new_cycle(pilot, app)
            editor = app.screen
            await pilot.press(*"Next step")
            previous_select = editor.query_one("#f-previous_cycle_id")
            previous_select.focus()
            await pilot.press("enter", "down", "enter")  # the first earlier cycle of this ward
            await until(pilot, lambda: editor.form_values()["previous_cycle_id"] not in ("", None))
            await pilot.press("f4")  # Plan: a prediction, so the cycle is a good one
            await pilot.press(*"Calm", "tab", *"Fewer?", "tab", *"Fewer")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: editor.stored is not None)
            store = read(db)
            cycle = store.pdsa.get(editor.stored.cycle.id).cycle
            previous = store.pdsa.get(cycle.previous_cycle_id).cycle
            assert cycle.ward_code == ward == previous.ward_code
            assert cycle.cycle_number == previous.cycle_number + 1
            assert cycle.change_idea_code == previous.change_idea_code
            ramp = [c.cycle.id for c in store.pdsa.ramp(cycle.id)]
            assert previous.id in ramp and cycle.id in ramp
            store.close()

    asyncio.run(run())


def test_after_adapt_f5_starts_the_next_cycle_of_the_ramp(db: Path) -> None:
    """A done, adapted cycle: F5 opens a new cycle with its idea and title, following it, number + 1."""
    store = read(db)
    previous = next(s for s in store.pdsa.list() if s.cycle.status == "studying")
    done = store.pdsa.save(
        previous.cycle.model_copy(
            update={"status": PdsaStatus.DONE, "act_decision": ActDecision.ADAPT, "next_step": "Nights too"}
        ),
        expected_version=previous.version, today=TODAY,
    ).cycle
    label = next(s.ramp_label for s in store.pdsa.summaries(today=TODAY) if s.cycle.id == done.id)
    store.close()

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
            app.open_screen("pdsa_edit", cycle_id=done.id)
            await until(pilot, lambda: type(app.screen).__name__ == "PdsaEditScreen" and app.screen.loaded)
            first = app.screen
            assert first.check_action("next_cycle", ()) is True
            await pilot.press("f5")
            await until(pilot, lambda: app.screen is not first and getattr(app.screen, "loaded", False))
            values = app.screen.form_values()
            assert values["previous_cycle_id"] == done.id
            assert values["cycle_number"] == str(done.cycle_number + 1)
            assert values["change_idea_code"] == done.change_idea_code and values["title"] == done.title
            assert values["objective"] == "Nights too"  # Act's next step is the new cycle's aim
            header = str(app.screen.query_one("#pdsa-edit-title").render())
            assert f"cycle {label[:-1]}{done.cycle_number + 1}:" in header  # same ramp letter
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen.stored is not None)
            assert app.screen.stored.cycle.previous_cycle_id == done.id
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is first)
            app.open_screen("pdsa_edit", cycle_id=done.id)
            await until(pilot, lambda: type(app.screen).__name__ == "PdsaEditScreen" and app.screen.loaded)
            assert app.screen.check_action("next_cycle", ()) is False  # its next cycle now exists

    asyncio.run(run())


def _screen_lines(app: RrpApp) -> list[str]:
    from svg_text import svg_lines

    return svg_lines(app.export_screenshot())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_list_legend_explains_a_branch_label_and_fits(db: Path, size: tuple[int, int]) -> None:
    """The legend under the PDSA list says what 'A3b' means (models.pdsa.RAMP_LABEL_KEY) and is
    on screen whole at 80x24 and 120x40, with the table's rows still shown above it."""
    from rrp.models.pdsa import RAMP_LABEL_KEY
    from rrp.screens.pdsa_list import QUALITY_KEY

    assert RAMP_LABEL_KEY in QUALITY_KEY and "A3b" in RAMP_LABEL_KEY

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
            app.open_screen("pdsa_list", ward_code="NVT-BIRCH")
            screen = app.screen
            await until(pilot, lambda: bool(getattr(screen, "rows", None)))
            await until(pilot, lambda: screen.query_one("#pdsa-cycles").loading is False)
            await pilot.pause()
            text = " ".join(" ".join(_screen_lines(app)).split())
            assert " ".join(QUALITY_KEY.split()) in text
            table = screen.query_one("#pdsa-cycles")
            assert table.region.height >= 1 + len(screen.rows)  # the header and every row shown
            assert screen.query_one("#pdsa-list-help").region.bottom <= size[1] - 1  # above the footer

    asyncio.run(run())


def test_two_ramps_are_never_both_one_and_the_list_shows_a_cycle_whole(db: Path) -> None:
    """A second ramp on a ward is B1 in the list and the editor; the line under the table shows the
    highlighted cycle's whole title, its change idea and the day a done cycle ended; the footer
    offers Enter to open, and Enter opens the highlighted cycle."""
    store = read(db)
    first = next(s for s in store.pdsa.list() if s.cycle.status == "done")
    ward = first.cycle.ward_code
    title = "A second ramp: safety huddle at every shift change with the nurse in charge ENDTITLE"
    second = store.pdsa.create(
        PdsaCycle(ward_code=ward, change_idea_code=first.cycle.change_idea_code, title=title,
                  planned_start="2026-11-16", planned_end="2026-11-29"),
        today=TODAY,
    ).cycle
    idea = next(i.idea.name for i in store.change_package.ideas(ward_code=ward) if i.idea.code == second.change_idea_code)
    store.close()

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
            app.open_screen("pdsa_list", ward_code=ward)
            screen = app.screen
            await until(pilot, lambda: bool(screen.rows))
            labels = {r.cycle.id: r.ramp_label for r in screen.rows}
            firsts = [label for label in labels.values() if label.endswith("1") and len(label) == 2]
            assert len(firsts) == len(set(firsts)) >= 2  # A1 and B1, never two "1"s
            assert labels[second.id] == "B1" and labels[first.cycle.id].startswith("A")
            table = screen.query_one("#pdsa-cycles")
            assert any("Enter Open" in line for line in _screen_lines(app)[-1:])

            table.move_cursor(row=[r.cycle.id for r in screen.rows].index(second.id))
            await pilot.pause()
            detail = str(screen.query_one("#pdsa-list-detail").render())
            assert detail.startswith("B1 ") and "ENDTITLE" in detail and f"idea: {idea}" in detail
            assert "planned 16 Nov 2026 to 29 Nov 2026" in detail

            done_row = next(r for r in screen.rows if r.cycle.id == first.cycle.id)
            table.move_cursor(row=screen.rows.index(done_row))
            await pilot.pause()
            detail = str(screen.query_one("#pdsa-list-detail").render())
            assert f"ended {day_month(done_row.ended_on)}" in detail

            table.move_cursor(row=[r.cycle.id for r in screen.rows].index(second.id))
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "PdsaEditScreen" and app.screen.loaded)
            assert app.screen.stored.cycle.id == second.id
            assert "cycle B1: A second ramp" in str(app.screen.query_one("#pdsa-edit-title").render())
            follows = app.screen.query_one("#f-previous_cycle_id")
            assert any(str(prompt).startswith(labels[first.cycle.id] + " ") for prompt, _ in follows._options)

    asyncio.run(run())


def test_the_editor_footer_shows_only_the_moves_the_cycle_has_and_fits_80_columns(db: Path) -> None:
    """A done, adapted cycle offers F5 (not F3 or F6); an open one F3 and F6: the footer is whole."""
    store = read(db)
    previous = next(s for s in store.pdsa.list() if s.cycle.status == "studying")
    done = store.pdsa.save(
        previous.cycle.model_copy(update={"status": PdsaStatus.DONE, "act_decision": ActDecision.ADAPT}),
        expected_version=previous.version, today=TODAY,
    ).cycle
    open_cycle = next(s for s in store.pdsa.list() if s.cycle.status in ("planned", "doing"))
    store.close()

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
            for cycle_id, shown, hidden in (
                (done.id, ["f5 Next cycle"], ["f3 ", "f6 "]),
                (open_cycle.cycle.id, ["f3 Next stage", "f6 Abandon"], ["f5 "]),
            ):
                app.open_screen("pdsa_edit", cycle_id=cycle_id)
                await until(pilot, lambda: type(app.screen).__name__ == "PdsaEditScreen" and app.screen.loaded)
                await pilot.pause()
                footer = _screen_lines(app)[-1]
                assert footer.rstrip().endswith("f1 Help"), footer
                assert all(key in footer for key in shown) and not any(key in footer for key in hidden), footer
                await pilot.press("escape")
                await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")

    asyncio.run(run())


def test_a_blank_planned_end_is_asked_for_beside_its_field(db: Path) -> None:
    """Clearing the planned end is refused beside the field (not as a database error), nothing is
    saved, and typing a date then saves."""

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_editor_for_new_cycle(pilot, app)
            editor = app.screen
            await pilot.press(*"Music", "tab", "enter", "down", "enter")
            await until(pilot, lambda: editor.form_values()["change_idea_code"] != "")
            editor.query_one("#f-planned_end").value = ""
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert editor.stored is None
            assert str(editor.query_one("#e-planned_end").render()) == "Planned end is required (dd/mm/yyyy)"
            assert "correct the fields" in str(editor.query_one("#pdsa-banner").render())
            editor.query_one("#f-planned_end").focus()
            await pilot.press(*"29/11/2026", "ctrl+s")
            await until(pilot, lambda: editor.stored is not None)
            assert editor.stored.cycle.planned_end == dt.date(2026, 11, 29)

    asyncio.run(run())


def test_the_all_wards_list_fits_80_columns(db: Path) -> None:
    """Every ward's cycles at 80x24: the table is no wider than the screen (no sideways scroll,
    the flags column in view) and no heading is cut."""

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
            app.open_screen("pdsa_list")
            screen = app.screen
            await until(pilot, lambda: bool(screen.rows))
            table = screen.query_one("#pdsa-cycles")
            await pilot.pause()
            assert table.virtual_size.width <= table.size.width
            headings = [str(c.label) for c in table.columns.values()]
            assert "Flags" in headings and ("Idea" in headings or "Change idea" in headings)
            assert all(c.get_render_width(table) - 2 >= len(str(c.label)) for c in table.columns.values())

    asyncio.run(run())


def test_a_branched_ramp_never_repeats_a_label_in_the_list_or_the_editor(db: Path) -> None:
    """An adapted cycle started again from a cycle that already has a next cycle is a second
    'cycle N' of the ramp: the list and the editor call it 'A3b' (say), never a second 'A3'."""
    store = read(db)
    cycles = store.pdsa.list()
    followed = {s.cycle.previous_cycle_id for s in cycles if s.cycle.previous_cycle_id}
    fork = next(s.cycle for s in cycles if s.cycle.id in followed)
    after = next(s.cycle for s in cycles if s.cycle.previous_cycle_id == fork.id)
    branch = store.pdsa.create(
        PdsaCycle(ward_code=fork.ward_code, change_idea_code=fork.change_idea_code, title="Branch BRANCHTITLE",
                  previous_cycle_id=fork.id, cycle_number=fork.cycle_number + 1,
                  planned_start="2026-11-16", planned_end="2026-11-29"),
        today=TODAY,
    ).cycle
    store.close()
    assert branch.cycle_number == after.cycle_number  # the same number in the same ramp: a fork

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
            app.open_screen("pdsa_list", ward_code=fork.ward_code)
            screen = app.screen
            await until(pilot, lambda: bool(screen.rows))
            labels = {r.cycle.id: r.ramp_label for r in screen.rows}
            assert len(set(labels.values())) == len(labels)  # unique on the ward
            assert labels[branch.id] == labels[after.id] + "b"
            rows = [r.cycle.id for r in screen.rows]
            screen.query_one("#pdsa-cycles").move_cursor(row=rows.index(branch.id))
            await pilot.pause()
            assert any(f"{labels[branch.id]} " in line and "BRANCHTITLE" in line for line in _screen_lines(app))
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "PdsaEditScreen" and app.screen.loaded)
            assert app.screen.stored.cycle.id == branch.id
            assert f"cycle {labels[branch.id]}: Branch" in str(app.screen.query_one("#pdsa-edit-title").render())

    asyncio.run(run())
