"""Ward submissions: one self-describing JSON file from a ward, merged into the facilitator's database.

The file (format "rrp-ward-submission", version 1) holds the rrp version, the ward and provider
records, the ward's records (its own change ideas, weekly rows, PDSA cycles, progress scores,
annotations) with version/updated_at/updated_by, when it was exported, and a SHA-256 checksum of
the canonical payload (the JSON of everything but the checksum, keys sorted, no spaces, UTF-8).

Merging, record by record (key: ward+week, ward+month, or id), with `agreed` = the content hash
this database last agreed with that ward (table sync_state):

| here | submitted | outcome |
|---|---|---|
| missing | any | inserted (unless it was deleted here after agreeing: then kept deleted) |
| same content | same content | unchanged |
| = agreed | changed since | updated, if the submission's updated_at is not older (else conflict) |
| changed since | = agreed | kept ours: edited here since, the ward has not changed it |
| changed since | changed since (or never agreed) | CONFLICT: reported, nothing written |

A conflict waits for a person: `merge_submission(..., take={"weekly:NVT-ASH/2026-03-02": "theirs"})`
writes the ward's version; "ours" keeps this one. Either way the ward's version becomes the agreed
one, so the same file never raises that conflict again. The whole merge is one transaction and is
audited per record. Re-importing the same file changes nothing. Records a ward deleted are not
deleted here (a submission lists what exists, not what was removed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rrp.exchange.limits import Deadline, LimitExceeded, limits_for, read_bounded
from rrp.exchange.reading import ExchangeError, FileRefused
from rrp.models.registry_file import RowProblem

if TYPE_CHECKING:
    from rrp.store import Store

FORMAT = "rrp-ward-submission"
FORMAT_VERSION = 1
TABLE_ORDER = ("change_idea", "weekly", "pdsa_cycle", "progress_score", "annotation")


class SubmissionRefused(ExchangeError):
    """The submission cannot be merged (tampered, wrong ward, invalid records); nothing written."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


def canonical(payload: dict[str, Any]) -> bytes:
    """The bytes the checksum is computed over."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(row: dict[str, Any]) -> str:
    """SHA-256 of a record's content (everything but version/updated_at/updated_by/created_at)."""
    from rrp.store.sync import META_COLUMNS

    return hashlib.sha256(canonical({k: v for k, v in row.items() if k not in META_COLUMNS})).hexdigest()


# -- writing ------------------------------------------------------------------------------------


def build_submission(
    store: Store, ward_code: str, *, since: dt.date | None = None, now: str | None = None
) -> dict[str, Any]:
    """The submission of one ward as a dict (with its checksum)."""
    from rrp import __version__
    from rrp.store.sync import SyncRepository

    code = ward_code.strip().upper()
    ward = store.registry.ward(code)
    if ward is None:
        raise SubmissionRefused(f"Ward {code} is not in this database's registry")
    provider = next((p for p in store.registry.providers() if p.code == ward.provider_code), None)
    sync = SyncRepository(store.database)
    tables = {
        table: sync.records(table, ward_code=code, since=since.isoformat() if since else None)
        for table in TABLE_ORDER
    }
    payload: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rrp_version": __version__,
        "exported_at": now or store.database.clock(),
        "exported_by": store.database.who,
        "since": since.isoformat() if since else None,
        "ward": ward.model_dump(mode="json"),
        "provider": provider.model_dump(mode="json") if provider else None,
        "tables": tables,
    }
    digest = hashlib.sha256(canonical(payload)).hexdigest()
    return {**payload, "checksum": {"algorithm": "sha256", "value": digest}}


@dataclass
class SubmissionWritten:
    out: str
    ward_code: str
    checksum: str
    counts: dict[str, int]


