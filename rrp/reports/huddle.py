"""The ward safety huddle in numbers: data in, data out (no database, no Textual).

`huddle_summary` takes one ward's weekly rows (as `WeeklyRepository.frame` returns them), the
ward's annotations and running PDSA cycles, and returns everything the huddle screen and
`rrp report huddle` show: this week and last week per measure, weeks since the last episode,
the chart (rate per 1,000 occupied bed days) with its signals, the variation icon in words, the
chart read out in plain sentences (`HuddleSummary.reading`), PDSA markers, and the change from
baseline against the aim.

Definitions (also in the app's help):
- "this week" is the week (Monday) containing `today`; "last week" the one before. A week with no
  row is "not entered" (None), never zero. Weeks after this week are ignored.
- "weeks since the last X": whole weeks between the most recent week with X > 0 and the latest
  entered week (0 when that week had one); None when there was none in the `weeks_observed` weeks
  from the ward's first entered week to its latest.
- The chart plots only entered weeks with bed days > 0 (a rate needs bed days).
- Rebases come from annotations of kind 'rebase' for this measure (or for every measure); a
  rebase dated on a week with no point starts the new segment at the next point. Never automatic.
- Change from baseline, latest value, aim and icons per measure: rrp.reports.figures (the one
  definition the dashboard, the reports, the exports and the pack use): baseline = the ward's first
  12 points, or its first `fix_after` points when a baseline is fixed; recent = the 12 weeks to the
  last complete week (this week is not yet due); pooled rates; meets the aim when the recent rate
  is at or below the aim rate. `HuddleSummary.figures` holds them for every measure the ward sees.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from rrp.models.annotation import Annotation, AnnotationKind
from rrp.models.change_package import DEFAULT_AIM_REDUCTION
from rrp.models.week_status import is_provisional, participating
from rrp.models.weekly import ALL_RESTRICTIVE_PARTS, monday_of
from rrp.reports.figures import BASELINE_WEEKS, RECENT_WEEKS, MeasureFigures
from rrp.reports.icons_text import assurance_text, variation_text
from rrp.reports.reading import chart_reading

if TYPE_CHECKING:
    import pandas as pd

    from rrp.models.measure import Measure, MeasureSet
    from rrp.models.pdsa import PdsaCycle
    from rrp.reports.spc import ChartResult

#: The core measures, in key order, with their names: the huddle without a measure set (tests,
#: callers holding only weekly rows). With a set, the huddle shows the ward's active measures.
HUDDLE_MEASURES: dict[str, str] = {
    "all_restrictive": "All restrictive practice",
    "restraint": "Physical restraint",
    "prone_restraint": "Prone restraint",
    "seclusion": "Seclusion",
    "rapid_tranquillisation": "Rapid tranquillisation",
}
#: Characters of a measure's label in the huddle's narrow table (80 columns).
SHORT_LABEL = 15
#: Chart types the huddle offers for a per-bed-days measure, in cycling order (`chart_options`).
HUDDLE_CHARTS: tuple[str, ...] = ("run", "xmr", "u")
CHART_LABELS: dict[str, str] = {
    "run": "run chart", "xmr": "XmR chart", "u": "u chart", "p": "p chart", "c": "c chart",
}
#: One-letter marker labels on the chart, by marker kind.
MARKER_LETTERS: dict[str, str] = {"started": "P", "adopted": "A", "pdsa": "P", "rebase": "R", "note": "N"}
MARKER_LEGEND = "P cycle started  A change adopted  R rebase  N note"


class HuddleMarker(NamedTuple):
    """A vertical marker on the chart: x (a week start), a one-letter label, its kind, its text."""

    x: dt.date
    label: str
    kind: str
    text: str


@dataclass(frozen=True)
class MeasureLine:
    """One measure's row of the huddle table."""

    measure: str
    label: str
    this_week: int | float | None
    last_week: int | float | None
    weeks_since: int | None
    weeks_observed: int

    @property
    def weeks_since_text(self) -> str:
        return weeks_since_text(self.weeks_since, self.weeks_observed)


