"""The collaborative dashboard: every ward at a glance, for the facilitator (and the projector).

Tabs: Wards (latest rate, change from baseline, variation and assurance per measure with their MDC
letters, PDSA, progress score, weeks submitted; the highlighted ward's chart read out in words
under the table). The ward table shows what fits its width without scrolling sideways
(`LAYOUTS`, `fit_layout`): the richest layout first, then the headline measure's rate only,
then no PDSA column, then every measure's change and variation alone; what it leaves out is read
out for the highlighted ward under the table. Aggregate (the collaborative's u' chart against the aim),
Completeness (who has not submitted, for the wards on the current page), Funnel (for learning,
not for ranking) and PDSA activity. Everything is computed by
`rrp.reports.dashboard.collaborative_dashboard` in a worker, and painted from each ward's stored
summary (`rrp.reports.summaries`: only wards whose data changed are computed again); the table is
paged (50 wards a page) so a national-scale database stays quick.

Keys: F4 next tab (Shift+F4 previous; Left/Right when the tab bar has focus), s sort column (or
click a header; again to reverse), p provider, t ward type, n / b next and previous page (shown
only when there is more than one), m measure of the aggregate chart (shown on that tab), v choose
the measures in the ward table (every active measure by default, prone restraint included), x
write the learning-session pack (a folder prompt, screens/pack_folder.py; F2 there writes the
highlighted ward's A4 board), u the wards due (not submitted last week), Enter open the ward. The
footer is compact, its labels short, so every key fits at 80 columns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)

from rrp.reports.figures import (  # one definition (no pandas at import)
    RECENT_WEEKS,
    completeness_marks,
)
from rrp.reports.icons_text import (
    IMPROVEMENT_COLOUR,
    assurance_colour,
    assurance_letter,
    variation_colour,
)
from rrp.reports.user_text import user_text
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.completeness import CompletenessGrid
from rrp.widgets.funnel_plot import FunnelPlot, FunnelView
from rrp.widgets.icons import reading_rich
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.spark import sparkline
from rrp.widgets.spc_chart import SpcChart, draw_spc_chart, plotext_text
from rrp.widgets.table import column_widths, fill_table

if TYPE_CHECKING:
    from rrp.reports.dashboard import Dashboard

PAGE_SIZE = 50
#: Out-of-date wards computed together after the table is painted: each batch's rows are shown
#: as it finishes, and a batch's inputs are what is held at once (memory stays under ~200 MB at
#: national scale).
UPDATE_BATCH = 100
#: The measures shown before the first computation (the core ones, prone restraint included);
#: after it, the dashboard's measures (every active one) or the ones chosen with `v`.
MEASURES = ("all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation")
MEASURE_HEADERS = {
    "all_restrictive": "All restrictive",
    "restraint": "Restraints",
    "prone_restraint": "Prone restraints",
    "seclusion": "Seclusions",
    "rapid_tranquillisation": "Rapid tranquillisations",
}
#: Characters of a measure's label in a column heading.
HEADER_LABEL = 17
TYPE_SHORT = {
    "acute_adult": "Acute",
    "picu": "PICU",
    "ld_autism": "LD/A",
    "older_adult": "Older",
    "camhs": "CAMHS",
    "forensic": "Foren",
    "rehab": "Rehab",
}

def _short(label: str, width: int = HEADER_LABEL) -> str:
    return label if len(label) <= width else label[: width - 1] + "\u2026"


def _heading(label: str, width: int = HEADER_LABEL) -> str:
    """A measure's name over at most three lines of `width`, whole: a word longer than a line is
    split with a hyphen ('tranquilli-' / 'sations'), so 'Rapid tranquillisations' is read whole in
    a narrow column, not 'Rapid tranquilli…'; only a name longer still is cut."""
    words: list[str] = []
    for word in label.split():
        while len(word) > width:  # hyphenated over lines of `width`, at least 3 letters carried over
            cut = min(width - 1, len(word) - 3)
            words.append(word[:cut] + "-")
            word = word[cut:]
        words.append(word)
    lines: list[str] = []
    for word in words:
        if lines and not lines[-1].endswith("-") and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    lines = lines or [""]
    if len(lines) > 3:
        lines = [*lines[:2], _short(" ".join(lines[2:]), width)]
    return "\n".join(lines)


@dataclass(frozen=True)
class WardLayout:
    """What the ward table shows of each ward, at one width (fit_layout chooses).

    rates: each measure's latest rate for 'all' measures, the 'headline' (first) one only, or
    'none'; assurance: each measure's assurance letter; extras: which of the PDSA ('pdsa'),
    progress score ('score') and weeks submitted ('weeks') columns. What a layout leaves out is
    read out for the highlighted ward under the table (and the PDSA and Completeness tabs have it).
    """

    rates: str = "all"
    assurance: bool = True
    extras: tuple[str, ...] = ("pdsa", "score", "weeks")

    def shows_rate(self, measure: str, measures: list[str] | tuple[str, ...]) -> bool:
        return self.rates == "all" or self.rates == "headline" and bool(measures) and measure == measures[0]

    def sub_heading(self, rate: bool) -> str:
        """The line under a measure's name, over its values (measure_cell's order and widths)."""
        return ((" rate " if rate else "") + "chg% var " + (" A" if self.assurance else "")).rstrip()


#: The ward table's layouts, richest first: the first that fits the table's width is shown. With the
#: five core measures, 120 columns show the second (every measure's change, variation and
#: assurance, the headline's latest rate, PDSA, progress and weeks in); 80 columns the fourth or
#: fifth (every measure's change and variation: the signal, for every ward at a glance).
LAYOUTS = (
    WardLayout("all", True, ("pdsa", "score", "weeks")),
    WardLayout("headline", True, ("pdsa", "score", "weeks")),
    WardLayout("headline", True, ("score", "weeks")),
    WardLayout("none", False, ("weeks",)),
    WardLayout("none", False, ()),
)
#: The extra columns: (key, heading).
EXTRA_COLUMNS = {"pdsa": "PDSA\nmo/run", "score": "Prog", "weeks": "Weeks\nin"}


def _measure_heading(label: str, layout: WardLayout, rate: bool) -> str:
    """A measure's name wrapped to its column (as wide as its values, or HEADER_LABEL when the rate
    is shown), without the line under it."""
    # 10 at the least: 'Restraints' and 'Seclusions' whole
    return _heading(label, HEADER_LABEL if rate else 11 if layout.assurance else 10)


def header_lines(
    measures: list[str] | tuple[str, ...], labels: dict[str, str], layout: WardLayout = LAYOUTS[0]
) -> int:
    """The ward table's header height: the tallest measure name, and the line under it."""
    return 1 + max(
        (_measure_heading(labels.get(m, m), layout, layout.shows_rate(m, measures)).count("\n") + 1
         for m in measures),
        default=1,
    )


