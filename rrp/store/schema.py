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



# -- schema 3: the family of measures (rrp.models.measure) ---------------------------------------

#: The weekly columns that back the core outcome measures (rrp.models.measure.CORE_COLUMNS).
_CORE_COLUMNS = ("restraint", "prone_restraint", "seclusion", "rapid_tranquillisation")
#: The bound on one period's numerator or denominator (rrp.models.measure.MAX_MEASURE_NUMBER).
_MAX_MEASURE_NUMBER = 100_000


def _both(name: str, table: str, when: str, message: str) -> str:
    """One rule as two triggers, BEFORE INSERT and BEFORE UPDATE, so every path is checked."""
    return "\n".join(
        f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}\nWHEN {when}\n"
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END;\n"
        for event in ("INSERT", "UPDATE")
    )


def _of(column: str) -> str:
    """A field of the measure the NEW value row belongs to."""
    return f"(SELECT {column} FROM measure WHERE code = NEW.measure_code)"


def _weekly_column(row: str, column: str) -> str:
    """The count in weekly row `row` of the core column named by `column` (NULL for none)."""
    cases = " ".join(f"WHEN '{c}' THEN {row}.{c}" for c in _CORE_COLUMNS)
    return f"CASE {column} {cases} END"


# The whole (part_of) of the NEW row's measure, for that ward and period: a weekly column for a
# column-backed whole, else the whole's own value row. NULL when the whole is not entered.
_WHOLE = f"""(SELECT CASE WHEN w.column_name IS NOT NULL THEN {_weekly_column("k", "w.column_name")}
    ELSE (SELECT v.numerator FROM measure_value v WHERE v.ward_code = NEW.ward_code
          AND v.measure_code = w.code AND v.period_start = NEW.period_start) END
    FROM measure p JOIN measure w ON w.code = p.part_of
    LEFT JOIN weekly k ON k.ward_code = NEW.ward_code AND k.week_start = NEW.period_start
    WHERE p.code = NEW.measure_code)"""

_ALL_RESTRICTIVE_SUM = "'[\"restraint\", \"seclusion\", \"rapid_tranquillisation\"]'"
_NOW = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


def _core_measure(code: str, name: str, label: str, definition: str, extra: dict[str, str], position: int) -> str:
    columns = {
        "code": f"'{code}'", "name": f"'{name}'", "label": f"'{label}'", "definition": f"'{definition}'",
        "kind": "'outcome'", "recorded_as": "'count_per_bed_days'", "direction": "'decrease'",
        "frequency": "'weekly'", **extra, "position": str(position),
        "updated_at": _NOW, "updated_by": "'rrp (schema 3)'",
    }
    return f"INSERT INTO measure ({', '.join(columns)}) VALUES ({', '.join(columns.values())});"