@dataclass(frozen=True)
class BaselineChange:
    """Change from baseline for the chosen measure (pooled rates per 1,000 bed days)."""

    baseline_weeks: int
    baseline_rate: float | None
    recent_weeks: int
    recent_rate: float | None
    change: float | None
    meets_aim: bool | None
    aim_reduction: float
    #: The aim in display units (rrp.reports.figures.aim_value) and the relative change aimed
    #: for (-0.33; None for an absolute target or no aim); unit: the measure's unit words.
    aim: float | None = None
    relative_aim: float | None = None
    unit: str = "per 1,000 occupied bed days"

    @property
    def aim_rate(self) -> float | None:
        """The level the aim asks for (the shared figure)."""
        return self.aim

    def aim_words(self) -> str:
        """'aim: down 33%', 'aim: up 10%', 'aim: 95.0%', or 'no aim'."""
        if self.relative_aim is not None:
            word = "down" if self.relative_aim < 0 else "up"
            return f"aim: {word} {abs(self.relative_aim):.0%}"
        if self.aim is not None:
            from rrp.reports.figures import format_figure

            return f"aim: {format_figure(self.aim, self.unit)}"
        return "no aim"

    def text(self) -> str:
        """E.g. 'Down 38% on baseline (aim: down 33%): aim met'."""
        aim = self.aim_words()
        if self.change is None:
            if self.baseline_rate == 0:
                return f"No change figure: the baseline rate is zero ({aim})"
            return f"No change figure yet ({aim})"
        word = "Down" if self.change < 0 else "Up" if self.change > 0 else "No change"
        amount = f" {abs(self.change):.0%}" if self.change != 0 else ""
        if self.meets_aim is None:
            return f"{word}{amount} on baseline ({aim})"
        verdict = "aim met" if self.meets_aim else "aim not met yet"
        return f"{word}{amount} on baseline ({aim}): {verdict}"


@dataclass(frozen=True)
class PdsaLine:
    """A running PDSA cycle as the huddle shows it (no names: the title and dates only)."""

    title: str
    cycle_number: int
    planned_end: dt.date | None
    due_for_study: bool
    #: The cycle's ramp label on its ward ('A2', 'A3b': models.pdsa.ramp_labels), as the PDSA
    #: list shows it; the cycle number when the labels were not given.
    label: str = ""