def ward_columns(
    measures: list[str] | tuple[str, ...], labels: dict[str, str], layout: WardLayout = LAYOUTS[0]
) -> list[tuple[str, str]]:
    """The ward table's columns, (label, key): the ward, one per shown measure, and the layout's
    extras."""
    height = header_lines(measures, labels, layout) - 1
    columns = [("Ward", "ward")]
    for m in measures:
        rate = layout.shows_rate(m, measures)
        name = _measure_heading(labels.get(m, m), layout, rate)
        columns.append((name + "\n" * (height - name.count("\n")) + layout.sub_heading(rate), m))
    columns += [(EXTRA_COLUMNS[key], key) for key in layout.extras]
    return columns


def ward_cells(
    row: WardRow, measures: list[str] | tuple[str, ...], layout: WardLayout = LAYOUTS[0], *, updating: bool = False
) -> list[Any]:
    """One ward's cells, in ward_columns' order. updating: the ward's figures are out of date
    and being computed: "updating" after its name (a word, so the state never rests on colour)."""
    name = user_text(row.ward_name[:14], "bold")
    if updating:
        name.append(" updating", style="italic")
    extras = {
        "pdsa": lambda: f"{row.pdsa_this_month:>2}/{row.pdsa_running:<2}",
        "score": lambda: "-" if row.progress_score is None else f"{row.progress_score:.1f}",
        "weeks": lambda: Text(
            f"{row.weeks_submitted:>2}/{row.weeks_expected}",
            style="" if row.weeks_submitted == row.weeks_expected else "bold",
        ),
    }
    return [
        name,
        *(measure_cell(row, m, rate=layout.shows_rate(m, measures), assurance=layout.assurance) for m in measures),
        *(extras[key]() for key in layout.extras),
    ]


def fit_layout(
    measures: list[str] | tuple[str, ...],
    labels: dict[str, str],
    rows: list[WardRow],
    width: int,
    padding: int = 1,
    *,
    updating: set[str] | frozenset[str] = frozenset(),
) -> WardLayout:
    """The richest of LAYOUTS whose columns (as wide as their widest heading line or cell, plus the
    table's cell padding each side) fit in `width`; the last one when none does (the table then
    scrolls sideways, the ward's name fixed)."""
    return fitted(measures, labels, rows, width, padding, updating=updating)[0]


def fitted(
    measures: list[str] | tuple[str, ...],
    labels: dict[str, str],
    rows: list[WardRow],
    width: int,
    padding: int = 1,
    *,
    updating: set[str] | frozenset[str] = frozenset(),
) -> tuple[WardLayout, list[tuple[str, str]], list[list[Any]]]:
    """`fit_layout`'s layout with the columns and cells it measured (the table is filled with
    them: not made twice)."""
    for layout in LAYOUTS:
        columns = ward_columns(measures, labels, layout)
        cells = [ward_cells(row, measures, layout, updating=row.ward_code in updating) for row in rows]
        if sum(column_widths(columns, cells)) + 2 * padding * len(columns) <= width:
            break
    return layout, columns, cells


def status_lines(parts: list[str], width: int, separator: str = " | ") -> list[str]:
    """`parts` joined by `separator`, a new line before a part that would not fit in `width`
    (a part longer than a line is left to wrap on its own)."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(separator) + len(part) <= width:
            lines[-1] += separator + part
        else:
            lines.append(part)
    return lines


def sorts_for(measures: list[str] | tuple[str, ...], labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Sort columns, in the order `s` cycles through them: (key, label)."""
    headline = measures[0] if measures else "all_restrictive"
    return (
        ("ward", "provider and ward"),
        *((m, f"{labels.get(m, m).lower()} change") for m in measures),
        ("rate", f"latest {labels.get(headline, headline).lower()}"),
        ("pdsa", "PDSA cycles this month"),
        ("score", "progress score"),
        ("weeks", "weeks submitted"),
    )


#: The ward table's sorts before the first computation.
SORTS: tuple[tuple[str, str], ...] = sorts_for(MEASURES, MEASURE_HEADERS)
#: The key to the Wards table's abbreviations (shown under it).
WARDS_LEGEND = (
    "rate: latest week per 1,000 occupied bed days (OBD), or % · chg%: last {recent} weeks vs baseline · "
    "var: imp improvement, con concern, nei neither, cc common cause; H high, L low · "
    "A assurance: P pass, F fail, ? hit and miss · PDSA mo/run: started this month / running · "
    "Prog: progress score · Weeks in: weeks submitted of the last {recent}"
)
TABS = ("tab-wards", "tab-aggregate", "tab-completeness", "tab-funnel", "tab-pdsa")


@dataclass(frozen=True)
class WardRow:
    """One ward's line, as plain values (built in the worker)."""

    ward_code: str
    ward_name: str
    provider_code: str
    ward_type: str
    order: int
    rate: dict[str, float | None]
    change: dict[str, float | None]
    variation: dict[str, str | None]
    assurance: dict[str, str | None]
    pdsa_this_month: int
    pdsa_running: int
    ideas_adopted: int
    progress_score: float | None
    weeks_submitted: int
    weeks_expected: int
    #: One mark per recent week: True submitted, False missing, None before the ward joined.
    submitted: tuple[bool | None, ...]
    #: Cycles in Do planned to end by this week's Sunday (rrp.models.pdsa.due_for_study_on).
    pdsa_due_for_study: int = 0


@dataclass(frozen=True)
class AggregateView:
    """One measure's collaborative series, as lists."""

    measure: str
    weeks: list[dt.date]
    rate: list[float | None]
    centre: list[float | None]
    lower: list[float | None]
    upper: list[float | None]
    special: list[str]
    aim: float | None
    baseline_rate: float | None
    recent_rate: float | None
    change: float | None
    variation: str | None
    assurance: str | None
    completeness: list[float]
    points: Any = None  # a ChartResult-like points frame (x, value, centre, limits, special_cause)


