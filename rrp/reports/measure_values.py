"""Every measure's values in one long table, with the charted value. Pure: frames in, frame out.

ONE function computes what a measure charts (`charted_value`) and ONE builds the long table of every
measure (`measure_values_table`): `rrp export values` writes it, and the screens read it.

- count_per_bed_days: value = numerator / occupied bed days x 1,000 (empty when bed days are 0);
  the denominator column holds the week's occupied bed days. The core counts come from the weekly
  table, so their figures are exactly the weekly export's rates.
- proportion: value = numerator / denominator x 100 (a %; empty when the denominator is 0).
- count and value: value = numerator; no denominator.
- a sum_of measure (all restrictive practice): numerator = the sum of its members, only for periods
  where every member has a value (a missing value is never counted as zero).
- provisional: the ward's week is provisional (saved before it ended, not since): the weekly
  frame's flag (rrp.models.week_status via the store), matched by ward and period
  (`provisional_mask`, which the charts use too). Such a row is listed, never charted as a point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from rrp.models.measure import Measure, MeasureSet

VALUES_COLUMNS: tuple[str, ...] = (
    "provider_code",
    "ward_code",
    "ward_name",
    "measure_code",
    "measure_name",
    "kind",
    "period_start",
    "numerator",
    "denominator",
    "value",
    "provisional",
)
_KEY = ["ward_code", "period_start"]


def charted_value(measure: Measure, numerator: Any, denominator: Any) -> Any:
    """What the measure's chart shows, for arrays (or scalars) of numerators and denominators."""
    import numpy as np

    num = np.asarray(numerator, dtype=float)
    if measure.recorded_as in ("count", "value"):
        return num
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den * measure.per, np.nan)


def provisional_mask(weekly: pd.DataFrame, ward_codes: Any, periods: Any) -> Any:
    """A bool array: which (ward code, period start) pairs are a provisional week of `weekly`.

    `weekly` is WeeklyRepository.frame() (its `provisional` column is the store's reading of
    rrp.models.week_status.is_provisional); without that column nothing is provisional. Periods
    may be dates or datetimes. The one matching of a row to its week's flag: the charts
    (rrp.reports.figures.measure_points) and the exports both use it.
    """
    import numpy as np
    import pandas as pd

    count = len(ward_codes)
    if "provisional" not in weekly.columns or not bool(weekly["provisional"].any()) or count == 0:
        return np.zeros(count, dtype=bool)
    flagged = weekly.loc[weekly["provisional"].astype(bool)]
    marks = pd.MultiIndex.from_arrays([flagged["ward_code"], pd.to_datetime(flagged["week_start"])])
    rows = pd.MultiIndex.from_arrays([pd.Index(ward_codes), pd.to_datetime(pd.Index(periods))])
    return np.asarray(rows.isin(marks), dtype=bool)


def _entered(measure: Measure, weekly: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """ward_code, period_start, numerator, denominator of one entered (not derived) measure."""
    import pandas as pd

    if measure.column_name is not None:
        frame = weekly[_KEY].copy()
        frame["numerator"] = weekly[measure.column_name].astype(object)
        frame["denominator"] = weekly["occupied_bed_days"].astype(object)
        return frame
    frame = values.loc[values["measure_code"] == measure.code, [*_KEY, "numerator", "denominator"]].copy()
    if measure.recorded_as == "count_per_bed_days":
        bed_days = weekly[[*_KEY, "occupied_bed_days"]]
        frame = frame.drop(columns="denominator").merge(bed_days, on=_KEY, how="left")
        frame = frame.rename(columns={"occupied_bed_days": "denominator"})
    elif measure.recorded_as != "proportion":
        frame["denominator"] = None
    frame["numerator"] = frame["numerator"].astype(object)
    frame["denominator"] = frame["denominator"].astype(object).where(frame["denominator"].notna(), None)
    return frame.reset_index(drop=True) if len(frame) else pd.DataFrame(columns=[*_KEY, "numerator", "denominator"])


def _summed(measure: Measure, parts: list[pd.DataFrame], weekly: pd.DataFrame) -> pd.DataFrame:
    """A sum_of measure: its members added up where every member has a value for the period."""
    frame = parts[0][[*_KEY, "numerator"]]
    for part in parts[1:]:
        frame = frame.merge(part[[*_KEY, "numerator"]], on=_KEY, how="inner", suffixes=("", "_next"))
        frame["numerator"] = frame["numerator"] + frame.pop("numerator_next")
    frame = frame.copy()
    if measure.recorded_as == "count_per_bed_days":
        frame = frame.merge(weekly[[*_KEY, "occupied_bed_days"]], on=_KEY, how="left")
        frame = frame.rename(columns={"occupied_bed_days": "denominator"})
    else:
        frame["denominator"] = None
    frame["numerator"] = frame["numerator"].astype(object)
    frame["denominator"] = frame["denominator"].astype(object)
    return frame


def measure_values_table(
    measures: MeasureSet, weekly: pd.DataFrame, values: pd.DataFrame, registry: pd.DataFrame
) -> pd.DataFrame:
    """One row per ward, measure and period, for every measure in `measures` that has data.

    `weekly`: WeeklyRepository.frame(); `values`: MeasureRepository.values_frame(); `registry`:
    rrp.reports.tables.registry_table(). Ordered by provider, ward, the set's measure order, period.
    """
    import pandas as pd

    flags = weekly  # the store's provisional flags, read once the table is built
    weekly = weekly.copy()
    weekly["period_start"] = pd.to_datetime(weekly.pop("week_start")).dt.date
    values = values.copy()
    values["period_start"] = pd.to_datetime(values["period_start"]).dt.date
    entered: dict[str, pd.DataFrame] = {}
    pieces: list[pd.DataFrame] = []
    order = {m.code: i for i, m in enumerate(measures)}
    for measure in measures:
        if not measure.derived:
            entered[measure.code] = _entered(measure, weekly, values)
    for measure in measures:
        frame = _summed(measure, [entered[c] for c in measure.sum_of], weekly) if measure.derived else entered[measure.code]
        if frame.empty:
            continue
        frame = frame.copy()
        frame["measure_code"] = measure.code
        frame["measure_name"] = measure.name
        frame["kind"] = measure.kind
        frame["value"] = charted_value(measure, frame["numerator"], frame["denominator"].where(frame["denominator"].notna(), 0))
        pieces.append(frame)
    if not pieces:
        return pd.DataFrame(columns=list(VALUES_COLUMNS))
    table = pd.concat(pieces, ignore_index=True)
    reg = registry[["provider_code", "ward_code", "ward_name"]].drop_duplicates("ward_code")
    table = table.merge(reg, on="ward_code", how="left")
    table[["provider_code", "ward_name"]] = table[["provider_code", "ward_name"]].fillna("")
    table["_order"] = table["measure_code"].map(order)
    table = table.sort_values(["provider_code", "ward_code", "_order", "period_start"], kind="mergesort")
    table["provisional"] = provisional_mask(flags, table["ward_code"].to_numpy(), table["period_start"].to_numpy())
    return table[list(VALUES_COLUMNS)].reset_index(drop=True)
