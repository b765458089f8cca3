"""The database schema and its migrations.

An rrp database is a plain SQLite file that other tools can open. It is recognised by
`PRAGMA application_id` (RRP_APPLICATION_ID) and its schema version is `PRAGMA user_version`.
The hard rules of the domain are repeated here as CHECK constraints and triggers, so no path
(the app, an import, a hand-written INSERT) can write a bad row.

To change the schema: append a migration to MIGRATIONS (never edit a released one). Opening an
older database backs it up beside itself and applies the missing migrations in one transaction.

MIGRATIONS is also the one definition of what a genuine database holds: schema version v is
exactly MIGRATIONS[:v] applied in order (a new file is made that way too), and `rrp.store.verify`
refuses any file whose schema differs from it. So every schema change must be a migration here;
nothing else may create or alter an object in an rrp database (not even ANALYZE's sqlite_stat1).
"""

from __future__ import annotations

import sqlite3

#: "RRP1" as a 32-bit integer: marks the file as an rrp database.
RRP_APPLICATION_ID = 0x52525031

_COUNT = "INTEGER NOT NULL CHECK (typeof({col}) = 'integer' AND {col} >= 0 AND {col} <= {max})"


def _count(col: str, maximum: int = 1000) -> str:
    return f"{col} " + _COUNT.format(col=col, max=maximum)


# date(x, '+0 days') normalises impossible days (2026-02-30 becomes 2026-03-02), so this
# comparison refuses them; plain date(x) would not.
_ISO_DATE = "CHECK (date({col}, '+0 days') IS NOT NULL AND date({col}, '+0 days') = {col})"
_VERSION = "version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)"
_UPDATED = "updated_at TEXT NOT NULL, updated_by TEXT NOT NULL CHECK (updated_by <> '')"