@dataclass(frozen=True)
class HuddleSummary:
    """Everything the huddle shows for one ward and one chosen measure."""

    ward_code: str
    today: dt.date
    this_week: dt.date
    last_week: dt.date
    latest_week: dt.date | None
    measure: str
    chart: str
    fix_after: int | None
    lines: list[MeasureLine]
    result: ChartResult | None
    variation_icon: str | None
    assurance_icon: str | None
    change: BaselineChange
    markers: list[HuddleMarker] = field(default_factory=list)
    rebases: list[dt.date] = field(default_factory=list)
    running: list[PdsaLine] = field(default_factory=list)
    note: str = ""
    #: The chart in two or three plain sentences (rrp.reports.reading.chart_reading).
    reading: list[str] = field(default_factory=list)
    #: The shared figures of every measure the ward sees (rrp.reports.figures), in the set's order.
    figures: list[MeasureFigures] = field(default_factory=list)
    pdsa_running: int = 0
    #: The chosen measure's provisional weeks (saved before they ended, not since), as (week,
    #: value): drawn hollow beside the chart, never part of its limits, signals or figures.
    provisional: list[tuple[dt.date, float]] = field(default_factory=list)
    #: The latest week entered is provisional (saved before it ended, not since).
    latest_provisional: bool = False
    #: This week's and last week's rows are provisional (the store's flag: week_status.is_provisional),
    #: so the counts table can say so beside the numbers.
    this_week_provisional: bool = False
    last_week_provisional: bool = False
    #: This week and last week are on or after the ward joined the collaborative
    #: (week_status.participating): before it, an empty week is not applicable, not missing.
    this_week_taking_part: bool = True
    last_week_taking_part: bool = True

    def to_json(self, ward_name: str = "") -> dict[str, Any]:
        """`rrp report huddle --format json`: the ward's figures per measure (the same fields as
        the collaborative report's), this week's counts and the PDSA counts."""
        from rrp.reports.figures import to_json

        return to_json(
            {
                "ward_code": self.ward_code,
                "ward_name": ward_name,
                "today": self.today,
                "this_week": self.this_week,
                "end_week": self.last_week,
                "latest_week": self.latest_week,
                "measures": self.figures,
                "lines": self.lines,
                "pdsa_running": self.pdsa_running,
                "pdsa_due_for_study": len(self.due_for_study),
            }
        )

    #: The measures the ward sees, in key order (1..9), and each one's short label and name.
    measure_codes: list[str] = field(default_factory=lambda: list(HUDDLE_MEASURES))
    labels: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    #: The chart types offered for the chosen measure, in cycling order.
    chart_options: tuple[str, ...] = HUDDLE_CHARTS
    #: The chosen measure's unit words ('per 1,000 occupied bed days', '%', '').
    unit: str = "per 1,000 occupied bed days"

    @property
    def figure(self) -> MeasureFigures | None:
        """The chosen measure's shared figures (the dashboard's icons, change and aim)."""
        return next((f for f in self.figures if f.measure == self.measure), None)

    @property
    def measure_label(self) -> str:
        return self.names.get(self.measure) or HUDDLE_MEASURES.get(self.measure, self.measure)

    #: Which measure each measure is part of (prone restraint of restraint).
    parts: dict[str, str] = field(default_factory=dict)

    def short_label(self, code: str) -> str:
        """A measure's label in at most SHORT_LABEL characters (the narrow table): a part of the
        measure above it reads ' of which prone'; a long label keeps its whole words and cuts the
        next one with a full stop ('Rapid tranquil.')."""
        label = self.labels.get(code) or HUDDLE_MEASURES.get(code, code)
        if code in self.parts:
            part = f" of which {label.split()[0].lower()}"
            if len(part) <= SHORT_LABEL:
                return part
        return short_text(label, SHORT_LABEL)


    @property
    def chart_label(self) -> str:
        return CHART_LABELS.get(self.chart, self.chart)

    @property
    def variation_text(self) -> str:
        if self.result is None:
            return "No chart: no weeks with bed days entered"
        return variation_text(self.variation_icon)

    @property
    def assurance_text(self) -> str:
        return assurance_text(self.assurance_icon)

    @property
    def due_for_study(self) -> list[PdsaLine]:
        return [p for p in self.running if p.due_for_study]

    @property
    def trial(self) -> bool:
        """True when the last segment's limits are trial limits (fewer than 12 points)."""
        if self.result is None or self.chart == "run":
            return False
        points = self.result.points
        return bool(points["trial"].iloc[-1]) if len(points) else False

    def line(self, measure: str) -> MeasureLine:
        return next(x for x in self.lines if x.measure == measure)


def short_text(label: str, width: int) -> str:
    """`label` in at most `width` characters: whole words, then the next word cut with a '.'."""
    if len(label) <= width:
        return label
    out = ""
    for word in label.split():
        candidate = f"{out} {word}".strip()
        if len(candidate) <= width:
            out = candidate
            continue
        room = width - len(out) - (1 if out else 0) - 1
        if room >= 3:
            out = f"{out} {word[:room]}.".strip()
        break
    return out or label[: width - 1] + "."


def weeks_since_text(weeks: int | None, observed: int, *, short: bool = False) -> str:
    """'0 weeks', '1 week', '5 weeks', or 'none in the last N weeks'; short: '5', 'none in N'
    ('-' when no week is entered: the screen's title says so once, not on every row)."""
    if observed == 0:
        return "-" if short else "no weeks entered"
    if weeks is None:
        return f"none in {observed}" if short else f"none in the last {observed} weeks"
    if short:
        return str(weeks)
    return f"{weeks} week" if weeks == 1 else f"{weeks} weeks"


def with_all_restrictive(weekly: pd.DataFrame) -> pd.DataFrame:
    """The weekly rows with an `all_restrictive` column (restraint + seclusion + RT)."""
    out = weekly.copy()
    out["all_restrictive"] = out[list(ALL_RESTRICTIVE_PARTS)].sum(axis=1, min_count=len(ALL_RESTRICTIVE_PARTS))
    return out