MEASURES_V3 = f"""
CREATE TABLE measure (
    code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 40 AND code GLOB '[a-z]*'
        AND code NOT GLOB '*[^a-z0-9_]*'),
    name TEXT NOT NULL CHECK (name <> '' AND length(name) <= 120),
    label TEXT NOT NULL CHECK (label <> '' AND length(label) <= 40),
    definition TEXT NOT NULL CHECK (definition <> '' AND length(definition) <= 2000),
    kind TEXT NOT NULL CHECK (kind IN ('outcome', 'process', 'balancing')),
    recorded_as TEXT NOT NULL CHECK (recorded_as IN ('count_per_bed_days', 'proportion', 'count', 'value')),
    direction TEXT NOT NULL CHECK (direction IN ('decrease', 'increase', 'neutral')),
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
    part_of TEXT REFERENCES measure(code) CHECK (part_of IS NULL OR part_of <> code),
    -- A JSON list of the codes a derived measure adds up; NULL for an entered measure.
    sum_of TEXT CHECK (sum_of IS NULL OR (json_valid(sum_of) AND json_type(sum_of) = 'array'
        AND json_array_length(sum_of) >= 2)),
    aim_change REAL CHECK (aim_change IS NULL OR (aim_change > -1 AND aim_change <> 0)),
    aim_target REAL CHECK (aim_target IS NULL OR aim_target >= 0),
    minimum REAL,
    maximum REAL,
    -- NULL: the collaborative's measure; else a ward's own local measure.
    ward_code TEXT REFERENCES ward(code),
    -- The weekly column that holds a core measure's counts; NULL: values in measure_value.
    column_name TEXT UNIQUE CHECK (column_name IS NULL OR column_name IN ({", ".join(f"'{c}'" for c in _CORE_COLUMNS)})),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    active_from TEXT CHECK (active_from IS NULL OR (date(active_from, '+0 days') = active_from)),
    active_to TEXT CHECK (active_to IS NULL OR (date(active_to, '+0 days') = active_to)),
    position INTEGER NOT NULL DEFAULT 1000 CHECK (typeof(position) = 'integer' AND position BETWEEN 0 AND 10000),
    {_UPDATED},
    {_VERSION},
    CHECK (sum_of IS NULL OR part_of IS NULL),
    CHECK (sum_of IS NULL OR recorded_as IN ('count_per_bed_days', 'count')),
    CHECK (part_of IS NULL OR recorded_as <> 'value'),
    CHECK (recorded_as <> 'count_per_bed_days' OR frequency = 'weekly'),
    CHECK (column_name IS NULL OR (column_name = code AND recorded_as = 'count_per_bed_days'
        AND ward_code IS NULL AND sum_of IS NULL)),
    CHECK ((minimum IS NULL AND maximum IS NULL) OR recorded_as = 'value'),
    CHECK (minimum IS NULL OR maximum IS NULL OR minimum <= maximum),
    CHECK (active_from IS NULL OR active_to IS NULL OR active_to >= active_from),
    CHECK (direction <> 'neutral' OR (aim_change IS NULL AND aim_target IS NULL))
);

-- A sum's members must be measures; a measure in a sum, or backing a weekly column, stays.
CREATE TRIGGER measure_sum_members_insert BEFORE INSERT ON measure
WHEN NEW.sum_of IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(NEW.sum_of) j
    WHERE j.value NOT IN (SELECT code FROM measure) OR j.value = NEW.code)
BEGIN SELECT RAISE(ABORT, 'measure: sum_of names a measure that does not exist'); END;

CREATE TRIGGER measure_sum_members_update BEFORE UPDATE ON measure
WHEN NEW.sum_of IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(NEW.sum_of) j
    WHERE j.value NOT IN (SELECT code FROM measure) OR j.value = NEW.code)
BEGIN SELECT RAISE(ABORT, 'measure: sum_of names a measure that does not exist'); END;

{_both("measure_part_scale", "measure",
       "NEW.part_of IS NOT NULL AND EXISTS (SELECT 1 FROM measure w WHERE w.code = NEW.part_of AND ("
       "w.recorded_as <> NEW.recorded_as OR w.frequency <> NEW.frequency OR w.sum_of IS NOT NULL "
       "OR (w.ward_code IS NOT NULL AND w.ward_code IS NOT NEW.ward_code)))",
       "measure: part_of names a sum, or a measure of another recorded_as, frequency or ward")}
{_both("measure_sum_scale", "measure",
       "NEW.sum_of IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(NEW.sum_of) j JOIN measure m ON m.code = j.value "
       "WHERE m.recorded_as <> NEW.recorded_as OR m.frequency <> NEW.frequency OR m.sum_of IS NOT NULL "
       "OR (m.ward_code IS NOT NULL AND m.ward_code IS NOT NEW.ward_code))",
       "measure: sum_of names a sum, or a measure of another recorded_as, frequency or ward")}
CREATE TRIGGER measure_scale_of_parts_and_sums BEFORE UPDATE ON measure
WHEN EXISTS (SELECT 1 FROM measure p WHERE p.part_of = OLD.code
        AND (p.recorded_as <> NEW.recorded_as OR p.frequency <> NEW.frequency))
    OR EXISTS (SELECT 1 FROM measure s, json_each(s.sum_of) j WHERE j.value = OLD.code
        AND (s.recorded_as <> NEW.recorded_as OR s.frequency <> NEW.frequency))
BEGIN SELECT RAISE(ABORT, 'measure: a measure keeps the recorded_as and frequency of its parts and of the sums it is in'); END;

CREATE TRIGGER measure_delete BEFORE DELETE ON measure
WHEN OLD.column_name IS NOT NULL OR EXISTS (SELECT 1 FROM measure s, json_each(s.sum_of) j WHERE j.value = OLD.code)
BEGIN SELECT RAISE(ABORT, 'measure: a column-backed measure, or one inside a sum, cannot be deleted'); END;

-- What a core measure is follows from the weekly table: it cannot change.
CREATE TRIGGER measure_core_fixed BEFORE UPDATE ON measure
WHEN OLD.column_name IS NOT NULL AND (NEW.code IS NOT OLD.code OR NEW.column_name IS NOT OLD.column_name
    OR NEW.recorded_as IS NOT OLD.recorded_as OR NEW.frequency IS NOT OLD.frequency
    OR NEW.ward_code IS NOT OLD.ward_code OR NEW.part_of IS NOT OLD.part_of OR NEW.sum_of IS NOT OLD.sum_of)
BEGIN SELECT RAISE(ABORT, 'measure: a column-backed measure keeps its code, recorded_as, frequency, ward, part_of and sum_of'); END;

-- Values already stored were checked against the measure as it was: it keeps what they rely on.
CREATE TRIGGER measure_with_values_fixed BEFORE UPDATE ON measure
WHEN EXISTS (SELECT 1 FROM measure_value v WHERE v.measure_code = OLD.code) AND (
    NEW.code IS NOT OLD.code OR NEW.recorded_as IS NOT OLD.recorded_as OR NEW.frequency IS NOT OLD.frequency
    OR NEW.ward_code IS NOT OLD.ward_code OR NEW.part_of IS NOT OLD.part_of OR NEW.sum_of IS NOT OLD.sum_of
    OR EXISTS (SELECT 1 FROM measure_value v WHERE v.measure_code = OLD.code
        AND (v.numerator < NEW.minimum OR v.numerator > NEW.maximum)))
BEGIN SELECT RAISE(ABORT, 'measure: a measure with values keeps its code, recorded_as, frequency, ward, part_of and sum_of, and its bounds must hold its values'); END;

CREATE TABLE measure_value (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    measure_code TEXT NOT NULL REFERENCES measure(code),
    period_start TEXT NOT NULL {_ISO_DATE.format(col="period_start")},
    -- No declared type: a value is stored as given (no text-to-number conversion), then checked.
    numerator NOT NULL CHECK (typeof(numerator) IN ('integer', 'real') AND numerator >= 0
        AND numerator <= {_MAX_MEASURE_NUMBER}),
    denominator CHECK (denominator IS NULL OR (typeof(denominator) = 'integer' AND denominator >= 0
        AND denominator <= {_MAX_MEASURE_NUMBER} AND numerator <= denominator)),
    {_UPDATED},
    {_VERSION},
    PRIMARY KEY (ward_code, measure_code, period_start)
) WITHOUT ROWID;
CREATE INDEX measure_value_measure ON measure_value(measure_code, period_start);

{_both("measure_value_sum", "measure_value", f"{_of('sum_of')} IS NOT NULL",
       "measure_value: a sum_of measure is derived from its parts, never entered")}
{_both("measure_value_column", "measure_value", f"{_of('column_name')} IS NOT NULL",
       "measure_value: a column-backed measure is stored in the weekly table")}
{_both("measure_value_local", "measure_value", f"{_of('ward_code')} IS NOT NEW.ward_code AND {_of('ward_code')} IS NOT NULL",
       "measure_value: a ward''s local measure has values for that ward only")}
{_both("measure_value_monday", "measure_value", f"{_of('frequency')} = 'weekly' AND strftime('%w', NEW.period_start) <> '1'",
       "measure_value: a weekly measure''s period_start must be a Monday")}
{_both("measure_value_first", "measure_value", f"{_of('frequency')} = 'monthly' AND strftime('%d', NEW.period_start) <> '01'",
       "measure_value: a monthly measure''s period_start must be the 1st of the month")}
{_both("measure_value_integer", "measure_value", f"{_of('recorded_as')} <> 'value' AND typeof(NEW.numerator) <> 'integer'",
       "measure_value: the numerator of a count or proportion must be a whole number")}
{_both("measure_value_denominator", "measure_value", f"({_of('recorded_as')} = 'proportion') <> (NEW.denominator IS NOT NULL)",
       "measure_value: a denominator is given for a proportion, and only for a proportion")}
{_both("measure_value_bounds", "measure_value",
       f"NEW.numerator < {_of('minimum')} OR NEW.numerator > {_of('maximum')}",
       "measure_value: the value is outside the measure''s minimum and maximum")}
{_both("measure_value_bed_days", "measure_value",
       f"{_of('recorded_as')} = 'count_per_bed_days' AND NOT EXISTS (SELECT 1 FROM weekly k "
       "WHERE k.ward_code = NEW.ward_code AND k.week_start = NEW.period_start)",
       "measure_value: a per-bed-days measure needs the week''s occupied bed days; enter that week first")}
{_both("measure_value_bed_days_zero", "measure_value",
       f"{_of('recorded_as')} = 'count_per_bed_days' AND NEW.numerator > 0 AND (SELECT k.occupied_bed_days FROM weekly k "
       "WHERE k.ward_code = NEW.ward_code AND k.week_start = NEW.period_start) = 0",
       "measure_value: occupied bed days are 0 that week, so a per-bed-days count must be 0")}
{_both("measure_value_part", "measure_value",
       f"{_of('part_of')} IS NOT NULL AND NEW.numerator > COALESCE({_WHOLE}, -1)",
       "measure_value: a part cannot exceed its whole (part_of) for that ward and period; enter the whole first")}

CREATE TRIGGER measure_value_whole_update BEFORE UPDATE ON measure_value
WHEN EXISTS (SELECT 1 FROM measure p JOIN measure_value v ON v.measure_code = p.code
    WHERE p.part_of = OLD.measure_code AND v.ward_code = OLD.ward_code AND v.period_start = OLD.period_start
    AND (v.numerator > NEW.numerator OR NEW.ward_code IS NOT OLD.ward_code
         OR NEW.measure_code IS NOT OLD.measure_code OR NEW.period_start IS NOT OLD.period_start))
BEGIN SELECT RAISE(ABORT, 'measure_value: a whole cannot fall below its parts (part_of) for that ward and period'); END;

CREATE TRIGGER measure_value_whole_delete BEFORE DELETE ON measure_value
WHEN EXISTS (SELECT 1 FROM measure p JOIN measure_value v ON v.measure_code = p.code
    WHERE p.part_of = OLD.measure_code AND v.ward_code = OLD.ward_code AND v.period_start = OLD.period_start)
BEGIN SELECT RAISE(ABORT, 'measure_value: delete the parts (part_of) before their whole'); END;

-- The weekly row is the whole of a part measure, and the bed days of per-bed-days values.
CREATE TRIGGER weekly_measure_parts BEFORE UPDATE ON weekly
WHEN EXISTS (SELECT 1 FROM measure p JOIN measure w ON w.code = p.part_of AND w.column_name IS NOT NULL
    JOIN measure_value v ON v.measure_code = p.code AND v.ward_code = OLD.ward_code AND v.period_start = OLD.week_start
    WHERE v.numerator > {_weekly_column("NEW", "w.column_name")})
BEGIN SELECT RAISE(ABORT, 'weekly: a count cannot fall below a measure that is part of it (part_of)'); END;

CREATE TRIGGER weekly_measure_bed_days BEFORE UPDATE ON weekly
WHEN EXISTS (SELECT 1 FROM measure_value v JOIN measure m ON m.code = v.measure_code
    WHERE m.recorded_as = 'count_per_bed_days' AND v.ward_code = OLD.ward_code AND v.period_start = OLD.week_start
    AND ((v.numerator > 0 AND NEW.occupied_bed_days = 0)
         OR NEW.ward_code IS NOT OLD.ward_code OR NEW.week_start IS NOT OLD.week_start))
BEGIN SELECT RAISE(ABORT, 'weekly: per-bed-days measure values rely on this week''s occupied bed days'); END;

CREATE TRIGGER weekly_measure_delete BEFORE DELETE ON weekly
WHEN EXISTS (SELECT 1 FROM measure_value v JOIN measure m ON m.code = v.measure_code
    WHERE m.recorded_as = 'count_per_bed_days' AND v.ward_code = OLD.ward_code AND v.period_start = OLD.week_start)
BEGIN SELECT RAISE(ABORT, 'weekly: per-bed-days measure values rely on this week''s occupied bed days'); END;

-- A ward's own target for a measure (the collaborative's is measure.aim_target).
CREATE TABLE measure_target (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    measure_code TEXT NOT NULL REFERENCES measure(code),
    aim_target REAL NOT NULL CHECK (typeof(aim_target) IN ('integer', 'real') AND aim_target >= 0),
    {_UPDATED},
    {_VERSION},
    PRIMARY KEY (ward_code, measure_code)
) WITHOUT ROWID;

-- The core outcome measures, as the weekly table has always held them (data/measures.toml
-- carries the same rows; `rrp init` adds the switched-off process and balancing measures).
{_core_measure("restraint", "Physical restraint", "Restraints",
               "Episodes of physical restraint in the week: hands-on holding to prevent, restrict or subdue movement (Mental Health Units (Use of Force) Act 2018).",
               {"column_name": "'restraint'"}, 10)}
{_core_measure("prone_restraint", "Prone restraint", "Prone restraints",
               "The restraint episodes in the week in which the patient was held face down; never more than restraint.",
               {"part_of": "'restraint'", "column_name": "'prone_restraint'"}, 20)}
{_core_measure("seclusion", "Seclusion", "Seclusions",
               "Episodes of seclusion in the week: supervised confinement away from other patients in a room they cannot leave.",
               {"column_name": "'seclusion'"}, 30)}
{_core_measure("rapid_tranquillisation", "Rapid tranquillisation", "Rapid tranquillisations",
               "Episodes of medication given by injection (usually IM) to calm urgently, in the week. Oral PRN is not counted.",
               {"column_name": "'rapid_tranquillisation'"}, 40)}
{_core_measure("all_restrictive", "All restrictive practice", "All restrictive",
               "Restraint + seclusion + rapid tranquillisation episodes in the week (prone restraint is already inside restraint). Derived, never entered.",
               {"sum_of": _ALL_RESTRICTIVE_SUM}, 0)}
"""
MIGRATIONS.append(MEASURES_V3)  # schema 3: the family of measures (rrp.models.measure)


