"""The learning-session pack as files a facilitator opens: a PowerPoint deck
(`learning-session.pptx`, python-pptx) and a PDF (`learning-session.pdf`, matplotlib's PdfPages),
and a ward's own A4 board (`board-<ward>.pdf`) for its huddle board. What goes in is
rrp.reports.pack_content's `PackContent`: this module only lays it out.

Order of the deck and the PDF: a title page with the key (colours, shapes, letters, markers), the
collaborative aggregate of each measure against the aim, the funnel with every ward labelled,
completeness, PDSA activity, then per ward one page per measure. A chart page carries the chart
(signals in Making Data Count colours and shapes, the variation and assurance icons as coloured
circles with their letters, markers P/A/R/N at the weeks they happened), the figures in one line,
the chart read out in words and the markers listed with their dates and texts. The demo's pack says
SYNTHETIC on every page and slide.

Text in the deck is real text (a person can search it and a test can read it back); in the PDF it
is drawn as text too. User text (names, annotation texts) is drawn with mathtext off
(rrp.reports.pack.PLAIN_TEXT_RC). matplotlib and python-pptx are imported inside the functions.
Every file goes through rrp's one writer (rrp.store.output_file).
"""

from __future__ import annotations

import io
import re
import textwrap
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rrp.reports.figures import NOT_APPLICABLE_MARK, NOT_TAKING_PART
from rrp.reports.icons_text import (
    COMMON_COLOUR,
    CONCERN_COLOUR,
    IMPROVEMENT_COLOUR,
    LETTERS_LEGEND,
    NEITHER_COLOUR,
    SHAPES_LEGEND,
    assurance_letter,
    assurance_text,
    signal_colour,
    variation_colour,
    variation_kind,
    variation_letter,
    variation_text,
)
from rrp.reports.pack import PLAIN_TEXT_RC, SIGNAL_MARKERS
from rrp.reports.pack_content import MARKERS_LEGEND, marker_line
from rrp.reports.reading import reading_text
from rrp.store.output_file import check_output, check_output_folder, output_path

if TYPE_CHECKING:
    from rrp.reports.dashboard import Dashboard
    from rrp.reports.pack_content import ChartContent, PackContent, WardContent

Progress = Callable[[int, int], None]

DECK_NAME = "learning-session.pptx"
PDF_NAME = "learning-session.pdf"
#: Landscape pages: the deck's 16:9 slide and the PDF's A4.
SLIDE_INCHES = (13.333, 7.5)
A4_LANDSCAPE = (11.69, 8.27)
A4_PORTRAIT = (8.27, 11.69)
#: At most this many markers listed beside a chart (the latest; the rest counted).
MARKERS_LISTED = 12
BANNER_COLOUR = "#d5281b"
TITLE = "Reducing Restrictive Practice collaborative: learning session"
KEY_LINES = (
    "Grey line: the weekly value. Solid line: the centre (mean). Dashed lines: the usual range"
    " (control limits). Blue dotted line: the aim.",
    "Blue: special cause improvement. Orange: special cause concern. Purple: special cause neither."
    " Grey: common cause (the usual ups and downs).",
    f"Shapes: {SHAPES_LEGEND.replace(chr(0x25a0), 'square').replace(chr(0x25b2), 'triangle').replace(chr(0x25c6), 'diamond')}."
    " Circles top right: the variation icon (H high, L low) and the assurance icon (P pass, F fail, ? hit and miss).",
    f"Icon letters: {LETTERS_LEGEND}.",
    f"Markers on the charts: {MARKERS_LEGEND}. Each chart lists its markers with their dates.",
    "For learning, not for ranking: compare a ward with its own past first.",
)


def board_name(ward_code: str) -> str:
    """The file name of a ward's board: 'board-erc-oak.pdf'."""
    return f"board-{re.sub(r'[^a-z0-9]+', '-', ward_code.lower()).strip('-') or 'ward'}.pdf"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run `fn` with user text drawn as text and matplotlib's drawing warnings kept off the terminal."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context(PLAIN_TEXT_RC), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args, **kwargs)

    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    return wrapper


# -- drawing one chart -----------------------------------------------------------------------------


def _icon_colour_assurance(icon: str | None) -> str:
    return {"pass": IMPROVEMENT_COLOUR, "fail": CONCERN_COLOUR}.get(icon or "", COMMON_COLOUR)