def write_submission(
    store: Store, ward_code: str, out: str | Path | IO[bytes], *, since: dt.date | None = None
) -> SubmissionWritten:
    """Write one ward's submission file (JSON, UTF-8) to a path, '-' or a binary handle.

    A path goes through rrp's one writer: never over the open database, any database, or
    anything that is not a regular file (rrp.store.output_file).
    """
    from rrp.store.output_file import check_output, is_stdout, write_output

    if isinstance(out, (str, Path)) and not is_stdout(out):
        check_output(out, database=store.path)  # refuse before the work, not after it
    data = build_submission(store, ward_code, since=since)
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True).encode("utf-8")
    if isinstance(out, (str, Path)):
        write_output(out, text, database=store.path)
    else:
        out.write(text)
    return SubmissionWritten(
        str(out) if isinstance(out, (str, Path)) else "<stream>",
        data["ward"]["code"],
        data["checksum"]["value"],
        {t: len(rows) for t, rows in data["tables"].items()},
    )


# -- reading -----------------------------------------------------------------------------------


def read_submission(path: str | Path) -> dict[str, Any]:
    """Load and check a submission file: its limits, format, version, checksum and every field.

    Raises FileRefused (not a readable submission file: a usage error), LimitExceeded (past a
    limit of a ward submission) or SubmissionRefused (the checksum does not match, or a field is
    invalid: every one is named).
    """
    from pydantic import ValidationError

    from rrp.exchange.submission_check import Envelope, problems_of

    path = Path(path)
    limits = limits_for("submission")
    raw = read_bounded(path, limits)
    # Each record is a JSON object: a file with more objects and lists than a submission may
    # hold records is refused before parsing builds them (a few bytes of JSON, 64+ as Python).
    if raw.count(b"{") + raw.count(b"[") > 2 * limits.max_rows:
        raise LimitExceeded(f"{path} has more than {limits.max_rows:,} records, the limit for {limits.kind}")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FileRefused(f"{path} is not a ward submission (not valid JSON: {exc})") from None
    except ValueError:  # an integer of thousands of digits: Python refuses to convert it
        raise FileRefused(f"{path} is not a ward submission (a number in it is thousands of digits long)") from None
    del raw
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileRefused(f"{path} is not an rrp ward submission file")
    version = data.get("format_version")
    if type(version) is not int or not 1 <= version <= FORMAT_VERSION:
        raise FileRefused(
            f"{path} is a submission format version {str(version)[:20]!r}; this rrp reads version {FORMAT_VERSION}"
        )
    checksum = data.pop("checksum", None)
    if not isinstance(checksum, dict) or checksum.get("algorithm") != "sha256":
        raise SubmissionRefused(f"{path} has no SHA-256 checksum: refused")
    if hashlib.sha256(canonical(data)).hexdigest() != checksum.get("value"):
        raise SubmissionRefused(
            f"{path} was changed after it was written (its checksum does not match): refused, "
            "nothing was imported. Ask the ward to export it again."
        )
    data["checksum"] = checksum
    if not isinstance(data.get("ward"), dict) or not isinstance(data.get("tables"), dict):
        raise FileRefused(f"{path} is missing its ward or tables")
    records = sum(len(rows) for rows in data["tables"].values() if isinstance(rows, list))
    if records > limits.max_rows:
        raise LimitExceeded(f"{path} has more than {limits.max_rows:,} records, the limit for {limits.kind}")
    try:
        Envelope.model_validate(data)
    except ValidationError as exc:
        problems = [RowProblem(0, where, message) for where, message in problems_of(exc)]
        raise SubmissionRefused(
            f"{path} has {len(problems)} invalid field(s); nothing was imported", problems
        ) from None
    return data


# -- merging -----------------------------------------------------------------------------------


@dataclass
class Conflict:
    """A record both sides changed since they last agreed (or never agreed): a person decides."""

    table: str
    key: str
    ours: dict[str, Any] | None
    theirs: dict[str, Any]

    @property
    def ref(self) -> str:
        """How to name it in --key: 'weekly:NVT-ASH/2026-03-02'."""
        return f"{self.table}:{self.key}"

    def differences(self) -> dict[str, tuple[Any, Any]]:
        from rrp.store.sync import META_COLUMNS

        ours = self.ours or {}
        return {
            k: (ours.get(k), v)
            for k, v in self.theirs.items()
            if k not in META_COLUMNS and ours.get(k) != v
        }


@dataclass
class MergeResult:
    source: str
    ward_code: str
    dry_run: bool
    already_merged: bool = False
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_ours: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "inserted": len(self.inserted),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "kept_ours": len(self.kept_ours),
            "resolved": len(self.resolved),
            "conflicts": len(self.conflicts),
        }


