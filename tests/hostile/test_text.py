"""Hostile text: what users and files write is always shown as text, in the CLI, the app and the pack.

A demo collaborative is given names, titles, notes and ideas full of rich markup ("[/]" used to
raise a traceback in the CLI and close the app), matplotlib mathtext ("$\\frac{1}$" used to crash
the pack), terminal escape sequences (clear screen, set the window title, hyperlinks, 8-bit CSI),
a bidi override, emoji, combining marks and a 30 KB name. The rows are written with SQL, as a
database from before the models refused control characters would hold them: the display is the
last defence. Every command exits 0 and prints the text literally, with every control character
shown as a visible escape; every screen opens and shows it; the pack builds its images.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pilot import until
from svg_text import svg_lines

from rrp.cli import main
from rrp.reports.user_text import visible

WARD = "SCP-ELM"
CYCLE_TITLE = "Know each other: first test"  # SCP-ELM's running cycle, idea SW-KEO under driver S1-1
LONG_WARD = "NVT-ASH"

HOSTILE = {
    "ward": "[/]Elm $\\frac{1}$ [bold red]x\x1b[2J",
    "provider": "[link=http://x]Trust[/link] \x1b]0;pwned\x07 $x$",
    "title": "[/]Huddle [i]test $x$ \u202eevil 😀",
    "annotation": "[bold]Note[/] \x9b2J e\u0301 :smile: \x1b]8;;http://x\x07link",
    "weekly": "[/]week \x1b[31mred",
    "idea": "[/]Calm box $x$ \x1b[2J",
    "description": "[i]desc\x1b]8;;http://x\x07here",
    "driver": "[/]Driver $\\frac{1}$",
    "progress": "[/]progress \x1b[2J",
    "aim": "[/]Aim [blink]$x$\x1b[5m",
}
LONG = "Long" + "[/]" * 10_000  # 30 KB
#: What a terminal must never receive from user text: ESC, BEL, 8-bit CSI, a bidi override.
RAW_CONTROLS = re.compile("[\x1b\x07\x9b\u202e]")


def shown(key: str) -> str:
    """The first words of a hostile string as it must appear (the rest may be cut to fit)."""
    return visible(HOSTILE[key])[:10]


@pytest.fixture(scope="module")
def hostile_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    shutil.copy(demo_template, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE ward SET name = ? WHERE code = ?", (HOSTILE["ward"], WARD))
        conn.execute("UPDATE ward SET name = ? WHERE code = ?", (LONG, LONG_WARD))
        conn.execute("UPDATE provider SET name = ? WHERE code = (SELECT provider_code FROM ward WHERE code = ?)",
                     (HOSTILE["provider"], WARD))
        conn.execute("UPDATE pdsa_cycle SET title = ? WHERE ward_code = ? AND title = ?",
                     (HOSTILE["title"], WARD, CYCLE_TITLE))
        conn.execute(
            "INSERT INTO annotation (id, ward_code, on_date, kind, measure, text, updated_at, updated_by) "
            "VALUES (?, ?, '2026-11-16', 'note', NULL, ?, '2026-11-18T09:00:00Z', 'test')",
            ("f" * 32, WARD, HOSTILE["annotation"]),
        )
        conn.execute("UPDATE weekly SET note = ? WHERE ward_code = ? AND week_start = '2026-11-16'",
                     (HOSTILE["weekly"], WARD))
        conn.execute("UPDATE change_idea SET name = ?, description = ? WHERE code = 'SW-KEO'",
                     (HOSTILE["idea"], HOSTILE["description"]))
        conn.execute("UPDATE driver SET name = ? WHERE code = 'S1-1'", (HOSTILE["driver"],))
        conn.execute(
            "UPDATE progress_score SET note = ? WHERE ward_code = ? AND month = "
            "(SELECT max(month) FROM progress_score WHERE ward_code = ?)",
            (HOSTILE["progress"], WARD, WARD),
        )
        conn.execute("INSERT INTO meta (key, value) VALUES ('aim', ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (HOSTILE["aim"],))
    assert conn.execute("SELECT count(*) FROM pdsa_cycle WHERE title = ?", (HOSTILE["title"],)).fetchone()[0] == 1
    conn.close()
    return path


def run(*args: str) -> Any:
    # Wide enough that rich need not wrap a cell (the test reads the text back).
    result = CliRunner(env={"COLUMNS": "400"}).invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert not RAW_CONTROLS.search(result.output), repr(RAW_CONTROLS.findall(result.output))
    return result


# -- the command line ----------------------------------------------------------------------------

def test_report_huddle_prints_names_titles_and_notes_as_text(hostile_db: Path) -> None:
    result = run("report", "huddle", "--ward", WARD, "--db", str(hostile_db), "--today", "2026-11-18")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Safety huddle: {visible(HOSTILE['ward'])} ({WARD})" in out
    assert visible(HOSTILE["title"]) in out
    assert visible(HOSTILE["annotation"]) in out
    assert "\\x1b[2J" in out and "\\x9b2J" in out and "\\u202e" in out  # shown, not obeyed


def test_report_collaborative_and_its_30_kb_ward_name(hostile_db: Path) -> None:
    result = run("report", "collaborative", "--db", str(hostile_db), "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert "[/]Elm" in result.output and "Long[/][/]" in result.output


def test_pdsa_list_prints_titles_and_ideas_as_text(hostile_db: Path) -> None:
    result = run("pdsa", "list", "--db", str(hostile_db), "--ward", WARD)
    assert result.exit_code == 0, result.output
    assert "[/]Huddle" in result.output and "[/]Calm" in result.output


@pytest.mark.parametrize("kind", ["weekly", "pdsa", "annotations", "progress"])
def test_export_to_the_screen(hostile_db: Path, kind: str) -> None:
    result = CliRunner().invoke(main, ["export", kind, "-", "--db", str(hostile_db)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    marker = {"weekly": "[/]week", "pdsa": "[/]Huddle", "annotations": "[bold]Note[/]", "progress": "[/]progress"}
    assert marker[kind] in result.output


def test_a_refused_file_quoting_markup_and_escapes_in_its_cells(hostile_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "weekly.csv"
    bad.write_text(
        "ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,occupied_bed_days,"
        "[/]\x1b[2J\n[/]X\x1b]0;t\x07,2026-11-09,[bold]1,0,0,0,70\n",
        encoding="utf-8",
    )
    result = run("import", "weekly", str(bad), "--db", str(hostile_db), "--dry-run")
    assert result.exit_code in (1, 2)
    assert "rrp:" in result.output and "[/]" in result.output


def test_chart_command_with_markup_in_the_file(tmp_path: Path) -> None:
    data = tmp_path / "series.csv"
    rows = "\n".join(f"[/]w{i}\x1b[2J,{i % 5}" for i in range(20))
    data.write_text("[/]x\x1b]0;t\x07,value\n" + rows + "\n", encoding="utf-8")
    result = run("chart", str(data), "--chart", "run", "--x", "[/]x\x1b]0;t\x07", "--value", "value")
    assert result.exit_code == 0, result.output
    assert "[/]w19" in result.output
    missing = run("chart", str(data), "--chart", "run", "--x", "[/]nope", "--value", "value")
    assert missing.exit_code == 2 and "[/]nope" in missing.output


def test_import_wards_refuses_an_nhs_number_in_a_name_without_repeating_it(tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "provider_code,provider_name,ward_code,ward_name,ward_type,beds\n"
        "P1,Trust,W1,Elm 9434\u00a0765\u00a0919,picu,10\n",
        encoding="utf-8",
    )
    db = tmp_path / "new.sqlite"
    assert run("init", "--db", str(db)).exit_code == 0  # import no longer creates a database
    result = run("import", "wards", str(registry), "--db", str(db))
    assert result.exit_code == 1, result.output
    assert "Ward name" in result.output and "NHS number" in result.output
    assert "9434" not in result.output and "919" not in result.output


def test_pack_builds_its_images_with_mathtext_in_names(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack"
    # One provider's wards (the hostile ward's, whose provider name is hostile too): the same code
    # paths as the whole demo's pack at a fifth of the matplotlib time.
    result = run("report", "pack", "--out", str(out), "--db", str(hostile_db), "--today", "2026-11-25",
                 "--provider", WARD.split("-")[0])
    assert result.exit_code == 0, result.output
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) >= 3 and all(p.stat().st_size > 1000 for p in pngs)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "[/]Elm $\\frac{1}$" in index and "\x1b" not in index


# -- the app ---------------------------------------------------------------------------------------

def screen_text(app: Any) -> str:
    """Everything the screen shows: its screenshot's text, every table cell and tree label in full."""
    from textual.widgets import DataTable, Tree

    parts = svg_lines(app.export_screenshot())
    for table in app.screen.query(DataTable):
        for i in range(table.row_count):
            parts += [getattr(cell, "plain", str(cell)) for cell in table.get_row_at(i)]
    for tree in app.screen.query(Tree):
        stack = [tree.root]
        while stack:
            node = stack.pop()
            parts.append(node.label.plain)
            stack += list(node.children)
    return "\n".join(parts)