def draw_chart(ax: Any, chart: ChartContent, *, small: bool = False) -> None:
    """One SPC chart on `ax`: value, centre, limits, signals (colour and shape), aim, the markers
    (a letter at the top of a light vertical line) and the two icons as lettered circles."""
    pts = chart.points
    size = 7 if small else 8
    if pts.empty:
        ax.text(0.5, 0.5, "No weeks to chart yet", transform=ax.transAxes, ha="center", va="center",
                fontsize=size + 2, color="#555555")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    import matplotlib.dates as mdates

    # Dates as plain numbers with a few month ticks set here: matplotlib's automatic date
    # locator costs more than the rest of the chart.
    x = mdates.date2num(pts["x"])
    ax.plot(x, pts["value"], color=COMMON_COLOUR, linewidth=1.1, marker="o", markersize=2.5, zorder=2)
    ax.plot(x, pts["centre"], color="#333333", linewidth=1.0, zorder=2)
    ax.plot(x, pts["upper_limit"], color="#777777", linewidth=0.8, linestyle="--", zorder=2)
    ax.plot(x, pts["lower_limit"], color="#777777", linewidth=0.8, linestyle="--", zorder=2)
    handles = []
    for kind in ("improvement", "concern", "neither"):
        flagged = (pts["special_cause"] == kind).to_numpy()
        if flagged.any():
            handles.append(ax.scatter(
                x[flagged], pts["value"][flagged], color=signal_colour(kind), s=22 if small else 30, zorder=4,
                marker=SIGNAL_MARKERS[kind], edgecolors="#333333", linewidths=0.4, label=kind,
            ))
    if chart.aim is not None:
        handles.append(ax.axhline(chart.aim, color=IMPROVEMENT_COLOUR, linewidth=1.2, linestyle=":",
                                  label=f"aim {chart.aim:.1f}", zorder=3))
    top = max(float(pts[["value", "upper_limit"]].max().max()), chart.aim or 0.0)
    top = top if top == top and top > 0 else 1.0
    ax.set_ylim(0, top * 1.22)  # room above for the marker letters
    # markers: a light line and the letter at the top; letters on the same week stack sideways
    placed: dict[Any, int] = {}
    for marker in chart.markers:
        n = placed.get(marker.x, 0)
        placed[marker.x] = n + 1
        at = mdates.date2num(marker.x)
        ax.axvline(at, color="#bbbbbb", linewidth=0.7, zorder=1)
        ax.annotate(
            marker.label, (at, 1.0), xycoords=("data", "axes fraction"), xytext=(n * 8, -2),
            textcoords="offset points", ha="center", va="top", fontsize=size, fontweight="bold",
            color="#222222", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "#888888", "lw": 0.5},
            zorder=5,
        )
    ax.set_ylabel(chart.unit or "value", fontsize=size)
    _month_ticks(ax, pts["x"].iloc[0], pts["x"].iloc[-1])
    ax.set_xlim(x[0] - 7, x[-1] + 7)  # room for the first and last points' shapes
    ax.tick_params(labelsize=size)
    ax.grid(alpha=0.2)
    if handles:
        # above the plot, on the left (the icons are on the right): never over a point
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=size - 1, frameon=False,
                  ncol=4, borderaxespad=0.2)
    _icons(ax, chart, size)


def _month_ticks(ax: Any, first: Any, last: Any, most: int = 7) -> None:
    """Ticks on the first of a month, at most `most` of them, labelled 'Jan 2026'."""
    import matplotlib.dates as mdates
    import pandas as pd

    months = pd.date_range(pd.Timestamp(first).to_period("M").to_timestamp(), pd.Timestamp(last), freq="MS")
    months = months[months >= pd.Timestamp(first)] if len(months) > 1 else months
    step = max(1, -(-len(months) // most))
    chosen = months[::step]
    ax.set_xticks(mdates.date2num(chosen), [f"{m:%b %Y}" for m in chosen])


def _letter_colour(fill: str) -> str:
    """White on the dark fills (blue, purple), near-black on the light ones (orange, grey)."""
    return "#ffffff" if fill in (IMPROVEMENT_COLOUR, NEITHER_COLOUR) else "#111111"


def _icons(ax: Any, chart: ChartContent, size: int) -> None:
    """The variation and assurance icons as lettered circles above the top right of the plot."""
    variation, assurance = chart.variation_icon, chart.assurance_icon
    icons = [
        (variation_colour(variation) if variation else COMMON_COLOUR,
         variation_letter(variation) if variation else "", "variation" if variation else "no icon"),
        (_icon_colour_assurance(assurance), assurance_letter(assurance) if assurance else "",
         "assurance" if assurance else "no icon"),
    ]
    if variation and variation_kind(variation) == "neither":
        icons[0] = (NEITHER_COLOUR, icons[0][1], icons[0][2])
    for i, (colour, letter, _) in enumerate(reversed(icons)):
        ax.annotate(
            letter or "-", (1.0, 1.0), xycoords="axes fraction", xytext=(-10 - i * 24, 10),
            textcoords="offset points", ha="center", va="center", fontsize=size + 1, fontweight="bold",
            color=_letter_colour(colour) if letter else "#333333",
            bbox={"boxstyle": "circle,pad=0.3", "fc": colour, "ec": "#333333", "lw": 0.6},
            annotation_clip=False,
        )


# -- the PDF ----------------------------------------------------------------------------------------


def _banner(fig: Any, content: PackContent, y: float = 0.985) -> None:
    if content.banner:
        fig.text(0.99, y, content.banner, ha="right", va="top", fontsize=11, fontweight="bold",
                 color="white", bbox={"boxstyle": "square,pad=0.3", "fc": BANNER_COLOUR, "ec": BANNER_COLOUR})


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False)) or ""


