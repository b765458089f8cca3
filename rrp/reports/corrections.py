"""Correcting a ward's weeks: the plausibility check, and a week's history as people read it.

Pure: models and audit rows in, dataclasses and text out (no Textual, no SQL).

`unusual_values` compares one week's counts with the ward's own history and bed count, so a slipped
key (50 typed as 500 on a 20-bed ward) is questioned before it is saved. It never refuses
anything: the week form asks "are you sure?" and saves on confirmation, an import lists the
weeks as warnings. The rules, per count (restraints, prone restraints, seclusions, rapid
tranquillisations):

- with at least `MIN_HISTORY_WEEKS` (8) of the ward's weeks in the `HISTORY_WEEKS` (52) before
  this one: unusual when more than `TIMES_MAX` (3) x the largest of those weeks AND more than
  that largest + `MARGIN` (10) (so 0 -> 2 on a quiet ward is not questioned);
- with fewer: unusual when more than `EVENTS_PER_BED` (2) per bed in the week.

Occupied bed days: with that history, unusual when under half the smallest of those weeks; with
less, when under the number of beds (fewer than one bed occupied a night, on average). A week still
in progress (saved before its Sunday is over, so provisional) is not judged on the low side: its bed
days are the days so far, never a full week's, and pro-rating by days elapsed would still question
a ward that enters on Monday morning. Its counts still get the high-side check: a slipped key is
a slipped key whatever the day. Once the week has ended its bed days are judged in full.

`needs_reason` says when a save is a *correction* that asks why: a change to a saved week that
has been confirmed (saved after it ended). Keeping a provisional week up to date during the week,
and confirming it once it has ended (with or without changes), are not corrections: no reason is
asked, and the audit still records each save as an update.

`week_history` turns a week's audit rows into lines: who, when (UK local time, UK format),
each field before -> after, and why (the reason given for a correction or a deletion).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rrp.models.registry import Ward
from rrp.models.week_status import has_ended, is_provisional
from rrp.models.weekly import BED_DAYS_LABEL, MEASURES, WeeklyCounts
from rrp.models.when import local_time_text

if TYPE_CHECKING:
    import pandas as pd

HISTORY_WEEKS = 52
MIN_HISTORY_WEEKS = 8
TIMES_MAX = 3
MARGIN = 10
EVENTS_PER_BED = 2

#: Every field a week's history may show, with the label people see.
FIELD_LABELS: dict[str, str] = {**MEASURES, "occupied_bed_days": BED_DAYS_LABEL, "note": "Note"}


@dataclass(frozen=True)
class Unusual:
    """One value far outside the ward's usual range."""

    field: str
    label: str
    value: int
    #: The usual range in words: "0 to 12 a week over the last 52 weeks".
    usual: str

    @property
    def message(self) -> str:
        return f"{self.label} {self.value} is far outside this ward's usual range ({self.usual})."


def _recent(history: Iterable[WeeklyCounts], week_start: dt.date) -> list[WeeklyCounts]:
    """The ward's weeks in the HISTORY_WEEKS before `week_start` (the week itself excluded)."""
    since = week_start - dt.timedelta(weeks=HISTORY_WEEKS)
    return [w for w in history if since <= w.week_start < week_start]


def needs_reason(week_start: dt.date, saved_at: str | None, *, changed: bool) -> bool:
    """True when saving the week is a correction that asks why: something saved is `changed` and
    the week as stored was confirmed (`saved_at`, its stored `updated_at`, is after it ended).

    A week stored as provisional (saved before it ended: still in progress, or ended and waiting
    to be confirmed) asks no reason. `saved_at` None (no week row, only other measures' values
    saved): a change to those values is a correction, as before.
    """
    if not changed:
        return False
    return saved_at is None or not is_provisional(week_start, saved_at)