@dataclass
class DashView:
    """Everything the screen draws, with no pandas."""

    rows: list[WardRow]
    weeks: list[dt.date]
    aggregates: dict[str, AggregateView]
    funnel: FunnelView
    pdsa_monthly: list[tuple[dt.date, int, int]]
    aim_reduction: float
    end_week: dt.date
    notes: list[str] = field(default_factory=list)
    #: How many of the wards took part in the last complete week and have not submitted it.
    not_submitted: int = 0
    #: Those wards as plain text to copy (`u`), made in the worker: pandas never runs on the UI thread.
    not_submitted_list: str = ""
    #: Wards shown with out-of-date figures (marked "updating") while they are computed again.
    updating: set[str] = field(default_factory=set)
    #: The dashboard's measures in order, each one's label, unit words and aggregate chart.
    measures: tuple[str, ...] = MEASURES
    labels: dict[str, str] = field(default_factory=lambda: dict(MEASURE_HEADERS))
    units: dict[str, str] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else f  # NaN -> None


def build_view(dash: Dashboard) -> DashView:
    """Convert the Dashboard's frames to plain values (run in the worker)."""
    from rrp.reports.dashboard import not_submitted_text, not_submitted_wards

    wards = dash.wards
    # one pass over the grid (a .loc per ward costs ~0.3 s at 2,000 wards); weeks before a ward
    # joined are marked not applicable, not missing
    submitted = completeness_marks(dash.completeness, wards)
    rows = []
    # Only the columns a row shows: a ward's row of `dash.wards` holds ~70 (to_dict of them all
    # was ~0.1 s at 2,000 wards).
    used = ["ward_code", "ward_name", "provider_code", "ward_type", "pdsa_this_month", "pdsa_running", "pdsa_due_for_study",
            "ideas_adopted", "progress_score", "weeks_submitted", "weeks_expected",
            *(f"{m}_{suffix}" for m in dash.measures for suffix in ("rate", "change", "variation", "assurance"))]
    # Column by column (to_dict("records") boxes cell by cell: ~2x slower), the same plain values.
    columns = [c for c in used if c in wards.columns]
    cells = zip(*(wards[c].tolist() for c in columns), strict=True)
    records = (dict(zip(columns, values, strict=True)) for values in cells)
    for i, rec in enumerate(records):
        code = rec["ward_code"]
        flags = submitted.get(code, ())
        rows.append(
            WardRow(
                ward_code=code,
                ward_name=str(rec.get("ward_name") or code),
                provider_code=str(rec.get("provider_code") or ""),
                ward_type=str(rec.get("ward_type") or ""),
                order=i,
                rate={m: _num(rec.get(f"{m}_rate")) for m in dash.measures},
                change={m: _num(rec.get(f"{m}_change")) for m in dash.measures},
                variation={m: rec.get(f"{m}_variation") for m in dash.measures},
                assurance={m: rec.get(f"{m}_assurance") for m in dash.measures},
                pdsa_this_month=int(rec.get("pdsa_this_month") or 0),
                pdsa_running=int(rec.get("pdsa_running") or 0),
                ideas_adopted=int(rec.get("ideas_adopted") or 0),
                progress_score=_num(rec.get("progress_score")),
                weeks_submitted=int(rec.get("weeks_submitted") or 0),
                weeks_expected=int(rec.get("weeks_expected") or 0),
                submitted=flags,
                pdsa_due_for_study=int(rec.get("pdsa_due_for_study") or 0),
            )
        )
    aggregates: dict[str, AggregateView] = {}
    summary = {r["measure"]: r for r in dash.aggregate_summary.to_dict("records")}
    for measure in dash.measures:
        if dash.aggregate.empty:
            break
        if measure not in summary:
            continue  # a count or value measure: no aggregate
        part = dash.aggregate[dash.aggregate["measure"] == measure]
        s = summary.get(measure, {})
        aggregates[measure] = AggregateView(
            measure=measure,
            weeks=[d.date() for d in part["week_start"]],
            rate=[_num(v) for v in part["rate"]],
            centre=[_num(v) for v in part["centre"]],
            lower=[_num(v) for v in part["lower_limit"]],
            upper=[_num(v) for v in part["upper_limit"]],
            special=[str(v or "") for v in part["special_cause"]],
            aim=_num(s.get("aim_rate")),
            baseline_rate=_num(s.get("baseline_rate")),
            recent_rate=_num(s.get("recent_rate")),
            change=_num(s.get("change")),
            variation=s.get("variation_icon"),
            assurance=s.get("assurance_icon"),
            completeness=[float(v) for v in part["completeness"].fillna(0)],
            points=_points_frame(part),
        )
    f = dash.funnel
    c = dash.funnel_curve
    start, end = dash.funnel_period or (dash.weeks[0], dash.weeks[-1])
    funnelled = str(f["measure"].iloc[0]) if not f.empty and "measure" in f else dash.measures[0]
    funnel = FunnelView(
        title=dash.label(funnelled),
        period=f"{start:%d %b} to {end:%d %b %Y}",
        exposure=[float(v) for v in f["exposure"]] if not f.empty else [],
        rate=[float(v) for v in f["rate"]] if not f.empty else [],
        position=[str(v) for v in f["position"]] if not f.empty else [],
        target=float(f["target"].iloc[0]) if not f.empty else None,
        curve_exposure=[float(v) for v in c["exposure"]] if not c.empty else [],
        lower_95=[float(v) for v in c["lower_95"]] if not c.empty else [],
        upper_95=[float(v) for v in c["upper_95"]] if not c.empty else [],
        lower_998=[float(v) for v in c["lower_998"]] if not c.empty else [],
        upper_998=[float(v) for v in c["upper_998"]] if not c.empty else [],
        labels=[str(v) for v in f["unit"]] if not f.empty else [],
    )
    monthly = [
        (r["month"], int(r["started"]), int(r["completed"]))
        for r in dash.pdsa_monthly.to_dict("records")
    ]
    due = not_submitted_wards(dash)  # counted and listed from one list
    return DashView(
        rows=rows,
        weeks=list(dash.weeks),
        aggregates=aggregates,
        funnel=funnel,
        pdsa_monthly=monthly,
        aim_reduction=dash.aim_reduction,
        end_week=dash.end_week,
        notes=list(dash.notes),
        not_submitted=len(due),
        not_submitted_list=not_submitted_text(dash, due),
        updating=set(dash.updating),
        measures=tuple(dash.measures),
        labels={m: dash.label(m) for m in dash.measures},
        units={m: dash.measure(m).unit_text for m in dash.measures},
        charts={m: str(summary[m].get("chart", "uprime")) for m in summary},
    )