def with_saved_weeks(weekly: pd.DataFrame, weeks: Sequence[Any]) -> pd.DataFrame:
    """`weekly` (as WeeklyRepository.frame returns it) with `weeks` put in place of the rows for
    the same ward and week: how a screen shows a week it has just saved without re-reading.

    weeks: WeeklyCounts, or anything with a `.counts` holding one (a StoredWeek).
    """
    import pandas as pd

    if not weeks:
        return weekly
    columns = list(weekly.columns)
    rows = []
    for week in weeks:
        counts = getattr(week, "counts", week)
        data = counts.model_dump()
        data["week_start"] = pd.Timestamp(counts.week_start)
        # As WeeklyRepository.frame flags it: saved before the week ended (the one definition).
        data["provisional"] = is_provisional(counts.week_start, getattr(week, "updated_at", None))
        rows.append({c: data.get(c) for c in columns})
    added = pd.DataFrame(rows, columns=columns)
    added = added.drop_duplicates(["ward_code", "week_start"], keep="last")
    keys = set(zip(added["ward_code"], added["week_start"], strict=True))
    keep = [(c, w) not in keys for c, w in zip(weekly["ward_code"], weekly["week_start"], strict=True)]
    kept = weekly[keep]
    if kept.empty:
        merged = added.reset_index(drop=True)
    else:
        merged = pd.concat([kept, added.astype(kept.dtypes.to_dict(), errors="ignore")], ignore_index=True)
    return merged.sort_values(["ward_code", "week_start"], kind="mergesort").reset_index(drop=True)


