"""Change ideas from the driver diagram (n new, e edit) at 80x24, checked in the database and audit;
the PDSA editor offers a ward its own local ideas; the code suggestion rule."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pilot import until

from rrp.models.change_package import ChangeIdea, suggest_idea_code
from rrp.store import Store

NHS_NUMBER = "943 476 5919"  # a valid Modulus 11 number


def rows(db: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def open_diagram(pilot, app, ward_code: str | None = None):
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
    if ward_code is None:
        await pilot.press("d")
    else:
        app.open_screen("driver_diagram", ward_code=ward_code)
    await until(pilot, lambda: type(app.screen).__name__ == "DriverDiagramScreen" and app.screen.loaded)
    return app.screen


async def open_form(pilot, app, key: str = "n"):
    await pilot.press(key)
    await until(pilot, lambda: type(app.screen).__name__ == "ChangeIdeaForm")
    return app.screen


def highlighted_label(screen) -> str:
    node = screen.query_one("#drivers").cursor_node
    return "" if node is None else str(node.label)


async def test_new_collaborative_idea_saved_audited_and_shown(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        diagram = await open_diagram(pilot, app)
        form = await open_form(pilot, app)  # on the aim: no driver chosen yet
        assert app.focused.id == "i-name"
        await pilot.press(*"Calm box at night", "tab", *"Night staff offer the calm box before PRN", "tab")
        assert form.query_one("#i-code").value == "CALM-BOX-NIGHT"
        await pilot.press("ctrl+s")  # no driver: refused beside the field, nothing lost
        await pilot.pause()
        assert "secondary driver" in str(form.query_one("#e-driver_code").render())
        assert form.query_one("#i-name").value == "Calm box at night"
        assert not rows(demo_db, "SELECT 1 FROM change_idea WHERE code = 'CALM-BOX-NIGHT'")
        assert app.focused.id == "i-driver_code"
        await pilot.press("enter", "down", "down", "enter")  # the blank prompt, then S1-1, S1-2
        assert form.query_one("#i-driver_code").value == "S1-2"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is diagram and diagram.loaded
                    and "Calm box at night" in highlighted_label(diagram))

    (row,) = rows(demo_db, "SELECT * FROM change_idea WHERE code = 'CALM-BOX-NIGHT'")
    assert row["ward_code"] is None and row["driver_code"] == "S1-2" and row["version"] == 1
    assert row["description"] == "Night staff offer the calm box before PRN" and row["updated_by"] == "nurse"
    (audit,) = rows(demo_db, "SELECT * FROM audit WHERE table_name = 'change_idea' AND row_key = 'CALM-BOX-NIGHT'")
    assert audit["action"] == "insert" and audit["who"] == "nurse" and audit["before"] is None
    assert json.loads(audit["after"])["ward_code"] is None


async def test_new_local_idea_chosen_ward_marked_in_tree(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        diagram = await open_diagram(pilot, app)
        await pilot.press("down", "down")  # Respectful relationships with patients (S1-1)
        form = await open_form(pilot, app)
        assert form.query_one("#i-driver_code").value == "S1-1"  # the highlighted driver
        assert form.query_one("#i-ward_code").value == "*"  # collaborative unless chosen
        await pilot.press(*"Calm box", "tab", *"Offered first", "tab", "tab")
        assert app.focused.id == "i-ward_code"
        await pilot.press("enter", "down", "enter")  # the first ward: ERC-MAPLE (by provider, name)
        assert form.query_one("#i-ward_code").value == "ERC-MAPLE"
        assert form.query_one("#i-code").value == "L-ERC-MAPLE-CB"
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is diagram and diagram.loaded
                    and "(local: ERC-MAPLE)" in highlighted_label(diagram))
        assert highlighted_label(diagram).startswith("Calm box (local: ERC-MAPLE)")

    (row,) = rows(demo_db, "SELECT * FROM change_idea WHERE code = 'L-ERC-MAPLE-CB'")
    assert row["ward_code"] == "ERC-MAPLE" and row["driver_code"] == "S1-1" and row["name"] == "Calm box"
    assert rows(demo_db, "SELECT action FROM audit WHERE row_key = 'L-ERC-MAPLE-CB'")[0]["action"] == "insert"


async def test_ward_context_defaults_to_local_and_pdsa_editor_offers_it(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        diagram = await open_diagram(pilot, app, ward_code="NVT-ASH")
        await pilot.press("down", "down")
        form = await open_form(pilot, app)
        scope = form.query_one("#i-ward_code")
        assert scope.value == "NVT-ASH"
        assert [value for _, value in scope._options] == ["*", "NVT-ASH"]  # only this ward
        await pilot.press(*"Calm box at night", "ctrl+s")
        await until(pilot, lambda: app.screen is diagram and diagram.loaded)
        assert rows(demo_db, "SELECT ward_code FROM change_idea WHERE code = 'L-NVT-ASH-CBN'")[0][0] == "NVT-ASH"

        for ward, offered in (("NVT-ASH", True), ("NVT-BIRCH", False)):
            editor = app.open_screen("pdsa_edit", ward_code=ward)
            await until(pilot, lambda editor=editor: editor.loaded)
            options = dict((value, str(label)) for label, value in editor.query_one("#f-change_idea_code")._options)
            assert ("L-NVT-ASH-CBN" in options) is offered
            assert "SW-SW" in options  # the collaborative's ideas everywhere
            if offered:
                assert options["L-NVT-ASH-CBN"] == "(local) Calm box at night"
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is diagram)


async def test_nhs_number_refused_and_text_kept(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_diagram(pilot, app)
        await pilot.press("down", "down")
        form = await open_form(pilot, app)
        description = f"Ask about it, see {NHS_NUMBER}"
        await pilot.press(*"Calm box", "tab", *description, "ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChangeIdeaForm"
        error = str(form.query_one("#e-description").render())
        assert "NHS number" in error and "Description" in error
        assert form.query_one("#i-description").value == description
        assert form.query_one("#i-name").value == "Calm box"
        assert "Not saved" in str(form.query_one("#idea-banner").render())
    assert not rows(demo_db, "SELECT 1 FROM change_idea WHERE name = 'Calm box'")
    assert not rows(demo_db, "SELECT 1 FROM audit WHERE row_key = 'CALM-BOX'")


async def test_code_clashes_are_said_clearly(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_diagram(pilot, app)
        await pilot.press("down", "down")
        form = await open_form(pilot, app)
        await pilot.press(*"Huddle")  # HUDDLE is "Daily safety huddle": a number is added, and said
        assert form.query_one("#i-code").value == "HUDDLE-2"
        hint = str(form.query_one("#idea-hint").render())
        assert "HUDDLE" in hint and "Daily safety huddle" in hint
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused.id == "i-code"
        await pilot.press(*["backspace"] * 8, *"broset", "ctrl+s")  # a code typed by hand: refused
        await pilot.pause()
        assert "Code BROSET is already used by" in str(form.query_one("#e-code").render())
        assert type(app.screen).__name__ == "ChangeIdeaForm"
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "home", "ctrl+k", *"Soft words")
        await pilot.pause()
        assert "already has an idea called" in str(form.query_one("#e-name").render())  # SW-SW
    assert not rows(demo_db, "SELECT 1 FROM change_idea WHERE code IN ('HUDDLE-2', 'BROSET-2')")


async def test_edit_bumps_version_and_audits(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        diagram = await open_diagram(pilot, app)
        await pilot.press("e")  # on the aim: nothing to edit
        await pilot.pause()
        assert app.screen is diagram
        await pilot.press("down", "down", "down")  # Clear mutual expectations (SW-CME)
        form = await open_form(pilot, app, "e")
        assert form.query_one("#i-code").disabled and form.query_one("#i-ward_code").disabled
        assert form.query_one("#i-name").value == "Clear mutual expectations"
        await pilot.press("x")  # the name is kept on focus: a key adds to it, never replaces it
        assert form.query_one("#i-name").value == "Clear mutual expectationsx"
        await pilot.press("home", "ctrl+k", *"Mutual expectations", "ctrl+s")  # clear it on purpose
        await until(pilot, lambda: app.screen is diagram and diagram.loaded
                    and "Mutual expectations" in highlighted_label(diagram))
    (row,) = rows(demo_db, "SELECT * FROM change_idea WHERE code = 'SW-CME'")
    assert row["name"] == "Mutual expectations" and row["version"] == 2 and row["updated_by"] == "nurse"
    audit = rows(demo_db, "SELECT * FROM audit WHERE row_key = 'SW-CME' ORDER BY id")[-1]
    assert audit["action"] == "update"
    assert json.loads(audit["before"])["name"] == "Clear mutual expectations"


async def test_edit_of_a_stale_version_is_refused(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_diagram(pilot, app)
        await pilot.press("down", "down", "down")
        form = await open_form(pilot, app, "e")
        other = Store(demo_db, who="facilitator", clock=lambda: "2026-11-18T10:30:00Z")
        current = other.change_package.idea("SW-CME")
        other.change_package.save_idea(
            ChangeIdea(**{**current.idea.model_dump(), "name": "Clear expectations"}), expected_version=1
        )
        other.close()
        await pilot.press("home", "ctrl+k", *"Mutual expectations", "ctrl+s")
        await until(pilot, lambda: "facilitator changed this idea" in str(form.query_one("#idea-banner").render()))
        banner = str(form.query_one("#idea-banner").render())
        assert "now version 2" in banner and "18 Nov 2026 10:30" in banner  # UK local time (GMT)
        assert app.screen is form and form.query_one("#i-name").value == "Mutual expectations"
    (row,) = rows(demo_db, "SELECT name, version FROM change_idea WHERE code = 'SW-CME'")
    assert tuple(row) == ("Clear expectations", 2)


def test_suggest_idea_code() -> None:
    assert suggest_idea_code("Calm box at night") == "CALM-BOX-NIGHT"
    assert suggest_idea_code("Protected engagement time") == "PROTECTED-ENGAGE"  # 16 at most
    assert suggest_idea_code("Soft words", taken=["SOFT-WORDS"]) == "SOFT-WORDS-2"
    assert suggest_idea_code("Calm box", "nvt-ash") == "L-NVT-ASH-CB"  # initials when room is short
    assert suggest_idea_code("Calm box", "WDH-JUNIPER") == "L-WDH-JUNIPER-CB"
    assert suggest_idea_code("Calm box", "WDH-JUNIPER", ["L-WDH-JUNIPER-CB"]) == "L-WDH-JUNIPER-C2"
    assert suggest_idea_code("The") == "THE" and suggest_idea_code(" !! ") == ""
    for name in ("A very long change idea name indeed", "x"):
        for ward in (None, "ABCDEFGHIJKLMNOP"):
            ChangeIdea(code=suggest_idea_code(name, ward), driver_code="S1-1", name=name)  # a valid Code
