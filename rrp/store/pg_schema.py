"""The database schema on PostgreSQL: the same tables, rules and versions as `schema.MIGRATIONS`.

PG_MIGRATIONS[i] takes a PostgreSQL database from schema version i to i + 1, exactly as
MIGRATIONS[i] does an SQLite file: one entry per SQLite migration, same numbers, so a database
of version v holds the same tables, columns, CHECKs and rules on either engine. Append an entry
here whenever one is appended there (tests/store/test_pg_schema.py checks the lengths agree).

The few dialect differences, written once here:
- Dates stay ISO text (as in SQLite), checked by `rrp_date()`, which is NULL for anything but a
  real YYYY-MM-DD day (SQLite's `date(x, '+0 days') = x`); weekdays by `extract(isodow ...)`.
- `json_valid(x)` is `rrp_json_valid(x)`; `typeof(x) = 'integer'` is the INTEGER column type.
  measure_value's numbers (no declared type in SQLite: stored as given) are NUMERIC, so a whole
  number stays whole and a fraction is never rounded by an assignment cast; the store reads them
  back as int or float (rrp.store.pg), as sqlite3 does.
- SQLite's `RAISE(ABORT, msg)` triggers are PL/pgSQL trigger functions raising the same message
  with SQLSTATE check_violation (so the store maps both to the same ConstraintError).
- `x IS NOT y` (NULL-safe) is `x IS DISTINCT FROM y`; `json_each` is `jsonb_array_elements_text`.
- SQLite's implicit rowid, where the store orders by it (annotation), is an identity column
  `rowid`; like SQLite's it is not part of a row's data (`rrp copy` leaves it to the target).
- The schema version and application id live in the one-row table `rrp_schema` (SQLite keeps
  them in PRAGMA user_version / application_id); it is not data, so `rrp copy` skips it.
"""

from __future__ import annotations

import re

from rrp.store.schema import (
    _ALL_RESTRICTIVE_SUM,
    _CORE_COLUMNS,
    _MAX_MEASURE_NUMBER,
    SUMMARY_SOURCES,
    WEEKLY_BY_WEEK_V7,
)

#: Tables that hold rrp's bookkeeping on PostgreSQL only (not data; never copied).
PG_ONLY_TABLES = ("rrp_schema",)


def _count(col: str, maximum: int = 1000) -> str:
    return f"{col} INTEGER NOT NULL CHECK ({col} >= 0 AND {col} <= {maximum})"


def _date(col: str) -> str:
    return f"CHECK (rrp_date({col}) IS NOT NULL)"


_VERSION = "version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)"
_UPDATED = "updated_at TEXT NOT NULL, updated_by TEXT NOT NULL CHECK (updated_by <> '')"
_RAISE = "RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'"


def rule(name: str, table: str, events: tuple[str, ...], when: str, message: str) -> str:
    """One rule as a PL/pgSQL trigger function and a BEFORE trigger per event.

    The SQLite schema names each trigger `<name>_<event>` when a rule has two; one trigger keeps
    its own name. `when` is SQLite's WHEN clause, translated by `pg_sql`.
    """
    body = (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        f"  IF {pg_sql(when)} THEN\n    {_RAISE.format(message=message)};\n  END IF;\n"
        "  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n  RETURN NEW;\nEND $$;\n"
    )
    for event in events:
        trigger = name if len(events) == 1 else f"{name}_{event.lower()}"
        body += f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();\n"
    return body


def _both(name: str, table: str, when: str, message: str) -> str:
    return rule(name, table, ("INSERT", "UPDATE"), when, message)


def pg_sql(sql: str) -> str:
    """SQLite expressions of the schema's rules in PostgreSQL's words (see the module docstring)."""
    sql = re.sub(r"\bIS NOT (?!NULL\b)", "IS DISTINCT FROM ", sql)
    sql = re.sub(r"json_each\(([^)]*)\) j", r"jsonb_array_elements_text((\1)::jsonb) AS j(value)", sql)
    sql = re.sub(r"strftime\('%w', ([^)]*)\) <> '1'", r"extract(isodow FROM rrp_date(\1)) <> 1", sql)
    sql = re.sub(r"strftime\('%d', ([^)]*)\) <> '01'", r"extract(day FROM rrp_date(\1)) <> 1", sql)
    sql = re.sub(r"typeof\(([\w.]+)\) <> 'integer'", r"\1 <> trunc(\1)", sql)
    return sql