SCHEMA_V1 = f"""
CREATE TABLE provider (
    code TEXT PRIMARY KEY CHECK (code <> '' AND code = upper(code)),
    name TEXT NOT NULL CHECK (name <> ''),
    {_VERSION}
);

CREATE TABLE ward (
    code TEXT PRIMARY KEY CHECK (code <> '' AND code = upper(code)),
    provider_code TEXT NOT NULL REFERENCES provider(code),
    name TEXT NOT NULL CHECK (name <> ''),
    ward_type TEXT NOT NULL CHECK (ward_type IN
        ('acute_adult', 'picu', 'ld_autism', 'older_adult', 'camhs', 'forensic', 'rehab')),
    beds INTEGER NOT NULL CHECK (typeof(beds) = 'integer' AND beds BETWEEN 1 AND 60),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    {_VERSION}
);

CREATE TABLE weekly (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    week_start TEXT NOT NULL {_ISO_DATE.format(col="week_start")}
        CHECK (strftime('%w', week_start) = '1'),
    {_count("restraint")},
    {_count("prone_restraint")},
    {_count("seclusion")},
    {_count("rapid_tranquillisation")},
    {_count("occupied_bed_days", 7000)},
    note TEXT CHECK (note IS NULL OR length(note) <= 500),
    {_UPDATED},
    {_VERSION},
    PRIMARY KEY (ward_code, week_start),
    CHECK (prone_restraint <= restraint),
    CHECK (occupied_bed_days > 0 OR restraint + seclusion + rapid_tranquillisation = 0)
) WITHOUT ROWID;

-- Bed days cannot exceed beds x 7: a rule across two tables, so a trigger, not a CHECK.
CREATE TRIGGER weekly_bed_days_insert BEFORE INSERT ON weekly
WHEN NEW.occupied_bed_days > (SELECT beds * 7 FROM ward WHERE code = NEW.ward_code)
BEGIN SELECT RAISE(ABORT, 'occupied_bed_days exceeds beds x 7'); END;

CREATE TRIGGER weekly_bed_days_update BEFORE UPDATE ON weekly
WHEN NEW.occupied_bed_days > (SELECT beds * 7 FROM ward WHERE code = NEW.ward_code)
BEGIN SELECT RAISE(ABORT, 'occupied_bed_days exceeds beds x 7'); END;

CREATE TABLE driver (
    code TEXT PRIMARY KEY CHECK (code <> ''),
    kind TEXT NOT NULL CHECK (kind IN ('primary', 'secondary')),
    parent_code TEXT REFERENCES driver(code),
    name TEXT NOT NULL CHECK (name <> ''),
    position INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'primary') = (parent_code IS NULL))
);

CREATE TABLE change_idea (
    code TEXT PRIMARY KEY CHECK (code <> ''),
    driver_code TEXT NOT NULL REFERENCES driver(code),
    name TEXT NOT NULL CHECK (name <> ''),
    description TEXT NOT NULL DEFAULT '',
    -- NULL: part of the collaborative's change package; else a ward's own local idea.
    ward_code TEXT REFERENCES ward(code),
    {_UPDATED},
    {_VERSION}
);

CREATE TABLE pdsa_cycle (
    id TEXT PRIMARY KEY CHECK (length(id) = 32),
    ward_code TEXT NOT NULL REFERENCES ward(code),
    change_idea_code TEXT NOT NULL REFERENCES change_idea(code),
    title TEXT NOT NULL CHECK (title <> ''),
    cycle_number INTEGER NOT NULL DEFAULT 1 CHECK (cycle_number >= 1),
    previous_cycle_id TEXT REFERENCES pdsa_cycle(id) CHECK (previous_cycle_id IS NULL OR previous_cycle_id <> id),
    scale TEXT,
    planned_start TEXT {_ISO_DATE.format(col="planned_start")},
    planned_end TEXT {_ISO_DATE.format(col="planned_end")},
    status TEXT NOT NULL CHECK (status IN ('planned', 'doing', 'studying', 'done', 'abandoned')),
    objective TEXT, questions TEXT, predictions TEXT, plan_details TEXT, data_to_collect TEXT,
    what_happened TEXT, observations TEXT, problems TEXT,
    results TEXT, learning TEXT,
    act_decision TEXT CHECK (act_decision IS NULL OR act_decision IN ('adopt', 'adapt', 'abandon')),
    next_step TEXT,
    created_at TEXT NOT NULL,
    {_UPDATED},
    {_VERSION},
    CHECK (planned_end >= planned_start)
);
CREATE INDEX pdsa_cycle_ward ON pdsa_cycle(ward_code, status);

CREATE TABLE pdsa_draft (
    -- Autosaved text of a cycle being edited, so nothing typed is lost if the terminal closes.
    draft_key TEXT PRIMARY KEY,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    saved_at TEXT NOT NULL
);

CREATE TABLE progress_score (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    month TEXT NOT NULL {_ISO_DATE.format(col="month")} CHECK (strftime('%d', month) = '01'),
    score REAL NOT NULL CHECK (score BETWEEN 0.5 AND 5.0 AND score * 2 = CAST(score * 2 AS INTEGER)),
    note TEXT,
    {_UPDATED},
    {_VERSION},
    PRIMARY KEY (ward_code, month)
) WITHOUT ROWID;

CREATE TABLE annotation (
    id TEXT PRIMARY KEY CHECK (length(id) = 32),
    -- NULL ward: a note on the collaborative's own chart.
    ward_code TEXT REFERENCES ward(code),
    on_date TEXT NOT NULL {_ISO_DATE.format(col="on_date")},
    kind TEXT NOT NULL CHECK (kind IN ('note', 'rebase', 'pdsa')),
    -- NULL measure: applies to every measure of the ward.
    measure TEXT CHECK (measure IS NULL OR measure IN
        ('restraint', 'prone_restraint', 'seclusion', 'rapid_tranquillisation', 'all_restrictive')),
    text TEXT NOT NULL CHECK (text <> '' AND length(text) <= 500),
    pdsa_cycle_id TEXT REFERENCES pdsa_cycle(id) ON DELETE CASCADE,
    {_UPDATED},
    {_VERSION},
    CHECK (kind <> 'rebase' OR strftime('%w', on_date) = '1')
);
CREATE INDEX annotation_ward ON annotation(ward_code, on_date);

CREATE TABLE preference (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL CHECK (who <> ''),
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'bulk')),
    before TEXT CHECK (before IS NULL OR json_valid(before)),
    after TEXT CHECK (after IS NULL OR json_valid(after))
);
CREATE INDEX audit_row ON audit(table_name, row_key);
"""

#: Ward submissions (rrp.exchange.submission): what the facilitator's database and each ward last
#: agreed on, per record, so that a merge can tell "they edited it" from "we edited it" from both.
SYNC_STATE_V2 = """
CREATE TABLE sync_state (
    source TEXT NOT NULL CHECK (source <> ''),       -- the ward code the submission came from
    table_name TEXT NOT NULL CHECK (table_name IN ('change_idea', 'weekly', 'pdsa_cycle', 'progress_score', 'annotation')),
    row_key TEXT NOT NULL CHECK (row_key <> ''),     -- as in audit.row_key
    agreed_hash TEXT NOT NULL CHECK (length(agreed_hash) = 64),  -- sha256 of the record's content
    agreed_at TEXT NOT NULL,
    PRIMARY KEY (source, table_name, row_key)
) WITHOUT ROWID;

CREATE TABLE sync_submission (
    checksum TEXT PRIMARY KEY CHECK (length(checksum) = 64),   -- the submission file's sha256
    source TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    summary TEXT NOT NULL CHECK (json_valid(summary))
);
"""

#: MIGRATIONS[i] takes a database from schema version i to i + 1.
MIGRATIONS: list[str] = [SCHEMA_V1]
MIGRATIONS.append(SYNC_STATE_V2)  # schema 2: ward submission sync state (rrp.exchange)

SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a schema script into statements (triggers contain ';' inside BEGIN ... END)."""
    found: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                found.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        found.append(buffer.strip())
    return found
