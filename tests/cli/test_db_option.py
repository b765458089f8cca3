"""Which database a command uses: a typed --db wins over RRP_DB in either position, and a
--db that does not exist is refused by every command that reads data (only init/demo create)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main

DATA = Path(__file__).parents[2] / "data"


def run(*args: object, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def registry_db(tmp_path: Path) -> Path:
    """A real database with the registry and no weekly rows (tells itself apart from the demo)."""
    path = tmp_path / "registry.sqlite"
    assert run("init", "--db", path).exit_code == 0
    return path


def weekly_rows(result) -> int:
    return sum(1 for line in result.stdout.splitlines()[1:] if line.strip())


def test_rrp_db_alone_is_used(demo_db: Path) -> None:
    result = run("export", "weekly", "-", "--ward", "NVT-ASH", env={"RRP_DB": str(demo_db)})
    assert result.exit_code == 0 and weekly_rows(result) > 0


def test_db_before_the_command_beats_rrp_db(demo_db: Path, registry_db: Path) -> None:
    result = run("--db", registry_db, "export", "weekly", "-", env={"RRP_DB": str(demo_db)})
    assert result.exit_code == 0 and weekly_rows(result) == 0
    result = run("--db", demo_db, "export", "weekly", "-", "--ward", "NVT-ASH", env={"RRP_DB": str(registry_db)})
    assert result.exit_code == 0 and weekly_rows(result) > 0


def test_db_after_the_command_beats_rrp_db(demo_db: Path, registry_db: Path) -> None:
    result = run("export", "weekly", "-", "--db", registry_db, env={"RRP_DB": str(demo_db)})
    assert result.exit_code == 0 and weekly_rows(result) == 0
    result = run("export", "weekly", "-", "--ward", "NVT-ASH", "--db", demo_db, env={"RRP_DB": str(registry_db)})
    assert result.exit_code == 0 and weekly_rows(result) > 0


def test_db_after_the_command_beats_db_before_it(demo_db: Path, registry_db: Path) -> None:
    result = run("--db", demo_db, "export", "weekly", "-", "--db", registry_db)
    assert result.exit_code == 0 and weekly_rows(result) == 0


def test_typed_db_before_a_nested_command_beats_rrp_db(demo_db: Path, tmp_path: Path) -> None:
    """`rrp --db F report pack ...`: two levels below the group."""
    missing = tmp_path / "typo.sqlite"
    result = run("--db", missing, "report", "pack", "--out", tmp_path / "pack", env={"RRP_DB": str(demo_db)})
    assert result.exit_code == 2
    assert result.stderr.strip() == f"rrp: no database at {missing}; create one with `rrp init --db {missing}`"


READING_COMMANDS = {
    "import weekly": ["import", "weekly", DATA / "registry.csv"],
    "import wards": ["import", "wards", DATA / "registry.csv"],
    "import pdsa": ["import", "pdsa", DATA / "registry.csv"],
    "import submission": ["import", "submission", DATA / "registry.csv"],
    "export weekly": ["export", "weekly", "-"],
    "export submission": ["export", "submission", "-", "--ward", "NVT-ASH"],
    "backup": ["backup", "OUT"],
    "report collaborative": ["report", "collaborative"],
    "report pack": ["report", "pack", "--out", "OUT"],
    "report huddle": ["report", "huddle", "--ward", "NVT-ASH"],
}


@pytest.mark.parametrize("command", sorted(READING_COMMANDS))
@pytest.mark.parametrize("where", ["flag", "env"])
def test_a_missing_database_is_refused_not_created(command: str, where: str, tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    args = [tmp_path / "out" if a == "OUT" else a for a in READING_COMMANDS[command]]
    if where == "flag":
        result = run(*args, "--db", missing)
    else:
        result = run(*args, env={"RRP_DB": str(missing)})
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"rrp: no database at {missing}; create one with `rrp init --db {missing}`"
    assert not missing.exists()
    assert not (tmp_path / "out").exists()


def test_init_creates_the_database_the_others_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    assert run("import", "wards", DATA / "registry.csv", "--db", db).exit_code == 2
    assert run("init", "--db", db).exit_code == 0
    assert run("import", "wards", DATA / "registry.csv", "--db", db).exit_code == 0


def test_a_pipe_named_as_the_database_is_refused(tmp_path: Path) -> None:
    import os

    pipe = tmp_path / "pipe.sqlite"
    os.mkfifo(pipe)
    for args in (["init"], ["export", "weekly", "-"], ["import", "wards", DATA / "registry.csv"]):
        result = run(*args, "--db", pipe)
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"rrp: refused to use {pipe} as the database: it is a named pipe, not a regular file"
        )
