"""What goes into the learning-session pack, as data: no drawing, no files, no Textual, no SQL.

`pack_content` turns a `Dashboard` computed with `keep_points=True` (rrp.reports.dashboard) and the
wards' annotations into a `PackContent`:

- the collaborative aggregate of every measure that has one (u' or p'), against the aim, with the
  collaborative chart's own annotations marked;
- the funnel of the dashboard's funnel measure, every ward labelled (for learning, not ranking);
- completeness (weeks submitted of the recent weeks, per ward) and PDSA activity (cycles started
  and completed per month; per ward this month, running, due for Study, ideas adopted);
- per ward, one chart per measure the dashboard shows (every active measure, prone restraint
  included), each with its shared figures (rrp.reports.figures, the dashboard's numbers), its
  plain-English reading (rrp.reports.reading), centre, limits, aim and signals, and the ward's
  annotations as markers: P a PDSA cycle started, A a change adopted, R a rebase, N a note
  (rrp.reports.huddle.MARKER_LETTERS, as the huddle's chart), each listed with its date and text.

Every figure is the dashboard's: nothing here computes a rate, a limit or an icon. The pack says
SYNTHETIC on every page when the database is the demo's (`synthetic`), never on real data.
`read_pack_inputs` reads what is needed through the store's repositories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rrp.models.annotation import Annotation, AnnotationKind
from rrp.reports.huddle import MARKER_LEGEND, HuddleMarker, marker_for
from rrp.reports.user_text import visible

if TYPE_CHECKING:
    import pandas as pd

    from rrp.reports.dashboard import Dashboard, DashboardInputs
    from rrp.reports.figures import MeasureFigures
    from rrp.store import Store

#: The words on every page and slide of the demo's pack.
SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA - not real wards"
#: The key to the chart markers (the huddle's letters).
MARKERS_LEGEND = MARKER_LEGEND
#: At most this many characters of an annotation's text in a marker list.
MARKER_TEXT = 90
#: The columns of a chart's points the pack draws.
POINT_COLUMNS = ("x", "value", "centre", "upper_limit", "lower_limit", "special_cause")


@dataclass(frozen=True)
class ChartContent:
    """One SPC chart of the pack: a ward's measure, or the collaborative aggregate of a measure.

    points: x (week start), value, centre, upper_limit, lower_limit, special_cause ('' common
    cause), oldest first. figures: the ward's shared figures (None for the aggregate); summary:
    the figures in one line (figures_caption for a ward; chart, aim, icons and change for the
    aggregate). markers: oldest first, within the chart's weeks.
    """

    title: str
    measure: str
    name: str
    chart: str
    unit: str
    points: pd.DataFrame
    aim: float | None
    variation_icon: str | None
    assurance_icon: str | None
    summary: str
    reading: list[str]
    markers: list[HuddleMarker] = field(default_factory=list)
    figures: MeasureFigures | None = None


@dataclass(frozen=True)
class WardContent:
    """One ward's part of the pack: its charts (one per measure) and its activity."""

    ward_code: str
    ward_name: str
    provider_code: str
    charts: list[ChartContent]
    weeks_submitted: int
    weeks_expected: int
    #: Per recent week (`PackContent.weeks`): True submitted, False not, None before the ward
    #: joined (rrp.reports.figures.completeness_marks).
    submitted: list[bool | None]
    pdsa_this_month: int
    pdsa_running: int
    pdsa_due_for_study: int
    ideas_adopted: int

    @property
    def title(self) -> str:
        return f"{self.ward_name} ({self.provider_code})"


@dataclass(frozen=True)
class PackContent:
    """Everything the learning-session pack shows, in order (see the module doc)."""

    today: dt.date
    end_week: dt.date
    weeks: list[dt.date]
    scope: str
    aim_reduction: float
    synthetic: bool
    aggregates: list[ChartContent]
    funnel: pd.DataFrame
    funnel_curve: pd.DataFrame
    funnel_title: str
    wards: list[WardContent]
    pdsa_monthly: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def banner(self) -> str:
        """The words every page carries: SYNTHETIC on the demo, nothing on real data."""
        return SYNTHETIC_LABEL if self.synthetic else ""

    def ward(self, code: str) -> WardContent:
        """One ward's content (KeyError: not in the pack)."""
        for ward in self.wards:
            if ward.ward_code == code.upper():
                return ward
        raise KeyError(code)


@dataclass(frozen=True)
class PackInputs:
    """What the pack needs from the store: the dashboard's inputs, every ward's annotations (and
    the collaborative chart's, under None), and whether the database is the synthetic demo."""

    inputs: DashboardInputs
    annotations: dict[str | None, list[Annotation]]
    synthetic: bool


