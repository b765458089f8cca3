"""The error log (type and place, never what was typed) and the About screen (F9) for IT support."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pilot import until

from rrp.app import RrpApp
from rrp.errorlog import LOG_NAME, log_error, log_path

NOTE = "Ash Ward 943 476 5918 restrained"  # a ward name and an NHS-number-like number


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("RRP_LOG_DIR", str(folder))
    return folder


def test_the_log_names_the_type_and_place_but_never_the_message(logs: Path) -> None:
    try:
        raise ValueError(NOTE)
    except ValueError as exc:
        log_error(exc, "test")
    text = (logs / LOG_NAME).read_text()
    assert "builtins.ValueError at " in text and "[test]" in text
    assert "Ash" not in text and "943" not in text and "restrained" not in text


def test_an_app_save_that_fails_is_logged_without_the_cycle_text(
    demo_db: Path, tmp_path: Path, logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "ui.sqlite"
    shutil.copy(demo_db, db)

    def broken(self, cycle, **kwargs):
        raise RuntimeError(f"disk full while saving {cycle.title}")

    monkeypatch.setattr("rrp.store.pdsa.PdsaRepository.create", broken)

    async def run() -> None:
        app = RrpApp(db, who="nurse")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            ward = app.store.registry.wards()[0].code
            app.open_screen("pdsa_edit", ward_code=ward)
            await until(pilot, lambda: getattr(app.screen, "loaded", False))
            editor = app.screen
            editor.query_one("#f-title").value = NOTE
            editor.query_one("#f-change_idea_code").value = app.store.change_package.ideas()[0].idea.code
            await pilot.press("ctrl+s")
            await until(pilot, lambda: (logs / LOG_NAME).exists() and not editor.saving)
            assert editor.stored is None  # not saved; what was typed is still in the form
            assert editor.form_values()["title"] == NOTE

    asyncio.run(run())
    text = (logs / LOG_NAME).read_text()
    assert "RuntimeError" in text and "PdsaEditScreen" in text
    assert "Ash" not in text and "943" not in text and "disk full" not in text


def test_a_refused_cli_command_is_logged_without_its_message(tmp_path: Path, logs: Path) -> None:
    from rrp.cli import main

    notes = tmp_path / "Ash Ward 943 476 5918.sqlite"
    notes.write_text(NOTE)
    result = CliRunner().invoke(main, ["export", "weekly", str(tmp_path / "out.csv"), "--db", str(notes)])
    assert result.exit_code == 1
    text = (logs / LOG_NAME).read_text()
    assert "NotAnRrpDatabase at rrp/store/database.py:" in text and "[cli, rrp export]" in text
    assert "Ash" not in text and "943" not in text


def test_f9_shows_version_database_and_log_paths(demo_db: Path, tmp_path: Path, logs: Path) -> None:
    from rrp import __version__

    db = tmp_path / "ui.sqlite"
    shutil.copy(demo_db, db)

    async def run() -> None:
        app = RrpApp(db, who="nurse")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            await pilot.press("f9")
            await until(pilot, lambda: type(app.screen).__name__ == "AboutScreen")
            shown = str(app.screen.query_one("#about-text").render())
            flat = "".join(shown.split())
            assert __version__ in shown and "Schema version" in shown and "Textual" in shown
            assert "".join(str(db.resolve()).split()) in flat
            assert "".join(str(log_path()).split()) in flat
            await pilot.press("escape")
            await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")

    asyncio.run(run())
