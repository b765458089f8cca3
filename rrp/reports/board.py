"""The board's monthly summary in the national programme's terms. Pure: the monthly table in, a frame out.

Per ward and for all the wards together (scope "collaborative"), per measure:
- the mean monthly rate per 1,000 occupied bed days over every month of the table, pooled (sum of
  counts / sum of bed days, `rrp.reports.aggregate.pooled_rates`), so a small ward's quiet month
  does not weigh as much as a full ward's;
- change against baseline: `rrp.reports.aggregate.change_from_baseline` with the months as its
  periods: baseline = the first `baseline_months` months of the table, recent = the last
  `recent_months` months (the same months for every ward); change = recent rate / baseline rate - 1;
- whether the ward has reached a 25% reduction (the PSC scale-up's aim) and a one-third reduction
  (the national pilot's aim), each `meets_aim` of change_from_baseline with aim -0.25 and -1/3;
  the collaborative row counts the wards that have.

The months come from `rrp.reports.tables.monthly_table` (a week counts in the month of its
Thursday), so the board sees the monthly export's figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rrp.reports.tables import RATE_MEASURES, REGISTRY_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

BASELINE_MONTHS = 3
RECENT_MONTHS = 3
#: The reductions the board counts wards against: the PSC scale-up's 25%, the national pilot's third.
REDUCTIONS = {"reduced_25": 0.25, "reduced_33": 1 / 3}

BOARD_COLUMNS: tuple[str, ...] = (
    "scope",
    *REGISTRY_COLUMNS,
    "measure",
    "months",
    "first_month",
    "last_month",
    "mean_monthly_rate",
    "baseline_from",
    "baseline_to",
    "baseline_rate",
    "recent_from",
    "recent_to",
    "recent_rate",
    "change_percent",
    "reduced_25",
    "reduced_33",
    "wards_compared",
    "wards_reduced_25",
    "wards_reduced_33",
)


def board_summary(
    monthly: pd.DataFrame,
    *,
    measures: tuple[str, ...] = RATE_MEASURES,
    baseline_months: int = BASELINE_MONTHS,
    recent_months: int = RECENT_MONTHS,
) -> pd.DataFrame:
    """The collaborative's row for each measure, then one row per ward and measure (see module doc).

    `monthly` is `rrp.reports.tables.monthly_table(...)` (the monthly export's table).
    """
    import pandas as pd

    from rrp.reports.aggregate import change_from_baseline, pooled_rates

    if monthly.empty:
        return pd.DataFrame(columns=list(BOARD_COLUMNS))
    periods = monthly.rename(columns={"month": "week_start"})
    calendar = sorted(periods["week_start"].unique())
    baseline = calendar[:baseline_months]
    recent = calendar[-recent_months:]
    names = monthly.drop_duplicates("ward_code").set_index("ward_code")[list(REGISTRY_COLUMNS[:2]) + ["ward_name"]]
    spans = periods.groupby("ward_code")["week_start"].agg(["size", "min", "max"])
    pieces = []
    for measure in measures:
        changes = {
            column: change_from_baseline(periods, measure, baseline_months, recent_months, aim=-reduction)
            for column, reduction in REDUCTIONS.items()
        }
        first = next(iter(changes.values()))
        table = first[["scope", "ward_code", "baseline_rate", "recent_rate", "change"]].copy()
        for column, change in changes.items():
            table[column] = change["meets_aim"].astype("boolean").array
        wards = table["scope"] == "ward"
        mean = pooled_rates(periods, measure)["rate"]
        table["mean_monthly_rate"] = table["ward_code"].map(mean)
        table.loc[~wards, "mean_monthly_rate"] = pooled_rates(periods, measure, by=None)["rate"].iloc[0]
        table["months"] = table["ward_code"].map(spans["size"])
        table["first_month"] = table["ward_code"].map(spans["min"])
        table["last_month"] = table["ward_code"].map(spans["max"])
        table.loc[~wards, ["months", "first_month", "last_month"]] = [len(calendar), calendar[0], calendar[-1]]
        table["wards_compared"] = pd.NA
        for column in REDUCTIONS:
            table[f"wards_{column}"] = pd.NA
            table.loc[~wards, f"wards_{column}"] = int(table.loc[wards, column].fillna(False).astype(bool).sum())
            table.loc[~wards, column] = pd.NA  # a count of wards, not a yes/no, for all the wards together
        table.loc[~wards, "wards_compared"] = int(table.loc[wards, "change"].notna().sum())
        table["measure"] = measure
        pieces.append(table)
    out = pd.concat(pieces, ignore_index=True)
    for column in REGISTRY_COLUMNS:
        out[column] = out["ward_code"].map(names[column]) if column != "ward_code" else out["ward_code"]
        out[column] = out[column].fillna("")
    out["baseline_from"], out["baseline_to"] = baseline[0], baseline[-1]
    out["recent_from"], out["recent_to"] = recent[0], recent[-1]
    out["change_percent"] = out["change"].astype(float) * 100
    out["months"] = out["months"].astype("Int64")
    for column in ("wards_compared", "wards_reduced_25", "wards_reduced_33"):
        out[column] = out[column].astype("Int64")
    for column in REDUCTIONS:
        out[column] = out[column].astype("boolean")
    out["_ward"] = out["scope"] == "ward"  # the collaborative's rows first: the board's headline
    order = {m: i for i, m in enumerate(measures)}
    out["_measure"] = out["measure"].map(order)
    out = out.sort_values(["_ward", "provider_code", "ward_code", "_measure"], kind="mergesort")
    return out[list(BOARD_COLUMNS)].reset_index(drop=True)