def _marker_lines(chart: ChartContent, limit: int = MARKERS_LISTED) -> list[str]:
    lines = [marker_line(m) for m in chart.markers]
    if len(lines) > limit:
        hidden = len(lines) - (limit - 1)
        lines = [f"({hidden} earlier markers not listed)"] + lines[-(limit - 1):]
    return lines


def _footer(fig: Any, content: PackContent, page: str) -> None:
    fig.text(0.01, 0.01, f"Weeks to {content.end_week:%d %b %Y}; {content.scope}. {page}",
             fontsize=7, color="#555555", va="bottom")


def _chart_page(plt: Any, content: PackContent, chart: ChartContent, heading: str, page: str) -> Any:
    """An A4 landscape page: heading, chart, markers listed on the right, figures and reading below."""
    fig = plt.figure(figsize=A4_LANDSCAPE)
    _banner(fig, content)
    fig.text(0.03, 0.955, heading, fontsize=15, fontweight="bold", va="top")
    fig.text(0.03, 0.915, chart.chart, fontsize=9, color="#555555", va="top")
    ax = fig.add_axes((0.08, 0.36, 0.62, 0.5))
    draw_chart(ax, chart)
    lines = _marker_lines(chart, 16)
    side = "Markers\n" + ("\n".join(_wrap(line, 40) for line in lines) if lines else "none on this chart")
    fig.text(0.73, 0.86, side, fontsize=7.5, va="top", linespacing=1.3)
    x = 0.03
    for text, colour, _ in _icon_runs(chart):  # the icons in words, in their colours
        fig.text(x, 0.3, text, fontsize=10, fontweight="bold", va="top", color=colour or "#222222")
        x += len(text) * 0.0075
    fig.text(0.03, 0.265, _wrap(chart.summary, 150), fontsize=9, va="top", color="#222222")
    fig.text(0.03, 0.17, _wrap(reading_text(chart.reading), 120), fontsize=11, va="top", fontweight="bold",
             color="#111111")
    _footer(fig, content, page)
    return fig


def _title_page(plt: Any, content: PackContent, heading: str, subtitle: str, size: tuple[float, float]) -> Any:
    fig = plt.figure(figsize=size)
    _banner(fig, content)
    fig.text(0.05, 0.85, _wrap(heading, 60), fontsize=20, fontweight="bold", va="top")
    fig.text(0.05, 0.72, subtitle, fontsize=12, va="top", color="#333333")
    key = "\n".join(_wrap(line, 110 if size[0] > size[1] else 80) for line in KEY_LINES)
    fig.text(0.05, 0.6, "How to read the charts\n" + key, fontsize=10, va="top", linespacing=1.5)
    return fig


def _funnel_page(plt: Any, content: PackContent, size: tuple[float, float] = A4_LANDSCAPE) -> Any:
    fig = plt.figure(figsize=size)
    _banner(fig, content)
    fig.text(0.03, 0.955, content.funnel_title or "Funnel", fontsize=15, fontweight="bold", va="top")
    fig.text(0.03, 0.915, "For learning, not for ranking. Each ward's rate over the recent weeks against"
             " Poisson limits around the pooled rate.", fontsize=9, color="#555555", va="top")
    ax = fig.add_axes((0.08, 0.12, 0.88, 0.74))
    draw_funnel(ax, content)
    _footer(fig, content, "Funnel")
    return fig