# -- schema 4: providers' public keys (rrp.store.keys, rrp.exchange.signing) -------------------

#: The public key each provider signs its ward submissions with, enrolled by the facilitator.
#: A provider has at most one key in use (revoked_at IS NULL); enrolling a new one revokes the
#: old. Rows are never deleted, so the audit of an old merge can still name the key it trusted.
PROVIDER_KEY_V4 = f"""
CREATE TABLE provider_key (
    provider_code TEXT NOT NULL REFERENCES provider(code),
    -- An Ed25519 public key: its 32 bytes in base64 (44 characters, one '=' of padding).
    public_key TEXT NOT NULL CHECK (length(public_key) = 44 AND substr(public_key, 44) = '='),
    -- sha256 of the 32 key bytes, in hex: how a person and the audit name the key.
    fingerprint TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
    enrolled_at TEXT NOT NULL,
    enrolled_by TEXT NOT NULL CHECK (enrolled_by <> ''),
    revoked_at TEXT,
    revoked_by TEXT CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
    {_VERSION},
    PRIMARY KEY (provider_code, public_key)
) WITHOUT ROWID;
CREATE UNIQUE INDEX provider_key_in_use ON provider_key(provider_code) WHERE revoked_at IS NULL;

-- A key, once revoked, stays revoked; its bytes and provider never change.
CREATE TRIGGER provider_key_fixed BEFORE UPDATE ON provider_key
WHEN NEW.provider_code IS NOT OLD.provider_code OR NEW.public_key IS NOT OLD.public_key
    OR NEW.fingerprint IS NOT OLD.fingerprint OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NOT OLD.revoked_at)
BEGIN SELECT RAISE(ABORT, 'provider_key: a key keeps its provider and bytes, and a revoked key stays revoked'); END;
"""
MIGRATIONS.append(PROVIDER_KEY_V4)  # schema 4: providers' submission-signing keys (rrp.store.keys)


