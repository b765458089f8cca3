"""Hostile databases: each attacked rrp database is refused, by name, and left byte-for-byte untouched.

Every attack starts from a real rrp database (the shipped registry, two providers' weeks) and
changes its schema the way someone with the file could: an added trigger that rewrites another
provider's counts or shreds audit rows, a view in place of the weekly table, a dropped CHECK
(written straight into sqlite_master, as `PRAGMA writable_schema` allows), an extra or missing
index, column or table. Opening the Store, `rrp export`, `rrp restore` and the backup check must
all refuse with the one message that names every difference, and the file must not change.

Damaged files (truncated, garbage after a valid header, a garbage page deep inside) end as one
line, never a traceback. A read-only database opens read-only: tests run as root, where chmod
does not stop a write, so "no write permission" is simulated by `os.access` answering no, and a
read-only medium by a read-only bind mount in a private mount namespace (`unshare -m`; skipped
where that is not allowed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrp import __version__
from rrp.models.registry_file import parse_registry
from rrp.models.weekly import WeeklyCounts
from rrp.paths import DATA_DIR
from rrp.store import Store, WriteFailed
from rrp.store.backup import check_database, online_backup
from rrp.store.errors import DamagedDatabase, SchemaMismatch
from rrp.store.schema import MIGRATIONS, SCHEMA_VERSION

TODAY = dt.date(2026, 11, 23)
WEEK = dt.date(2026, 11, 16)
#: Two wards of different providers in the shipped registry.
WARDS = ("NVT-ASH", "SCP-ELM")


def _build_genuine(path: Path) -> None:
    """A real rrp database as a single self-contained file (journal mode DELETE, no -wal)."""
    store = Store(path, who="test")
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    for ward in WARDS:
        week = WeeklyCounts(ward_code=ward, week_start=WEEK, restraint=3, prone_restraint=1, seclusion=1,
                            rapid_tranquillisation=0, occupied_bed_days=100)
        store.weekly.save(week, expected_version=None, today=TODAY)
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


@pytest.fixture(scope="module")
def genuine_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("genuine") / "genuine.sqlite"
    _build_genuine(path)
    return path


@pytest.fixture
def genuine(genuine_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "db.sqlite"
    shutil.copy(genuine_template, target)
    return target


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.stem) and p != path)


def _rrp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rrp", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "400"},
    )


def _one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    """Refused (exit 1) with exactly one line on stderr, that line being `expected`."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.stderr.strip() == expected, result.stderr


