"""Who may do what, enforced by PostgreSQL itself: roles, grants and row-level security.

Each test connects with raw SQL (psycopg, no rrp code in between) as a login role that is a
member of one of the collaborative's roles (`rrp admin roles`), as a member of staff with psql
would, and is held to its provider's wards.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from rrp.models import WeeklyCounts
from rrp.models.registry_file import parse_registry
from rrp.paths import DATA_DIR
from rrp.store import Store
from rrp.store.pg_roles import FACILITATOR, GOVERNANCE, install_roles, provider_role

TODAY = dt.date(2026, 11, 18)
WEEK = dt.date(2026, 11, 9)
OWN, OTHER = "NVT-ASH", "SCP-ELM"  # wards of providers NVT and SCP in the shipped registry


@pytest.fixture
def shared(pg_database: str) -> str:
    """The shipped registry, one week for a ward of each of two providers, and the roles."""
    store = Store(pg_database, who="setup")
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    for ward in (OWN, OTHER):
        store.weekly.save(WeeklyCounts(ward_code=ward, week_start=WEEK, restraint=2, prone_restraint=0, seclusion=1,
                                       rapid_tranquillisation=0, occupied_bed_days=70),
                          expected_version=None, today=TODAY)
    install_roles(store.database)
    store.close()
    return pg_database


@pytest.fixture
def login(shared: str) -> Iterator[Callable[[str], psycopg.Connection]]:
    """Connect as a new login role that is a member of the given group role (dropped afterwards)."""
    made: list[str] = []
    connections: list[psycopg.Connection] = []

    def connect(group: str) -> psycopg.Connection:
        name = f"rrp_test_user_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(shared, autocommit=True) as admin:
            admin.execute(f'CREATE ROLE {name} LOGIN IN ROLE "{group}"')
        made.append(name)
        parts = urlsplit(shared)
        url = urlunsplit(parts._replace(netloc=f"{name}@{parts.hostname}:{parts.port}"))
        conn = psycopg.connect(url, autocommit=True)
        connections.append(conn)
        return conn

    yield connect
    for conn in connections:
        conn.close()
    with psycopg.connect(shared, autocommit=True) as admin:
        for name in made:
            admin.execute(f"DROP ROLE {name}")


def _insert_week(conn: psycopg.Connection, ward: str, week: str = "2026-11-02") -> None:
    conn.execute(
        "INSERT INTO weekly (ward_code, week_start, restraint, prone_restraint, seclusion, rapid_tranquillisation, "
        "occupied_bed_days, updated_at, updated_by) VALUES (%s, %s, 1, 0, 0, 0, 50, 'now', 'psql')",
        (ward, week),
    )


def _owner_rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_a_provider_reads_and_writes_only_its_own_wards(shared: str, login) -> None:
    nurse = login(provider_role("NVT"))
    wards = {row[0] for row in nurse.execute("SELECT code FROM ward")}
    assert wards and all(code.startswith("NVT-") for code in wards)
    assert nurse.execute("SELECT ward_code FROM weekly").fetchall() == [(OWN,)]
    assert nurse.execute("SELECT count(*) FROM weekly WHERE ward_code = %s", (OTHER,)).fetchone()[0] == 0

    _insert_week(nurse, OWN)  # its own ward: allowed, and the schema's rules still apply
    with pytest.raises(psycopg.errors.CheckViolation):
        _insert_week(nurse, OWN, "2026-10-27")  # a Tuesday
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        _insert_week(nurse, OTHER)
    changed = nurse.execute("UPDATE weekly SET restraint = 9 WHERE ward_code = %s", (OTHER,)).rowcount
    deleted = nurse.execute("DELETE FROM weekly WHERE ward_code = %s", (OTHER,)).rowcount
    assert changed == 0 and deleted == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        nurse.execute("UPDATE weekly SET ward_code = %s WHERE ward_code = %s", (OTHER, OWN))  # move it across
    assert _owner_rows(shared, f"SELECT restraint, version FROM weekly WHERE ward_code = '{OTHER}'") == [(2, 1)]
    assert _owner_rows(shared, f"SELECT count(*) FROM weekly WHERE ward_code = '{OTHER}'") == [(1,)]


def test_a_provider_cannot_change_the_collaboratives_package_or_measures(shared: str, login) -> None:
    nurse = login(provider_role("SCP"))
    assert nurse.execute("SELECT count(*) FROM measure WHERE ward_code IS NULL").fetchone()[0] > 0  # reads them
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nurse.execute("UPDATE driver SET name = 'x'")
    assert nurse.execute("UPDATE measure SET label = 'x' WHERE ward_code IS NULL").rowcount == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nurse.execute("UPDATE ward SET beds = 60")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nurse.execute("SELECT * FROM sync_submission")


def test_the_facilitator_reads_all_and_edits_package_and_measures_only(shared: str, login) -> None:
    facilitator = login(FACILITATOR)
    assert {r[0] for r in facilitator.execute("SELECT ward_code FROM weekly")} == {OWN, OTHER}
    assert facilitator.execute("UPDATE measure SET label = 'Restraint' WHERE code = 'restraint'").rowcount == 1
    facilitator.execute("INSERT INTO driver (code, kind, name) VALUES ('P9', 'primary', 'Test driver')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _insert_week(facilitator, OWN)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        facilitator.execute("UPDATE weekly SET restraint = 0")


def test_governance_reads_everything_and_changes_nothing(shared: str, login) -> None:
    governance = login(GOVERNANCE)
    assert {r[0] for r in governance.execute("SELECT ward_code FROM weekly")} == {OWN, OTHER}
    assert governance.execute("SELECT count(*) FROM audit").fetchone()[0] > 0
    for sql in ("UPDATE weekly SET restraint = 0", "DELETE FROM audit", "UPDATE measure SET label = 'x'",
                "INSERT INTO driver (code, kind, name) VALUES ('P9', 'primary', 'x')"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            governance.execute(sql)


def _enrol_sql(provider: str, raw: bytes) -> tuple[str, tuple]:
    import hashlib
    from base64 import b64encode

    return (
        "INSERT INTO provider_key (provider_code, public_key, fingerprint, enrolled_at, enrolled_by) "
        "VALUES (%s, %s, %s, 'now', 'psql')",
        (provider, b64encode(raw).decode(), hashlib.sha256(raw).hexdigest()),
    )


def test_provider_keys_are_the_facilitators_alone(shared: str, login) -> None:
    """Who may sign a ward's submission: the facilitator enrols and revokes; staff neither read nor
    write the keys (a provider enrolling its own key would defeat the signature); none deletes one."""
    facilitator = login(FACILITATOR)
    facilitator.execute(*_enrol_sql("NVT", bytes(range(32))))
    assert facilitator.execute(
        "UPDATE provider_key SET revoked_at = 'now', revoked_by = 'psql', version = version + 1"
    ).rowcount == 1
    with pytest.raises(psycopg.errors.CheckViolation, match="stays revoked"):
        facilitator.execute("UPDATE provider_key SET revoked_at = NULL, revoked_by = NULL")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        facilitator.execute("DELETE FROM provider_key")
    nurse = login(provider_role("NVT"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nurse.execute("SELECT * FROM provider_key")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nurse.execute(*_enrol_sql("NVT", bytes(range(1, 33))))
    governance = login(GOVERNANCE)
    assert governance.execute("SELECT count(*) FROM provider_key").fetchone()[0] == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        governance.execute(*_enrol_sql("SCP", bytes(range(2, 34))))
    assert _owner_rows(shared, "SELECT provider_code, revoked_by FROM provider_key") == [("NVT", "psql")]


def test_roles_are_installed_again_without_harm(shared: str) -> None:
    store = Store(shared)
    again = install_roles(store.database)
    assert again["created"] == [] and provider_role("NVT") in again["roles"]
    store.close()


def test_rrp_admin_roles_on_the_command_line(pg_database: str, tmp_path) -> None:
    from click.testing import CliRunner

    from rrp.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["init", "--db", pg_database]).exit_code == 0
    result = runner.invoke(main, ["admin", "roles", "--db", pg_database])
    assert result.exit_code == 0, result.output
    assert provider_role("NVT") in result.output and FACILITATOR in result.output
    refused = runner.invoke(main, ["admin", "roles", "--db", str(tmp_path / "file.sqlite")])
    assert refused.exit_code == 2 and "PostgreSQL" in refused.output


def test_rrp_itself_opened_as_a_providers_role_sees_and_saves_only_its_wards(shared: str, login, monkeypatch) -> None:
    """The store (as the app uses it) connecting as a member of staff: PostgreSQL, not the app,
    limits it to its own provider's wards."""
    from rrp.store import StoreError, UnknownRecord, pg_verify

    monkeypatch.setattr(pg_verify, "_CACHE", {})  # as a new process: the role cannot build the schema

    nurse = login(provider_role("NVT"))
    user = nurse.info.user
    nurse.close()
    parts = urlsplit(shared)
    url = urlunsplit(parts._replace(netloc=f"{user}@{parts.hostname}:{parts.port}"))
    store = Store(url, who="nvt nurse")  # verified against the owner's record of the schema
    assert {w.provider_code for w in store.registry.wards()} == {"NVT"}
    week = dt.date(2026, 11, 2)
    saved = store.weekly.save(WeeklyCounts(ward_code=OWN, week_start=week, restraint=1, prone_restraint=0,
                                           seclusion=0, rapid_tranquillisation=0, occupied_bed_days=60),
                              expected_version=None, today=TODAY)
    assert saved.version == 1 and saved.updated_by == "nvt nurse"
    with pytest.raises(UnknownRecord):  # another provider's ward does not exist for this role
        store.weekly.save(WeeklyCounts(ward_code=OTHER, week_start=week, restraint=1, prone_restraint=0,
                                       seclusion=0, rapid_tranquillisation=0, occupied_bed_days=60),
                          expected_version=None, today=TODAY)
    with pytest.raises(StoreError), store.database.transaction() as conn:  # raw SQL through rrp's connection
        conn.execute("INSERT INTO weekly (ward_code, week_start, restraint, prone_restraint, seclusion, "
                     "rapid_tranquillisation, occupied_bed_days, updated_at, updated_by) "
                     f"VALUES ('{OTHER}', '2026-11-02', 1, 0, 0, 0, 50, 'now', 'x')")
    store.close()
    assert _owner_rows(shared, f"SELECT count(*) FROM weekly WHERE ward_code = '{OTHER}'") == [(1,)]
    # An altered schema is still refused for that role (the owner's record is the reference).
    with psycopg.connect(shared, autocommit=True) as owner:
        owner.execute("ALTER TABLE weekly DROP CONSTRAINT weekly_check")
    monkeypatch.setattr(pg_verify, "_CACHE", {})
    with pytest.raises(StoreError, match="weekly_check"):
        Store(url)