def _prepare(weekly: pd.DataFrame, this_week: dt.date) -> pd.DataFrame:
    """Rows up to this week, week_start as dates, sorted, with all_restrictive."""
    import pandas as pd

    needed = ("week_start", *ALL_RESTRICTIVE_PARTS, "prone_restraint", "occupied_bed_days")
    missing = [c for c in needed if c not in weekly.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    frame = weekly.copy()
    frame["week_start"] = pd.to_datetime(frame["week_start"]).dt.date
    if "ward_code" not in frame.columns:
        frame["ward_code"] = "WARD"
    frame = frame[frame["week_start"] <= this_week].sort_values("week_start", kind="mergesort")
    frame = frame.drop_duplicates("week_start", keep="last").reset_index(drop=True)
    return with_all_restrictive(frame)


def _provisional_in(frame: pd.DataFrame, week: dt.date) -> bool:
    """True when the prepared frame's row for `week` is flagged provisional (WeeklyRepository.frame
    and with_saved_weeks flag it with week_status.is_provisional: the one definition)."""
    if frame.empty or "provisional" not in frame.columns:
        return False
    flags = frame.loc[frame["week_start"] == week, "provisional"]
    return bool(not flags.empty and flags.fillna(False).astype(bool).iloc[-1])


def _count(weeks: list[dt.date], values: list[Any], week: dt.date) -> int | None:
    """The measure's count in `week` (None: no row, or the count is blank).

    weeks/values: the prepared frame's week_start and measure columns as lists (one row per
    week, sorted): plain Python is much quicker than pandas indexing on a few hundred rows.
    """
    i = bisect.bisect_left(weeks, week)
    if i == len(weeks) or weeks[i] != week or _blank(values[i]):
        return None
    number = float(values[i])
    return int(number) if number.is_integer() else number


def _blank(value: Any) -> bool:
    """None, NaN or pandas' NA (a blank count)."""
    if value is None or type(value).__name__ == "NAType":
        return True
    try:
        return bool(value != value)  # NaN is the only value not equal to itself
    except TypeError:
        return False


def _weeks_since(weeks: list[dt.date], values: list[Any]) -> tuple[int | None, int]:
    """(weeks since the last week with measure > 0, weeks observed) relative to the latest week."""
    if not weeks:
        return None, 0
    latest, first = weeks[-1], weeks[0]
    observed = (latest - first).days // 7 + 1
    for day, value in zip(reversed(weeks), reversed(values), strict=True):
        if not _blank(value) and value > 0:
            return (latest - day).days // 7, observed
    return None, observed


def _rebase_labels(labels: list[dt.date], dates: Sequence[dt.date]) -> list[dt.date]:
    """Chart labels at which each rebase date starts a segment (next point on or after it)."""
    out: list[dt.date] = []
    for day in sorted(set(dates)):
        i = bisect.bisect_left(labels, day)
        if 0 < i < len(labels) and labels[i] not in out:
            out.append(labels[i])
    return out


def marker_for(annotation: Annotation) -> HuddleMarker:
    """The chart marker of an annotation: P cycle started, A change adopted, R rebase, N note."""
    kind = annotation.kind.value
    if annotation.kind == AnnotationKind.PDSA:
        kind = "adopted" if annotation.text.lower().startswith("change adopted") else "started"
    return HuddleMarker(monday_of(annotation.on_date), MARKER_LETTERS[kind], kind, annotation.text)


def _applies(annotation: Annotation, measure: str) -> bool:
    return annotation.measure is None or annotation.measure == measure


def _ward_figures(
    frame: pd.DataFrame,
    code: str,
    *,
    measure_set: MeasureSet,
    values: pd.DataFrame | None,
    end_week: dt.date,
    fix_after: int | None,
    rebase_at: dict[Any, list[Any]],
    aim_reduction: float,
    targets: dict[str, dict[str, float]] | None,
) -> list[MeasureFigures]:
    """The shared figures (rrp.reports.figures) of every measure the ward sees on `end_week`."""
    from rrp.reports import figures

    out = []
    for measure in figures.shown_measures(measure_set, end_week, code):
        points = figures.measure_points(measure, measure_set, frame, values, end_week=end_week)
        table, _ = figures.ward_figures(
            measure,
            points,
            end_week=end_week,
            aim_reduction=aim_reduction,
            wards=[code],
            fix_after={code: fix_after} if fix_after else None,
            rebase_at=rebase_at,
            targets=(targets or {}).get(measure.code),
        )
        out.append(figures.figures_from_row(measure, table.iloc[0].to_dict()))
    return out


def huddle_measures(measure_set: MeasureSet, ward_code: str | None, today: dt.date) -> list[Measure]:
    """The measures a ward's huddle cycles through (keys 1..9): every measure active for the ward
    in the last complete week (rrp.reports.figures.shown_measures)."""
    from rrp.reports.figures import last_complete_week, shown_measures

    return shown_measures(measure_set, last_complete_week(today), ward_code)


def chart_options(measure: Measure) -> tuple[str, ...]:
    """The charts the huddle offers for a measure, in cycling order: run, XmR, then the
    measure's own chart (u per bed days, p proportion, c count; XmR for a value)."""
    return tuple(dict.fromkeys(("run", "xmr", measure.chart)))


def _line_series(
    measure: Measure, measure_set: MeasureSet, frame: pd.DataFrame, values: pd.DataFrame | None, weeks: list[dt.date]
) -> tuple[list[dt.date], list[Any]]:
    """(weeks, counts) of one measure for the huddle table: the weekly columns for the core
    measures (as entered, bed days or not), the stored numerators for the others."""
    if measure.code in frame.columns:
        return weeks, list(frame[measure.code])
    if values is None or values.empty or measure.derived:
        return [], []
    rows = values[values["measure_code"] == measure.code].sort_values("period_start", kind="mergesort")
    return [d.date() for d in rows["period_start"]], list(rows["numerator"])


def _baseline_change(
    fig: MeasureFigures | None, baseline_weeks: int, aim_reduction: float, measure: Measure | None = None
) -> BaselineChange:
    """The huddle's change line from the shared figures of the chosen measure."""
    from rrp.reports.figures import relative_aim

    relative = relative_aim(measure, aim_reduction) if measure is not None else -aim_reduction
    unit = measure.unit_text if measure is not None else "per 1,000 occupied bed days"
    if fig is None:
        return BaselineChange(
            baseline_weeks, None, RECENT_WEEKS, None, None, None, aim_reduction, None, relative, unit
        )
    return BaselineChange(
        baseline_weeks=fig.baseline_weeks,
        baseline_rate=fig.baseline,
        recent_weeks=fig.recent_weeks,
        recent_rate=fig.recent,
        change=fig.change_from_baseline,
        meets_aim=fig.meets_aim,
        aim_reduction=aim_reduction,
        aim=fig.aim,
        relative_aim=relative,
        unit=unit,
    )


def huddle_summary(
    weekly: pd.DataFrame,
    *,
    today: dt.date,
    measure: str = "all_restrictive",
    chart: str = "run",
    fix_after: int | None = None,
    rebase_at: Sequence[dt.date] = (),
    annotations: Sequence[Annotation] = (),
    aim_reduction: float | None = None,
    running: Sequence[PdsaCycle] = (),
    due: Sequence[PdsaCycle] = (),
    ward_code: str | None = None,
    measure_set: MeasureSet | None = None,
    values: pd.DataFrame | None = None,
    targets: dict[str, dict[str, float]] | None = None,
    participation_start: dt.date | None = None,
    ramp_labels: Mapping[str, str] | None = None,
) -> HuddleSummary:
    """The huddle for one ward (see the module doc for every definition).

    weekly: one ward's rows (week_start, restraint, prone_restraint, seclusion,
    rapid_tranquillisation, occupied_bed_days). measure: a key of HUDDLE_MEASURES. chart: run, xmr
    or u. rebase_at: extra rebase dates besides the ward's 'rebase' annotations. aim_reduction:
    the aim's fractional fall (None: one third). running/due: the ward's running PDSA cycles and
    those due for Study. ramp_labels: the ward's cycles' ramp labels by id (store.pdsa.labels).
    Raises ValueError for an unknown measure or chart, or fix_after < 12.
    """
    import pandas as pd

    from rrp.reports import figures
    from rrp.reports.spc import compute_chart

    aim = DEFAULT_AIM_REDUCTION if aim_reduction is None else float(aim_reduction)
    this_week = monday_of(today)
    last_week = this_week - dt.timedelta(weeks=1)
    frame = _prepare(weekly, this_week)
    code = ward_code or (str(frame["ward_code"].iloc[0]) if not frame.empty else "")
    measure_set = measure_set if measure_set is not None else figures.shipped_measures()
    shown = huddle_measures(measure_set, code, today)
    codes = [m.code for m in shown]
    if measure not in codes:
        raise ValueError(f"unknown measure {measure!r}: use one of {', '.join(codes)}")
    spec = measure_set[measure]
    options = chart_options(spec)
    if chart not in options:
        raise ValueError(f"unknown chart {chart!r} for {measure}: use one of {', '.join(options)}")
    ward_values = None
    if values is not None and not values.empty:
        ward_values = values[values["ward_code"] == code]
        ward_values = ward_values[ward_values["period_start"] <= pd.Timestamp(this_week)]

    lines = []
    weeks = list(frame["week_start"])
    for m in shown:
        line_weeks, counts = _line_series(m, measure_set, frame, ward_values, weeks)
        since, observed = _weeks_since(line_weeks, counts)
        lines.append(
            MeasureLine(
                measure=m.code,
                label=m.label,
                this_week=_count(line_weeks, counts, this_week),
                last_week=_count(line_weeks, counts, last_week),
                weeks_since=since,
                weeks_observed=observed,
            )
        )

    # The chart: the measure's plotted points to this week; a provisional week (the week in
    # progress, or one saved before it ended and not since) is drawn hollow apart, never a point
    # of the chart; the shared figures below stop at the last complete week.
    charted = figures.measure_points(spec, measure_set, frame, ward_values, end_week=this_week)
    charted = charted.assign(week_start=charted["week_start"].dt.date)
    held = figures.measure_points(spec, measure_set, frame, ward_values, end_week=this_week, provisional=True)
    provisional = [(d.date(), float(v)) for d, v in zip(held["week_start"], held["value"], strict=True)]
    labels = list(charted["week_start"])
    relevant = [a for a in annotations if _applies(a, measure)]
    rebase_dates = [a.on_date for a in relevant if a.kind == AnnotationKind.REBASE] + list(rebase_at)
    rebases = _rebase_labels(labels, rebase_dates)
    every_rebase: dict[Any, list[Any]] = {}
    for a in annotations:
        if a.kind == AnnotationKind.REBASE:
            every_rebase.setdefault(code if a.measure is None else (code, a.measure), []).append(a.on_date)
    if rebase_at:
        every_rebase.setdefault((code, measure), []).extend(rebase_at)
    shared = _ward_figures(
        frame,
        code,
        measure_set=measure_set,
        values=ward_values,
        end_week=figures.last_complete_week(today),
        fix_after=fix_after,
        rebase_at=every_rebase,
        aim_reduction=aim,
        targets=targets,
    )
    chosen = next((f for f in shared if f.measure == measure), None)
    change = _baseline_change(chosen, fix_after or BASELINE_WEEKS, aim, spec)
    result = None
    note = ""
    if labels:
        ratio = figures.ratio(spec)
        target = change.aim if chart != "run" else None
        result = compute_chart(
            charted["numerator" if ratio else "value"].to_numpy(dtype=float),
            denominators=charted["denominator"].to_numpy(dtype=float) if ratio else None,
            labels=labels,
            chart=chart,  # type: ignore[arg-type]
            rules="anhoej",
            direction=spec.direction,
            fix_after=fix_after,
            rebase_at=rebases,
            target=target,
            per=spec.per if ratio else 1.0,
        )
        if fix_after is not None and len(labels) < fix_after:
            note = f"Only {len(labels)} points: the baseline uses them all until there are {fix_after}."
    markers = []
    if labels:
        # A note on a provisional week is marked too (the hollow point is on the chart).
        first, last = labels[0], max([labels[-1], *(d for d, _ in provisional)])
        for a in relevant:
            marker = marker_for(a)
            if first <= marker.x <= last and marker.kind != "rebase":
                markers.append(marker)
        markers += [HuddleMarker(x, "R", "rebase", "rebase") for x in rebases]
        markers.sort(key=lambda m: m.x)
    due_ids = {c.id for c in due}
    named = ramp_labels or {}
    pdsa = [
        PdsaLine(c.title, c.cycle_number, c.planned_end, c.id in due_ids, named.get(c.id, str(c.cycle_number)))
        for c in running
    ] + [
        PdsaLine(c.title, c.cycle_number, c.planned_end, True, named.get(c.id, str(c.cycle_number)))
        for c in due if c.id not in {r.id for r in running}
    ]
    pdsa.sort(key=lambda p: (not p.due_for_study, p.planned_end or dt.date.max, p.title))
    summary = result.summary if result is not None else {}
    # The aim is read out on a run chart too (it then says it cannot judge it: no usual range).
    reading = chart_reading(result, label=spec.name, unit=figures.reading_unit(spec), aim=change.aim)
    return HuddleSummary(
        ward_code=code,
        today=today,
        this_week=this_week,
        last_week=last_week,
        latest_week=frame["week_start"].iloc[-1] if not frame.empty else None,
        latest_provisional=bool(not frame.empty and "provisional" in frame.columns and frame["provisional"].iloc[-1]),
        this_week_provisional=_provisional_in(frame, this_week),
        last_week_provisional=_provisional_in(frame, last_week),
        this_week_taking_part=participating(this_week, participation_start),
        last_week_taking_part=participating(last_week, participation_start),
        measure=measure,
        chart=chart,
        fix_after=fix_after,
        lines=lines,
        result=result,
        variation_icon=summary.get("variation_icon"),
        assurance_icon=summary.get("assurance_icon"),
        change=change,
        markers=markers,
        rebases=rebases,
        running=pdsa,
        note=note,
        reading=reading,
        figures=shared,
        pdsa_running=len(running),
        provisional=provisional,
        measure_codes=codes,
        labels={m.code: m.label for m in shown},
        names={m.code: m.name for m in shown},
        parts={m.code: m.part_of for m in shown if m.part_of},
        chart_options=options,
        unit=spec.unit_text,
    )


def next_in(options: Sequence[str], current: str) -> str:
    """The option after `current`, wrapping round (for keys that cycle measure or chart)."""
    i = list(options).index(current) if current in options else -1
    return options[(i + 1) % len(options)]