def _validate(table: str, row: dict[str, Any], ward: Any, today: dt.date | None) -> dict[str, str]:
    """Field problems of one submitted record, by the app's own models."""
    from pydantic import ValidationError

    from rrp.models.fields import field_errors

    try:
        if table == "weekly":
            from rrp.models.weekly import validate_week

            validate_week({k: row.get(k) for k in (
                "ward_code", "week_start", "restraint", "prone_restraint", "seclusion",
                "rapid_tranquillisation", "occupied_bed_days", "note")}, ward=ward, today=today)
        elif table == "pdsa_cycle":
            from rrp.models.pdsa import PdsaCycle, validate_cycle

            validate_cycle({k: v for k, v in row.items() if k in PdsaCycle.model_fields})
        elif table == "progress_score":
            from rrp.models.progress import ProgressScore

            ProgressScore.model_validate({k: v for k, v in row.items() if k in ProgressScore.model_fields})
        elif table == "annotation":
            from rrp.models.annotation import Annotation

            Annotation.model_validate({k: v for k, v in row.items() if k in Annotation.model_fields})
        elif table == "change_idea":
            from rrp.models.change_package import ChangeIdea

            ChangeIdea.model_validate({k: v for k, v in row.items() if k in ChangeIdea.model_fields})
    except ValidationError as exc:
        return field_errors(exc)
    except (TypeError, ValueError) as exc:
        return {"(record)": str(exc)}
    return {}


def _history_problems(row: dict[str, Any]) -> dict[str, str]:
    """Problems of a record's version, updated_at, updated_by and created_at (strict types)."""
    from pydantic import ValidationError

    from rrp.exchange.submission_check import RecordHistory, problems_of

    try:
        RecordHistory.model_validate(row)
    except ValidationError as exc:
        return dict(problems_of(exc))
    return {}


def _check_records(
    store: Store, data: dict[str, Any], today: dt.date | None, deadline: Deadline | None = None
) -> tuple[str, dict[str, list[dict]]]:
    from rrp.store.sync import META_COLUMNS, SYNC_TABLES, SyncRepository

    ward_data = data["ward"]
    code = str(ward_data.get("code", "")).strip().upper()
    ward = store.registry.ward(code) if code else None
    if ward is None:
        raise SubmissionRefused(
            f"the submission is from ward {code or '?'}, which is not in this database's registry: "
            "add the ward to the registry first (rrp import wards)"
        )
    sync = SyncRepository(store.database)
    problems: list[RowProblem] = []
    tables: dict[str, list[dict]] = {}
    for table, rows in data["tables"].items():
        if table not in SYNC_TABLES:
            raise SubmissionRefused(f"the submission has an unknown table {table!r} (written by a newer rrp?)")
        if not isinstance(rows, list):
            raise SubmissionRefused(f"the submission's {table} is not a list of records")
        known = set(sync.columns(table))
        checked = []
        for number, row in enumerate(rows, start=1):
            if deadline is not None and not number % 256:
                deadline.check("the submission")
            if not isinstance(row, dict):
                raise SubmissionRefused(f"{table} record {number} is not a record")
            unknown = set(row) - known
            if unknown:
                raise SubmissionRefused(
                    f"{table} record {number} has columns this rrp does not know: {sorted(unknown)}"
                )
            missing = [c for c in (*SYNC_TABLES[table], "updated_at", "updated_by") if row.get(c) in (None, "")]
            if missing:
                raise SubmissionRefused(f"{table} record {number} is missing {', '.join(missing)}")
            if row.get("ward_code") != code:
                problems.append(RowProblem(number, f"{table}.ward_code", f"is {row.get('ward_code')!r}, not the submitting ward {code}"))
                continue
            row.setdefault("version", 1)
            for column, message in {**_validate(table, row, ward, today), **_history_problems(row)}.items():
                problems.append(RowProblem(number, f"{table}.{column}", message))
            del_meta = [k for k in row if k in META_COLUMNS and row[k] is None and k != "created_at"]
            for k in del_meta:
                row.pop(k)
            checked.append(row)
        tables[table] = checked
    if problems:
        raise SubmissionRefused(
            f"the submission from {code} has {len(problems)} invalid record(s); nothing was imported",
            problems,
        )
    return code, tables