FUNCTIONS_V1 = r"""
CREATE FUNCTION rrp_date(value TEXT) RETURNS DATE LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE day DATE;
BEGIN
  IF value IS NULL OR value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN RETURN NULL; END IF;
  day := value::date;
  IF to_char(day, 'YYYY-MM-DD') <> value THEN RETURN NULL; END IF;
  RETURN day;
EXCEPTION WHEN others THEN RETURN NULL;
END $$;

CREATE FUNCTION rrp_json_valid(value TEXT) RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM value::jsonb;
  RETURN true;
EXCEPTION WHEN others THEN RETURN false;
END $$;
"""

PG_SCHEMA_V1 = FUNCTIONS_V1 + f"""
CREATE TABLE rrp_schema (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    application_id BIGINT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 0),
    -- The schema's signature (rrp.store.pg_verify) as the owner verified it when it migrated:
    -- what a role that may not build the expected schema itself verifies against.
    signature TEXT
);

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
    beds INTEGER NOT NULL CHECK (beds BETWEEN 1 AND 60),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    {_VERSION}
);

CREATE TABLE weekly (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    week_start TEXT NOT NULL {_date("week_start")} CHECK (extract(isodow FROM rrp_date(week_start)) = 1),
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
);

{_both("weekly_bed_days", "weekly",
       "NEW.occupied_bed_days > (SELECT beds * 7 FROM ward WHERE code = NEW.ward_code)",
       "occupied_bed_days exceeds beds x 7")}

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
    planned_start TEXT CHECK (planned_start IS NULL OR rrp_date(planned_start) IS NOT NULL),
    planned_end TEXT CHECK (planned_end IS NULL OR rrp_date(planned_end) IS NOT NULL),
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
    draft_key TEXT PRIMARY KEY,
    payload TEXT NOT NULL CHECK (rrp_json_valid(payload)),
    saved_at TEXT NOT NULL
);

CREATE TABLE progress_score (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    month TEXT NOT NULL {_date("month")} CHECK (extract(day FROM rrp_date(month)) = 1),
    score DOUBLE PRECISION NOT NULL CHECK (score BETWEEN 0.5 AND 5.0 AND score * 2 = trunc(score * 2)),
    note TEXT,
    {_UPDATED},
    {_VERSION},
    PRIMARY KEY (ward_code, month)
);

CREATE TABLE annotation (
    id TEXT PRIMARY KEY CHECK (length(id) = 32),
    ward_code TEXT REFERENCES ward(code),
    on_date TEXT NOT NULL {_date("on_date")},
    kind TEXT NOT NULL CHECK (kind IN ('note', 'rebase', 'pdsa')),
    measure TEXT CHECK (measure IS NULL OR measure IN
        ('restraint', 'prone_restraint', 'seclusion', 'rapid_tranquillisation', 'all_restrictive')),
    text TEXT NOT NULL CHECK (text <> '' AND length(text) <= 500),
    pdsa_cycle_id TEXT REFERENCES pdsa_cycle(id) ON DELETE CASCADE,
    {_UPDATED},
    {_VERSION},
    -- SQLite's implicit rowid, which the store orders notes of one day by (the order they were added).
    rowid BIGINT GENERATED ALWAYS AS IDENTITY,
    CHECK (kind <> 'rebase' OR extract(isodow FROM rrp_date(on_date)) = 1)
);
CREATE INDEX annotation_ward ON annotation(ward_code, on_date);

CREATE TABLE preference (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (rrp_json_valid(value))
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL CHECK (who <> ''),
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'bulk')),
    before TEXT CHECK (before IS NULL OR rrp_json_valid(before)),
    after TEXT CHECK (after IS NULL OR rrp_json_valid(after))
);
CREATE INDEX audit_row ON audit(table_name, row_key);
"""