def test_ward_summaries_follow_the_wards(shared: str, login) -> None:
    """The dashboard's summaries: each reads the summaries of the wards it reads; staff write only
    their own wards' and governance none; a save marks its ward out of date and a measure every
    ward (the trigger runs as the owner: the facilitator may not otherwise bump them all)."""
    with psycopg.connect(shared, autocommit=True) as owner:
        for ward in (OWN, OTHER):
            owner.execute("INSERT INTO ward_summary (ward_code, computed_version, end_week, figures) "
                          "VALUES (%s, 1, '2026-11-09', '{}')", (ward,))
    nurse = login(provider_role("NVT"))
    assert nurse.execute("SELECT ward_code FROM ward_summary").fetchall() == [(OWN,)]
    assert nurse.execute("UPDATE ward_summary SET figures = '{\"x\": 1}' WHERE ward_code = %s", (OWN,)).rowcount == 1
    assert nurse.execute("UPDATE ward_summary SET figures = '{\"x\": 1}' WHERE ward_code = %s", (OTHER,)).rowcount == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nurse.execute("DELETE FROM ward_summary")
    _insert_week(nurse, OWN)  # marks its own ward's summary out of date through the trigger
    assert _owner_rows(shared, "SELECT ward_code, version FROM ward_summary ORDER BY ward_code") == [
        (OWN, 2), (OTHER, 1)]
    facilitator = login(FACILITATOR)
    assert facilitator.execute("UPDATE measure SET label = 'Restraint' WHERE code = 'restraint'").rowcount == 1
    assert _owner_rows(shared, "SELECT ward_code, version FROM ward_summary ORDER BY ward_code") == [
        (OWN, 3), (OTHER, 2)]
    assert facilitator.execute("UPDATE ward_summary SET computed_version = version").rowcount == 2
    governance = login(GOVERNANCE)
    assert governance.execute("SELECT count(*) FROM ward_summary").fetchone()[0] == 2
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        governance.execute("UPDATE ward_summary SET computed_version = 1")