def _points_frame(part: Any) -> Any:
    """The aggregate rows with a rate, as a ChartResult-like points frame (built in the worker)."""
    present = part[part["rate"].notna()]
    return present.rename(columns={"rate": "value"}).assign(
        x=[d.date() for d in present["week_start"]]
    )[["x", "value", "centre", "lower_limit", "upper_limit", "special_cause"]].reset_index(drop=True)


def sort_rows(rows: list[WardRow], key: str, reverse: bool = False) -> list[WardRow]:
    """Rows sorted by a SORTS key; blanks always last."""
    def value(row: WardRow) -> float | None:
        if key in row.change:
            return row.change[key]
        if key == "rate":
            return next(iter(row.rate.values()), None)
        if key == "pdsa":
            return float(row.pdsa_this_month)
        if key == "score":
            return row.progress_score
        if key == "weeks":
            return float(row.weeks_submitted)
        return float(row.order)

    present = [r for r in rows if value(r) is not None]
    blank = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: (value(r), r.order), reverse=reverse)
    return present + blank


def change_text(change: float | None) -> str:
    """A change from baseline as a whole percentage in four characters ('+25', '-100'); past
    +999% in thousands ('+12k'), never cut to a wrong number."""
    if change is None:
        return "-"
    percent = 100 * change
    text = f"{percent:+.0f}"
    return text if len(text) <= 4 else f"{percent / 1000:+.0f}k"


def measure_cell(row: WardRow, measure: str, *, rate: bool = True, assurance: bool = True) -> Text:
    """'rate change variation assurance' for one measure (the rate and the assurance letter when
    the layout shows them), icons in MDC colours and letters (colour is never the only cue)."""
    from rrp.reports.dashboard import short_variation

    latest, change = row.rate[measure], row.change[measure]
    text = Text()
    if rate:
        text.append("    - " if latest is None else f"{latest:5.1f} ")
    text.append(f"{change_text(change):>4}")
    variation = row.variation[measure]
    text.append(f" {short_variation(variation):<4}", style=variation_colour(variation))
    if assurance:
        letter = row.assurance[measure]
        text.append(f" {assurance_letter(letter) or ' '}", style=assurance_colour(letter))
    return text


class AggregateChart(SpcChart):
    """The huddle engineer's SPC chart widget plus the collaborative's aim line."""

    aim: float | None = None
    y_label: str = "per 1,000 OBD"

    def _build_key(self) -> tuple[Any, ...]:
        return (*super()._build_key(), self.aim, self.y_label)

    def render(self) -> RenderResult:
        if self.points is None:
            return super().render()
        self.drawn = draw_spc_chart(
            self.plt,
            self.points,
            title=self.title,
            width=self.size.width,
            foreground=self._theme_rgb("foreground") or "default",
            background=self._theme_rgb("surface"),
            y_label=self.y_label,
        )
        if self.aim is not None:
            self.plt.hline(self.aim, _rgb(IMPROVEMENT_COLOUR))
            # Labelled at the right end, clear of the y axis (x is the point index).
            last = max(0, int(self.drawn.get("n", 1)) - 1)
            self.plt.text("aim", x=last, y=self.aim, color=_rgb(IMPROVEMENT_COLOUR), alignment="right")
        return plotext_text(self)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class PackWritten(Message):
    """The pack's worker is done: the files written, or why not."""

    def __init__(self, paths: list[Path], error: str | None) -> None:
        super().__init__()
        self.paths = paths
        self.error = error