PG_SYNC_STATE_V2 = """
CREATE TABLE sync_state (
    source TEXT NOT NULL CHECK (source <> ''),
    table_name TEXT NOT NULL CHECK (table_name IN ('change_idea', 'weekly', 'pdsa_cycle', 'progress_score', 'annotation')),
    row_key TEXT NOT NULL CHECK (row_key <> ''),
    agreed_hash TEXT NOT NULL CHECK (length(agreed_hash) = 64),
    agreed_at TEXT NOT NULL,
    PRIMARY KEY (source, table_name, row_key)
);

CREATE TABLE sync_submission (
    checksum TEXT PRIMARY KEY CHECK (length(checksum) = 64),
    source TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    summary TEXT NOT NULL CHECK (rrp_json_valid(summary))
);
"""


# -- schema 3: the family of measures ---------------------------------------------------------

def _of(column: str) -> str:
    return f"(SELECT {column} FROM measure WHERE code = NEW.measure_code)"


def _weekly_column(row: str, column: str) -> str:
    cases = " ".join(f"WHEN '{c}' THEN {row}.{c}" for c in _CORE_COLUMNS)
    return f"CASE {column} {cases} END"


_WHOLE = f"""(SELECT CASE WHEN w.column_name IS NOT NULL THEN {_weekly_column("k", "w.column_name")}
    ELSE (SELECT v.numerator FROM measure_value v WHERE v.ward_code = NEW.ward_code
          AND v.measure_code = w.code AND v.period_start = NEW.period_start) END
    FROM measure p JOIN measure w ON w.code = p.part_of
    LEFT JOIN weekly k ON k.ward_code = NEW.ward_code AND k.week_start = NEW.period_start
    WHERE p.code = NEW.measure_code)"""

_NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"


def _core_measure(code: str, name: str, label: str, definition: str, extra: dict[str, str], position: int) -> str:
    columns = {
        "code": f"'{code}'", "name": f"'{name}'", "label": f"'{label}'", "definition": f"'{definition}'",
        "kind": "'outcome'", "recorded_as": "'count_per_bed_days'", "direction": "'decrease'",
        "frequency": "'weekly'", **extra, "position": str(position),
        "updated_at": _NOW, "updated_by": "'rrp (schema 3)'",
    }
    return f"INSERT INTO measure ({', '.join(columns)}) VALUES ({', '.join(columns.values())});"


_OPTIONAL_DATE = "CHECK ({col} IS NULL OR rrp_date({col}) IS NOT NULL)"