# -- schema 5: a ward's participation start (rrp.models.week_status) ---------------------------

#: The date a ward joined the collaborative (NULL: it always took part). Weeks before the week
#: holding it are never due, never missing and never count against completeness.
WARD_PARTICIPATION_V5 = """
ALTER TABLE ward ADD COLUMN participation_start TEXT CHECK (participation_start IS NULL
    OR (date(participation_start, '+0 days') IS NOT NULL AND date(participation_start, '+0 days') = participation_start));
"""
MIGRATIONS.append(WARD_PARTICIPATION_V5)  # schema 5: ward.participation_start (rrp.models.week_status)


# -- schema 6: each ward's dashboard summary (rrp.store.summaries, rrp.reports.summaries) -------

#: The figures the collaborative dashboard shows for a ward (per measure: latest value, change,
#: icons, aim; completeness), kept so the dashboard reads one row per ward instead of every week.
#: The figures themselves are computed by rrp.reports (the same functions as the dashboard from
#: scratch); the database only says when they are out of date: every write to what a ward's
#: figures come from bumps `version` (the triggers below), and figures are current while
#: computed_version = version and end_week is the last complete week. A summary is a cache, not
#: data: no audit rows; a ward without a row has never been summarised.
_STALE_ALL = "UPDATE ward_summary SET version = version + 1;"