def _edit_schema_text(conn: sqlite3.Connection, name: str, old: str, new: str) -> None:
    """Rewrite an object's SQL in sqlite_master, as `PRAGMA writable_schema` lets anyone do."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    assert old in sql, (name, old)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql.replace(old, new, 1), name))
    conn.execute("PRAGMA writable_schema = OFF")


def _other_provider_trigger(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TRIGGER sneaky AFTER INSERT ON weekly BEGIN UPDATE weekly SET restraint = 0 "
        "WHERE ward_code IN (SELECT code FROM ward WHERE provider_code <> "
        "(SELECT provider_code FROM ward WHERE code = NEW.ward_code)); END"
    )


def _audit_shredder(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TRIGGER shred AFTER INSERT ON audit BEGIN DELETE FROM audit WHERE id = NEW.id; END")


def _weekly_view(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE weekly")
    conn.execute(
        "CREATE VIEW weekly AS SELECT code AS ward_code, '2026-11-16' AS week_start, 0 AS restraint, "
        "0 AS prone_restraint, 0 AS seclusion, 0 AS rapid_tranquillisation, 100 AS occupied_bed_days, "
        "NULL AS note, '' AS updated_at, 'x' AS updated_by, 1 AS version FROM ward"
    )


def _check_removed(conn: sqlite3.Connection) -> None:
    _edit_schema_text(
        conn, "weekly",
        "restraint INTEGER NOT NULL CHECK (typeof(restraint) = 'integer' AND restraint >= 0 AND restraint <= 1000)",
        "restraint INTEGER NOT NULL",
    )


def _column_type(conn: sqlite3.Connection) -> None:
    _edit_schema_text(conn, "ward", "beds INTEGER NOT NULL", "beds TEXT NOT NULL")


def _trigger_body(conn: sqlite3.Connection) -> None:
    _edit_schema_text(conn, "weekly_bed_days_insert", "beds * 7", "beds * 70")


def _hostile_name(conn: sqlite3.Connection) -> None:
    conn.execute('CREATE TABLE "[bold]x\nrrp: all fine" (x)')


#: attack name -> (how, the differences rrp must name, in its order)
def _downgrade(conn: sqlite3.Connection, version: int) -> None:
    """Make a genuine database of schema `version` from a current one, rows kept: drop what the
    later migrations added (they only add), then set the version."""
    older = sqlite3.connect(":memory:")
    for step in MIGRATIONS[:version]:
        older.executescript(step)
    kept = {r[0] for r in older.execute("SELECT name FROM sqlite_master")}
    kept_columns = {
        name: [c[1] for c in older.execute(f'PRAGMA table_info("{name}")')]
        for (name,) in older.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    older.close()
    for table, columns in kept_columns.items():  # columns a later migration added (schema 5's)
        for (column,) in conn.execute(f'SELECT name FROM pragma_table_info("{table}")').fetchall():
            if column not in columns:
                conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    added = conn.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
        "ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
    ).fetchall()
    for kind, name in added:
        if name not in kept:
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
    conn.execute(f"PRAGMA user_version = {version}")


def _release_triggers_on(table: str, kind: str = "trigger") -> list[str]:
    """The triggers (or indexes) the release's own DDL puts on `table` (dropped with it when it
    is replaced)."""
    conn = sqlite3.connect(":memory:")
    for step in MIGRATIONS:
        conn.executescript(step)
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
        (kind, table))]
    conn.close()
    return names


ATTACKS: dict[str, tuple[Callable[[sqlite3.Connection], None], list[str]]] = {
    "trigger-other-provider": (_other_provider_trigger, ["extra trigger 'sneaky' on 'weekly'"]),
    "trigger-deletes-audit": (_audit_shredder, ["extra trigger 'shred' on 'audit'"]),
    "weekly-is-a-view": (_weekly_view, sorted([
        *(f"missing trigger '{name}' on 'weekly'" for name in _release_triggers_on("weekly")),
        *(f"missing index '{name}' on 'weekly'" for name in _release_triggers_on("weekly", "index")),
        "table 'weekly' replaced by a view",
    ])),
    "check-removed": (_check_removed, ["table 'weekly' altered (CHECK removed)"]),
    "extra-index": (lambda c: c.execute("CREATE INDEX by_restraint ON weekly(restraint)"),
                    ["extra index 'by_restraint' on 'weekly'"]),
    "extra-column": (lambda c: c.execute("ALTER TABLE ward ADD COLUMN secret TEXT"),
                     ["table 'ward' altered (column 'secret' added)"]),
    "dropped-index": (lambda c: c.execute("DROP INDEX audit_row"), ["missing index 'audit_row' on 'audit'"]),
    "extra-table": (lambda c: c.execute("CREATE TABLE notes (x)"), ["extra table 'notes'"]),
    "extra-view": (lambda c: c.execute("CREATE VIEW v AS SELECT 1"), ["extra view 'v'"]),
    "column-type": (_column_type, ["table 'ward' altered (column 'beds' changed)"]),
    "trigger-altered": (_trigger_body, ["trigger 'weekly_bed_days_insert' on 'weekly' altered"]),
    "hostile-name": (_hostile_name, ["extra table '[bold]x\\nrrp: all fine'"]),
}


def _attack(path: Path, how: Callable[[sqlite3.Connection], None]) -> None:
    conn = sqlite3.connect(path)
    how(conn)
    conn.commit()
    conn.close()


def _refusal(path: Path, differences: list[str], version: int = SCHEMA_VERSION) -> str:
    return (f"refused {path}: its schema differs from what rrp {__version__} expects (schema {version}): "
            f"{'; '.join(differences)}. It was left untouched")


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attacked_schema_refused_everywhere_and_untouched(genuine: Path, tmp_path: Path, attack: str) -> None:
    how, differences = ATTACKS[attack]
    _attack(genuine, how)
    before, siblings = _digest(genuine), _siblings(genuine)
    message = _refusal(genuine, differences)

    with pytest.raises(SchemaMismatch) as refused:
        Store(genuine)
    assert str(refused.value) == message
    assert refused.value.differences == differences
    with pytest.raises(SchemaMismatch):
        check_database(genuine)  # what `rrp backup` verifies its copy with, and restore its source
    with pytest.raises(SchemaMismatch):
        online_backup(genuine, tmp_path / "copy.sqlite")  # `rrp backup` of it
    assert not list(tmp_path.glob("copy.sqlite*"))

    _one_line(_rrp("export", "weekly", str(tmp_path / "out.csv"), "--db", str(genuine)), f"rrp: {message}")
    assert not (tmp_path / "out.csv").exists()
    target = tmp_path / "target.sqlite"
    _build_genuine(target)
    target_before = _digest(target)
    _one_line(_rrp("restore", str(genuine), "--yes", "--db", str(target)), f"rrp: {message}")
    assert _digest(target) == target_before, "the database a refused backup was to replace is unchanged"

    assert _digest(genuine) == before and _siblings(genuine) == siblings, "the attacked file is untouched"


def test_a_stored_5000_behind_a_removed_check_is_never_shown(genuine: Path, tmp_path: Path) -> None:
    _attack(genuine, _check_removed)
    conn = sqlite3.connect(genuine)
    conn.execute("UPDATE weekly SET restraint = 5000 WHERE ward_code = ?", (WARDS[0],))
    conn.commit()
    conn.close()
    result = _rrp("export", "weekly", "-", "--db", str(genuine))
    _one_line(result, f"rrp: {_refusal(genuine, ['table ' + repr('weekly') + ' altered (CHECK removed)'])}")
    assert "5000" not in result.stdout


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_5000_stored_behind_a_check_put_back_fails_the_backup_and_restore_check(
    genuine: Path, tmp_path: Path, journal: str
) -> None:
    """The schema is genuine again, the row is not: what a backup or restore must still catch.

    (SQLite leaves CHECKs out of a read-only connection's schema, so an integrity check on one
    passed this file; opening the file for use does not scan every row, which would cost seconds.)
    """
    _attack(genuine, _check_removed)
    conn = sqlite3.connect(genuine)
    conn.execute("UPDATE weekly SET restraint = 5000 WHERE ward_code = ?", (WARDS[0],))
    conn.commit()
    conn.close()
    _attack(genuine, lambda c: _edit_schema_text(c, "weekly", "restraint INTEGER NOT NULL,",
                                                 "restraint INTEGER NOT NULL CHECK (typeof(restraint) = 'integer' "
                                                 "AND restraint >= 0 AND restraint <= 1000),"))
    if journal == "wal":
        _attack(genuine, lambda c: c.execute("PRAGMA journal_mode = WAL"))
    before = _digest(genuine)
    check = check_database(genuine)
    assert not check.ok and check.integrity.startswith("CHECK constraint failed in weekly")
    target = tmp_path / "target.sqlite"
    restored = _rrp("restore", str(genuine), "--yes", "--db", str(target))
    assert restored.returncode == 1 and "failed its integrity check (CHECK constraint failed in weekly" in restored.stderr
    assert not target.exists()
    backed_up = _rrp("backup", str(tmp_path / "copy.sqlite"), "--db", str(genuine))
    assert backed_up.returncode == 1 and "integrity check (CHECK constraint failed" in backed_up.stderr
    assert not list(tmp_path.glob("copy.sqlite*"))
    assert _digest(genuine) == before


def test_a_genuine_backup_restores_over_an_attacked_database(genuine: Path, tmp_path: Path) -> None:
    """Replacing a tampered database is what a restore is for: it is kept beside, untouched."""
    backup = tmp_path / "backup.sqlite"
    shutil.copy(genuine, backup)
    _attack(genuine, _audit_shredder)
    attacked = _digest(genuine)
    result = _rrp("restore", str(backup), "--yes", "--db", str(genuine))
    assert result.returncode == 0, result.stderr
    kept = [p for p in tmp_path.glob("db.before-restore-*.sqlite")]
    assert len(kept) == 1 and "shred" in [r[0] for r in sqlite3.connect(kept[0]).execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    assert attacked != _digest(genuine)
    store = Store(genuine)
    assert store.weekly.week(WARDS[0], WEEK).counts.restraint == 3
    store.close()


def test_an_older_attacked_database_is_refused_before_any_backup_or_migration(genuine: Path) -> None:
    conn = sqlite3.connect(genuine)
    _downgrade(conn, 1)  # a genuine schema-1 file so far ...
    _audit_shredder(conn)  # ... with a trigger added
    conn.commit()
    conn.close()
    before, siblings = _digest(genuine), _siblings(genuine)
    with pytest.raises(SchemaMismatch) as refused:
        Store(genuine)
    assert str(refused.value) == _refusal(genuine, ["extra trigger 'shred' on 'audit'"], version=1)
    assert _digest(genuine) == before and _siblings(genuine) == siblings, "no backup copy, no migration"


def test_a_genuine_older_database_still_migrates(genuine: Path) -> None:
    conn = sqlite3.connect(genuine)
    _downgrade(conn, 1)
    conn.commit()
    conn.close()
    store = Store(genuine)
    assert store.database.migrated_from == 1 and store.database.schema_version == SCHEMA_VERSION
    assert store.weekly.week(WARDS[0], WEEK).counts.restraint == 3
    store.close()
    assert check_database(genuine).ok


def test_the_genuine_database_and_a_whitespace_only_difference_are_accepted(genuine: Path) -> None:
    _attack(genuine, lambda c: _edit_schema_text(c, "weekly_bed_days_insert", "BEGIN SELECT", "BEGIN\n    SELECT"))
    store = Store(genuine)
    assert store.weekly.week(WARDS[1], WEEK).counts.restraint == 3
    store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(["weekly", "weekly_bed_days_update", "ward", "audit"]),
    position=st.floats(0, 1),
    cut=st.integers(0, 12),
    insert=st.text(alphabet="()'\" -;,x0123456789<>=\n", max_size=4),
)
def test_any_mutation_of_the_schema_text_is_refused(
    genuine_template: Path, tmp_path_factory: pytest.TempPathFactory,
    target: str, position: float, cut: int, insert: str,
) -> None:
    from rrp.store.verify import normalise_sql

    path = tmp_path_factory.mktemp("mutant") / "db.sqlite"
    shutil.copy(genuine_template, path)
    conn = sqlite3.connect(path)
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (target,)).fetchone()
    at = int(position * len(sql))
    mutant = sql[:at] + insert + sql[at + cut:]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (mutant, target))
    conn.commit()
    conn.close()
    before = _digest(path)
    if normalise_sql(mutant) == normalise_sql(sql):
        # Only whitespace or a comment changed: the same schema, so it opens, unless SQLite itself
        # cannot parse the text (a space before CREATE): then it is refused as damaged, untouched.
        try:
            Store(path).close()
        except DamagedDatabase:
            assert _digest(path) == before
        return
    with pytest.raises((SchemaMismatch, DamagedDatabase)):  # damaged: SQLite cannot even parse it
        Store(path)
    assert _digest(path) == before


# -- damaged files ------------------------------------------------------------------------------


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage_after_header(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:100] + bytes((i * 37 + 11) % 256 for i in range(len(data) - 100)))


def _garbage_weekly_page(path: Path) -> None:
    """Garbage over the weekly table's root page only: the schema reads, weekly does not.

    In WAL mode, as rrp keeps a database it uses (so opening it does not rewrite the header).
    """
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'weekly'").fetchone()
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size: root * page_size] = bytes([0xA5]) * page_size
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncated, _garbage_after_header, _garbage_weekly_page],
                         ids=["truncated", "garbage-after-header", "garbage-weekly-page"])
def test_damaged_database_is_one_clear_line(genuine: Path, tmp_path: Path, damage: Callable[[Path], None]) -> None:
    damage(genuine)
    before = _digest(genuine)
    if damage is not _garbage_weekly_page:  # found on opening
        with pytest.raises(DamagedDatabase, match="is damaged .*left untouched"):
            Store(genuine)
    for args in (["export", "weekly", str(tmp_path / "out.csv")], ["report", "huddle", "--ward", WARDS[0]],
                 ["restore", str(genuine), "--yes", "--db", str(tmp_path / "t.sqlite")]):
        result = _rrp(*args, "--db", str(genuine)) if args[0] != "restore" else _rrp(*args)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rrp: ") and "damaged" in lines[0], (args, result.stderr)
    assert _digest(genuine) == before


@pytest.mark.parametrize("attack", ["truncated", "trigger-other-provider"])
async def test_app_start_on_a_damaged_or_attacked_database_shows_one_line(genuine: Path, attack: str) -> None:
    """The first screen reads with plain SQL before the store loads: it too sees only a verified file."""
    from pilot import until
    from textual.widgets import DataTable, Static

    from rrp.app import RrpApp

    if attack == "truncated":
        _truncated(genuine)
        expected = f"{genuine} is damaged (the file is shorter than its header says"
    else:
        _attack(genuine, ATTACKS[attack][0])
        expected = _refusal(genuine, ATTACKS[attack][1])
    before = _digest(genuine)
    app = RrpApp(genuine, today=TODAY, who="nurse")
    async with app.run_test() as pilot:
        def shown() -> str:
            found = app.screen.query("#home-status")
            return str(found.first(Static).render()) if found else ""

        await until(pilot, lambda: expected in shown())
        assert app.store is None and app.database is None
        assert app.screen.query_one("#wards", DataTable).row_count == 0
    assert _digest(genuine) == before


# -- read-only databases ------------------------------------------------------------------------


def test_database_without_write_permission_opens_read_only(genuine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root, chmod 444 does not stop a write, so ask the question rrp asks, and get "no".
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode, **kw))
    before = _digest(genuine)
    store = Store(genuine)
    assert store.database.readonly
    assert store.weekly.week(WARDS[0], WEEK).counts.restraint == 3  # reads work
    week = store.weekly.week(WARDS[0], WEEK).counts.model_copy(update={"restraint": 4})
    with pytest.raises(WriteFailed, match=r"^database is read-only: .*nothing was saved$"):
        store.weekly.save(week, expected_version=1, today=TODAY)
    store.preferences.set("huddle.NVT-ASH", {"chart": "xmr"})  # a screen's choice: kept for the session
    assert store.preferences.get("huddle.NVT-ASH") == {"chart": "xmr"}
    store.close()
    assert _digest(genuine) == before
    assert not Path(f"{genuine}-wal").exists()


def test_old_schema_read_only_is_refused_untouched(genuine: Path) -> None:
    conn = sqlite3.connect(genuine)
    _downgrade(conn, 1)
    conn.commit()
    conn.close()
    before, siblings = _digest(genuine), _siblings(genuine)
    with pytest.raises(WriteFailed, match="read-only.*needs write access; it was left untouched"):
        Store(genuine, readonly=True)
    assert _digest(genuine) == before and _siblings(genuine) == siblings


UNSHARE = shutil.which("unshare")
READ_ONLY_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"'


def _read_only_mount(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UNSHARE or "unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, "sh", str(folder), *command],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "400"},
    )


def test_database_on_a_read_only_medium_reads_and_refuses_writes(tmp_path: Path) -> None:
    if UNSHARE is None or _read_only_mount(tmp_path, "true").returncode != 0:
        pytest.skip("no private mount namespace here (needs unshare and CAP_SYS_ADMIN)")
    medium = tmp_path / "medium"
    medium.mkdir()
    db = medium / "db.sqlite"
    store = Store(db, who="test")  # a live WAL database, as a ward's PC leaves it
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    store.weekly.save(WeeklyCounts(ward_code=WARDS[0], week_start=WEEK, restraint=2, prone_restraint=0, seclusion=0,
                                   rapid_tranquillisation=0, occupied_bed_days=90), expected_version=None, today=TODAY)
    store.close()
    for sibling in ("-wal", "-shm"):
        Path(f"{db}{sibling}").unlink(missing_ok=True)  # so SQLite would have to create them
    before = _digest(db)
    rrp = [sys.executable, "-m", "rrp"]
    exported = _read_only_mount(medium, *rrp, "export", "weekly", "-", "--db", str(db))
    assert exported.returncode == 0, exported.stderr
    assert f"{WARDS[0]}," in exported.stdout and ",2026-11-16,2," in exported.stdout
    data = tmp_path / "w.csv"
    data.write_text("ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,"
                    f"occupied_bed_days\n{WARDS[0]},2026-11-09,1,0,0,0,90\n", encoding="utf-8")
    imported = _read_only_mount(medium, *rrp, "import", "weekly", str(data), "--db", str(db))
    assert imported.returncode == 1 and "Traceback" not in imported.stderr, imported.stderr
    assert imported.stderr.strip() == (
        f"rrp: database is read-only: {db} (opened read-only: no write permission, or a read-only medium): "
        "nothing was saved"
    )
    # A live database whose latest changes are still in its -wal: refused, not shown as it was.
    live = medium / "live.sqlite"
    shutil.copy(db, live)
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE weekly SET restraint = 3")
    writer.commit()
    frozen = tmp_path / "frozen"
    frozen.mkdir()
    for name in ("live.sqlite", "live.sqlite-wal"):  # as copied off a station mid-session
        shutil.copy(medium / name, frozen / name)
    writer.close()
    stale = _read_only_mount(frozen, *rrp, "export", "weekly", "-", "--db", str(frozen / "live.sqlite"))
    assert stale.returncode == 1 and "Traceback" not in stale.stderr, stale.stderr
    assert stale.stderr.count("\n") == 1 and "its latest changes are still in live.sqlite-wal" in stale.stderr
    assert ",2026-11-16,2," not in stale.stdout
    backup = tmp_path / "backup.sqlite"
    copied = _read_only_mount(medium, *rrp, "backup", str(backup), "--db", str(db))
    assert copied.returncode == 0, copied.stderr
    assert check_database(backup).ok
    assert _digest(db) == before



async def test_app_opens_a_read_only_database_and_reads_it(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pilot import until
    from textual.widgets import DataTable

    from rrp.app import RrpApp

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode, **kw))
    before = _digest(demo_db)
    app = RrpApp(demo_db, today=TODAY, who="nurse")
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards")
                    and app.screen.query_one("#wards", DataTable).row_count > 0)
        assert app.store.database.readonly
    assert _digest(demo_db) == before