PG_MEASURES_V3 = f"""
CREATE TABLE measure (
    code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 40 AND code ~ '^[a-z][a-z0-9_]*$'),
    name TEXT NOT NULL CHECK (name <> '' AND length(name) <= 120),
    label TEXT NOT NULL CHECK (label <> '' AND length(label) <= 40),
    definition TEXT NOT NULL CHECK (definition <> '' AND length(definition) <= 2000),
    kind TEXT NOT NULL CHECK (kind IN ('outcome', 'process', 'balancing')),
    recorded_as TEXT NOT NULL CHECK (recorded_as IN ('count_per_bed_days', 'proportion', 'count', 'value')),
    direction TEXT NOT NULL CHECK (direction IN ('decrease', 'increase', 'neutral')),
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
    part_of TEXT REFERENCES measure(code) CHECK (part_of IS NULL OR part_of <> code),
    sum_of TEXT CHECK (sum_of IS NULL OR (rrp_json_valid(sum_of) AND jsonb_typeof(sum_of::jsonb) = 'array'
        AND jsonb_array_length(sum_of::jsonb) >= 2)),
    aim_change DOUBLE PRECISION CHECK (aim_change IS NULL OR (aim_change > -1 AND aim_change <> 0)),
    aim_target DOUBLE PRECISION CHECK (aim_target IS NULL OR aim_target >= 0),
    minimum DOUBLE PRECISION,
    maximum DOUBLE PRECISION,
    ward_code TEXT REFERENCES ward(code),
    column_name TEXT UNIQUE CHECK (column_name IS NULL OR column_name IN ({", ".join(f"'{c}'" for c in _CORE_COLUMNS)})),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    active_from TEXT {_OPTIONAL_DATE.format(col="active_from")},
    active_to TEXT {_OPTIONAL_DATE.format(col="active_to")},
    position INTEGER NOT NULL DEFAULT 1000 CHECK (position BETWEEN 0 AND 10000),
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

{_both("measure_sum_members", "measure",
       "NEW.sum_of IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(NEW.sum_of) j "
       "WHERE j.value NOT IN (SELECT code FROM measure) OR j.value = NEW.code)",
       "measure: sum_of names a measure that does not exist")}
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
{rule("measure_scale_of_parts_and_sums", "measure", ("UPDATE",),
      "EXISTS (SELECT 1 FROM measure p WHERE p.part_of = OLD.code "
      "AND (p.recorded_as <> NEW.recorded_as OR p.frequency <> NEW.frequency)) "
      "OR EXISTS (SELECT 1 FROM measure s, json_each(s.sum_of) j WHERE j.value = OLD.code "
      "AND (s.recorded_as <> NEW.recorded_as OR s.frequency <> NEW.frequency))",
      "measure: a measure keeps the recorded_as and frequency of its parts and of the sums it is in")}
{rule("measure_delete", "measure", ("DELETE",),
      "OLD.column_name IS NOT NULL OR EXISTS (SELECT 1 FROM measure s, json_each(s.sum_of) j WHERE j.value = OLD.code)",
      "measure: a column-backed measure, or one inside a sum, cannot be deleted")}
{rule("measure_core_fixed", "measure", ("UPDATE",),
      "OLD.column_name IS NOT NULL AND (NEW.code IS NOT OLD.code OR NEW.column_name IS NOT OLD.column_name "
      "OR NEW.recorded_as IS NOT OLD.recorded_as OR NEW.frequency IS NOT OLD.frequency "
      "OR NEW.ward_code IS NOT OLD.ward_code OR NEW.part_of IS NOT OLD.part_of OR NEW.sum_of IS NOT OLD.sum_of)",
      "measure: a column-backed measure keeps its code, recorded_as, frequency, ward, part_of and sum_of")}
{rule("measure_with_values_fixed", "measure", ("UPDATE",),
      "EXISTS (SELECT 1 FROM measure_value v WHERE v.measure_code = OLD.code) AND ("
      "NEW.code IS NOT OLD.code OR NEW.recorded_as IS NOT OLD.recorded_as OR NEW.frequency IS NOT OLD.frequency "
      "OR NEW.ward_code IS NOT OLD.ward_code OR NEW.part_of IS NOT OLD.part_of OR NEW.sum_of IS NOT OLD.sum_of "
      "OR EXISTS (SELECT 1 FROM measure_value v WHERE v.measure_code = OLD.code "
      "AND (v.numerator < NEW.minimum OR v.numerator > NEW.maximum)))",
      "measure: a measure with values keeps its code, recorded_as, frequency, ward, part_of and sum_of, and its bounds must hold its values")}

CREATE TABLE measure_value (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    measure_code TEXT NOT NULL REFERENCES measure(code),
    period_start TEXT NOT NULL {_date("period_start")},
    numerator NUMERIC NOT NULL CHECK (numerator >= 0 AND numerator <= {_MAX_MEASURE_NUMBER}),
    denominator NUMERIC CHECK (denominator IS NULL OR (denominator = trunc(denominator) AND denominator >= 0
        AND denominator <= {_MAX_MEASURE_NUMBER} AND numerator <= denominator)),
    {_UPDATED},
    {_VERSION},
    PRIMARY KEY (ward_code, measure_code, period_start)
);
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
{rule("measure_value_whole_update", "measure_value", ("UPDATE",),
      "EXISTS (SELECT 1 FROM measure p JOIN measure_value v ON v.measure_code = p.code "
      "WHERE p.part_of = OLD.measure_code AND v.ward_code = OLD.ward_code AND v.period_start = OLD.period_start "
      "AND (v.numerator > NEW.numerator OR NEW.ward_code IS NOT OLD.ward_code "
      "OR NEW.measure_code IS NOT OLD.measure_code OR NEW.period_start IS NOT OLD.period_start))",
      "measure_value: a whole cannot fall below its parts (part_of) for that ward and period")}
{rule("measure_value_whole_delete", "measure_value", ("DELETE",),
      "EXISTS (SELECT 1 FROM measure p JOIN measure_value v ON v.measure_code = p.code "
      "WHERE p.part_of = OLD.measure_code AND v.ward_code = OLD.ward_code AND v.period_start = OLD.period_start)",
      "measure_value: delete the parts (part_of) before their whole")}
{rule("weekly_measure_parts", "weekly", ("UPDATE",),
      "EXISTS (SELECT 1 FROM measure p JOIN measure w ON w.code = p.part_of AND w.column_name IS NOT NULL "
      "JOIN measure_value v ON v.measure_code = p.code AND v.ward_code = OLD.ward_code AND v.period_start = OLD.week_start "
      f"WHERE v.numerator > {_weekly_column('NEW', 'w.column_name')})",
      "weekly: a count cannot fall below a measure that is part of it (part_of)")}
{rule("weekly_measure_bed_days", "weekly", ("UPDATE",),
      "EXISTS (SELECT 1 FROM measure_value v JOIN measure m ON m.code = v.measure_code "
      "WHERE m.recorded_as = 'count_per_bed_days' AND v.ward_code = OLD.ward_code AND v.period_start = OLD.week_start "
      "AND ((v.numerator > 0 AND NEW.occupied_bed_days = 0) "
      "OR NEW.ward_code IS NOT OLD.ward_code OR NEW.week_start IS NOT OLD.week_start))",
      "weekly: per-bed-days measure values rely on this week''s occupied bed days")}
{rule("weekly_measure_delete", "weekly", ("DELETE",),
      "EXISTS (SELECT 1 FROM measure_value v JOIN measure m ON m.code = v.measure_code "
      "WHERE m.recorded_as = 'count_per_bed_days' AND v.ward_code = OLD.ward_code AND v.period_start = OLD.week_start)",
      "weekly: per-bed-days measure values rely on this week''s occupied bed days")}

CREATE TABLE measure_target (
    ward_code TEXT NOT NULL REFERENCES ward(code),
    measure_code TEXT NOT NULL REFERENCES measure(code),
    aim_target DOUBLE PRECISION NOT NULL CHECK (aim_target >= 0),
    {_UPDATED},
    {_VERSION},
    PRIMARY KEY (ward_code, measure_code)
);

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

# -- who may see and change which rows (row-level security) ------------------------------------
#
# Enforced by PostgreSQL itself, for anyone who connects with a role of the collaborative
# (`rrp admin roles` creates them and their GRANTs: rrp.store.pg_roles). The policies name roles
# by text, never by reference, so they exist before the roles do, and a provider added later is
# covered once its role is created. The database's owner (who runs rrp's migrations) is not
# subject to them: rrp's own connection enforces the app's rules itself, as on SQLite.

#: Tables keyed by ward, and whether a row of the collaborative (ward_code NULL) exists there.
WARD_TABLES = ("weekly", "pdsa_cycle", "progress_score", "annotation", "change_idea", "measure",
               "measure_value", "measure_target")
#: Tables the facilitator edits for the whole collaborative (the change package and the measures).
FACILITATOR_TABLES = ("driver", "change_idea", "measure", "meta")


def _policies(table: str) -> str:
    return (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
        f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (rrp_reads_ward(ward_code));\n"
        f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK (rrp_writes_ward(ward_code));\n"
        f"CREATE POLICY {table}_update ON {table} FOR UPDATE USING (rrp_writes_ward(ward_code)) "
        "WITH CHECK (rrp_writes_ward(ward_code));\n"
        f"CREATE POLICY {table}_delete ON {table} FOR DELETE USING (rrp_writes_ward(ward_code));\n"
    )


PG_ACCESS = """
-- Is the current user in the role with this name (false when no such role exists)?
CREATE FUNCTION rrp_in_role(role_name TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = role_name AND pg_has_role(r.oid, 'MEMBER'))
$$;

