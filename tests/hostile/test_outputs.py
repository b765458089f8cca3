"""Hostile output targets: no command writes over the database, its side files, or a non-file.

Every command that writes a file (each export kind, `backup`, `report pack --out`) is pointed at
the open database, its -wal and -shm (present: another station has it open), a named pipe, a
device, a folder, a symbolic link and a hard link to the database, and another rrp database. Each
must refuse with one exact line and exit 1, leaving the database byte for byte as it was and the
target as it was. Then the disk fails (full, a folder that cannot be written): one line, exit 1,
no partial file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main
from rrp.exchange.kinds import COMMAND_EXPORT_KINDS

EXPORT_KINDS = list(COMMAND_EXPORT_KINDS)
COMMANDS = [f"export {kind}" for kind in EXPORT_KINDS] + ["backup", "report pack"]
TARGETS = ["database", "wal", "shm", "fifo", "device", "folder", "symlink", "hardlink", "other database"]


def argv(command: str, out: Path, db: Path) -> list[str]:
    """The command line for `command` writing to `out` with --db `db`."""
    if command == "backup":
        return ["backup", str(out), "--db", str(db)]
    if command == "report pack":
        return ["report", "pack", "--out", str(out), "--db", str(db), "--today", "2026-11-18"]
    kind = command.split()[1]
    extra = ["--ward", "NVT-ASH"] if kind == "submission" else []
    return ["export", kind, str(out), "--db", str(db), *extra]


@pytest.fixture(autouse=True)
def provider_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """`export submission` signs with NVT's key: RRP_KEY names a key file made by `rrp keys new`."""
    key = tmp_path_factory.getbasetemp() / "nvt.key"
    if not key.exists():
        assert CliRunner().invoke(main, ["keys", "new", "--provider", "NVT", "--out", str(key)]).exit_code == 0
    monkeypatch.setenv("RRP_KEY", str(key))


def run(args: list[str]):
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def fingerprint(path: Path) -> tuple:
    """What a file is (kind, inode) and, for a regular file, a hash of its bytes."""
    info = os.lstat(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else None
    return (stat.S_IFMT(info.st_mode), info.st_ino, digest)


@pytest.fixture
def live_db(demo_db: Path) -> Iterator[Path]:
    """The demo database held open by another connection, so its -wal and -shm exist."""
    other = sqlite3.connect(demo_db)
    other.execute("SELECT count(*) FROM weekly").fetchone()
    assert Path(f"{demo_db}-wal").exists() and Path(f"{demo_db}-shm").exists()
    yield demo_db
    other.close()


def make_target(kind: str, db: Path, folder: Path, other_db: Path) -> Path:
    """Create the hostile target `kind` in `folder` (or name the database's own files)."""
    if kind == "database":
        return db
    if kind in ("wal", "shm"):
        return Path(f"{db}-{kind}")
    if kind == "other database":
        return other_db
    target = folder / f"target-{kind.replace(' ', '-')}"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        try:
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
        except (PermissionError, OSError):
            return Path("/dev/null")
    elif kind == "folder":
        target.mkdir()
    elif kind == "symlink":
        target.symlink_to(db)
    elif kind == "hardlink":
        os.link(db, target)
    return target


def expected_why(command: str, kind: str, db: Path) -> str:
    """The reason the refusal gives, exactly."""
    nouns = {
        "database": "the open database",
        "wal": "the open database's -wal file",
        "shm": "the open database's -shm file",
        "fifo": "a named pipe",
        "device": "a device",
        "folder": "a folder",
        "symlink": "the open database",
        "hardlink": "a hard link to the open database",
        "other database": "an rrp database",
    }
    noun = nouns[kind]
    if command == "report pack":
        why = f"{noun}, not a folder"
    elif kind == "folder":
        why = "a folder, not a file"
    elif kind in ("fifo", "device"):
        why = f"{noun}, not a regular file"
    elif command == "backup" and kind == "other database":
        why = "a file that already exists (choose a new file name)"
    else:
        why = noun
    if kind == "symlink":
        return f"it links to {os.path.realpath(db)}, which is {why}"
    return f"it is {why}"


CASES = [
    (command, kind)
    for command in COMMANDS
    for kind in TARGETS
    # a folder is where a backup or a pack goes: those are not hostile for them
    if not (kind == "folder" and command in ("backup", "report pack"))
]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[f"{c}->{k}" for c, k in CASES])
def test_refused_with_one_line_and_nothing_changed(
    command: str, kind: str, live_db: Path, demo_template: Path, tmp_path: Path
) -> None:
    other_db = tmp_path / "other.sqlite"
    shutil.copy(demo_template, other_db)
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    target = make_target(kind, live_db, out_folder, other_db)
    before_db = fingerprint(live_db)
    before_wal = fingerprint(Path(f"{live_db}-wal"))
    before_target = fingerprint(target)
    before_listing = sorted(p.name for p in tmp_path.rglob("*"))

    result = run(argv(command, target, live_db))

    assert result.exit_code == 1, result.output
    message = f"refused to write {target}: {expected_why(command, kind, live_db)}; nothing was written"
    assert result.stderr.strip() == f"rrp: {message}"
    assert fingerprint(live_db) == before_db
    assert fingerprint(Path(f"{live_db}-wal")) == before_wal
    assert stat.S_ISREG(os.lstat(f"{live_db}-shm").st_mode)
    assert fingerprint(target) == before_target
    assert sorted(p.name for p in tmp_path.rglob("*")) == before_listing  # no partial file left