def read_pack_inputs(store: Store, inputs: DashboardInputs | None = None) -> PackInputs:
    """Read the dashboard's inputs (unless given), the annotations and the synthetic marker."""
    from rrp.reports.dashboard import read_inputs

    inputs = inputs if inputs is not None else read_inputs(store)
    return PackInputs(
        inputs=inputs,
        annotations=read_annotations(store, list(inputs.wards["ward_code"])),
        synthetic=store.preferences.get("synthetic") is not None,
    )


def read_annotations(store: Store, ward_codes: Iterable[str]) -> dict[str | None, list[Annotation]]:
    """The annotations of each ward, and the collaborative chart's under None."""
    out: dict[str | None, list[Annotation]] = {}
    for code in [None, *ward_codes]:
        out[code] = [stored.annotation for stored in store.annotations.list(code)]
    return out


def pack_dashboard(
    pack_inputs: PackInputs,
    *,
    today: dt.date,
    provider: str | None = None,
    ward_type: str | None = None,
) -> Dashboard:
    """The dashboard the pack shows: the screen's and the report's, with every measure's points."""
    from rrp.reports.dashboard import dashboard_from_inputs

    return dashboard_from_inputs(
        pack_inputs.inputs, today=today, provider=provider, ward_type=ward_type, keep_points=True
    )


def chart_markers(
    annotations: Sequence[Annotation], measure: str, labels: Sequence[Any]
) -> list[HuddleMarker]:
    """The markers of one chart: the annotations that apply to `measure` (or to every measure)
    within the chart's weeks (`labels`, its x values, oldest first), as the huddle marks them;
    rebases at the point that starts the new segment (rrp.reports.figures.rebase_labels)."""
    from rrp.reports.figures import rebase_labels

    if not len(labels):
        return []
    weeks = [_day(x) for x in labels]
    first, last = weeks[0], weeks[-1]
    mine = [a for a in annotations if a.measure is None or a.measure == measure]
    out = []
    for a in mine:
        if a.kind == AnnotationKind.REBASE:
            continue
        marker = marker_for(a)
        if first <= marker.x <= last:
            out.append(marker._replace(text=_text(marker.text)))
    seen: set[dt.date] = set()
    for a in sorted((a for a in mine if a.kind == AnnotationKind.REBASE), key=lambda a: a.on_date):
        for day in rebase_labels(weeks, [a.on_date]):  # the point that starts the new segment
            if day not in seen:
                seen.add(day)
                out.append(HuddleMarker(day, "R", "rebase", _text(a.text)))
    out.sort(key=lambda m: (m.x, m.label))
    return out


def marker_line(marker: HuddleMarker) -> str:
    """A marker as the pack lists it: 'P 05 Oct 2026: Cycle started: ...'."""
    return f"{marker.label} {marker.x:%d %b %Y}: {marker.text}"


def _text(text: str) -> str:
    shown = visible(text)
    return shown if len(shown) <= MARKER_TEXT else shown[: MARKER_TEXT - 1] + "\u2026"


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    import pandas as pd

    return pd.Timestamp(value).date()


def _points(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(POINT_COLUMNS)].copy()
    out["special_cause"] = out["special_cause"].fillna("").astype(str)
    return out.sort_values("x", kind="mergesort").reset_index(drop=True)