async def open_screen(pilot: Any, app: Any, name: str, class_name: str, **kwargs: Any) -> str:
    await until(pilot, lambda: app.store is not None)
    await app.workers.wait_for_complete()
    if name != "home":
        app.open_screen(name, **kwargs)
        await until(pilot, lambda: type(app.screen).__name__ == class_name)
    await app.workers.wait_for_complete()
    await until(pilot, lambda: not any(w.is_running for w in app.workers))
    await pilot.pause()
    return screen_text(app)


SCREENS = [
    ("home", "HomeScreen", {}, ["ward", "provider"]),
    ("huddle", "HuddleScreen", {"ward_code": WARD}, ["ward", "title"]),
    ("dashboard", "DashboardScreen", {}, ["ward"]),
    ("pdsa_list", "PdsaListScreen", {"ward_code": WARD}, ["ward", "title"]),
    ("progress", "ProgressScreen", {"ward_code": WARD}, ["ward", "progress"]),
    ("driver_diagram", "DriverDiagramScreen", {}, ["idea", "description", "driver", "aim"]),
    ("week_entry", "WeekEntryScreen", {"ward_code": WARD}, ["ward", "weekly"]),
]


@pytest.mark.parametrize(("name", "class_name", "kwargs", "keys"), SCREENS, ids=[s[0] for s in SCREENS])
async def test_screens_open_and_show_the_text_literally(
    hostile_db: Path, tmp_path: Path, make_app: Any, name: str, class_name: str, kwargs: dict, keys: list[str]
) -> None:
    db = tmp_path / "copy.sqlite"
    shutil.copy(hostile_db, db)
    app = make_app(db)
    async with app.run_test(size=(160, 50)) as pilot:
        text = await open_screen(pilot, app, name, class_name, **kwargs)
        assert type(app.screen).__name__ == class_name  # still open: nothing closed the app
        for key in keys:
            assert shown(key) in text, (key, shown(key))
        assert not RAW_CONTROLS.search(text), repr(RAW_CONTROLS.findall(text))
        if name == "home":
            assert "Long[/][/]" in text


