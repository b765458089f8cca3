"""Ward submissions: one signed JSON file from a ward, merged into the facilitator's database.

The payload (format "rrp-ward-submission", version 2) holds the rrp version, the ward and provider
records, the ward's records (its own change ideas, weekly rows, PDSA cycles, progress scores,
annotations) with version/updated_at/updated_by, the records deleted there (`deleted`, each with
its reason), why its submitted weeks were corrected (`corrections`: the reason given for the
correction that made each week's values, where one was given), and when it was exported. A
version 2 file written before corrections travelled has no `corrections`: it merges as before. It is signed with the provider's private key
(rrp.exchange.signing): the file carries the payload's exact bytes and their Ed25519 signature.

Before anything is merged the whole submission is refused, with one line naming why, when: the
file is past a limit of a ward submission (rrp.exchange.limits: one bounded reader, regular files
only), it is unsigned (format 1: anyone could write one), the provider has no key enrolled here or
signed with a revoked or another key, the signature fails (one byte changed), the payload claims
another provider than the one that signed it, or its ward belongs to another provider in this
database's registry (rrp.exchange.trust). Then every field of the verified payload is checked,
all or nothing, each problem named: the envelope and its deletions (submission_check.Envelope),
each record's history fields (RecordHistory: no time in the future beyond trust.CLOCK_SKEW) and
its content (the app's own models).

Merging, record by record (key: ward+week, ward+month, or id), with `agreed` = the content hash
this database last agreed with that ward (table sync_state):

| here | submitted | outcome |
|---|---|---|
| missing | any | inserted (unless it was deleted here after agreeing: then kept deleted) |
| same content | same content | unchanged |
| = agreed | changed since | updated, if the submission's updated_at is not older (else conflict) |
| changed since | = agreed | kept ours: edited here since, the ward has not changed it |
| changed since | changed since (or never agreed) | CONFLICT: reported, nothing written |
| = agreed, or = what they deleted | deleted there | deleted here (audited with their reason) |
| (an update of either kind above) | corrected there with a reason | the update's audit row keeps the reason |
| changed since | deleted there | CONFLICT: reported, nothing deleted |
| deleted (the ward's deletion) | present again | inserted if updated since the deletion, else CONFLICT |

A conflict waits for a person: `merge_submission(..., take={"weekly:NVT-ASH/2026-03-02": "theirs"})`
writes the ward's version (or deletes); "ours" keeps this one. Either way the ward's version
becomes the agreed one, so the same file never raises that conflict again. The whole merge is one
transaction and is audited per record, naming the provider that signed the file and its key.
Re-importing the same file changes nothing.
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
    from rrp.exchange.signing import SignedBy, SigningKey
    from rrp.store import Store

FORMAT = "rrp-ward-submission"
#: 2: signed (rrp.exchange.signing) and carrying deletions. 1 (unsigned, a plain checksum) is refused.
FORMAT_VERSION = 2
UNSIGNED_FORMAT_VERSION = 1
#: The tables whose deletions a submission carries and a merge applies (the store deletes these).
DELETABLE_TABLES = ("weekly",)
#: The tables whose correction reasons a submission carries (the week form asks why).
CORRECTABLE_TABLES = ("weekly",)
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
    """The payload of one ward's submission as a dict (what the provider's key signs)."""
    from rrp import __version__
    from rrp.store.sync import SyncRepository

    code = ward_code.strip().upper()
    ward = store.registry.ward(code)
    if ward is None:
        raise SubmissionRefused(f"Ward {code} is not in this database's registry")
    provider = next((p for p in store.registry.providers() if p.code == ward.provider_code), None)
    sync = SyncRepository(store.database)
    after = since.isoformat() if since else None
    tables = {table: sync.records(table, ward_code=code, since=after) for table in TABLE_ORDER}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rrp_version": __version__,
        "exported_at": now or store.database.clock(),
        "exported_by": store.database.who,
        "since": after,
        "ward": ward.model_dump(mode="json"),
        "provider": provider.model_dump(mode="json") if provider else None,
        "tables": tables,
        "deleted": sync.deletions(code, tables=DELETABLE_TABLES, since=after),
        "corrections": [c for t in CORRECTABLE_TABLES for c in sync.correction_reasons(t, tables[t])],
    }


@dataclass
class SubmissionWritten:
    out: str
    ward_code: str
    checksum: str
    counts: dict[str, int]
    fingerprint: str = ""


def write_submission(
    store: Store,
    ward_code: str,
    out: str | Path | IO[bytes],
    *,
    key: SigningKey | str | Path,
    since: dt.date | None = None,
) -> SubmissionWritten:
    """Write one ward's submission, signed with its provider's `key`, to a path, '-' or a handle.

    `key`: the provider's private key, or the path of its file (`rrp keys new`); a key of another
    provider than the ward's is refused. A path goes through rrp's one writer: never over the
    open database, any database, or anything that is not a regular file (rrp.store.output_file).
    """
    from rrp.exchange.signing import SigningKey, load_key_file, seal
    from rrp.store.output_file import check_output, is_stdout, write_output

    if isinstance(out, (str, Path)) and not is_stdout(out):
        check_output(out, database=store.path)  # refuse before the work, not after it
    signing_key = key if isinstance(key, SigningKey) else load_key_file(key)
    payload = build_submission(store, ward_code, since=since)
    ward_provider = payload["ward"]["provider_code"]
    if signing_key.provider != ward_provider:
        raise SubmissionRefused(
            f"the key is provider {signing_key.provider}'s, but ward {payload['ward']['code']} belongs to "
            f"{ward_provider}: sign with {ward_provider}'s key"
        )
    body = canonical(payload)
    text = json.dumps(seal(FORMAT, FORMAT_VERSION, body, signing_key), indent=1, ensure_ascii=False)
    if isinstance(out, (str, Path)):
        write_output(out, text.encode("utf-8"), database=store.path)
    else:
        out.write(text.encode("utf-8"))
    return SubmissionWritten(
        str(out) if isinstance(out, (str, Path)) else "<stream>",
        payload["ward"]["code"],
        hashlib.sha256(body).hexdigest(),
        {
            **{t: len(rows) for t, rows in payload["tables"].items()},
            "deleted": len(payload["deleted"]),
            "corrections": len(payload["corrections"]),
        },
        signing_key.fingerprint,
    )


# -- reading -----------------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    """The file's JSON object, if it is an rrp ward submission of a format this rrp reads.

    Read through the one bounded reader (regular files only, the submission byte limit), and
    refused before parsing when it holds more JSON objects and lists than a submission may hold
    records (the signed payload is a string in the file; its braces are counted all the same).
    """
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
    if version == UNSIGNED_FORMAT_VERSION:
        # A plain checksum anyone can recompute: such a file can be forged, so it is never merged.
        raise SubmissionRefused(
            f"{path} is an unsigned submission (written by an older rrp): refused, nothing was imported. "
            "Submissions must be signed: ask the ward to export it again with its provider's key "
            "(rrp export submission --key KEYFILE)."
        )
    if type(version) is not int or version != FORMAT_VERSION:
        raise FileRefused(
            f"{path} is a submission format version {str(version)[:20]!r}; this rrp reads version {FORMAT_VERSION}"
        )
    return data


def open_submission(path: str | Path, store: Store) -> tuple[dict[str, Any], SignedBy]:
    """Load a submission, verify its signature and what it claims; the payload and its signer.

    Raises FileRefused (not a readable submission file: a usage error), LimitExceeded (past a
    limit of a ward submission) or SubmissionRefused (unsigned, signature refused, a field of the
    payload invalid: every one is named, or it claims another provider's ward).
    The payload carries its `checksum` (sha256 of the signed bytes: the submission's identity).
    """
    from pydantic import ValidationError

    from rrp.exchange.signing import SignatureRefused, open_sealed
    from rrp.exchange.submission_check import Envelope, problems_of
    from rrp.exchange.trust import TrustRefused, check_claims

    path = Path(path)
    envelope = _load(path)
    try:
        body, signed_by = open_sealed(envelope, store.keys, str(path))
    except SignatureRefused as exc:
        raise SubmissionRefused(str(exc)) from None
    try:
        # Verified bytes, but any provider holding a key can sign anything: parsed as warily.
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise SubmissionRefused(f"{path}: its signed payload is not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise SubmissionRefused(f"{path}: its signed payload is not a version {FORMAT_VERSION} ward submission")
    if not isinstance(data.get("ward"), dict) or not isinstance(data.get("tables"), dict):
        raise FileRefused(f"{path} is missing its ward or tables")
    records = sum(len(rows) for rows in data["tables"].values() if isinstance(rows, list))
    limits = limits_for("submission")
    if records > limits.max_rows:
        raise LimitExceeded(f"{path} has more than {limits.max_rows:,} records, the limit for {limits.kind}")
    try:
        Envelope.model_validate(data)
    except ValidationError as exc:
        problems = [RowProblem(0, where, message) for where, message in problems_of(exc)]
        raise SubmissionRefused(
            f"{path} has {len(problems)} invalid field(s); nothing was imported", problems
        ) from None
    try:
        check_claims(store, data, signed_by, str(path))
    except TrustRefused as exc:
        raise SubmissionRefused(str(exc)) from None
    data["checksum"] = {"algorithm": "sha256", "value": hashlib.sha256(body).hexdigest()}
    return data, signed_by


def read_submission(path: str | Path, store: Store) -> dict[str, Any]:
    """The verified and checked payload of a submission (see `open_submission`)."""
    return open_submission(path, store)[0]


# -- merging -----------------------------------------------------------------------------------


@dataclass
class Conflict:
    """A record both sides changed since they last agreed (or never agreed): a person decides."""

    table: str
    key: str
    ours: dict[str, Any] | None
    theirs: dict[str, Any]
    #: The ward deleted the record (with this reason, or "" for none); theirs is what it deleted.
    deleted: str | None = None

    @property
    def ref(self) -> str:
        """How to name it in --key: 'weekly:NVT-ASH/2026-03-02'."""
        return f"{self.table}:{self.key}"

    def differences(self) -> dict[str, tuple[Any, Any]]:
        from rrp.store.sync import META_COLUMNS

        ours = self.ours or {}
        if self.deleted is not None:
            return {"(record)": ("kept here, edited since", f"deleted there: {self.deleted or 'no reason given'}")}
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
    deleted: list[str] = field(default_factory=list)
    #: The provider that signed the file (and the fingerprint of its key).
    signed_by: SignedBy | None = None

    def summary(self) -> dict[str, int]:
        return {
            "inserted": len(self.inserted),
            "updated": len(self.updated),
            "deleted": len(self.deleted),
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
) -> tuple[str, dict[str, list[dict]], list[dict[str, Any]], dict[tuple[str, str], str]]:
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
    deletions = _check_deletions(data.get("deleted", []), code, tables, problems)
    reasons = _check_corrections(data.get("corrections", []), code, tables, problems)
    if problems:
        raise SubmissionRefused(
            f"the submission from {code} has {len(problems)} invalid record(s); nothing was imported",
            problems,
        )
    return code, tables, deletions, reasons


def _check_corrections(
    corrections: list[Any], code: str, tables: dict[str, list[dict]], problems: list[RowProblem]
) -> dict[tuple[str, str], str]:
    """The submitted correction reasons, checked, as (table, key) -> reason: each of the ward's
    own records that the submission carries, its reason as the week form would accept it
    (`WeekCorrection`). Problems are added to `problems` (row numbers count from 1)."""
    from pydantic import ValidationError

    from rrp.models.fields import field_errors
    from rrp.models.weekly import WeekCorrection
    from rrp.store.sync import SYNC_TABLES, row_key

    present = {(t, row_key(t, r)) for t, rows in tables.items() for r in rows}
    reasons: dict[tuple[str, str], str] = {}
    for number, item in enumerate(corrections, start=1):
        where = f"corrections[{number}]"
        table, record = item["table"], item["record"]  # shapes checked by the Envelope
        missing = [c for c in SYNC_TABLES[table] if record.get(c) in (None, "")]
        if missing:
            raise SubmissionRefused(f"{where} is missing {', '.join(missing)}")
        key = row_key(table, record)
        if record.get("ward_code") != code:
            problems.append(RowProblem(number, f"{where}.ward_code", f"is {record.get('ward_code')!r}, not the submitting ward {code}"))
        elif (table, key) not in present:
            problems.append(RowProblem(number, where, "is the reason for a record the submission does not carry"))
        else:
            try:
                reasons[(table, key)] = WeekCorrection(reason=item.get("reason")).reason
            except ValidationError as exc:
                for column, message in field_errors(exc).items():
                    problems.append(RowProblem(number, f"{where}.{column}", message))
    return reasons


def _check_deletions(
    deleted: list[Any], code: str, tables: dict[str, list[dict]], problems: list[RowProblem]
) -> list[dict[str, Any]]:
    """The submitted deletions, checked: a table the store deletes, the ward's own, a reason.

    Problems are added to `problems` (row numbers count the deletions from 1).
    """
    from pydantic import ValidationError

    from rrp.models.fields import field_errors
    from rrp.models.weekly import WeekDeletion
    from rrp.store.sync import SYNC_TABLES, row_key

    present = {(t, row_key(t, r)) for t, rows in tables.items() for r in rows}
    checked = []
    for number, item in enumerate(deleted, start=1):
        where = f"deleted[{number}]"
        if not isinstance(item, dict) or item.get("table") not in DELETABLE_TABLES or not isinstance(item.get("record"), dict):
            raise SubmissionRefused(f"{where} is not a deletion this rrp can apply (of {', '.join(DELETABLE_TABLES)})")
        table, record = item["table"], item["record"]
        missing = [c for c in SYNC_TABLES[table] if record.get(c) in (None, "")]
        if missing:
            raise SubmissionRefused(f"{where} is missing {', '.join(missing)}")
        if record.get("ward_code") != code:
            problems.append(RowProblem(number, f"{where}.ward_code", f"is {record.get('ward_code')!r}, not the submitting ward {code}"))
            continue
        if (table, row_key(table, record)) in present:
            problems.append(RowProblem(number, where, "the same record is both submitted and deleted"))
            continue
        try:
            reason = WeekDeletion(reason=item.get("reason")).reason
        except ValidationError as exc:
            for column, message in field_errors(exc).items():
                problems.append(RowProblem(number, f"{where}.{column}", message))
            continue
        checked.append({**item, "reason": reason})
    return checked


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
    from rrp.exchange.trust import moment
    from rrp.store.sync import DELETED_HASH, SyncRepository, row_key

    deadline = limits_for("submission").deadline()
    data, signed_by = open_submission(path, store)
    deadline.check(path)
    code, tables, deletions, reasons = _check_records(store, data, today, deadline)
    deadline.check(path)
    choices = dict(take or {})
    for choice in [*choices.values(), take_all]:
        if choice not in (None, "theirs", "ours"):
            raise FileRefused(f"--take must be 'theirs' or 'ours', not {choice!r}")
    result = MergeResult(str(path), code, dry_run, signed_by=signed_by)
    checksum = data["checksum"]["value"]
    sync = SyncRepository(store.database)
    result.already_merged = sync.submission_seen(checksum) is not None
    who = signed_by.audit_name(store.database.who)

    def chosen(ref: str) -> str | None:
        choice = choices.get(ref) or take_all
        if choice is not None:
            result.resolved.append(f"{ref} ({choice})")
        return choice

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
                if decision == "insert" and base == DELETED_HASH:
                    # Deleted there and here: back only if entered again after the deletion;
                    # an older copy (an old file imported again) waits for a person.
                    entered, deleted_at = moment(theirs.get("updated_at")), moment(sync.agreed_at(code, table, key))
                    if entered is None or deleted_at is None or entered < deleted_at:
                        decision = "conflict"
                if decision == "conflict":
                    choice = chosen(ref)
                    if choice is None:
                        result.conflicts.append(Conflict(table, key, ours, theirs))
                        continue
                    decision = "take_theirs" if choice == "theirs" else "take_ours"
                if not dry_run:
                    if decision in ("insert", "update", "take_theirs"):
                        if ours is None:
                            sync.insert_record(table, theirs, who=who)
                        else:  # a correction there: audited here with the ward's reason
                            sync.update_record(table, ours, theirs, who=who, reason=reasons.get((table, key)))
                    sync.set_agreed(code, table, key, their_hash)
                _count(result, decision, ref)
        for deletion in deletions:
            table, gone = deletion["table"], deletion["record"]
            key = row_key(table, gone)
            ref = f"{table}:{key}"
            ours = sync.record(table, gone)
            decision = _decide_deletion(ours, content_hash(gone), agreed.get((table, key)), DELETED_HASH)
            if decision == "conflict":
                choice = chosen(ref)
                if choice is None:
                    result.conflicts.append(Conflict(table, key, ours, gone, deleted=deletion["reason"] or ""))
                    continue
                decision = "take_theirs" if choice == "theirs" else "take_ours"
            if not dry_run:
                if decision in ("delete", "take_theirs") and ours is not None:
                    sync.delete_record(table, ours, reason=deletion["reason"], who=who)
                sync.set_agreed(code, table, key, DELETED_HASH, at=deletion["deleted_at"])
            _count(result, decision, ref)
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
            summary = {**result.summary(), "signed_by": signed_by.provider, "key": signed_by.fingerprint}
            sync.log_submission(checksum, code, str(data.get("exported_at", "")), summary)
    return result


def _count(result: MergeResult, decision: str, ref: str) -> None:
    """File `ref` under what the merge did with it (a resolved conflict is listed already)."""
    lists = {
        "insert": result.inserted, "update": result.updated, "unchanged": result.unchanged,
        "kept_ours": result.kept_ours, "delete": result.deleted,
    }
    if decision in lists:
        lists[decision].append(ref)


def _decide_deletion(ours: dict[str, Any] | None, gone_hash: str, base: str | None, deleted: str) -> str:
    """What to do with a record the ward deleted: the same rules as an edit."""
    if ours is None:
        return "unchanged"  # not here either
    our_hash = content_hash(ours)
    if base == deleted:
        return "kept_ours"  # the facilitator kept it after this deletion was reported before
    if our_hash in (gone_hash, base):
        return "delete"  # not changed here since they agreed, or what they deleted is what we have
    return "conflict"  # edited here since: a person decides


def _decide(ours: dict[str, Any] | None, theirs: dict[str, Any], their_hash: str, base: str | None) -> str:
    from rrp.store.sync import DELETED_HASH

    if ours is None:
        if base == DELETED_HASH:
            return "insert"  # deleted there (and so here), entered there again
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