def draw_funnel(ax: Any, content: PackContent) -> None:
    """The funnel: 95% and 99.8% limits, the pooled rate, every ward a point labelled with its name."""
    f, c = content.funnel, content.funnel_curve
    if f.empty:
        ax.text(0.5, 0.5, "No funnel: no weeks with bed days", transform=ax.transAxes, ha="center")
        return
    if not c.empty:
        ax.plot(c["exposure"], c["upper_998"], color="#555555", linewidth=1, label="99.8% limits")
        ax.plot(c["exposure"], c["lower_998"], color="#555555", linewidth=1)
        ax.plot(c["exposure"], c["upper_95"], color="#999999", linewidth=1, linestyle="--", label="95% limits")
        ax.plot(c["exposure"], c["lower_95"], color="#999999", linewidth=1, linestyle="--")
    ax.axhline(float(f["target"].iloc[0]), color="#333333", linewidth=1, label="pooled rate")
    for kind, shape, colour, words in (
        ("above", "^", CONCERN_COLOUR, "above the limits"),
        ("below", "s", IMPROVEMENT_COLOUR, "below the limits"),
        ("inside", "o", COMMON_COLOUR, "inside the limits"),
    ):
        rows = f[f["position"].astype(str).str.startswith(kind)]
        if not rows.empty:
            ax.scatter(rows["exposure"], rows["rate"], marker=shape, color=colour, edgecolors="#333333",
                       linewidths=0.4, s=34, zorder=3, label=words)
    from rrp.reports.user_text import visible

    labels = f.sort_values("rate").reset_index(drop=True)
    for i, row in labels.iterrows():
        name = visible(row.get("ward_name") or row["unit"])
        ax.annotate(name[:28], (row["exposure"], row["rate"]), fontsize=6.5, xytext=(4, (i % 3 - 1) * 5),
                    textcoords="offset points", va="center")
    ax.set_xlabel("occupied bed days in the period", fontsize=9)
    ax.set_ylabel("per 1,000 occupied bed days", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.2)
    ax.legend(loc="upper right", fontsize=8, frameon=True, framealpha=0.9)


#: The completeness marks: submitted, not submitted, not applicable (before the ward joined).
SUBMITTED_MARK, MISSING_MARK = "\u25a0", "\u25a1"


def completeness_marks_text(marks: Sequence[bool | None]) -> str:
    """One mark per week (rrp.reports.figures.completeness_marks): a filled square submitted, an
    open square not, an en dash for a week before the ward joined (never missing)."""
    return "".join(NOT_APPLICABLE_MARK if ok is None else SUBMITTED_MARK if ok else MISSING_MARK for ok in marks)


def completeness_rows(content: PackContent, wards: Sequence[WardContent] | None = None) -> list[list[str]]:
    """Completeness as rows: ward, provider, weeks submitted of expected (due), one mark per
    week (`completeness_marks_text`)."""
    return [
        [w.ward_name, w.provider_code, f"{w.weeks_submitted}/{w.weeks_expected}", completeness_marks_text(w.submitted)]
        for w in (wards if wards is not None else content.wards)
    ]


def pdsa_rows(content: PackContent, wards: Sequence[WardContent] | None = None) -> list[list[str]]:
    """PDSA activity per ward: started this month, running, due for Study, ideas adopted."""
    return [
        [w.ward_name, w.provider_code, str(w.pdsa_this_month), str(w.pdsa_running), str(w.pdsa_due_for_study),
         str(w.ideas_adopted)]
        for w in (wards if wards is not None else content.wards)
    ]


COMPLETENESS_HEADINGS = [
    "Ward", "Provider", "Weeks",
    f"Last weeks ({SUBMITTED_MARK} submitted, {MISSING_MARK} not, {NOT_APPLICABLE_MARK} {NOT_TAKING_PART})",
]
PDSA_HEADINGS = ["Ward", "Provider", "Started this month", "Running", "Due for Study", "Ideas adopted"]
#: Rows of a table on one page or slide.
TABLE_ROWS = 20


def _table_page(
    plt: Any, content: PackContent, heading: str, note: str, headings: list[str], rows: list[list[str]], page: str,
    widths: list[float] | None = None, chart: Callable[[Any], None] | None = None,
) -> Any:
    fig = plt.figure(figsize=A4_LANDSCAPE)
    _banner(fig, content)
    fig.text(0.03, 0.955, heading, fontsize=15, fontweight="bold", va="top")
    fig.text(0.03, 0.915, note, fontsize=9, color="#555555", va="top")
    if chart is not None:
        ax = fig.add_axes((0.08, 0.6, 0.86, 0.26))
        chart(ax)
        box = (0.03, 0.05, 0.94, 0.48)
    else:
        box = (0.03, 0.05, 0.94, 0.83)
    ax = fig.add_axes(box)
    ax.axis("off")
    if rows:
        table = ax.table(cellText=rows, colLabels=headings, loc="upper left", cellLoc="left", colLoc="left",
                         colWidths=widths)
        table.auto_set_font_size(False)
        table.set_fontsize(8)
        table.scale(1, 1.25)
        for (r, _), cell in table.get_celld().items():
            cell.set_edgecolor("#cccccc")
            if r == 0:
                cell.set_text_props(fontweight="bold")
                cell.set_facecolor("#eeeeee")
    _footer(fig, content, page)
    return fig