def _icon(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _aggregate_chart(dash: Dashboard, code: str, annotations: Sequence[Annotation]) -> ChartContent | None:
    from rrp.reports.dashboard import aggregate_reading
    from rrp.reports.figures import CHART_NAMES
    from rrp.reports.icons_text import assurance_text, variation_text

    summaries = dash.aggregate_summary
    if dash.aggregate.empty or summaries.empty or code not in set(summaries["measure"]):
        return None
    spec = dash.measure(code)
    row = summaries.set_index("measure").loc[code]
    part = dash.aggregate[(dash.aggregate["measure"] == code) & dash.aggregate["rate"].notna()]
    points = _points(part.rename(columns={"week_start": "x", "rate": "value"}))
    aim = _number(row.get("aim_rate"))
    change = _number(row.get("change"))
    chart = CHART_NAMES.get(str(row.get("chart", "uprime")), "u' chart")
    variation, assurance = _icon(row.get("variation_icon")), _icon(row.get("assurance_icon"))
    relative = spec.aim_change_with(dash.aim_reduction) if spec.aim_target is None else None
    aim_words = (
        "no aim" if aim is None
        else f"aim {aim:.1f} (baseline {'down' if (relative or 0) < 0 else 'up'} {abs(relative):.0%})"
        if relative is not None else f"aim {aim:.1f}"
    )
    summary = "; ".join(
        [chart, aim_words, variation_text(variation), assurance_text(assurance)]
        + ([] if change is None else [f"change from baseline {change:+.0%}"])
    )
    return ChartContent(
        title=f"Collaborative: {spec.name}",
        measure=code,
        name=spec.name,
        chart=chart,
        unit=spec.unit_text,
        points=points,
        aim=aim,
        variation_icon=variation,
        assurance_icon=assurance,
        summary=summary,
        reading=aggregate_reading(dash, code),
        markers=chart_markers(annotations, code, list(points["x"])),
    )


def _ward_chart(
    dash: Dashboard, record: dict[str, Any], code: str, points: pd.DataFrame | None,
    annotations: Sequence[Annotation],
) -> ChartContent:
    import pandas as pd

    from rrp.reports.dashboard import ward_measure_figures, ward_reading
    from rrp.reports.figures import CHART_NAMES, figures_caption

    spec = dash.measure(code)
    figures = ward_measure_figures(dash, record, code)
    frame = _points(points) if points is not None and not points.empty else pd.DataFrame(
        {c: [] for c in POINT_COLUMNS}
    )
    return ChartContent(
        title=f"{visible(record.get('ward_name', ''))}: {spec.name}",
        measure=code,
        name=spec.name,
        chart=CHART_NAMES.get(spec.chart, spec.chart),
        unit=spec.unit_text,
        points=frame,
        aim=figures.aim,
        variation_icon=figures.variation_icon,
        assurance_icon=figures.assurance_icon,
        summary=figures_caption(figures),
        reading=ward_reading(dash, record["ward_code"], record=record, points=points, measure=code),
        markers=chart_markers(annotations, code, list(frame["x"])),
        figures=figures,
    )


def pack_content(
    dash: Dashboard,
    annotations: dict[str | None, list[Annotation]] | None = None,
    *,
    synthetic: bool = False,
    wards: Sequence[str] | None = None,
) -> PackContent:
    """The pack's content (see the module doc). `dash`: computed with keep_points=True (a measure
    whose points it did not keep is charted without points). annotations: per ward code, and the
    collaborative chart's under None. wards: only these wards (a ward's own board); None: all."""
    annotations = annotations or {}
    aggregates = [
        chart
        for code in dash.measures
        if (chart := _aggregate_chart(dash, code, annotations.get(None, []))) is not None
    ]
    by_measure: dict[str, dict[str, pd.DataFrame]] = {}
    for code in dash.measures:
        pts = dash.measure_points.get(code)
        by_measure[code] = dict(tuple(pts.groupby("ward_code"))) if pts is not None and not pts.empty else {}
    wanted = {w.upper() for w in wards} if wards is not None else None
    from rrp.reports.figures import completeness_marks

    marks = completeness_marks(dash.completeness, dash.wards)
    ward_parts = []
    for record in dash.wards.to_dict("records"):
        ward = str(record["ward_code"])
        if wanted is not None and ward not in wanted:
            continue
        notes = annotations.get(ward, [])
        flags = list(marks.get(ward, ()))
        ward_parts.append(
            WardContent(
                ward_code=ward,
                ward_name=visible(record.get("ward_name") or ward),
                provider_code=visible(record.get("provider_code") or ""),
                charts=[
                    _ward_chart(dash, record, code, by_measure[code].get(ward), notes) for code in dash.measures
                ],
                weeks_submitted=int(record.get("weeks_submitted") or 0),
                weeks_expected=int(record.get("weeks_expected") or 0),
                submitted=flags,
                pdsa_this_month=int(record.get("pdsa_this_month") or 0),
                pdsa_running=int(record.get("pdsa_running") or 0),
                pdsa_due_for_study=int(record.get("pdsa_due_for_study") or 0),
                ideas_adopted=int(record.get("ideas_adopted") or 0),
            )
        )
    funnel_title = ""
    if not dash.funnel.empty:
        start, end = dash.funnel_period or (dash.weeks[0], dash.weeks[-1])
        measure = str(dash.funnel["measure"].iloc[0]) if "measure" in dash.funnel else dash.measures[0]
        funnel_title = f"Funnel: {dash.measure(measure).name.lower()}, {start:%d %b} to {end:%d %b %Y}"
    scope = dash.scope()
    return PackContent(
        today=dash.today,
        end_week=dash.end_week,
        weeks=list(dash.weeks),
        scope=scope,
        aim_reduction=dash.aim_reduction,
        synthetic=synthetic,
        aggregates=aggregates,
        funnel=dash.funnel,
        funnel_curve=dash.funnel_curve,
        funnel_title=funnel_title,
        wards=ward_parts,
        pdsa_monthly=dash.pdsa_monthly,
        notes=list(dash.notes),
    )
