"""The collaborative's PostgreSQL roles and what each may do (`rrp admin roles`).

Three kinds of group role (NOLOGIN; people log in with their own roles, made members of one):

- rrp_provider_<code>: a provider's staff. Read and write their own provider's wards' rows
  (weekly counts, measure values and targets, PDSA cycles, progress scores, notes, local change
  ideas and measures); read the collaborative's change package and measures; add audit rows.
  They do not read the submissions' bookkeeping or the enrolled keys. They write their own
  wards' dashboard summaries (ward_summary), as the facilitator writes any ward's.
- rrp_facilitator: reads everything; edits the change package (drivers, change ideas) and the
  measures; enrols and revokes providers' submission-signing keys (provider_key); adds audit rows.
- rrp_governance: reads everything, changes nothing.

The GRANTs here say which tables each may touch at all; the row-level security policies in the
schema (rrp.store.pg_schema.PG_ACCESS) say which rows. Both are PostgreSQL's own checks: a
provider's staff connecting with psql are held to them exactly as the app is.
"""

from __future__ import annotations

import re
from typing import Any

from rrp.store.errors import StoreError
from rrp.store.pg_schema import FACILITATOR_TABLES, WARD_TABLES

FACILITATOR = "rrp_facilitator"
GOVERNANCE = "rrp_governance"
#: Tables everyone who may write may also update (a station's last ward, a PDSA draft).
_SHARED_TABLES = ("preference", "pdsa_draft")
#: Providers' public keys: the facilitator's alone (row-level security: pg_schema.PG_PROVIDER_KEY_V4).
KEY_TABLE = "provider_key"
#: The dashboard's per-ward summaries (pg_schema.PG_WARD_SUMMARY_V6): a cache of figures.
SUMMARY_TABLE = "ward_summary"


def provider_role(code: str) -> str:
    """The group role of a provider's staff (role names are folded to lower case)."""
    return "rrp_provider_" + re.sub(r"[^a-z0-9_]", "_", code.lower())


def _create_role(conn: Any, name: str) -> bool:
    """Create a group role unless it exists (roles belong to the whole server: another database
    of the same server may be creating it at this moment, hence the exception handler)."""
    exists = conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = ?", (name,)).fetchone()[0]
    if not exists:
        conn.execute(
            f'DO $$ BEGIN CREATE ROLE "{name}" NOLOGIN; '
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    return not exists


def install_roles(database: Any) -> dict[str, list[str]]:
    """Create the collaborative's roles (those missing) and (re)grant what each may do.

    Returns {"created": [...], "roles": [...]}. Needs a PostgreSQL database and a user who may
    create roles (CREATEROLE) and owns the tables.
    """
    if getattr(database, "engine", "sqlite") != "postgresql":
        raise StoreError("roles and row-level security are PostgreSQL's: give --db postgresql://...")
    providers = [row["code"] for row in database.query("SELECT code FROM provider ORDER BY code")]
    created: list[str] = []
    roles = [FACILITATOR, GOVERNANCE, *(provider_role(code) for code in providers)]
    with database.transaction() as conn:
        for role in roles:
            if _create_role(conn, role):
                created.append(role)
        everyone = ", ".join(f'"{r}"' for r in roles)
        writers = ", ".join(f'"{r}"' for r in roles if r != GOVERNANCE)
        staff = ", ".join(f'"{r}"' for r in roles if r.startswith("rrp_provider_"))
        schema = conn.execute("SELECT current_schema()").fetchone()[0]
        conn.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {everyone}')
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {everyone}')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {everyone}')
        conn.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {writers}')
        conn.execute(f"GRANT INSERT ON audit TO {writers}")
        shared = ", ".join(_SHARED_TABLES)
        conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {shared} TO {writers}")
        conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(FACILITATOR_TABLES)} TO \"{FACILITATOR}\"")
        # Keys are enrolled and revoked, never deleted (an old merge's audit names its key).
        conn.execute(f'GRANT INSERT, UPDATE ON {KEY_TABLE} TO "{FACILITATOR}"')
        # The dashboard's ward summaries: written by whoever computes them (row-level security:
        # the facilitator any ward, staff their own); governance reads them only.
        conn.execute(f"GRANT INSERT, UPDATE ON {SUMMARY_TABLE} TO {writers}")
        if staff:
            conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(WARD_TABLES)} TO {staff}")
            # Ward submissions and their bookkeeping are the facilitator's; staff do not read them.
            conn.execute(f"REVOKE SELECT ON sync_state, sync_submission, {KEY_TABLE} FROM {staff}")
    return {"created": created, "roles": roles}