def _stale_triggers(table: str, ward: str | None, when: str = "") -> str:
    """AFTER INSERT / UPDATE / DELETE triggers on `table` that bump the version of the ward named
    by the expression `ward` ({row} is NEW or OLD; an update bumps the old ward and the new), or
    of every ward when `ward` is None; `when` limits them to some rows."""
    out = ""
    for event in ("INSERT", "UPDATE", "DELETE"):
        rows = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}[event]
        condition = " OR ".join(f"({when.format(row=r)})" for r in rows) if when else ""
        if ward is None:
            body = _STALE_ALL
        else:
            wards = ", ".join(ward.format(row=r) for r in rows)
            body = f"UPDATE ward_summary SET version = version + 1 WHERE ward_code IN ({wards});"
        out += (f"CREATE TRIGGER ward_summary_{table}_{event.lower()} AFTER {event} ON {table}"
                f"{chr(10) + 'WHEN ' + condition if condition else ''}\nBEGIN {body} END;\n")
    return out


#: Where each table names the ward its rows belong to (None: a change there touches every ward).
#: A rebase (annotation) moves a chart's baseline; the huddle's 'fix after n' (preference
#: 'huddle:<WARD>') fixes it; a measure (its definition, chart, aim, being shown) or the
#: collaborative's aim (meta 'aim_reduction') changes every ward's figures.
SUMMARY_SOURCES: dict[str, tuple[str | None, str]] = {
    "weekly": ("{row}.ward_code", ""),
    "measure_value": ("{row}.ward_code", ""),
    "measure_target": ("{row}.ward_code", ""),
    "annotation": ("{row}.ward_code", ""),
    "ward": ("{row}.code", ""),
    "preference": ("substr({row}.key, 8)", "{row}.key LIKE 'huddle:%'"),
    "measure": (None, ""),
    "meta": (None, "{row}.key = 'aim_reduction'"),
}