def test_open_database_side_files_refused_even_when_absent(demo_db: Path) -> None:
    """A closed database has no -wal: writing one there would be replayed into the database."""
    before = fingerprint(demo_db)
    for suffix in ("-journal", "-wal", "-shm"):
        target = Path(f"{demo_db}{suffix}")
        if suffix == "-journal":
            assert not target.exists()
        result = run(argv("export weekly", target, demo_db))
        assert result.exit_code == 1
        why = f"it is the open database's {suffix} file"
        assert result.stderr.strip() == f"rrp: refused to write {target}: {why}; nothing was written"
        # absent, or the file SQLite itself made on opening: never the export
        assert not target.exists() or b"ward_code" not in target.read_bytes()
    assert fingerprint(demo_db) == before


def test_another_databases_wal_is_refused(demo_db: Path, demo_template: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    shutil.copy(demo_template, other)
    target = Path(f"{other}-wal")
    result = run(argv("export weekly", target, demo_db))
    assert result.exit_code == 1
    assert f"it is the -wal file of an rrp database ({other})" in result.stderr
    assert not target.exists()


def test_pack_refuses_before_drawing_when_one_file_is_hostile(live_db: Path, tmp_path: Path) -> None:
    """index.html is written last; a link there to the database is refused before any chart."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "index.html").symlink_to(live_db)
    before = fingerprint(live_db)
    result = run(argv("report pack", pack, live_db))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"rrp: refused to write {pack / 'index.html'}: it links to {os.path.realpath(live_db)}, "
        "which is the open database; nothing was written"
    )
    assert [p.name for p in pack.iterdir()] == ["index.html"]
    assert fingerprint(live_db) == before


def test_stdout_and_a_plain_file_are_still_written(demo_db: Path, tmp_path: Path) -> None:
    assert run(["export", "weekly", "-", "--db", str(demo_db), "--ward", "NVT-ASH"]).exit_code == 0
    out = tmp_path / "weekly.csv"
    out.write_text("an old export\n")
    assert run(argv("export weekly", out, demo_db)).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfprovider_code")
    link = tmp_path / "latest.csv"
    link.symlink_to(out)  # a link to a plain file: the file it names is replaced, the link kept
    assert run(argv("export monthly", link, demo_db)).exit_code == 0
    assert link.is_symlink() and b"month" in out.read_bytes()[:200]


# -- the disk fails -------------------------------------------------------------------------------


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "partial" in p.name or "journal" in p.name)


def test_export_to_a_full_disk_is_one_line(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("rrp.exchange.csv_out._write_rows", _no_space)
    out = tmp_path / "weekly.csv"
    result = run(argv("export weekly", out, demo_db))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"rrp: could not write {out}: No space left on device; nothing was written"
    assert not out.exists() and _leftovers(tmp_path) == []


def test_submission_to_a_full_disk_is_one_line(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    class FullDisk:
        """A file on a full disk: opening works, writing does not."""

        def __init__(self, real: object) -> None:
            self.real = real

        def write(self, data: bytes) -> int:
            _no_space()
            return 0

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.real.close()  # type: ignore[attr-defined]

    real_open = Path.open

    def open_full(self: Path, mode: str = "r", *args: object, **kwargs: object):
        handle = real_open(self, mode, *args, **kwargs)
        return FullDisk(handle) if "partial" in self.parent.name and "w" in mode else handle

    monkeypatch.setattr(Path, "open", open_full)
    out = tmp_path / "ward.json"
    result = run(argv("export submission", out, demo_db))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"rrp: could not write {out}: No space left on device; nothing was written"
    assert not out.exists() and _leftovers(tmp_path) == []


def test_backup_to_a_full_disk_is_one_line(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    import rrp.store.backup as backup_module

    real_open = backup_module.open_readonly

    class FullDiskSource:
        """The source database, whose backup fails as SQLite does when the target disk fills."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            self.conn = real_open(*args, **kwargs)  # type: ignore[arg-type]

        def execute(self, *args: object) -> object:
            return self.conn.execute(*args)  # type: ignore[arg-type]

        def backup(self, *args: object, **kwargs: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            self.conn.close()

    monkeypatch.setattr(backup_module, "open_readonly", FullDiskSource)
    backups = tmp_path / "backups"
    backups.mkdir()
    out = backups / "b.sqlite"
    result = run(argv("backup", out, demo_db))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"rrp: the backup to {out} failed: database or disk is full; nothing was written"
    assert list(backups.iterdir()) == []


def test_backup_into_a_folder_that_cannot_be_written_is_one_line(demo_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "b.sqlite"  # root ignores chmod; a path under a file cannot be written by anyone
    result = run(argv("backup", out, demo_db))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"rrp: could not write {out}: Not a directory; nothing was written"
    assert blocker.read_text() == "not a folder"


def test_pack_into_a_folder_that_cannot_be_made_is_one_line(demo_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "pack"
    result = run(argv("report pack", out, demo_db))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"rrp: could not write {out}: Not a directory; nothing was written"


def test_pack_to_a_full_disk_is_one_line(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "savefig", _no_space)
    out = tmp_path / "pack"
    result = run(argv("report pack", out, demo_db))
    assert result.exit_code == 1
    first = out / "learning-session.pptx"  # the deck is drawn first
    assert result.stderr.strip() == f"rrp: could not write {first}: No space left on device; nothing was written"
    assert list(out.iterdir()) == []


def test_the_apps_export_and_backup_refuse_the_open_database(demo_db: Path) -> None:
    """The Data screen's export and backup go through the same writer as the CLI."""
    from rrp.exchange.exports import ExportFilter
    from rrp.screens.data_io import run_backup, run_export
    from rrp.store import Store

    before = fingerprint(demo_db)
    store = Store(demo_db, create=False)
    try:
        outcome = run_export(store, "weekly", demo_db, ExportFilter())
    finally:
        store.close()
    assert not outcome.ok
    assert outcome.message == f"refused to write {demo_db}: it is the open database; nothing was written"
    outcome = run_backup(demo_db, Path(f"{demo_db}-wal"))
    assert not outcome.ok and "it is the open database's -wal file" in outcome.message
    assert fingerprint(demo_db) == before


@pytest.mark.parametrize("command", ["export weekly", "backup"])
def test_a_link_planted_at_the_old_temporary_name_is_never_written_through(
    demo_db: Path, tmp_path: Path, command: str
) -> None:
    """The temporary file is made in a private folder (mkdtemp), so a link planted where a
    predictable temporary name would be (`.NAME.PID.partial.EXT`, this process's pid) is never
    followed: the database it points at stays as it was."""
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / ("w.csv" if command.startswith("export") else "b.sqlite")
    planted = folder / f".{out.stem}.{os.getpid()}.partial{out.suffix}"
    planted.symlink_to(demo_db)
    before = fingerprint(demo_db)
    result = run(argv(command, out, demo_db))
    assert result.exit_code == 0, result.output
    assert fingerprint(demo_db) == before
    assert planted.is_symlink() and out.is_file()
    assert sorted(p.name for p in folder.iterdir()) == sorted([planted.name, out.name])  # no leftovers