def merge_submission(
    store: Store,
    path: str | Path,
    *,
    take: dict[str, str] | None = None,
    take_all: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> MergeResult:
    """Merge a ward's submission into this database (see the module docstring for the rules).

    take maps a conflict's ref ('weekly:NVT-ASH/2026-03-02') to 'theirs' or 'ours'; take_all
    applies one choice to every conflict. Conflicts without a choice are reported in the result
    and left as they are. Raises FileRefused, SubmissionRefused, or StoreError (all: nothing written).
    """
    from rrp.store.sync import SyncRepository, row_key

    deadline = limits_for("submission").deadline()
    data = read_submission(path)
    deadline.check(path)
    code, tables = _check_records(store, data, today, deadline)
    deadline.check(path)
    choices = dict(take or {})
    for choice in [*choices.values(), take_all]:
        if choice not in (None, "theirs", "ours"):
            raise FileRefused(f"--take must be 'theirs' or 'ours', not {choice!r}")
    result = MergeResult(str(path), code, dry_run)
    checksum = data["checksum"]["value"]
    sync = SyncRepository(store.database)
    result.already_merged = sync.submission_seen(checksum) is not None

    with store.database.transaction():
        sync.defer_foreign_keys()
        agreed = sync.agreed(code)
        for table in TABLE_ORDER:
            incoming = tables.get(table, [])
            if not incoming:
                continue
            local = {row_key(table, r): r for r in sync.records(table, ward_code=code)}
            for position, theirs in enumerate(incoming, start=1):
                if not position % 256:
                    deadline.check(path)  # inside the transaction: a refusal rolls it all back
                key = row_key(table, theirs)
                ref = f"{table}:{key}"
                ours = local.get(key)
                their_hash = content_hash(theirs)
                base = agreed.get((table, key))
                decision = _decide(ours, theirs, their_hash, base)
                if decision == "conflict":
                    choice = choices.get(ref) or take_all
                    if choice is None:
                        result.conflicts.append(Conflict(table, key, ours, theirs))
                        continue
                    decision = "take_theirs" if choice == "theirs" else "take_ours"
                    result.resolved.append(f"{ref} ({choice})")
                if not dry_run:
                    if decision in ("insert", "update", "take_theirs"):
                        if ours is None:
                            sync.insert_record(table, theirs)
                        else:
                            sync.update_record(table, ours, theirs)
                    sync.set_agreed(code, table, key, their_hash)
                if decision == "insert":
                    result.inserted.append(ref)
                elif decision == "update":
                    result.updated.append(ref)
                elif decision == "unchanged":
                    result.unchanged.append(ref)
                elif decision == "kept_ours":
                    result.kept_ours.append(ref)
        unknown = set(choices) - {c.ref for c in result.conflicts} - {r.split(" ")[0] for r in result.resolved}
        if unknown:
            raise FileRefused(f"no conflict with the key(s) {', '.join(sorted(unknown))} in this submission")
        missing = sync.broken_references()
        if missing:
            raise SubmissionRefused(
                "the submission refers to records this database does not have: "
                + "; ".join(missing[:10])
                + ". Nothing was imported."
            )
        if not dry_run:
            sync.log_submission(checksum, code, str(data.get("exported_at", "")), result.summary())
    return result


def _decide(ours: dict[str, Any] | None, theirs: dict[str, Any], their_hash: str, base: str | None) -> str:
    if ours is None:
        if base is not None and base == their_hash:
            return "kept_ours"  # deleted here after agreeing; the ward has not changed it since
        if base is not None:
            return "conflict"  # deleted here, edited there
        return "insert"
    our_hash = content_hash(ours)
    if our_hash == their_hash:
        return "unchanged"
    if base is not None and our_hash == base:
        if str(theirs.get("updated_at", "")) >= str(ours.get("updated_at", "")):
            return "update"
        return "conflict"  # their edit claims to be older than ours: a person decides
    if base is not None and their_hash == base:
        return "kept_ours"
    return "conflict"
