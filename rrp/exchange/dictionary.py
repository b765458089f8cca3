"""The data dictionary of every export: each column's meaning, type and unit, kept as data.

`rrp export dictionary OUT` writes it; data/dictionary.csv is the shipped copy (a test keeps the
two the same). The database's own tables are described in data/data_dictionary.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DICTIONARY_COLUMNS = ("export", "column", "type", "unit", "meaning")

_REG = [
    ("provider_code", "text", "", "The NHS provider (trust) code in the collaborative's registry"),
    ("provider_name", "text", "", "The provider's name"),
    ("ward_code", "text", "", "The ward's code in the registry (unique across the collaborative)"),
    ("ward_name", "text", "", "The ward's name"),
]
_COUNTS = [
    ("restraint", "integer", "episodes", "Episodes of physical restraint (hands-on holding)"),
    ("prone_restraint", "integer", "episodes", "Restraint episodes with the patient held face down; part of restraint"),
    ("seclusion", "integer", "episodes", "Episodes of seclusion"),
    ("rapid_tranquillisation", "integer", "episodes", "Episodes of rapid tranquillisation by injection (oral PRN not counted)"),
    ("all_restrictive", "integer", "episodes", "restraint + seclusion + rapid_tranquillisation (prone is already inside restraint)"),
    ("occupied_bed_days", "integer", "bed days", "Sum of occupied beds at each midnight of the period (the rates' denominator)"),
]
_RATE_NOTE = (
    "per 1,000 occupied bed days = count / occupied_bed_days x 1000, rounded to 2 decimal places; "
    "empty when occupied_bed_days is 0"
)
_RATES = [
    (f"{m}_rate", "decimal", "per 1,000 occupied bed days", f"Rate of {m.replace('_', ' ')} {_RATE_NOTE}")
    for m in ("restraint", "prone_restraint", "seclusion", "rapid_tranquillisation", "all_restrictive")
]

_PROVISIONAL = (
    "provisional",
    "boolean",
    "",
    "True when the ward's week is provisional: saved before the week ended (UK time) and not saved "
    "again since, so its counts may be part of a week. Shown, never charted as a point: no limits, "
    "signals, icons or spc rows come from it until the ward confirms it after the week",
)

ENTRIES: dict[str, list[tuple[str, str, str, str]]] = {
    "weekly": [
        *_REG,
        ("week_start", "date (ISO)", "", "The Monday that starts the week (weeks run Monday to Sunday)"),
        *_COUNTS[:4],
        _COUNTS[4],
        _COUNTS[5],
        *_RATES,
        ("note", "text", "", "The ward's note on the week (free text; never patient-identifiable)"),
        _PROVISIONAL,
    ],
    "monthly": [
        *_REG,
        (
            "month",
            "date (ISO)",
            "",
            "The first day of the calendar month. A week belongs to the month containing its "
            "Thursday (ISO 8601), so each week is counted once, whole; a month has 4 or 5 weeks",
        ),
        ("weeks", "integer", "weeks", "How many weeks with data the month has (missing weeks are not filled)"),
        *_COUNTS,
        *_RATES,
        (
            "provisional_weeks",
            "integer",
            "weeks",
            "How many of the month's weeks are provisional (see the weekly export's provisional column): "
            "their counts are in the month's sums, so the month may be part-counted until the ward confirms them",
        ),
    ],
    "spc": [
        *_REG,
        ("measure", "text", "", "The measure's code (every enabled measure of the collaborative, data/measures.toml / rrp export measures): all_restrictive, restraint, prone_restraint, seclusion, rapid_tranquillisation and any the facilitator added"),
        ("week_start", "date (ISO)", "", "The Monday that starts the week plotted (the first of the month for a monthly measure). A provisional week (see the weekly export's provisional column) is not a point, so it has no row here"),
        ("count", "number", "episodes", "The period's count of the measure (a proportion's numerator; a value measure's value)"),
        ("occupied_bed_days", "integer", "bed days", "The denominator: the week's occupied bed days (u chart), a proportion's denominator (p chart); empty for a count or value measure"),
        ("rate", "decimal", "per `per`", "The plotted value: count / occupied_bed_days x per (per 1,000 bed days, or a %), or the count or value itself"),
        ("centre", "decimal", "as rate", "The chart's centre line (u chart: sum of counts / sum of bed days over the baseline x per)"),
        ("lower_limit", "decimal", "as rate", "Lower control limit (3 sigma; shown as 0 when below zero); empty when the chart has no limits (run chart; xmr or uprime on a constant baseline; u or c with a centre of 0)"),
        ("upper_limit", "decimal", "as rate", "Upper control limit (3 sigma); empty when the chart has no limits"),
        ("special_cause", "text", "", "improvement, concern, neither, or empty (common cause) for this point; where rules of opposite meaning flag it, the first of outside_limits, trend, two_of_three, shift decides"),
        ("rules", "text", "", "The special-cause rules that flag this point (outside_limits, shift, trend, two_of_three), '+'-separated"),
        ("trial", "boolean", "", "True when the segment has fewer than 12 points: trial limits"),
        ("segment", "integer", "", "The segment number (a rebase starts a new segment)"),
        ("chart", "text", "", "The chart type used: by default the measure's own (u per bed days, p proportion, c count, xmr value); run, xmr, u, uprime, c, p or pprime when chosen"),
        ("rule_set", "text", "", "The rule set used: mdc for control charts (Making Data Count), anhoej or ihi for run charts"),
        ("direction", "text", "", "The improvement direction: decrease (lower is better, the default), increase or neutral"),
        ("per", "decimal", "", "The multiplier (1000: per 1,000 occupied bed days; 100: a %; 1: a count or value)"),
        ("fix_after", "integer", "points", "Baseline: limits from the first n points of each segment (by default the ward's fixed baseline, set at its huddle); empty means all points"),
        ("target", "decimal", "as rate", "The target used for the assurance icon (by default the ward's aim: its own target, the measure's, or baseline x (1 + the relative aim)); empty means none (no assurance icon)"),
        ("variation_icon", "text", "", "The ward's latest MDC variation icon for the measure (from its last point); empty with fewer than 13 points"),
        ("assurance_icon", "text", "", "The ward's MDC assurance icon for the measure (needs a target)"),
    ],
    "pdsa": [
        *_REG,
        ("id", "text", "", "The cycle's identifier (32 hexadecimal characters)"),
        ("change_idea_code", "text", "", "The change idea the cycle tests (from the change package, or a ward's own idea)"),
        ("title", "text", "", "The cycle's title"),
        ("cycle_number", "integer", "", "Number of the cycle in its ramp (1 for the first test)"),
        ("previous_cycle_id", "text", "", "The cycle this one follows in the ramp (empty for the first)"),
        ("scale", "text", "", "Scale of the test: one, few, day, week or ward (smallest to largest)"),
        ("planned_start", "date (ISO)", "", "Planned start date"),
        ("planned_end", "date (ISO)", "", "Planned end date"),
        ("status", "text", "", "planned, doing, studying, done or abandoned"),
        ("objective", "text", "", "Plan: the objective"),
        ("questions", "text", "", "Plan: the questions the test answers"),
        ("predictions", "text", "", "Plan: a prediction for each question"),
        ("plan_details", "text", "", "Plan: who, what, when, where"),
        ("data_to_collect", "text", "", "Plan: the data to be collected"),
        ("what_happened", "text", "", "Do: what happened"),
        ("observations", "text", "", "Do: observations"),
        ("problems", "text", "", "Do: problems met"),
        ("results", "text", "", "Study: results compared with the predictions"),
        ("learning", "text", "", "Study: what was learned"),
        ("act_decision", "text", "", "Act: adopt, adapt or abandon"),
        ("next_step", "text", "", "Act: what the next cycle will be"),
        ("created_at", "timestamp (ISO, UTC)", "", "When the cycle was first recorded"),
        ("updated_at", "timestamp (ISO, UTC)", "", "When the cycle was last changed"),
        ("updated_by", "text", "", "Who last changed it (login or RRP_USER)"),
        ("version", "integer", "", "Edit count: starts at 1, goes up by one with each change"),
    ],
    "progress": [
        *_REG,
        ("month", "date (ISO)", "", "The first day of the month scored"),
        ("score", "decimal", "IHI scale 0.5-5.0", "The IHI collaborative assessment score (0.5 intent ... 5.0 outstanding sustainable results)"),
        ("note", "text", "", "The facilitator's note on the score"),
        ("updated_at", "timestamp (ISO, UTC)", "", "When the score was last changed"),
        ("updated_by", "text", "", "Who last changed it"),
    ],
    "annotations": [
        ("ward_code", "text", "", "The ward the annotation is on; empty: the collaborative's own chart"),
        ("ward_name", "text", "", "The ward's name (empty for the collaborative's chart)"),
        ("provider_code", "text", "", "The ward's NHS provider (trust) code (empty for the collaborative's chart)"),
        ("on_date", "date (ISO)", "", "The date annotated on the chart (a Monday for a rebase)"),
        ("kind", "text", "", "note, rebase (the SPC chart starts a new segment from this week) or pdsa (a PDSA cycle event)"),
        ("measure", "text", "", "The measure the annotation is for (restraint, prone_restraint, seclusion, rapid_tranquillisation or all_restrictive); empty: every measure"),
        ("text", "text", "", "The annotation (for a rebase, the reason); never patient-identifiable"),
        ("pdsa_cycle_id", "text", "", "The PDSA cycle a pdsa annotation belongs to (the id in the pdsa export); empty otherwise"),
        ("updated_at", "timestamp (ISO, UTC)", "", "When the annotation was last changed"),
        ("updated_by", "text", "", "Who last changed it"),
    ],
    "values": [
        ("provider_code", "text", "", "The NHS provider (trust) code in the collaborative's registry"),
        ("ward_code", "text", "", "The ward's code in the registry (unique across the collaborative)"),
        ("ward_name", "text", "", "The ward's name"),
        ("measure_code", "text", "", "The measure's code in the family of measures (rrp export measures)"),
        ("measure_name", "text", "", "The measure's name"),
        ("kind", "text", "", "outcome, process or balancing"),
        ("period_start", "date (ISO)", "", "First day of the period: a Monday for a weekly measure, the 1st for a monthly one"),
        ("numerator", "decimal", "", "The count (whole number) or, for a value measure, the amount; for a sum (all_restrictive), the sum of its members"),
        ("denominator", "integer", "", "For a proportion, the entered denominator; for a per-1,000-bed-days measure, the week's occupied bed days; empty for a count or value"),
        ("value", "decimal", "", "What is charted: numerator / occupied bed days x 1000 (count_per_bed_days), numerator / denominator x 100 (proportion, %), or the numerator (count, value); rounded to 2 decimal places; empty when the denominator is 0"),
        _PROVISIONAL,
    ],
    "board": [
        ("scope", "text", "", "collaborative (all the wards the export holds, pooled; listed first) or ward"),
        ("provider_code", "text", "", "The NHS provider (trust) code in the collaborative's registry; empty for the collaborative's rows"),
        ("provider_name", "text", "", "The provider's name; empty for the collaborative's rows"),
        ("ward_code", "text", "", "The ward's code in the registry; empty for the collaborative's rows"),
        ("ward_name", "text", "", "The ward's name; empty for the collaborative's rows"),
        ("measure", "text", "", "restraint, prone_restraint, seclusion, rapid_tranquillisation or all_restrictive"),
        ("months", "integer", "months", "How many months have data (a week counts in the month of its Thursday, as in the monthly export)"),
        ("first_month", "date (ISO)", "", "The first month with data"),
        ("last_month", "date (ISO)", "", "The last month with data"),
        ("mean_monthly_rate", "decimal", "per 1,000 occupied bed days", "The mean monthly rate over every month: sum of counts / sum of occupied bed days x 1000 (pooled, so every bed day weighs the same), rounded to 2 decimal places"),
        ("baseline_from", "date (ISO)", "", "The first month of the baseline: the first 3 months of the export, the same for every ward"),
        ("baseline_to", "date (ISO)", "", "The last month of the baseline"),
        ("baseline_rate", "decimal", "per 1,000 occupied bed days", "The pooled rate over the baseline months, rounded to 2 decimal places"),
        ("recent_from", "date (ISO)", "", "The first of the recent months: the last 3 months of the export, the same for every ward"),
        ("recent_to", "date (ISO)", "", "The last of the recent months"),
        ("recent_rate", "decimal", "per 1,000 occupied bed days", "The pooled rate over the recent months, rounded to 2 decimal places"),
        ("change_percent", "decimal", "%", "Change against baseline: (recent_rate / baseline_rate - 1) x 100, rounded to 1 decimal place (-25 is a 25% reduction); empty when the baseline rate is 0 or missing or there are no recent months"),
        ("reduced_25", "boolean", "", "The ward has reached a reduction of 25% or more (the PSC scale-up's aim); empty where change_percent is; empty on the collaborative's rows"),
        ("reduced_33", "boolean", "", "The ward has reached a reduction of a third (33.3%) or more (the national pilot's aim); empty where change_percent is; empty on the collaborative's rows"),
        ("wards_compared", "integer", "wards", "Collaborative rows: how many wards have a change against baseline"),
        ("wards_reduced_25", "integer", "wards", "Collaborative rows: how many wards have reached a 25% reduction"),
        ("wards_reduced_33", "integer", "wards", "Collaborative rows: how many wards have reached a one-third (33%) reduction"),
    ],
    "dictionary": [
        ("export", "text", "", "The export the column belongs to (weekly, monthly, spc, pdsa, progress, annotations, values, board, dictionary)"),
        ("column", "text", "", "The column's name as in the file's header"),
        ("type", "text", "", "integer, decimal, text, boolean, date (ISO) or timestamp (ISO, UTC)"),
        ("unit", "text", "", "The unit, where there is one"),
        ("meaning", "text", "", "What the column holds"),
    ],
}


def dictionary_rows() -> list[dict[str, str]]:
    """Every export column as a row: export, column, type, unit, meaning."""
    return [
        dict(zip(DICTIONARY_COLUMNS, (export, *entry), strict=True))
        for export, entries in ENTRIES.items()
        for entry in entries
    ]


def dictionary_table() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(dictionary_rows(), columns=list(DICTIONARY_COLUMNS))


def columns_of(export: str) -> list[str]:
    return [entry[0] for entry in ENTRIES[export]]
