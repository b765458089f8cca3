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


def test_a_shared_server_for_a_region_as_the_readme_sets_it_up(pg_database: str, monkeypatch) -> None:
    """README "A shared server for a region", step by step: init and roles by the owner, a login
    role per station and for the facilitator; two providers' stations each save their own wards'
    weeks and are refused the other's by PostgreSQL; the facilitator sees both on the dashboard
    (its summaries stored by the facilitator's role); `rrp admin refresh-summaries` runs."""
    import datetime as dt
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from rrp.models import WeeklyCounts
    from rrp.reports.summaries import out_of_date, summary_dashboard
    from rrp.store import Store, StoreError, UnknownRecord, pg_verify

    runner = CliRunner()
    for args in (["init"], ["admin", "roles"]):
        result = runner.invoke(main, [*args, "--db", pg_database])
        assert result.exit_code == 0, result.output
    suffix = pg_database.rsplit("_", 1)[-1]
    logins = {"nvt": "rrp_provider_nvt", "scp": "rrp_provider_scp", "fac": "rrp_facilitator"}
    with psycopg.connect(pg_database, autocommit=True) as owner:  # psql, as the README shows
        for name, group in logins.items():
            owner.execute(f'CREATE ROLE {name}_{suffix} LOGIN IN ROLE "{group}"')
    parts = urlsplit(pg_database)

    def station(name: str) -> Store:
        monkeypatch.setattr(pg_verify, "_CACHE", {})  # each station is its own process
        url = urlunsplit(parts._replace(netloc=f"{name}_{suffix}@{parts.hostname}:{parts.port}"))
        return Store(url, who=f"{name} station")

    today, week = dt.date(2026, 11, 18), dt.date(2026, 11, 9)

    def counts(ward: str) -> WeeklyCounts:
        return WeeklyCounts(ward_code=ward, week_start=week, restraint=3, prone_restraint=1, seclusion=0,
                            rapid_tranquillisation=1, occupied_bed_days=140)

    try:
        nvt, scp = station("nvt"), station("scp")
        nvt.weekly.save(counts("NVT-ASH"), expected_version=None, today=today)
        scp.weekly.save(counts("SCP-ELM"), expected_version=None, today=today)
        with pytest.raises(UnknownRecord):  # the other provider's ward does not exist for this role
            nvt.weekly.save(counts("SCP-ELM"), expected_version=1, today=today)
        with pytest.raises(StoreError), nvt.database.transaction() as conn:  # nor through raw SQL
            conn.execute("UPDATE weekly SET restraint = 9 WHERE ward_code = 'SCP-ELM'")
            conn.execute("INSERT INTO weekly (ward_code, week_start, restraint, prone_restraint, seclusion, "
                         "rapid_tranquillisation, occupied_bed_days, updated_at, updated_by) "
                         "VALUES ('SCP-ELM', '2026-11-02', 1, 0, 0, 0, 50, 'now', 'x')")
        assert scp.weekly.week("SCP-ELM", week).counts.restraint == 3
        nvt.close()
        scp.close()
        facilitator = station("fac")
        dash = summary_dashboard(facilitator, today=today)
        rows = dash.wards.set_index("ward_code")
        assert rows.at["NVT-ASH", "restraint_rate"] == rows.at["SCP-ELM", "restraint_rate"] == pytest.approx(3 / 140 * 1000)
        assert out_of_date(facilitator, list(rows.index), today=today) == []  # stored by the facilitator
        facilitator.close()
    finally:
        with psycopg.connect(pg_database, autocommit=True) as owner:
            owner.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE usename LIKE %s AND pid <> pg_backend_pid()", (f"%_{suffix}",))
            for name in logins:
                owner.execute(f"DROP ROLE IF EXISTS {name}_{suffix}")
    result = runner.invoke(main, ["admin", "refresh-summaries", "--db", pg_database, "--today", "2026-11-18"])
    assert result.exit_code == 0 and "up to date" in result.output, result.output