def test_governance_dashboard_computes_summaries_it_may_not_store(shared: str, login, monkeypatch) -> None:
    """Governance reads only: its dashboard computes the out-of-date wards' figures and shows
    them, stores nothing; the facilitator's dashboard then stores them."""
    from rrp.reports.summaries import out_of_date, summary_dashboard
    from rrp.store import pg_verify

    def store_as(group: str) -> Store:
        monkeypatch.setattr(pg_verify, "_CACHE", {})
        conn = login(group)
        user = conn.info.user
        conn.close()
        parts = urlsplit(shared)
        return Store(urlunsplit(parts._replace(netloc=f"{user}@{parts.hostname}:{parts.port}")), who=group)

    governance = store_as(GOVERNANCE)
    dash = summary_dashboard(governance, today=TODAY)
    rows = dash.wards.set_index("ward_code")
    assert rows.at[OWN, "restraint_rate"] == rows.at[OTHER, "restraint_rate"] == pytest.approx(2 / 70 * 1000)
    assert _owner_rows(shared, "SELECT count(*) FROM ward_summary") == [(0,)]
    governance.close()
    facilitator = store_as(FACILITATOR)
    summary_dashboard(facilitator, today=TODAY)
    assert out_of_date(facilitator, [OWN, OTHER], today=TODAY) == []
    facilitator.close()
