"""Every hostile file through every entry point: the exact refusal, exit code 1, the database unchanged.

Entry points: the command line (`rrp import KIND FILE`, in process), the app's Data in/out screen
(`run_import`, the headless function its Import button calls) and, for ward submissions, both
of those again (a submission is one more import kind); `rrp restore` for database files. Files
come from tests/hostile/corpus/ (small, committed; see hostile_corpus.py) or are made in tmp_path
(large). The limits are proved with tiny configured limits (no timing asserts); memory with the
peak RSS of a child process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_corpus import CORPUS, HEADER, make_blank_lines, make_many_objects, make_zip_bomb
from hostile_helpers import TODAY, fingerprint, make_database, rrp_many_measured, rrp_measured

from rrp.cli import main
from rrp.exchange import limits as limits_module
from rrp.exchange.summaries import problem_line
from rrp.models.problems import RowProblem
from rrp.screens.data_io import ImportRequest, run_import
from rrp.store import Store

#: A child's peak RSS may grow by at most this much reading any hostile file.
MAX_RSS_GROWTH_MB = 200

#: (corpus file, import kind, the exact lines the refusal must contain). "{path}" is the file.
REFUSED: list[tuple[str, str, list[str]]] = [
    (
        "weekly/cyrillic-ward-code.csv",
        "weekly",
        ["row 2, ward_code: A code is ASCII letters, digits, '-' or '_': 'NVT-\u0410SH' has '\u0410' (CYRILLIC CAPITAL LETTER A)"],
    ),
    ("weekly/year-one.csv", "weekly", ["row 2, week_start: Week start '0001-01-01' is outside the years 2000 to 2100"]),
    ("weekly/year-2099.csv", "weekly", ["row 2, week_start: Week start 2099-01-05 is in the future"]),
    ("weekly/row-number-bomb.xlsx", "weekly", ["{path} has more than 1,000,000 rows, the limit for a weekly import"]),
    ("wards/long-ward-name.csv", "wards", ["row 2, ward_name: Ward name is at most 120 characters (this one has 30,000)"]),
    ("wards/active-maybe.csv", "wards", ["row 2, active: Active must be one of true/false, yes/no or 1/0, not 'maybe'"]),
    (
        "wards/provider-two-names.csv",
        "wards",
        [
            "row 3, provider_name: provider NVT is named 'Northvale Healthcare NHS Trust (fictional)' in row 2 "
            "and 'Northvale NHS Trust' in row 3: one provider, one name"
        ],
    ),
    (
        "wards/cyrillic-ward-code.csv",
        "wards",
        ["row 2, ward_code: A code is ASCII letters, digits, '-' or '_': 'NVT-\u0410SH' has '\u0410' (CYRILLIC CAPITAL LETTER A)"],
    ),
    (
        "pdsa/bad-references.csv",
        "pdsa",
        [
            "row 2, ward_code: Ward NOPE-1 is not in the collaborative's registry",
            "row 2, change_idea_code: Change idea CI-NOPE is not in the change package",
            "row 3, change_idea_code: Change idea CI-NOPE is not in the change package",
            "row 4, ward_code: Ward NOPE-2 is not in the collaborative's registry",
            "row 4, change_idea_code: Change idea CI-NOPE is not in the change package",
        ],
    ),
    ("submission/version-abc.json", "submission", ["row 1, weekly.version: must be a whole number, not 'abc'"]),
    (
        "submission/version-list.json",
        "submission",
        ["row 1, weekly.version: must be a whole number, not [1, 2]", "row 2, weekly.updated_by: must be a name (text)"],
    ),
    (
        "submission/version-huge.json",
        "submission",
        ["row 1, weekly.version: must be between 1 and 1,000,000,000, not 1000000000000000000000000000000000000..."],
    ),
    ("submission/exported-in-the-future.json", "submission", ["exported_at: 2099-01-01T00:00:00Z is in the future"]),
    ("submission/rrp-version-list.json", "submission", ["rrp_version: must be a version such as 0.1.0, not ['0.1.0']"]),
    ("submission/ward-name-30000.json", "submission", ["ward.name: Ward name is at most 120 characters (this one has 30,000)"]),
    (
        "submission/updated-at-not-a-time.json",
        "submission",
        ["row 2, weekly.updated_at: 'yesterday' is not a time such as 2026-03-02T09:30:00Z"],
    ),
    (
        "submission/deletion-without-time.json",
        "submission",
        ["deleted.0.deleted_at: is missing", "deleted.0.reason: Input should be a valid string"],
    ),
    (
        "submission/unsigned-format-1.json",
        "submission",
        [
            "{path} is an unsigned submission (written by an older rrp): refused, nothing was imported. "
            "Submissions must be signed: ask the ward to export it again with its provider's key "
            "(rrp export submission --key KEYFILE)."
        ],
    ),
]

#: Files that must import in full, and the note that says what was read.
READ_IN_FULL: list[tuple[str, int, str]] = [
    ("weekly/stale-dimension.xlsx", 5, "the sheet's stored size (A1:G2) says 2 rows but it holds 6: every row was read"),
    ("weekly/hidden-first-sheet.xlsx", 2, "skipped the hidden sheet 'Old': read the first visible sheet 'Data' (name a sheet with --sheet)"),
]

ENTRY_POINTS = ("cli", "app")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_database(tmp_path_factory.mktemp("hostile") / "template.sqlite")


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite"
    shutil.copyfile(template, path)
    return path


def _import(entry: str, kind: str, path: Path, db: Path) -> tuple[bool, list[str]]:
    """(succeeded, every line said) of importing `path` through one entry point."""
    if entry == "cli":
        result = CliRunner().invoke(main, ["import", kind, str(path), "--db", str(db)], env={"COLUMNS": "400"})
        assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code in (0, 1), result.output
        lines = [line.strip().removeprefix("rrp: ").removeprefix("note: ") for line in result.output.splitlines()]
        return result.exit_code == 0, lines
    store = Store(db, who="app")
    try:
        outcome = run_import(store, ImportRequest(kind, path, False), dry_run=False, today=TODAY)
    finally:
        store.close()
    lines = [outcome.message, *(d.removeprefix("note: ") for d in outcome.details)]
    if not outcome.ok:
        lines += [problem_line(RowProblem(int(r), c, m)) for r, c, m in outcome.rows]
    return outcome.ok, lines


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(("name", "kind", "expected"), REFUSED, ids=[c[0] for c in REFUSED])
def test_hostile_file_refused_exactly(db: Path, entry: str, name: str, kind: str, expected: list[str]) -> None:
    path = CORPUS / name
    before = fingerprint(db)
    ok, lines = _import(entry, kind, path, db)
    assert not ok
    for line in expected:
        assert line.format(path=path) in lines, "\n".join(lines)
    assert fingerprint(db) == before


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(("name", "rows", "note"), READ_IN_FULL, ids=[c[0] for c in READ_IN_FULL])
def test_xlsx_read_in_full_and_says_which_sheet(db: Path, entry: str, name: str, rows: int, note: str) -> None:
    before = fingerprint(db)["weekly"]
    ok, lines = _import(entry, "weekly", CORPUS / name, db)
    assert ok, lines
    assert note in lines
    assert any(line.startswith("read the sheet ") for line in lines)
    assert fingerprint(db)["weekly"] == before + rows


# -- each limit, proved with a tiny configured limit ------------------------------------------------


def _weekly_file(path: Path, rows: int) -> Path:
    lines = [f"NVT-ASH,{TODAY.isoformat()},0,0,0,0,100\n"] * rows
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


LIMIT_CASES: list[tuple[str, dict[str, object], str]] = [
    ("max_bytes", {"max_bytes": 100}, "{path} is larger than the 100 bytes limit for a weekly import"),
    ("max_rows", {"max_rows": 50}, "{path} has more than 50 rows, the limit for a weekly import"),
    ("max_cells", {"max_cells": 70}, "{path} has more than 70 cells, the limit for a weekly import"),
    ("seconds", {"seconds": 0.0}, "{path} took longer than the 0 s limit for a weekly import; nothing was imported"),
]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("big", [False, True], ids=["csv-module", "fast-reader"])
@pytest.mark.parametrize(("limit", "change", "message"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_each_limit_names_itself(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, big: bool, limit: str, change: dict, message: str
) -> None:
    # 30,000 rows is past the 1 MB at which the fast reader takes over.
    path = _weekly_file(tmp_path / "weeks.csv", 30_000 if big else 200)
    monkeypatch.setitem(limits_module.DEFAULT_LIMITS, "weekly", limits_module.limits_for("weekly").with_(**change))
    before = fingerprint(db)
    ok, lines = _import(entry, "weekly", path, db)
    assert not ok
    assert message.format(path=path) in lines, lines
    assert fingerprint(db) == before


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_xlsx_decompressed_limit(db: Path, monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    path = CORPUS / "weekly/stale-dimension.xlsx"
    limits = limits_module.limits_for("weekly").with_(max_decompressed=4000)
    monkeypatch.setitem(limits_module.DEFAULT_LIMITS, "weekly", limits)
    ok, lines = _import(entry, "weekly", path, db)
    assert not ok
    assert f"{path} expands past the 4,000 bytes limit for a weekly import when unzipped" in lines


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("kind", ["wards", "pdsa", "submission"])
def test_every_kind_has_a_byte_limit(db: Path, monkeypatch: pytest.MonkeyPatch, entry: str, kind: str) -> None:
    path = CORPUS / {"wards": "wards/long-ward-name.csv", "pdsa": "pdsa/bad-references.csv", "submission": "submission/version-abc.json"}[kind]
    limits = limits_module.limits_for(kind).with_(max_bytes=64)
    monkeypatch.setitem(limits_module.DEFAULT_LIMITS, kind, limits)
    ok, lines = _import(entry, kind, path, db)
    assert not ok
    assert f"{path} is larger than the 64 bytes limit for {limits.kind}" in lines


# -- devices, pipes, and restore -------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("kind", ["weekly", "wards", "pdsa", "submission"])
def test_dev_zero_and_pipes_refused(db: Path, tmp_path: Path, entry: str, kind: str) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    words = limits_module.limits_for(kind).kind
    for path in (Path("/dev/zero"), fifo):
        ok, lines = _import(entry, kind, path, db)
        assert not ok
        assert f"{path} is not a regular file (a device, pipe or socket): {words} reads only files" in lines


def test_restore_refuses_devices_pipes_and_oversize(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "pipe.sqlite"
    os.mkfifo(fifo)
    runner = CliRunner()
    for path in (Path("/dev/zero"), fifo):
        result = runner.invoke(main, ["restore", str(path), "--db", str(db), "--yes"], env={"COLUMNS": "400"})
        assert result.exit_code == 1
        assert f"{path} is not a regular file (a device, pipe or socket): a backup to restore reads only files" in result.output
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(db, copy)
    monkeypatch.setitem(limits_module.DEFAULT_LIMITS, "restore", limits_module.limits_for("restore").with_(max_bytes=1000))
    result = runner.invoke(main, ["restore", str(copy), "--db", str(db), "--yes"], env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert f"{copy} is larger than the 1,000 bytes limit for a backup to restore" in result.output


# -- memory: the real limits, in a child process ---------------------------------------------------


def _large(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if name == "blank-lines.csv":
        make_blank_lines(path, 40)
    elif name == "zip-bomb.xlsx":
        make_zip_bomb(path, 300)
    elif name == "many-objects.json":
        make_many_objects(path)
    else:
        shutil.copyfile(CORPUS / "weekly" / name, path)
    return path


MEMORY_CASES = [
    ("blank-lines.csv", "weekly", "{path} has more than 1,000,000 rows, the limit for a weekly import"),
    ("zip-bomb.xlsx", "weekly", "{path}: the part xl/media/bomb.bin expands 1,028 times (more than 200), the limit for a weekly import: is it a zip bomb?"),
    ("row-number-bomb.xlsx", "weekly", "{path} has more than 1,000,000 rows, the limit for a weekly import"),
    ("many-objects.json", "submission", "{path} has more than 200,000 records, the limit for a ward submission"),
    ("/dev/zero", "weekly", "{path} is not a regular file (a device, pipe or socket): a weekly import reads only files"),
    ("/dev/zero", "submission", "{path} is not a regular file (a device, pipe or socket): a ward submission reads only files"),
]


@pytest.mark.parametrize(("name", "kind", "message"), MEMORY_CASES, ids=[f"{c[1]}-{c[0]}" for c in MEMORY_CASES])
def test_hostile_file_bounded_in_memory(db: Path, tmp_path: Path, name: str, kind: str, message: str) -> None:
    path = Path(name) if name.startswith("/") else _large(tmp_path, name)
    before = fingerprint(db)
    code, stderr, growth = rrp_measured("import", kind, str(path), "--db", str(db))
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert f"rrp: {message.format(path=path)}" in stderr.splitlines(), stderr
    assert growth < MAX_RSS_GROWTH_MB, f"peak RSS grew {growth:.0f} MB"
    assert fingerprint(db) == before


def test_national_scale_is_within_the_weekly_limits(tmp_path: Path) -> None:
    """2,000 wards x 260 weeks = 520,000 rows (with notes) reads under the default weekly limits."""
    from rrp.exchange.reading import read_table

    path = tmp_path / "national.csv"
    row = "WARD-{:04d},2026-03-02,1,0,0,0,100,a short note about the week\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER.strip() + ",note\n")
        for _ in range(260):
            handle.write("".join(row.format(w) for w in range(2_000)))
    table = read_table(path, limits=limits_module.limits_for("weekly"))
    assert len(table) == 520_000


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("/dev/zero", "/dev/zero is not a regular file (a device, pipe or socket): a registry import reads only files"),
        ("wards/provider-two-names.csv", REFUSED[6][2][0]),
        ("wards/active-maybe.csv", REFUSED[5][2][0]),
        ("wards/cyrillic-ward-code.csv", REFUSED[7][2][0]),
    ],
)
def test_init_from_a_registry_file_is_held_to_the_same_rules(tmp_path: Path, name: str, line: str) -> None:
    path = Path(name) if name.startswith("/") else CORPUS / name
    result = CliRunner().invoke(main, ["init", "--registry", str(path), "--db", str(tmp_path / "new.sqlite")], env={"COLUMNS": "400"})
    assert result.exit_code == 1, result.output
    assert line in [part.strip().removeprefix("rrp: ") for part in result.output.splitlines()], result.output


TIME_CASES = [
    ("weekly", "weekly/stale-dimension.xlsx", "a weekly import"),
    ("wards", "wards/active-maybe.csv", "a registry import"),
    ("pdsa", "pdsa/bad-references.csv", "a PDSA import"),
    ("submission", "submission/version-abc.json", "a ward submission"),
]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(("kind", "name", "words"), TIME_CASES, ids=[c[0] for c in TIME_CASES])
def test_every_reader_has_a_time_limit(
    db: Path, monkeypatch: pytest.MonkeyPatch, entry: str, kind: str, name: str, words: str
) -> None:
    """A deadline of 0 s is spent at its first check: each reader checks one (no clocks in the test)."""
    path = CORPUS / name
    monkeypatch.setitem(limits_module.DEFAULT_LIMITS, kind, limits_module.limits_for(kind).with_(seconds=0.0))
    before = fingerprint(db)
    ok, lines = _import(entry, kind, path, db)
    assert not ok
    assert f"{path} took longer than the 0 s limit for {words}; nothing was imported" in lines, lines
    assert fingerprint(db) == before


def test_every_corpus_file_bounded_in_memory(db: Path) -> None:
    """Every committed hostile file through the real CLI in one child: each refused, peak RSS bounded."""
    runs = [["import", kind, str(CORPUS / name), "--db", str(db)] for name, kind, _ in REFUSED]
    before = fingerprint(db)
    codes, growth = rrp_many_measured(runs)
    assert codes == [1] * len(runs)
    assert growth < MAX_RSS_GROWTH_MB, f"peak RSS grew {growth:.0f} MB"
    assert fingerprint(db) == before


def test_an_xlsx_read_that_stops_early_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader counts the sheet's row elements as it unzips; reading fewer is refused, not imported.

    openpyxl trusts the stored size unless told not to; undo that here and the count catches it.
    """
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from rrp.exchange.reading import FileRefused, read_table

    path = CORPUS / "weekly/stale-dimension.xlsx"
    monkeypatch.setattr(ReadOnlyWorksheet, "reset_dimensions", lambda self: None)
    with pytest.raises(FileRefused) as refused:
        read_table(path)
    assert str(refused.value) == f"{path}: read 2 rows of the sheet 'Weekly' but it holds 6; nothing was imported"