class DashboardScreen(ReportsWorkerErrors, Screen[None]):
    """Every ward on one screen, the aggregate, completeness, funnel and PDSA activity."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="dashboard.back"),
        # priority: the table's own (hidden) Enter would otherwise keep this one out of the footer
        Binding("enter", "open_ward", "Open", id="dashboard.open", key_display="⏎", priority=True,
                tooltip="Open the highlighted ward's huddle"),
        Binding("s", "sort", "Sort", id="dashboard.sort", tooltip="Cycle the sort column"),
        # Short labels ('Trust', 'Cols', 'Due') so that every key, u included, fits at 80 columns.
        Binding("p", "provider", "Trust", id="dashboard.provider", tooltip="Cycle the provider (trust) filter"),
        Binding("t", "ward_type", "Type", id="dashboard.type", tooltip="Cycle the ward type filter"),
        Binding("n", "page(1)", "Next", id="dashboard.next", tooltip="Next page of wards"),
        Binding("b", "page(-1)", "Prev", id="dashboard.prev", tooltip="Previous page of wards"),
        Binding("m", "measure", "Measure", id="dashboard.measure", tooltip="Aggregate chart measure"),
        Binding("v", "choose_measures", "Cols", id="dashboard.measures", tooltip="Choose the measures shown as columns"),
        Binding("x", "pack", "Pack", id="dashboard.pack", tooltip="Write the learning-session pack (deck, PDF, charts) or a ward's board"),
        # 'Due' as on the home screen: last week has ended and is not entered (week_status.is_due).
        Binding("u", "not_submitted", "Due", id="dashboard.not_submitted",
                tooltip="The wards that have not submitted last week (due), to copy and chase"),
        Binding("f4", "next_tab(1)", "Tab", id="dashboard.tab",
                tooltip="Next tab: Wards, Aggregate, Completeness, Funnel, PDSA"),
        Binding("shift+f4", "next_tab(-1)", "Previous tab", id="dashboard.tab_previous", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: DashView | None = None
        self.dashboard: Dashboard | None = None
        #: Each ward's row positions in dashboard.ward_points (reports.dashboard.ward_point_rows).
        self.ward_rows: dict[str, Any] = {}
        self.sorted_rows: list[WardRow] = []
        self.sort_index = 0
        self.sort_reverse = False
        self.page = 0
        self.provider: str | None = None
        self.ward_type: str | None = None
        self.providers: list[str] = []
        self.ward_types: list[str] = []
        self.measure = "all_restrictive"
        #: The measures chosen with `v` (None: every measure of the dashboard).
        self.chosen: list[str] | None = None
        self.aggregates_pending = False
        #: What the ward table shows at its width (fit_layout; the richest layout until measured).
        self.ward_layout: WardLayout = LAYOUTS[0]
        #: Set once mounted: the ward table has had the first focus (AUTO_FOCUS).
        self._mounted_once = False
        #: The tab bar, once composed (check_action).
        self._tabs: TabbedContent | None = None
        #: The tab whose keys the footer was last refreshed for (_tab_activated).
        self._bindings_tab: str | None = TABS[0]

    @property
    def AUTO_FOCUS(self) -> str | None:
        """Where the focus goes when nothing has it: the ward table as the screen opens (where
        show_page puts it once painted: the tab bar first was one more focus change, and one more
        footer refresh, while the figures are computed); afterwards (back from a dialog on
        another tab, say) the app's default, as before."""
        return None if self._mounted_once else "#dash-wards"

    @property
    def shown(self) -> list[str]:
        """The measures in the ward table, in the dashboard's order."""
        measures = list(self.view.measures) if self.view is not None else list(MEASURES)
        if self.chosen is None:
            return measures
        return [m for m in measures if m in self.chosen] or measures[:1]

    @property
    def labels(self) -> dict[str, str]:
        return self.view.labels if self.view is not None else MEASURE_HEADERS

    @property
    def sorts(self) -> tuple[tuple[str, str], ...]:
        return sorts_for(self.shown, self.labels)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dashboard"):
            yield Static("Computing the dashboard...", id="dash-status")
            with TabbedContent(id="dash-tabs"):
                with TabPane("Wards", id="tab-wards"):
                    yield DataTable(id="dash-wards", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="dash-ward-reading")
                    yield Static("", id="dash-legend")
                with TabPane("Aggregate", id="tab-aggregate"):
                    yield Static("", id="dash-aggregate-summary")
                    yield AggregateChart(id="dash-aggregate")
                with TabPane("Completeness", id="tab-completeness"):
                    with VerticalScroll():
                        yield CompletenessGrid(id="dash-completeness")
                with TabPane("Funnel", id="tab-funnel"):
                    yield FunnelPlot(id="dash-funnel")
                with TabPane("PDSA", id="tab-pdsa"):
                    with VerticalScroll():
                        yield Static("", id="dash-pdsa")
            yield ProgressBar(id="dash-pack-progress", show_eta=False)
        # Compact, without the palette hint, so every key fits at 80 columns (Ctrl+P still works).
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._mounted_once = True
        table = self.query_one("#dash-wards", DataTable)
        table.fixed_columns = 1
        # the headings while the figures are computed, as they will fit
        self.ward_layout = fit_layout(MEASURES, MEASURE_HEADERS, [], self.table_room(), table.cell_padding)
        fill_table(table, ward_columns(MEASURES, MEASURE_HEADERS, self.ward_layout), [])
        table.header_height = header_lines(MEASURES, MEASURE_HEADERS, self.ward_layout)
        table.tooltip = WARDS_LEGEND.format(recent=RECENT_WEEKS)
        self.query_one("#dash-legend", Static).update(WARDS_LEGEND.format(recent=RECENT_WEEKS))
        start_loading(table)
        self.query_one("#dash-pack-progress", ProgressBar).display = False
        self.compute()

    # -- work ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def compute(self) -> None:
        """Paint the dashboard for the current filters from the wards' stored summaries
        (rrp.reports.summaries), then add the aggregate charts and the funnel. A ward whose
        summary is out of date is painted with the figures it held, marked "updating", and
        computed after that, UPDATE_BATCH wards at a time, its row replaced as its batch is done
        (`update_rows`); the last batch is followed by the whole dashboard, current."""
        from textual.worker import get_current_worker

        from rrp.reports.gc_pause import collection_paused
        from rrp.reports.summaries import add_aggregates, summary_dashboard

        app = self.app
        store = app.store  # type: ignore[attr-defined]
        filters: dict[str, Any] = {"today": app.today, "provider": self.provider,  # type: ignore[attr-defined]
                                   "ward_type": self.ward_type}
        # No cyclic garbage collection until the table is handed over: ~250 collections (a fifth
        # of the time to paint at 2,000 wards) otherwise (rrp.reports.gc_pause).
        with collection_paused():
            try:
                registry = store.registry.wards()  # read once: the filters' choices and the dashboard's wards
                dash = summary_dashboard(store, **filters, aggregates=False, compute_stale=False, registry=registry)
                view = build_view(dash)
                active = [w for w in registry if w.active]
                providers = sorted({w.provider_code for w in active})
                types = sorted({str(w.ward_type) for w in active})
            except Exception as exc:  # noqa: BLE001 - shown to the user
                app.call_from_thread(self.show_error, f"Could not compute the dashboard: {exc}")
                return
            app.call_from_thread(self.show, dash, view, providers, types, {})
        try:
            whole = add_aggregates(store, dash)
            whole_view = build_view(whole)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            app.call_from_thread(self.show_error, f"Could not compute the aggregate: {exc}")
            return
        app.call_from_thread(self.show_aggregates, whole, whole_view)
        if dash.updating:
            self._update_stale(list(dash.updating), filters, providers, types, get_current_worker())

    def _update_stale(
        self, codes: list[str], filters: dict[str, Any], providers: list[str], types: list[str], worker: Any
    ) -> None:
        """In the compute worker: compute and store the out-of-date wards' summaries in batches,
        showing each batch's rows; then the whole dashboard again, current. Stops when the
        filters change (a newer computation cancels this one)."""
        from rrp.reports import figures
        from rrp.reports.summaries import refresh, summary_dashboard

        app = self.app
        store = app.store  # type: ignore[attr-defined]
        end_week = figures.last_complete_week(filters["today"])
        #: Summaries computed that could not be stored (a database this role may not write, or a
        #: ward saved meanwhile): shown as computed, not left marked.
        unstored: dict[str, dict[str, Any]] = {}
        try:
            for start in range(0, len(codes), UPDATE_BATCH):
                if worker.is_cancelled:
                    return
                part = codes[start : start + UPDATE_BATCH]
                computed = refresh(store, part, today=filters["today"])
                unstored.update({c: computed[c] for c in store.summaries.out_of_date(part, end_week) if c in computed})
                batch = summary_dashboard(store, **filters, aggregates=False, compute_stale=False, ward_codes=part,
                                          computed=computed)
                if worker.is_cancelled:
                    return
                app.call_from_thread(self.update_rows, batch, build_view(batch).rows)
            current = summary_dashboard(store, **filters, compute_stale=False, computed=unstored)
            current_view = build_view(current)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            app.call_from_thread(self.show_error, f"Could not compute the figures of the wards that changed: {exc}")
            return
        if not worker.is_cancelled:
            app.call_from_thread(self.show, current, current_view, providers, types, {}, keep_page=True)

    def update_rows(self, batch: Dashboard, rows: list[WardRow]) -> None:
        """A batch of out-of-date wards computed again: their rows (and readings) replace the
        marked ones, in place; the page, the sort and the highlighted row stay."""
        if self.view is None or self.dashboard is None \
                or (self.provider, self.ward_type) != (batch.provider, batch.ward_type):
            return  # the filters changed meanwhile: a newer computation follows
        fresh = {r.ward_code: r for r in rows}
        self.view.rows = [
            dataclasses.replace(fresh[r.ward_code], order=r.order) if r.ward_code in fresh else r
            for r in self.view.rows
        ]
        self.view.updating -= fresh.keys()
        self.dashboard.readings.update(batch.readings)
        self._keeping_cursor(self.resort)

    def _keeping_cursor(self, redraw: Any) -> None:
        """Run `redraw` (which refills the table) with the cursor left on the same row."""
        table = self.query_one("#dash-wards", DataTable)
        row = table.cursor_row
        redraw()
        if 0 < row < table.row_count:
            table.move_cursor(row=row, scroll=False)

    def show_aggregates(self, dash: Dashboard, view: DashView) -> None:
        """The aggregate charts and the funnel, computed after the ward table was painted."""
        if self.view is None or self.dashboard is None or self.dashboard.today != dash.today \
                or (self.provider, self.ward_type) != (dash.provider, dash.ward_type):
            return  # the filters changed meanwhile: a newer computation follows
        self.dashboard, self.aggregates_pending = dash, False
        self.view.aggregates, self.view.funnel, self.view.charts = view.aggregates, view.funnel, view.charts
        if self.measure not in view.aggregates and view.aggregates:
            self.measure = next(iter(view.aggregates))
        self.show_aggregate()
        self.query_one("#dash-funnel", FunnelPlot).show(view.funnel)

    def show_error(self, message: str) -> None:
        stop_loading(self.query_one("#dash-wards", DataTable))
        self.query_one("#dash-status", Static).update(user_text(message, "bold"))

    def show(
        self, dash: Dashboard, view: DashView, providers: list[str], types: list[str], ward_rows: dict[str, Any],
        *, keep_page: bool = False,
    ) -> None:
        """Paint a computed dashboard (keep_page: the same wards again, now current: the page,
        the sort and the highlighted row stay)."""
        self.dashboard, self.view, self.ward_rows = dash, view, ward_rows
        self.providers, self.ward_types = providers, types
        #: The aggregate and funnel follow the ward table (show_aggregates).
        self.aggregates_pending = dash.aggregate.empty and bool(dash.readings)
        if keep_page:
            self._keeping_cursor(self.resort)
        else:
            self.page = 0
            self.resort()
        if self.measure not in view.aggregates and view.aggregates:
            self.measure = next(iter(view.aggregates))
        self.show_aggregate()
        self.query_one("#dash-funnel", FunnelPlot).show(view.funnel)
        self.show_pdsa_monthly()

    # -- drawing -------------------------------------------------------------------------------

    def resort(self) -> None:
        if self.view is None:
            return
        if self.sort_index >= len(self.sorts):
            self.sort_index = 0
        key = self.sorts[self.sort_index][0]
        self.sorted_rows = sort_rows(self.view.rows, key, self.sort_reverse)
        self.show_page()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.sorted_rows) // PAGE_SIZE))

    def page_rows(self) -> list[WardRow]:
        return self.sorted_rows[self.page * PAGE_SIZE : (self.page + 1) * PAGE_SIZE]

    def table_room(self) -> int:
        """The columns the ward table has for its own (less a vertical scrollbar's, kept free so
        a page of 50 wards fits as well as one of 5)."""
        table = self.query_one("#dash-wards", DataTable)
        width = table.size.width or self.size.width or self.app.size.width
        return width - table.styles.scrollbar_size_vertical

    def show_page(self) -> None:
        table = self.query_one("#dash-wards", DataTable)
        rows = self.page_rows()
        updating = self.view.updating if self.view is not None else set()
        self.ward_layout, columns, cells = fitted(self.shown, self.labels, rows, self.table_room(),
                                                  table.cell_padding, updating=updating)
        table.header_height = header_lines(self.shown, self.labels, self.ward_layout)
        fill_table(table, columns, [(row.ward_code, row_cells) for row, row_cells in zip(rows, cells, strict=True)])
        stop_loading(table)
        self.show_ward_reading()
        if self.query_one("#dash-tabs", TabbedContent).active == "tab-wards" and not table.has_focus:
            table.focus()  # the loading overlay took the focus away
        self.update_status()
        self.refresh_bindings()  # n / b only when there is more than one page
        if self.view is not None:
            self.query_one("#dash-completeness", CompletenessGrid).show(
                self.view.weeks, [(r.ward_name, r.submitted) for r in rows]
            )
            self.show_pdsa_monthly()

    def update_status(self) -> None:
        if self.view is None:
            return
        label, reverse = self.sorts[self.sort_index][1], " (reversed)" if self.sort_reverse else ""
        behind = sum(1 for r in self.view.rows if r.weeks_submitted < r.weeks_expected)
        # One line at 120 columns: only the filters set are named, the page only when there are
        # several, and the wards not in last week after those that missed a week.
        filters = [f"provider {self.provider}"] if self.provider else []
        if self.ward_type:
            filters.append(f"type {TYPE_SHORT.get(self.ward_type, self.ward_type)}")
        count = len(self.view.rows)
        parts = [
            f"{count} ward{'' if count == 1 else 's'} ({', '.join(filters) or 'no filter'})",
            f"sort: {label}{reverse}",
            *([f"page {self.page + 1}/{self.pages}"] if self.pages > 1 else []),
            f"to {self.view.end_week:%d %b %Y}",
            f"aim -{self.view.aim_reduction:.0%}",
            f"{behind} missed a week"
            # counted in the worker (build_view): no pandas here
            + (f", {self.view.not_submitted} the last (u)" if self.dashboard is not None else ""),
        ]
        if self.view.updating:
            count = len(self.view.updating)
            parts.append(f"updating the figures of {count} ward{'' if count == 1 else 's'} whose data changed")
        # at 80 columns it breaks between parts, never inside one ('8 | missed a week')
        width = (self.size.width or self.app.size.width) - 2  # the status's padding: 0 1
        lines = status_lines(parts, width)
        lines[-1] += "  " + " ".join(self.view.notes) if self.view.notes else ""
        self.query_one("#dash-status", Static).update(Text("\n").join(user_text(line) for line in lines))

    def show_aggregate(self) -> None:
        if self.view is None:
            return
        summary = self.query_one("#dash-aggregate-summary", Static)
        agg = self.view.aggregates.get(self.measure)
        if agg is None:
            summary.update("Computing the collaborative's charts..." if self.aggregates_pending else "No data yet.")
            return
        from rrp.reports.icons_text import assurance_text, variation_text

        text = Text()
        unit = self.view.units.get(self.measure, "per 1,000 occupied bed days")
        unit = "per 1,000 OBD" if unit.startswith("per 1,000") else unit
        text.append(f"{self.labels.get(self.measure, self.measure)}: ", style="bold")
        if agg.baseline_rate is not None:
            text.append(f"baseline {agg.baseline_rate:.1f}, ")
        if agg.recent_rate is not None:
            text.append(f"last 12 weeks {agg.recent_rate:.1f} ")
        if agg.change is not None:
            text.append(f"({agg.change:+.0%}) ")
        if agg.aim is not None:
            text.append(f"aim {agg.aim:.1f}{'' if unit.startswith('%') else ' '}{unit}. ")
        text.append(variation_text(agg.variation), style=variation_colour(agg.variation))
        if agg.assurance:
            text.append("; ")
            text.append(
                assurance_text(agg.assurance),
                style=assurance_colour(agg.assurance),
            )
        if self.dashboard is not None:
            from rrp.reports.dashboard import aggregate_reading

            text.append("\n")
            text.append_text(reading_rich(aggregate_reading(self.dashboard, self.measure)))
        text.append(f"\nCompleteness (last 12 weeks): {sparkline(agg.completeness[-12:])}", style="dim")
        text.append("   m: next measure", style="dim")
        summary.update(text)
        chart = self.query_one("#dash-aggregate", AggregateChart)
        chart.aim = agg.aim
        from rrp.reports.figures import CHART_NAMES

        kind = CHART_NAMES.get(self.view.charts.get(agg.measure, "uprime"), "u' chart")
        title = f"Collaborative {self.labels.get(agg.measure, agg.measure).lower()} {unit} ({kind}), aim dashed blue"
        chart.y_label = unit
        chart.show_chart(agg.points, title=title)

    def on_resize(self) -> None:
        self.show_pdsa_monthly()  # side by side, or stacked below 100 columns
        self.update_status()  # its lines break between parts at the new width
        if self.view is not None:  # the ward table's columns follow the width (fit_layout)
            self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        table = self.query_one("#dash-wards", DataTable)
        layout = fit_layout(self.shown, self.labels, self.page_rows(), self.table_room(), table.cell_padding)
        if layout != self.ward_layout:
            row = table.cursor_row
            self.show_page()
            table.move_cursor(row=row)

    def show_pdsa_monthly(self) -> None:
        if self.view is None:
            return
        months = Table(title="PDSA cycles per month", box=None, title_justify="left")
        months.add_column("Month", no_wrap=True)
        months.add_column("Started", justify="right")
        months.add_column("Completed", justify="right")
        months.add_column("")
        top = max([max(s, c) for _, s, c in self.view.pdsa_monthly] or [1]) or 1
        for month, started, completed in self.view.pdsa_monthly[-12:]:
            bar = Text("\u2588" * round(12 * started / top), style="bold")
            bar.append("\u2588" * round(12 * completed / top), style="dim")
            months.add_row(f"{month:%b %Y}", str(started), str(completed), bar)
        adopted = Table(title="Per ward (this page)", box=None, title_justify="left")
        adopted.add_column("Ward", no_wrap=True)
        adopted.add_column("This month", justify="right")
        adopted.add_column("Running", justify="right")
        adopted.add_column("Due for Study", justify="right")
        adopted.add_column("Ideas adopted", justify="right")
        for row in self.page_rows():
            adopted.add_row(
                user_text(row.ward_name), str(row.pdsa_this_month), str(row.pdsa_running),
                str(row.pdsa_due_for_study), str(row.ideas_adopted),
            )
        grid = Table.grid(padding=(0, 4))
        if self.size.width >= 100:
            grid.add_row(months, adopted)
        else:  # side by side they would wrap every cell at 80 columns: one above the other
            grid.add_row(months)
            grid.add_row("")
            grid.add_row(adopted)
        self.query_one("#dash-pdsa", Static).update(grid)

    # -- actions ------------------------------------------------------------------------------

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(self.sorts)
        self.sort_reverse = False
        self.page = 0
        self.resort()

    @on(DataTable.HeaderSelected, "#dash-wards")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        for i, (name, _) in enumerate(self.sorts):
            if name == key:
                if i == self.sort_index:
                    self.sort_reverse = not self.sort_reverse
                else:
                    self.sort_index, self.sort_reverse = i, False
                self.page = 0
                self.resort()
                return

    def _cycle(self, current: str | None, options: list[str]) -> str | None:
        choices: list[str | None] = [None, *options]
        i = choices.index(current) if current in choices else 0
        return choices[(i + 1) % len(choices)]

    def action_provider(self) -> None:
        self.provider = self._cycle(self.provider, self.providers)
        self.refilter()

    def action_ward_type(self) -> None:
        self.ward_type = self._cycle(self.ward_type, self.ward_types)
        self.refilter()

    def refilter(self) -> None:
        start_loading(self.query_one("#dash-wards", DataTable))
        self.query_one("#dash-status", Static).update(
            user_text(f"Computing for provider {self.provider or 'all'}, type {self.ward_type or 'all'}...")
        )
        self.compute()

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one("#dash-tabs", TabbedContent)
        index = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(index + step) % len(TABS)]

    @on(TabbedContent.TabActivated, "#dash-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Keys that only make sense on some tabs come and go; the cursor follows the tab."""
        pane = event.pane
        if pane.id != self._bindings_tab:  # not the first tab's first showing: the keys are right
            self._bindings_tab = pane.id
            self.refresh_bindings()
        if pane.id == "tab-wards":
            self.query_one("#dash-wards", DataTable).focus()
        else:
            scroll = pane.query(VerticalScroll)
            if scroll:
                scroll.first().focus()  # so the arrow keys scroll a long tab

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Asked for every key at every footer refresh (~100 times while the dashboard opens): the
        # tab bar is looked up once, not the whole screen searched each time.
        if self._tabs is None:
            found = self.query("#dash-tabs")
            if not found:
                return True
            self._tabs = found.first(TabbedContent)
        # the first tab until the tab bar says (it is the one shown first)
        active = self._tabs.active or TABS[0]
        if action == "page":
            return self.pages > 1
        if action == "measure":
            return active == "tab-aggregate"
        if action == "sort":
            return active in ("tab-wards", "tab-completeness", "tab-pdsa")
        if action == "open_ward":
            return active == "tab-wards"
        return True

    def action_page(self, step: int) -> None:
        new = min(max(0, self.page + step), self.pages - 1)
        if new != self.page:
            self.page = new
            self.show_page()

    def action_choose_measures(self) -> None:
        """Choose the measures in the ward table (a checklist: Space ticks, Enter applies)."""
        if self.view is None:
            return
        from rrp.screens.measure_choice import MeasureChoice

        def chosen(codes: list[str] | None) -> None:
            if codes is None:
                return
            self.chosen = codes if set(codes) != set(self.view.measures) else None
            self.sort_index, self.page = 0, 0
            self.resort()

        options = [(self.view.labels.get(m, m), m) for m in self.view.measures]
        self.app.push_screen(MeasureChoice(options, self.shown), chosen)

    def action_measure(self) -> None:
        if self.view is None or not self.view.aggregates:
            return
        keys = list(self.view.aggregates)
        self.measure = keys[(keys.index(self.measure) + 1) % len(keys)] if self.measure in keys else keys[0]
        self.show_aggregate()

    @on(DataTable.RowHighlighted, "#dash-wards")
    def _row_highlighted(self) -> None:
        self.show_ward_reading()

    def show_ward_reading(self) -> None:
        """The highlighted ward's headline chart read out in words, under the table."""
        ward = self.selected_ward()
        target = self.query_one("#dash-ward-reading", Static)
        if ward is None or self.dashboard is None:
            target.update("")
            return
        from rrp.reports.dashboard import ward_reading

        row = next(r for r in self.page_rows() if r.ward_code == ward)
        text = Text(f"{row.ward_name}: ", style="bold")
        if self.dashboard.readings:  # painted from the wards' summaries: the reading is kept there
            lines = self.dashboard.readings.get(ward, [])
        else:
            rows = self.ward_rows.get(ward)
            points = self.dashboard.ward_points.iloc[rows] if rows is not None else self.dashboard.ward_points.iloc[:0]
            lines = ward_reading(self.dashboard, ward, points=points)
        text.append_text(reading_rich(lines))
        left_out = self.left_out(row)
        if left_out:
            text.append(" " + left_out)
        target.update(text)

    def left_out(self, row: WardRow) -> str:
        """The highlighted ward's figures the table's layout leaves out at this width, in words."""
        parts = []
        if "pdsa" not in self.ward_layout.extras:
            parts.append(f"PDSA: {row.pdsa_this_month} started this month, {row.pdsa_running} running.")
        if "score" not in self.ward_layout.extras and row.progress_score is not None:
            parts.append(f"Progress score {row.progress_score:.1f}.")
        if "weeks" not in self.ward_layout.extras:
            parts.append(f"Weeks in: {row.weeks_submitted} of {row.weeks_expected}.")
        return " ".join(parts)

    def selected_ward(self) -> str | None:
        table = self.query_one("#dash-wards", DataTable)
        rows = self.page_rows()
        if not rows or not 0 <= table.cursor_row < len(rows):
            return None
        return rows[table.cursor_row].ward_code

    @on(DataTable.RowSelected, "#dash-wards")
    def _row_selected(self) -> None:
        self.open_ward()

    def action_open_ward(self) -> None:
        self.open_ward()

    def open_ward(self) -> None:
        ward = self.selected_ward()
        if not ward:
            return
        try:  # the huddle screen once it is registered, else the week's entry
            self.app.open_screen("huddle", ward_code=ward)  # type: ignore[attr-defined]
        except KeyError:
            self.app.open_screen("week_entry", ward_code=ward)  # type: ignore[attr-defined]

    def action_not_submitted(self) -> None:
        """`u`: the wards (of the filters shown) that have not submitted last week, to copy."""
        from rrp.screens.not_submitted import NotSubmittedScreen

        if self.dashboard is None or self.view is None:
            self.notify("The dashboard is still computing.", severity="warning")
            return
        if self.view is not None and self.view.updating:
            self.notify("Some wards' figures are still updating: the list follows once they are done.",
                        severity="warning")
            return
        self.app.push_screen(NotSubmittedScreen(self.view.not_submitted_list, self.view.not_submitted))

    def action_pack(self) -> None:
        """Ask where to write the pack (screens/pack_folder.py), then write it in a worker."""
        from rrp.screens.pack_folder import PackFolderScreen

        if self.dashboard is None:
            self.notify("The dashboard is still computing.", severity="warning")
            return
        ward = self.selected_ward()
        name = None
        if ward:
            rows = self.dashboard.wards[self.dashboard.wards["ward_code"] == ward]
            name = str(rows.iloc[0]["ward_name"]) if not rows.empty else ward
        self.app.push_screen(PackFolderScreen(self.app.today, ward, name), self._pack_chosen)  # type: ignore[attr-defined]

    def _pack_chosen(self, request: Any) -> None:
        if request is None or self.dashboard is None:
            return
        bar = self.query_one("#dash-pack-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.write_pack(self.dashboard, request)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-pack")
    def write_pack(self, dash: Dashboard, request: Any) -> None:
        """The deck, the PDF, the charts and index.html (or one ward's board) for the dashboard's
        filters; the result is posted as a PackWritten message."""
        from rrp.reports.pack_content import pack_content, pack_dashboard, read_pack_inputs
        from rrp.reports.pack_files import write_learning_session, write_ward_board

        bar = self.query_one("#dash-pack-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        database = self.app.db_path  # type: ignore[attr-defined]
        try:
            inputs = read_pack_inputs(self.app.store)  # type: ignore[attr-defined]
            # every measure's points and the annotations: the pack draws every ward's charts
            full = pack_dashboard(inputs, today=dash.today, provider=dash.provider, ward_type=dash.ward_type)
            if request.ward:
                content = pack_content(full, inputs.annotations, synthetic=inputs.synthetic, wards=[request.ward])
                written = [write_ward_board(content, request.ward, request.folder, database=database)]
            else:
                content = pack_content(full, inputs.annotations, synthetic=inputs.synthetic)
                written = write_learning_session(
                    content, request.folder, database=database, progress=progress, dash=full
                )
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(PackWritten([], str(exc)))
            return
        self.post_message(PackWritten(written, None))

    def on_pack_written(self, message: PackWritten) -> None:
        self.query_one("#dash-pack-progress", ProgressBar).display = False
        if message.error:
            self.notify(f"Could not write the pack: {message.error}", severity="error")
        elif len(message.paths) == 1:
            self.notify(f"Ward board written: {message.paths[0]}")
        else:
            self.notify(f"Learning-session pack written in {message.paths[0].parent}: "
                        + ", ".join(p.name for p in message.paths))