def draw_pdsa_monthly(ax: Any, content: PackContent) -> None:
    """PDSA cycles started and completed per month (the last 12 months with any), as bars."""
    monthly = content.pdsa_monthly.tail(12)
    if monthly.empty:
        ax.text(0.5, 0.5, "No PDSA cycles yet", transform=ax.transAxes, ha="center")
        ax.axis("off")
        return
    import numpy as np

    x = np.arange(len(monthly))
    ax.bar(x - 0.2, monthly["started"], width=0.4, color=IMPROVEMENT_COLOUR, label="started", hatch="//",
           edgecolor="#333333", linewidth=0.4)
    ax.bar(x + 0.2, monthly["completed"], width=0.4, color=COMMON_COLOUR, label="completed",
           edgecolor="#333333", linewidth=0.4)
    for i, (s, c) in enumerate(zip(monthly["started"], monthly["completed"], strict=True)):
        ax.annotate(str(int(s)), (i - 0.2, s), ha="center", va="bottom", fontsize=7)
        ax.annotate(str(int(c)), (i + 0.2, c), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, [f"{m:%b %Y}" for m in monthly["month"]], fontsize=7)
    ax.set_ylabel("cycles", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.set_ylim(0, max(1, float(monthly[["started", "completed"]].max().max())) * 1.25)
    ax.grid(alpha=0.2, axis="y")


def _chunks(rows: list[list[str]], size: int = TABLE_ROWS) -> list[list[list[str]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


def _pages(content: PackContent) -> list[tuple[str, Callable[[Any], Any]]]:
    """Every page of the PDF as (name, page maker)."""
    subtitle = (f"Weeks to {content.end_week:%d %B %Y}; {content.scope}. "
                f"Aim: a {content.aim_reduction:.0%} reduction. Rates per 1,000 occupied bed days.")
    pages: list[tuple[str, Callable[[Any], Any]]] = [
        ("title", lambda plt: _title_page(plt, content, TITLE, subtitle, A4_LANDSCAPE)),
    ]
    for chart in content.aggregates:
        pages.append((chart.title, lambda plt, c=chart: _chart_page(plt, content, c, c.title, "Collaborative aggregate")))
    pages.append(("funnel", lambda plt: _funnel_page(plt, content)))
    weeks = f"{content.weeks[0]:%d %b} to {content.weeks[-1]:%d %b %Y}" if content.weeks else ""
    for i, rows in enumerate(_chunks(completeness_rows(content))):
        pages.append((f"completeness {i + 1}", lambda plt, r=rows: _table_page(
            plt, content, "Completeness: who has submitted", f"The {len(content.weeks)} weeks {weeks}, oldest first.",
            COMPLETENESS_HEADINGS, r, "Completeness", [0.34, 0.12, 0.1, 0.44])))
    for i, rows in enumerate(_chunks(pdsa_rows(content), 12)):
        pages.append((f"pdsa {i + 1}", lambda plt, r=rows: _table_page(
            plt, content, "PDSA activity", "Cycles started and completed per month (collaborative); per ward below.",
            PDSA_HEADINGS, r, "PDSA activity", [0.32, 0.12, 0.14, 0.14, 0.14, 0.14],
            chart=lambda ax: draw_pdsa_monthly(ax, content))))
    for ward in content.wards:
        for chart in ward.charts:
            pages.append((f"{ward.ward_code} {chart.measure}", lambda plt, w=ward, c=chart: _chart_page(
                plt, content, c, f"{w.title}: {c.name}", f"Ward {w.ward_code}")))
    return pages


def deck_slides(content: PackContent) -> int:
    """How many slides (and PDF pages) the pack has: progress totals."""
    return len(_pages(content))


@_quiet
def write_pdf(content: PackContent, out: Path, *, database: Path | None = None, progress: Progress | None = None,
              done: int = 0, total: int = 0) -> Path:
    """The learning-session PDF (every page of `_pages`) at `out`."""
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _pyplot()
    pages = _pages(content)
    with output_path(out, database=database) as temporary, PdfPages(temporary, metadata=_metadata(content)) as pdf:
        for i, (_, make) in enumerate(pages, start=1):
            fig = make(plt)
            pdf.savefig(fig)
            plt.close(fig)
            if progress is not None:
                progress(done + i, total or len(pages))
    return out


def _metadata(content: PackContent, title: str = TITLE) -> dict[str, Any]:
    return {"Title": title + (f" ({content.banner})" if content.banner else ""), "Creator": "rrp"}


# -- the ward's board (A4 portrait) ----------------------------------------------------------------


@_quiet
def write_board(content: PackContent, ward_code: str, out: Path, *, database: Path | None = None) -> Path:
    """A ward's own A4 portrait board for its huddle board: a first page with its figures at a
    glance, completeness, PDSA and the key; then two charts a page, each with its figures, reading
    and markers."""
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _pyplot()
    ward = content.ward(ward_code)
    with output_path(out, database=database) as temporary, PdfPages(
        temporary, metadata=_metadata(content, f"{ward.title}: huddle board")
    ) as pdf:
        fig = plt.figure(figsize=A4_PORTRAIT)
        _banner(fig, content, 0.99)
        fig.text(0.06, 0.95, _wrap(ward.title, 40), fontsize=20, fontweight="bold", va="top")
        fig.text(0.06, 0.9, f"Huddle board: weeks to {content.end_week:%d %B %Y}", fontsize=11, va="top")
        ax = fig.add_axes((0.05, 0.52, 0.9, 0.34))
        ax.axis("off")
        rows = [
            [c.name, _figure(c, "latest_value"), _figure(c, "baseline"), _change(c), _figure(c, "aim"),
             variation_text(c.variation_icon, short=True), assurance_text(c.assurance_icon).split(":")[0]]
            for c in ward.charts
        ]
        table = ax.table(cellText=rows, colLabels=["Measure", "Latest", "Baseline", "Change", "Aim", "Variation",
                                                   "Assurance"], loc="upper left", cellLoc="left", colLoc="left",
                         colWidths=[0.22, 0.09, 0.1, 0.09, 0.08, 0.24, 0.18])
        table.auto_set_font_size(False)
        table.set_fontsize(7.5)
        table.scale(1, 1.6)
        for (r, col), cell in table.get_celld().items():
            cell.set_edgecolor("#cccccc")
            if r == 0:
                cell.set_text_props(fontweight="bold")
                cell.set_facecolor("#eeeeee")
            elif col == 5:
                cell.set_facecolor(_tint(ward.charts[r - 1].variation_icon))
        fig.text(0.06, 0.6, "Rates per 1,000 occupied bed days. Latest: the last complete week; change: the last 12"
                 " weeks against the baseline.", fontsize=8, va="top", color="#444444")
        flags = completeness_marks_text(ward.submitted)
        fig.text(0.06, 0.55, f"Weeks submitted: {ward.weeks_submitted} of the last {ward.weeks_expected}  {flags}\n"
                 f"PDSA: {ward.pdsa_this_month} started this month, {ward.pdsa_running} running, "
                 f"{ward.pdsa_due_for_study} due for Study; {ward.ideas_adopted} change ideas adopted",
                 fontsize=10, va="top", linespacing=1.6)
        key = "\n".join(_wrap(line, 95) for line in KEY_LINES)
        fig.text(0.06, 0.44, "How to read the charts\n" + key, fontsize=8.5, va="top", linespacing=1.5)
        fig.text(0.06, 0.02, "Page 1", fontsize=7, color="#555555")
        pdf.savefig(fig)
        plt.close(fig)
        for page, start in enumerate(range(0, len(ward.charts), 2), start=2):
            fig = plt.figure(figsize=A4_PORTRAIT)
            _banner(fig, content, 0.995)
            for slot, chart in enumerate(ward.charts[start : start + 2]):
                top = 0.97 - slot * 0.49
                fig.text(0.06, top, f"{ward.ward_name}: {chart.name}", fontsize=13, fontweight="bold", va="top")
                ax = fig.add_axes((0.11, top - 0.27, 0.85, 0.22))
                draw_chart(ax, chart, small=True)
                fig.text(0.06, top - 0.3, _wrap(reading_text(chart.reading), 90), fontsize=9, fontweight="bold",
                         va="top")
                lines = _marker_lines(chart, 5)
                fig.text(0.06, top - 0.37, _wrap(chart.summary, 125) + "\n"
                         + _wrap("Markers: " + ("; ".join(lines) if lines else "none"), 125),
                         fontsize=7, va="top", color="#333333")
            fig.text(0.06, 0.005, f"Page {page}", fontsize=7, color="#555555")
            pdf.savefig(fig)
            plt.close(fig)
    return out


def _tint(icon: str | None) -> str:
    kind = variation_kind(icon)
    return {"improvement": "#d4ebf9", "concern": "#feeccc", "neither": "#e4dcef"}.get(kind, "white")


def _figure(chart: ChartContent, name: str) -> str:
    from rrp.reports.figures import format_figure

    f = chart.figures
    value = getattr(f, name) if f is not None else None
    return format_figure(value, "%" if chart.unit.startswith("%") else "")


def _change(chart: ChartContent) -> str:
    f = chart.figures
    return "-" if f is None or f.change_from_baseline is None else f"{f.change_from_baseline:+.0%}"


# -- the PowerPoint deck ---------------------------------------------------------------------------


def _png(plt: Any, draw: Callable[[Any], None], size: tuple[float, float]) -> io.BytesIO:
    fig, ax = plt.subplots(figsize=size)
    draw(ax)
    buf = io.BytesIO()
    # fixed margins in inches (a tight bounding box draws every figure twice)
    fig.subplots_adjust(left=0.8 / size[0], right=1 - 0.15 / size[0], top=1 - 0.45 / size[1], bottom=0.45 / size[1])
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    buf.seek(0)
    return buf


def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text_box(slide: Any, left: float, top: float, width: float, height: float, paragraphs: list[Any],
              size: float = 12, bold: bool = False, colour: str = "#222222") -> Any:
    """A text box of paragraphs; a paragraph is a str or a list of (text, colour or None, bold) runs."""
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, para in enumerate(paragraphs):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        runs = [(para, None, bold)] if isinstance(para, str) else para
        for text, run_colour, run_bold in runs:
            run = p.add_run()
            run.text = text
            run.font.size = Pt(size)
            run.font.bold = run_bold
            run.font.color.rgb = _rgb(run_colour or colour)
    return box


def _slide(prs: Any, content: PackContent, title: str) -> Any:
    from pptx.util import Pt

    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    width = 8.7 if content.banner else 12.5
    # a long title (a ward's name and a measure's) a size smaller, so it stays on one line
    # (about 0.19 in a character at 24 pt bold, 0.16 at 20 pt)
    size = 24 if len(title) * 0.19 <= width else 20 if len(title) * 0.16 <= width else 16
    _text_box(slide, 0.4, 0.25, width, 0.7, [title], size=size, bold=True)
    if content.banner:
        box = _text_box(slide, 9.2, 0.3, 3.95, 0.4, [content.banner], size=10.5, bold=True, colour="#ffffff")
        box.text_frame.word_wrap = False
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb(BANNER_COLOUR)
        box.text_frame.paragraphs[0].runs[0].font.size = Pt(10.5)
    footer = f"Weeks to {content.end_week:%d %b %Y}; {content.scope}."
    _text_box(slide, 0.4, 7.05, 9.0, 0.3, [footer], size=9, colour="#555555")
    return slide


#: The MDC colours darkened for words on white (the light orange is hard to read as text).
TEXT_COLOURS = {IMPROVEMENT_COLOUR: "#1668a0", CONCERN_COLOUR: "#a86400", NEITHER_COLOUR: "#5b3f8a"}


def _icon_runs(chart: ChartContent) -> list[tuple[str, str | None, bool]]:
    """The icons in words, coloured as MDC (the letters in brackets say it without colour)."""
    variation = chart.variation_icon
    colour = (NEITHER_COLOUR if variation_kind(variation) == "neither" else variation_colour(variation)) \
        if variation and variation != "common_cause" else None
    assurance = _icon_colour_assurance(chart.assurance_icon) if chart.assurance_icon in ("pass", "fail") else None
    return [
        (variation_text(variation), TEXT_COLOURS.get(colour or "", None), True),
        ("   ", None, False),
        (assurance_text(chart.assurance_icon), TEXT_COLOURS.get(assurance or "", None), True),
    ]


def _chart_slide(prs: Any, plt: Any, content: PackContent, chart: ChartContent, title: str) -> None:
    from pptx.util import Inches

    slide = _slide(prs, content, title)
    image = _png(plt, lambda ax: draw_chart(ax, chart), (9.2, 4.1))
    slide.shapes.add_picture(image, Inches(0.3), Inches(1.0), width=Inches(9.2), height=Inches(4.1))
    lines = _marker_lines(chart)
    _text_box(slide, 9.7, 1.0, 3.4, 4.2, [[("Markers", None, True)], *(lines or ["none on this chart"])], size=10)
    _text_box(slide, 0.4, 5.2, 12.5, 0.4, [_icon_runs(chart)], size=12)
    _text_box(slide, 0.4, 5.6, 12.5, 0.6, [chart.summary], size=11, colour="#333333")
    _text_box(slide, 0.4, 6.2, 12.5, 0.8, [reading_text(chart.reading)], size=14, bold=True, colour="#111111")


def _table_slide(prs: Any, content: PackContent, title: str, note: str, headings: list[str], rows: list[list[str]],
                 widths: list[float], top: float = 1.4) -> None:
    slide = _slide(prs, content, title)
    _text_box(slide, 0.4, 0.95, 12.5, 0.4, [note], size=12, colour="#444444")
    _table_only(slide, headings, rows, widths, top)


@_quiet
def write_deck(content: PackContent, out: Path, *, database: Path | None = None, progress: Progress | None = None,
               done: int = 0, total: int = 0) -> Path:
    """The learning-session PowerPoint deck at `out` (the same pages as the PDF, as slides). The
    slides are drawn inside the one writer, so a disk that fails while drawing is one OutputFailed."""
    with output_path(out, database=database) as temporary:
        _build_deck(content, progress, done, total).save(str(temporary))
    return out


def _build_deck(content: PackContent, progress: Progress | None, done: int, total: int) -> Any:
    from pptx import Presentation
    from pptx.util import Inches

    plt = _pyplot()
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_INCHES[0]), Inches(SLIDE_INCHES[1])
    prs.core_properties.title = _metadata(content)["Title"]
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1
        if progress is not None:
            progress(done + count, total or deck_slides(content))

    slide = _slide(prs, content, TITLE)
    _text_box(slide, 0.4, 1.1, 12.5, 0.8, [
        f"Weeks to {content.end_week:%d %B %Y}; {content.scope}. Aim: a {content.aim_reduction:.0%} reduction."
        " Rates per 1,000 occupied bed days."], size=16)
    _text_box(slide, 0.4, 2.1, 12.5, 4.5, ["How to read the charts", *KEY_LINES], size=14)
    tick()
    for chart in content.aggregates:
        _chart_slide(prs, plt, content, chart, chart.title)
        tick()
    slide = _slide(prs, content, content.funnel_title or "Funnel")
    _text_box(slide, 0.4, 0.95, 12.5, 0.4, ["For learning, not for ranking. Each ward's rate over the recent weeks"
                                            " against Poisson limits around the pooled rate."], size=12,
              colour="#444444")
    slide.shapes.add_picture(_png(plt, lambda ax: draw_funnel(ax, content), (12.4, 5.5)), Inches(0.4), Inches(1.45),
                             width=Inches(12.4), height=Inches(5.5))
    tick()
    weeks = f"{content.weeks[0]:%d %b} to {content.weeks[-1]:%d %b %Y}" if content.weeks else ""
    for rows in _chunks(completeness_rows(content)):
        _table_slide(prs, content, "Completeness: who has submitted",
                     f"The {len(content.weeks)} weeks {weeks}, oldest first.", COMPLETENESS_HEADINGS, rows,
                     [4.6, 1.4, 1.0, 5.0])
        tick()
    for rows in _chunks(pdsa_rows(content), 12):
        slide = _slide(prs, content, "PDSA activity")
        _text_box(slide, 0.4, 0.95, 12.5, 0.4, ["Cycles started and completed per month (collaborative); per ward"
                                                " below."], size=12, colour="#444444")
        slide.shapes.add_picture(_png(plt, lambda ax: draw_pdsa_monthly(ax, content), (11.0, 2.2)),
                                 Inches(0.4), Inches(1.35), width=Inches(11.0), height=Inches(2.2))
        _table_only(slide, PDSA_HEADINGS, rows, [4.2, 1.4, 1.8, 1.4, 1.6, 1.6], top=3.7)
        tick()
    for ward in content.wards:
        for chart in ward.charts:
            _chart_slide(prs, plt, content, chart, f"{ward.title}: {chart.name}")
            tick()
    return prs


def _table_only(slide: Any, headings: list[str], rows: list[list[str]], widths: list[float], top: float) -> None:
    from pptx.util import Inches, Pt

    if not rows:
        return
    table = slide.shapes.add_table(len(rows) + 1, len(headings), Inches(0.4), Inches(top), Inches(sum(widths)),
                                   Inches(0.25 * (len(rows) + 1))).table
    for j, width in enumerate(widths):
        table.columns[j].width = Inches(width)
    for i, row in enumerate([headings, *rows]):
        table.rows[i].height = Inches(0.25)
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            for p in cell.text_frame.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(10)
                    run.font.bold = i == 0
            cell.margin_top = cell.margin_bottom = Inches(0.02)


# -- everything ------------------------------------------------------------------------------------


def write_learning_session(
    content: PackContent,
    out: str | Path,
    *,
    database: str | Path | None = None,
    progress: Progress | None = None,
    dash: Dashboard | None = None,
) -> list[Path]:
    """Write learning-session.pptx and learning-session.pdf into folder `out` (made if need be),
    and with `dash` the PNG/SVG charts and index.html (rrp.reports.pack.write_pack); returns the
    deck's, the PDF's and (with `dash`) index.html's paths. Every target is checked before
    anything is drawn: a refusal leaves no half-made pack. progress(done, total) after each page."""
    from rrp.reports.pack import pack_charts, pack_file_names, write_pack

    check_output_folder(out, database=database)
    db = Path(database) if database is not None else None
    deck, pdf = Path(out) / DECK_NAME, Path(out) / PDF_NAME
    names = [DECK_NAME, PDF_NAME] + (pack_file_names(dash) if dash is not None else [])
    for name in names:
        check_output(Path(out) / name, database=db)
    n = deck_slides(content)
    total = 2 * n + (pack_charts(dash) if dash is not None else 0)
    write_deck(content, deck, database=db, progress=progress, done=0, total=total)
    write_pdf(content, pdf, database=db, progress=progress, done=n, total=total)
    written = [deck, pdf]
    if dash is not None:
        tick = None if progress is None else (lambda done, _: progress(2 * n + done, total))
        written.append(write_pack(dash, out, progress=tick, database=db, content=content))
    return written


def write_ward_board(content: PackContent, ward_code: str, out: str | Path, *,
                     database: str | Path | None = None) -> Path:
    """Write a ward's A4 board (`board_name(ward)`) into folder `out`; returns its path."""
    check_output_folder(out, database=database)
    ward = content.ward(ward_code)
    target = Path(out) / board_name(ward.ward_code)
    return write_board(content, ward.ward_code, target, database=Path(database) if database else None)