# -- the measures file (rrp import measures): the same bounded reader -------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: Path("/dev/zero"), "/dev/zero is not a regular file (a device, pipe or socket): a measures file reads only files"),
        (lambda d: _fifo(d / "m.toml"), "m.toml is not a regular file (a device, pipe or socket): a measures file reads only files"),
        (lambda d: _text(d / "m.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n"), "not a measures file: values are nested too deeply"),
        (lambda d: _text(d / "m.toml", "a = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"), "not a measures file: values are nested too deeply"),
        (lambda d: _text(d / "m.toml", "# pad\n" * 200_000), "is larger than the 1 MB limit for a measures file"),
        (lambda d: _text(d / "m.toml", '[[measure]]\ncode = "x"\n' * 501), "501 [[measure]] tables: a measures file holds at most 500"),
    ],
    ids=["dev-zero", "fifo", "deep-array", "deep-table", "too-large", "too-many-measures"],
)
def test_measures_file_attacks_refused_in_one_line(tmp_path: Path, make, expected: str) -> None:
    db = make_database(tmp_path / "m.sqlite")
    before = fingerprint(db)
    path = make(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "rrp", "import", "measures", str(path), "--db", str(db)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert fingerprint(db) == before


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- dates outside the years rrp works with: one rule (rrp.models.fields.parse_date) -------------


@pytest.mark.parametrize(
    "args",
    [
        ["report", "huddle", "--ward", "ERC-MAPLE", "--today", "0001-01-01"],
        ["report", "collaborative", "--today", "9999-12-31"],
        ["pdsa", "list", "--today", "9999-12-31"],
        ["export", "weekly", "-", "--from", "0001-01-01"],
        ["chart", "CSV", "--value", "value", "--chart", "xmr", "--fix-after", "999999999999999999999"],
        ["export", "spc", "-", "--fix-after", "999999999999999999999"],
    ],
    ids=["huddle-year-1", "collaborative-9999", "pdsa-9999", "export-from-year-1", "chart-fix-after", "spc-fix-after"],
)
def test_out_of_range_dates_and_numbers_are_one_line(tmp_path: Path, args: list[str]) -> None:
    db = make_database(tmp_path / "d.sqlite")
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("label,value\n" + "".join(f"{i},{i % 3}\n" for i in range(20)), encoding="utf-8")
    argv = [str(csv_file) if a == "CSV" else a for a in args]
    if argv[0] != "chart":
        argv += ["--db", str(db)]
    result = CliRunner().invoke(main, argv)
    # refused as a usage error, or (the PDSA list of an empty database) nothing to judge: no crash
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def test_pdsa_and_values_dates_in_year_1_are_refused() -> None:
    from pydantic import ValidationError

    from rrp.models.fields import parse_date

    for text in ("0001-01-01", "9999-12-31", "01/01/0001"):
        with pytest.raises(Exception, match="outside the years 2000 to 2100") as refused:
            parse_date(text, "Planned start")
        assert not isinstance(refused.value, ValidationError)