WARD_SUMMARY_V6 = """
CREATE TABLE ward_summary (
    ward_code TEXT PRIMARY KEY REFERENCES ward(code),
    version INTEGER NOT NULL DEFAULT 1 CHECK (typeof(version) = 'integer' AND version >= 1),
    -- The version the stored figures were computed from (NULL: not yet computed).
    computed_version INTEGER CHECK (computed_version IS NULL OR typeof(computed_version) = 'integer'),
    -- The last complete week the figures run to (a new week makes every summary out of date).
    end_week TEXT CHECK (end_week IS NULL OR date(end_week, '+0 days') = end_week),
    -- {"measures": {code: figures}, "submitted": "1101...", ...}: rrp.reports.summaries
    figures TEXT CHECK (figures IS NULL OR json_valid(figures)),
    computed_at TEXT,
    CHECK ((computed_version IS NULL) = (figures IS NULL))
) WITHOUT ROWID;
""" + "".join(_stale_triggers(table, ward, when) for table, (ward, when) in SUMMARY_SOURCES.items())
MIGRATIONS.append(WARD_SUMMARY_V6)  # schema 6: the dashboard's per-ward summaries (rrp.store.summaries)

#: Weeks read by date across every ward (the home screen's last 12 weeks, the weeks of a period):
#: without it PostgreSQL scans the whole weekly table (520,000 rows at national scale) for the
#: first screen's ~24,000; SQLite seeks each ward's weeks through the primary key instead.
WEEKLY_BY_WEEK_V7 = """
CREATE INDEX weekly_week_start ON weekly(week_start);
"""
MIGRATIONS.append(WEEKLY_BY_WEEK_V7)  # schema 7: weekly rows by week (the home screen on PostgreSQL)

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
