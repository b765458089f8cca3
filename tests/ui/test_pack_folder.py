"""Pilot: the dashboard's `x` asks for the pack's folder (the documents folder by default, never
relative to the folder rrp was started in); Enter writes the deck, the PDF, the charts and
index.html in a worker; F2 writes only the highlighted ward's A4 board; Escape writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from rrp.app import RrpApp
from rrp.screens.pack_folder import PackFolderScreen, default_pack_folder, pack_folder
from rrp.store import Store
from rrp.synthetic import build_demo

pytest.importorskip("pptx")

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("platformdirs.user_documents_dir", lambda: str(tmp_path / "Documents"))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "small.sqlite"
    store = Store(path, who="test")
    build_demo(store, wards=2, weeks=20, end=dt.date(2026, 11, 16))
    store.close()
    return path


def test_the_folder_is_in_the_documents_folder(small: Path, tmp_path: Path) -> None:
    documents = tmp_path / "Documents"
    assert default_pack_folder(TODAY) == documents / "rrp-pack-2026-11-18"
    assert pack_folder("", TODAY) == documents / "rrp-pack-2026-11-18"
    assert pack_folder("  board  ", TODAY) == documents / "board"  # relative: in documents, not the cwd
    assert pack_folder("~/x", TODAY) == Path.home() / "x"
    assert pack_folder(str(tmp_path / "abs"), TODAY) == tmp_path / "abs"


async def wait_for(pilot, condition, tries: int = 600) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met")


async def wait_for_pack(pilot, notes: list[str], done: str) -> None:
    """Wait until the pack worker says it is `done`, or fails. matplotlib makes a pack take tens of
    seconds on a loaded 2-core CI machine (51 s seen under load 13), so the bound is generous (10
    minutes); a failure note ends the wait at once, so a broken pack does not cost the whole bound."""

    def finished() -> bool:
        if any("Could not" in n or "failed" in n.lower() for n in notes):
            raise AssertionError(f"the pack failed: {notes}")
        return any(done in n for n in notes)

    await wait_for(pilot, finished, tries=12_000)


async def open_dashboard(app, pilot) -> None:
    await wait_for(pilot, lambda: app.store is not None and app.screen.query("#wards"))
    await pilot.press("c")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.view is not None)
    await wait_for(pilot, lambda: not app.screen.query_one("#dash-wards", DataTable).loading)


async def test_x_asks_for_the_folder_and_writes_the_pack_or_a_wards_board(small: Path, tmp_path: Path) -> None:
    app = RrpApp(small, today=TODAY, who="test")
    notes: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        original = app.notify
        app.notify = lambda message, **kw: (notes.append(str(message)), original(message, **kw))[1]  # type: ignore[method-assign]
        await open_dashboard(app, pilot)
        dashboard = app.screen
        ward = dashboard.selected_ward()
        assert ward

        # Escape: nothing written
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, PackFolderScreen))
        value = app.screen.query_one("#pack-folder-path", Input).value
        assert value == str(tmp_path / "Documents" / "rrp-pack-2026-11-18")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dashboard)
        assert not (tmp_path / "Documents").exists()

        # F2: only the highlighted ward's board, in the folder typed (relative: inside documents)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, PackFolderScreen))
        field = app.screen.query_one("#pack-folder-path", Input)
        field.value = "boards"
        await pilot.press("f2")
        board = tmp_path / "Documents" / "boards" / f"board-{ward.lower()}.pdf"
        await wait_for_pack(pilot, notes, "Ward board written")
        assert board.read_bytes().startswith(b"%PDF")
        assert [p.name for p in board.parent.iterdir()] == [board.name]
        assert not (tmp_path / "boards").exists()  # never relative to the folder rrp started in

        # Enter: the whole pack in the default folder
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, PackFolderScreen))
        await pilot.press("enter")
        folder = tmp_path / "Documents" / "rrp-pack-2026-11-18"
        await wait_for_pack(pilot, notes, "Learning-session pack written")
        names = {p.name for p in folder.iterdir()}
        assert {"learning-session.pptx", "learning-session.pdf", "index.html"} <= names
        assert any(n.endswith(".svg") for n in names)
        assert not dashboard.query_one("#dash-pack-progress").display