async def test_a_notification_quoting_markup_is_shown_as_text(hostile_db: Path, tmp_path: Path, make_app: Any) -> None:
    db = tmp_path / "copy.sqlite"
    shutil.copy(hostile_db, db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.screen.notify("Saved [/] for [bold]" + HOSTILE["ward"])
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages == ["Saved [/] for [bold]" + visible(HOSTILE["ward"])]
        await pilot.pause()


def test_terminal_writer_shows_escapes_split_across_writes() -> None:
    import io

    from rrp.reports.user_text import TerminalWriter

    raw = io.BytesIO()
    writer = TerminalWriter(raw)
    data = "Elm\x1b]0;pwned\x07,\u202eevil\r\nnext,\u00e9\t1\n".encode()
    for i in range(len(data)):  # one byte at a time: an é and a bidi override split mid-character
        writer.write(data[i : i + 1])
    writer.flush()
    assert raw.getvalue().decode() == "Elm\\x1b]0;pwned\\x07,\\u202eevil\nnext,\u00e9\t1\n"


@pytest.mark.parametrize("kind", ["weekly", "pdsa", "annotations", "progress", "measures"])
def test_export_to_a_terminal_shows_control_characters_visibly(
    hostile_db: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rrp.reports.user_text as user_text_module

    monkeypatch.setattr(user_text_module, "on_terminal", lambda: True)
    result = CliRunner().invoke(main, ["export", kind, "-", "--db", str(hostile_db)])
    assert result.exit_code == 0, result.output
    assert not RAW_CONTROLS.search(result.output), repr(RAW_CONTROLS.findall(result.output))
    if kind != "measures":
        assert "\\x1b" in result.output  # the stored escape is shown, not obeyed