def unusual_values(
    counts: WeeklyCounts, *, ward: Ward, history: Iterable[WeeklyCounts], today: dt.date | None = None
) -> list[Unusual]:
    """The values of `counts` far outside the ward's usual range, in form order (empty: none).

    `history`: the ward's stored weeks (any; only the 52 before this week are used). `today`:
    when given and the week has not ended, its bed days (so far) are not judged on the low side.
    """
    recent = _recent((w for w in history if w.ward_code == counts.ward_code), counts.week_start)
    found: list[Unusual] = []
    enough = len(recent) >= MIN_HISTORY_WEEKS
    span = f"over the {len(recent)} weeks entered in the last {HISTORY_WEEKS}"
    for name, label in MEASURES.items():
        value = getattr(counts, name)
        if enough:
            values = [getattr(w, name) for w in recent]
            low, high = min(values), max(values)
            if value > TIMES_MAX * high and value > high + MARGIN:
                found.append(Unusual(name, label, value, f"{low} to {high} a week {span}"))
        elif value > EVENTS_PER_BED * ward.beds:
            found.append(
                Unusual(name, label, value, f"at most {EVENTS_PER_BED * ward.beds} a week expected for {ward.beds} beds")
            )
    bed_days = counts.occupied_bed_days
    if today is not None and not has_ended(counts.week_start, today):
        return found  # bed days so far: a part of a week is low by nature
    if enough:
        values = [w.occupied_bed_days for w in recent]
        low, high = min(values), max(values)
        if bed_days * 2 < low:
            found.append(Unusual("occupied_bed_days", BED_DAYS_LABEL, bed_days, f"{low} to {high} a week {span}"))
    elif bed_days < ward.beds:
        found.append(
            Unusual(
                "occupied_bed_days", BED_DAYS_LABEL, bed_days,
                f"{ward.beds} or more expected for {ward.beds} beds (one a night on average)",
            )
        )
    return found


def unusual_in_frame(frame: pd.DataFrame, beds: Mapping[str, int], keys: Iterable[tuple[str, str]]) -> list[tuple[str, dt.date, Unusual]]:
    """`unusual_values` for many weeks at once (an import): the same rules, set-based.

    `frame`: the wards' weeks (ward_code, week_start as datetime64, the counts and bed days),
    each (ward, week) once, the file's rows already in place of the stored ones; `keys`: the
    (ward_code, ISO week_start) pairs to judge (the weeks the import inserts or changes).
    Returns (ward_code, week_start, Unusual) in ward and week order.
    """
    import numpy as np
    import pandas as pd

    keys = list(keys)
    if not keys or frame.empty:
        return []
    frame = frame.sort_values(["ward_code", "week_start"], kind="stable").reset_index(drop=True)
    # Each (ward, week) as one integer, ascending in the frame's order: ward number, week number.
    ward_number, ward_codes = pd.factorize(frame["ward_code"])
    week_number = frame["week_start"].to_numpy().astype("datetime64[D]").astype(np.int64) // 7
    position = ward_number.astype(np.int64) * 10_000_000 + week_number
    wanted_codes, wanted_days = zip(*keys, strict=True)
    wanted_ward = pd.Index(ward_codes).get_indexer(list(wanted_codes)).astype(np.int64)
    wanted_week = pd.to_datetime(list(wanted_days), format="%Y-%m-%d").to_numpy().astype("datetime64[D]").astype(np.int64) // 7
    judged = np.isin(position, (wanted_ward * 10_000_000 + wanted_week)[wanted_ward >= 0])
    counts_fields = list(MEASURES)
    # The HISTORY_WEEKS before each week, the week itself excluded: [t - 52 weeks, t). Only the
    # statistics a rule needs are rolled (max of the counts, min of the bed days); the range
    # shown in a warning is worked out for the few weeks flagged.
    grouped = frame.groupby("ward_code", sort=False).rolling(f"{7 * HISTORY_WEEKS}D", on="week_start", closed="left")
    highs = grouped[counts_fields].max().reset_index(drop=True)
    low_bed_days = grouped["occupied_bed_days"].min().reset_index(drop=True).to_numpy()
    # Weeks in the window: each (ward, week) is there once, so a sorted search counts them.
    counts = np.arange(len(frame)) - np.searchsorted(position, position - HISTORY_WEEKS, side="left")
    bed_count = frame["ward_code"].map(beds).to_numpy(dtype=float)
    enough = counts >= MIN_HISTORY_WEEKS
    flags = {}
    with np.errstate(invalid="ignore"):
        for name in counts_fields:
            value, high = frame[name].to_numpy(dtype=float), highs[name].to_numpy()
            flags[name] = np.where(enough, (value > TIMES_MAX * high) & (value > high + MARGIN), value > EVENTS_PER_BED * bed_count)
        value = frame["occupied_bed_days"].to_numpy(dtype=float)
        flags["occupied_bed_days"] = np.where(enough, value * 2 < low_bed_days, value < bed_count)
    fields = [*counts_fields, "occupied_bed_days"]
    for name in fields:
        flags[name] &= judged
    found: list[tuple[str, dt.date, Unusual]] = []
    for i in sorted(set().union(*(np.flatnonzero(f).tolist() for f in flags.values()))):
        code, week = frame.at[i, "ward_code"], pd.Timestamp(frame.at[i, "week_start"]).date()
        window = frame.iloc[i - int(counts[i]) : i]
        ward_beds = int(bed_count[i])
        for name in fields:
            if not flags[name][i]:
                continue
            if enough[i]:
                span = f"over the {int(counts[i])} weeks entered in the last {HISTORY_WEEKS}"
                usual = f"{int(window[name].min())} to {int(window[name].max())} a week {span}"
            elif name == "occupied_bed_days":
                usual = f"{ward_beds} or more expected for {ward_beds} beds (one a night on average)"
            else:
                usual = f"at most {EVENTS_PER_BED * ward_beds} a week expected for {ward_beds} beds"
            found.append((code, week, Unusual(name, FIELD_LABELS[name], int(frame.at[i, name]), usual)))
    return found


