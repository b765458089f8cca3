"""The command line on a PostgreSQL database: --db or RRP_DB as a postgresql:// URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main


def test_rrp_db_url_runs_init_and_export(pg_database: str, tmp_path: Path) -> None:
    runner = CliRunner(env={"RRP_DB": pg_database})
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert pg_database in result.output and "19 wards" in result.output
    out = tmp_path / "wards.csv"
    exported = runner.invoke(main, ["export", "weekly", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_text(encoding="utf-8-sig").startswith("provider_code,")
    assert not Path("postgresql:").exists()  # the URL was never taken for a file name


@pytest.mark.parametrize("args", [["backup", "out.sqlite"], ["restore", "in.sqlite", "--yes"], ["demo", "--no-tui"]])
def test_file_only_commands_refuse_a_server_in_one_line(pg_database: str, tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--db", pg_database])
    assert result.exit_code == 2
    assert "works on an SQLite file" in result.output and "Traceback" not in result.output


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "weekly", "-", "--db", "postgresql://nobody@127.0.0.1:1/none"])
    assert result.exit_code == 1
    assert result.output.startswith("rrp: cannot connect to postgresql://nobody@127.0.0.1:1/none")