-- A provider's staff: the role rrp_provider_<code in lower case>.
CREATE FUNCTION rrp_provider_staff(provider TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
  SELECT rrp_in_role('rrp_provider_' || lower(provider))
$$;

-- Reads: the facilitator and governance see every ward; a provider's staff their own provider's
-- wards and the collaborative's own rows (ward NULL: the change package, shared measures).
CREATE FUNCTION rrp_reads_ward(ward TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
  SELECT ward IS NULL OR rrp_in_role('rrp_facilitator') OR rrp_in_role('rrp_governance')
    OR EXISTS (SELECT 1 FROM ward w WHERE w.code = ward AND rrp_provider_staff(w.provider_code))
$$;

-- Writes: a provider's staff write their own provider's wards only; the facilitator writes the
-- collaborative's rows (ward NULL). Which tables each may write at all is a GRANT (pg_roles).
CREATE FUNCTION rrp_writes_ward(ward TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN ward IS NULL THEN rrp_in_role('rrp_facilitator')
    ELSE EXISTS (SELECT 1 FROM ward w WHERE w.code = ward AND rrp_provider_staff(w.provider_code)) END
$$;

ALTER TABLE ward ENABLE ROW LEVEL SECURITY;
CREATE POLICY ward_read ON ward FOR SELECT USING (rrp_in_role('rrp_facilitator')
    OR rrp_in_role('rrp_governance') OR rrp_provider_staff(provider_code));

ALTER TABLE provider ENABLE ROW LEVEL SECURITY;
CREATE POLICY provider_read ON provider FOR SELECT USING (rrp_in_role('rrp_facilitator')
    OR rrp_in_role('rrp_governance') OR rrp_provider_staff(code));

-- The audit log: everyone who may write adds rows under their own name; the facilitator and
-- governance read it all, a provider's staff the rows they wrote.
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit FOR SELECT USING (rrp_in_role('rrp_facilitator')
    OR rrp_in_role('rrp_governance') OR who = session_user);
CREATE POLICY audit_insert ON audit FOR INSERT WITH CHECK (true);
""" + "".join(_policies(t) for t in WARD_TABLES)


def _deferrable(script: str) -> str:
    """Every reference DEFERRABLE (checked at once unless a merge defers them): SQLite's
    `PRAGMA defer_foreign_keys`, which a ward submission uses, has no other equivalent."""
    return re.sub(r"(REFERENCES \w+\(\w+\)(?: ON DELETE CASCADE)?)", r"\1 DEFERRABLE", script)


# -- schema 4: providers' public keys (schema.PROVIDER_KEY_V4; rrp.store.keys) -------------------

#: Who may sign a ward's submission is the facilitator's to decide: only the facilitator reads
#: and writes provider_key (governance reads it, as it reads everything); a provider's staff do
#: neither (pg_roles revokes their SELECT too). No one deletes a key: an old merge's audit names it.
PG_PROVIDER_KEY_V4 = f"""
CREATE TABLE provider_key (
    provider_code TEXT NOT NULL REFERENCES provider(code),
    public_key TEXT NOT NULL CHECK (length(public_key) = 44 AND substr(public_key, 44) = '='),
    fingerprint TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
    enrolled_at TEXT NOT NULL,
    enrolled_by TEXT NOT NULL CHECK (enrolled_by <> ''),
    revoked_at TEXT,
    revoked_by TEXT CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
    {_VERSION},
    PRIMARY KEY (provider_code, public_key)
);
CREATE UNIQUE INDEX provider_key_in_use ON provider_key(provider_code) WHERE revoked_at IS NULL;

{rule("provider_key_fixed", "provider_key", ("UPDATE",),
      "NEW.provider_code IS NOT OLD.provider_code OR NEW.public_key IS NOT OLD.public_key "
      "OR NEW.fingerprint IS NOT OLD.fingerprint OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NOT OLD.revoked_at)",
      "provider_key: a key keeps its provider and bytes, and a revoked key stays revoked")}

ALTER TABLE provider_key ENABLE ROW LEVEL SECURITY;
CREATE POLICY provider_key_read ON provider_key FOR SELECT
    USING (rrp_in_role('rrp_facilitator') OR rrp_in_role('rrp_governance'));
CREATE POLICY provider_key_insert ON provider_key FOR INSERT WITH CHECK (rrp_in_role('rrp_facilitator'));
CREATE POLICY provider_key_update ON provider_key FOR UPDATE
    USING (rrp_in_role('rrp_facilitator')) WITH CHECK (rrp_in_role('rrp_facilitator'));
"""

#: The date a ward joined the collaborative (as WARD_PARTICIPATION_V5).
PG_WARD_PARTICIPATION_V5 = """
ALTER TABLE ward ADD COLUMN participation_start TEXT
    CHECK (participation_start IS NULL OR rrp_date(participation_start) IS NOT NULL);
"""


# -- schema 6: each ward's dashboard summary (schema.WARD_SUMMARY_V6; rrp.store.summaries) ------

#: The same table and the same "what makes a summary out of date" as SQLite's: one trigger
#: function, SECURITY DEFINER so that a provider's staff saving a week (or editing a local
#: measure, which touches every ward) marks summaries they may not otherwise write (its
#: search_path is fixed when it is created). Everyone reads the summaries of the wards they read;
#: the facilitator and a ward's own staff write them (governance reads only: a governance
#: dashboard computes out-of-date wards without storing them).
def _pg_stale_triggers(table: str, ward: str | None, when: str) -> str:
    # the function's argument: the ward's column, 'key' (a huddle preference) or '*' (every ward)
    argument = "*" if ward is None else "key" if ".key" in ward else ward.format(row="ROW").removeprefix("ROW.")
    out = ""
    for event in ("INSERT", "UPDATE", "DELETE"):
        rows = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}[event]
        condition = " OR ".join(f"({when.format(row=r)})" for r in rows) if when else ""
        out += (f"CREATE TRIGGER ward_summary_{table}_{event.lower()} AFTER {event} ON {table} FOR EACH ROW"
                f"{' WHEN (' + condition + ')' if condition else ''} "
                f"EXECUTE FUNCTION rrp_ward_summary_stale('{argument}');\n")
    return out


PG_WARD_SUMMARY_V6 = """
CREATE TABLE ward_summary (
    ward_code TEXT PRIMARY KEY REFERENCES ward(code),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    computed_version INTEGER,
    end_week TEXT CHECK (end_week IS NULL OR rrp_date(end_week) IS NOT NULL),
    figures TEXT CHECK (figures IS NULL OR rrp_json_valid(figures)),
    computed_at TEXT,
    CHECK ((computed_version IS NULL) = (figures IS NULL))
);

-- TG_ARGV[0]: the column naming the row's ward ('key': a preference 'huddle:<WARD>'; '*': every ward).
CREATE FUNCTION rrp_ward_summary_stale() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT AS $$
DECLARE new_ward TEXT; old_ward TEXT;
BEGIN
  IF TG_ARGV[0] = '*' THEN
    UPDATE ward_summary SET version = version + 1;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN new_ward := to_jsonb(NEW) ->> TG_ARGV[0]; END IF;
  IF TG_OP <> 'INSERT' THEN old_ward := to_jsonb(OLD) ->> TG_ARGV[0]; END IF;
  IF TG_ARGV[0] = 'key' THEN
    new_ward := substr(new_ward, 8);
    old_ward := substr(old_ward, 8);
  END IF;
  UPDATE ward_summary SET version = version + 1 WHERE ward_code IN (new_ward, old_ward);
  RETURN NULL;
END $$;
""" + "".join(_pg_stale_triggers(t, w, c) for t, (w, c) in SUMMARY_SOURCES.items()) + """
ALTER TABLE ward_summary ENABLE ROW LEVEL SECURITY;
CREATE POLICY ward_summary_read ON ward_summary FOR SELECT USING (rrp_reads_ward(ward_code));
CREATE POLICY ward_summary_insert ON ward_summary FOR INSERT
    WITH CHECK (rrp_in_role('rrp_facilitator') OR rrp_writes_ward(ward_code));
CREATE POLICY ward_summary_update ON ward_summary FOR UPDATE
    USING (rrp_in_role('rrp_facilitator') OR rrp_writes_ward(ward_code))
    WITH CHECK (rrp_in_role('rrp_facilitator') OR rrp_writes_ward(ward_code));
"""

PG_WEEKLY_BY_WEEK_V7 = WEEKLY_BY_WEEK_V7  # the same index (plain SQL on both engines)

#: PG_MIGRATIONS[i] takes a PostgreSQL database from schema version i to i + 1 (as MIGRATIONS[i]).
#: Schema 3 is the first on PostgreSQL, so it carries the access rules of every table so far;
#: a later migration that adds a table adds its policies with it (_policies for a ward-keyed one).
PG_MIGRATIONS: list[str] = [
    _deferrable(s) for s in (PG_SCHEMA_V1, PG_SYNC_STATE_V2, PG_MEASURES_V3 + PG_ACCESS, PG_PROVIDER_KEY_V4,
                             PG_WARD_PARTICIPATION_V5, PG_WARD_SUMMARY_V6, PG_WEEKLY_BY_WEEK_V7)
]