def unusual_question(found: list[Unusual]) -> str:
    """The "are you sure?" asked before saving unusual values."""
    lines = [u.message for u in found]
    return "\n".join(["Are you sure?", *lines, "Save as typed (y), or go back and correct it (n)?"])


# -- a week's history --------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One change to a week, as people read it."""

    when: str  # UK local time, UK format
    who: str
    action: str  # "entered", "updated" (no reason: a provisional week kept up to date or confirmed, an import), "corrected" (with a reason), "deleted"
    changes: list[str]  # "Restraints: 5 -> 50"
    reason: str | None


def _value(value: Any) -> str:
    return "(blank)" if value is None or value == "" else str(value)


def _listed(values: Mapping[str, Any] | None, suffix: str) -> list[str]:
    """The fields with a value, in form order: "Restraints: 5" + suffix."""
    values = values or {}
    return [f"{label}: {values[name]}{suffix}" for name, label in FIELD_LABELS.items() if values.get(name) not in (None, "")]


def _changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    before, after = before or {}, after or {}
    lines = []
    for name, label in FIELD_LABELS.items():
        if name in before or name in after:
            old, new = before.get(name), after.get(name)
            if old != new:
                lines.append(f"{label}: {_value(old)} -> {_value(new)}")
    return lines


def week_history(rows: Iterable[Mapping[str, Any]]) -> list[HistoryEntry]:
    """The audit rows of one week (oldest first, as `audit.history` returns them) as entries.

    An insert lists the values entered; an update each field changed; a delete the values deleted.
    """
    entries = []
    for row in rows:
        action, before, after = row["action"], row.get("before"), row.get("after")
        reason = (after or {}).get("reason") if action in ("update", "delete") else None
        if action == "insert":
            words, changes = "entered", _listed(after, "")
        elif action == "update":
            # A change with a reason is a correction; without one, an update (a provisional week
            # kept up to date or confirmed: rrp.reports.corrections.needs_reason, or an import).
            words, changes = ("corrected" if reason else "updated"), _changes(before, after)
        elif action == "delete":
            words, changes = "deleted", _listed(before, " -> (deleted)")
        else:
            words, changes = action, []
        entries.append(HistoryEntry(local_time_text(row["at"]), row["who"], words, changes, reason or None))
    return entries


#: Said of a week whose first change on record is not its entry (generated data, loaded in bulk).
NO_EARLIER_HISTORY = "Before that: loaded in bulk (e.g. the demo's generated weeks), with no history row by row."


def history_lines(entries: Iterable[HistoryEntry], *, exists: bool) -> list[str]:
    """Plain lines for a terminal or the CLI, newest first. `exists`: the week is stored now."""
    entries = list(entries)
    lines: list[str] = []
    for entry in reversed(entries):
        lines.append(f"{entry.when}  {entry.who}  {entry.action}")
        lines.extend(f"    {change}" for change in entry.changes)
        if entry.reason:
            lines.append(f"    Why: {entry.reason}")
    if not entries:
        return [NO_EARLIER_HISTORY.removeprefix("Before that: ").capitalize()] if exists else [
            "Nothing recorded: this week has never been entered."
        ]
    if entries[0].action not in ("entered", "imported"):
        lines.append(NO_EARLIER_HISTORY)
    return lines
