"""The learning-session pack's images: one PNG and one SVG chart per ward, the collaborative
aggregate and the funnel, and an index.html that shows them in order. Given the pack's content
(rrp.reports.pack_content, as `rrp report pack` and the dashboard's `x` give it), a ward's image
holds every measure it sees, one chart above the other with its P/A/R/N markers (drawn by
rrp.reports.pack_files.draw_chart, as the deck's), index.html lists each measure's figures,
reading and markers, and the demo's images and index.html say SYNTHETIC. The PowerPoint deck and
the PDF are rrp.reports.pack_files'. Every SPC chart carries its
reading (rrp.reports.reading) as a caption under the plot and in index.html, so the pack never
relies on colour alone.

matplotlib (Agg backend) is imported inside the functions, so importing this module is cheap.
Colours follow Making Data Count: improvement blue, concern orange, common cause grey.

Names and titles are user text: the pack is drawn with mathtext and TeX off (`PLAIN_TEXT_RC`), so a
ward called "$x$" is drawn as it is, never parsed as maths; control characters are shown as escapes
and a name is cut to `NAME_SHOWN` characters so a chart stays a chart.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rrp.reports.huddle import MARKER_LEGEND
from rrp.reports.icons_text import (
    COMMON_COLOUR,
    CONCERN_COLOUR,
    IMPROVEMENT_COLOUR,
    LETTERS_LEGEND,
    assurance_text,
    signal_colour,
    variation_text,
)
from rrp.reports.reading import reading_text
from rrp.reports.user_text import visible
from rrp.store.output_file import check_output, check_output_folder, output_path, write_output

if TYPE_CHECKING:
    import pandas as pd

    from rrp.reports.dashboard import Dashboard
    from rrp.reports.pack_content import PackContent, WardContent

Progress = Callable[[int, int], None]
#: Marker shapes by special-cause class, as icons_text.SIGNAL_SHAPES in the terminal (square,
#: triangle, diamond): the shape tells the class apart without its colour.
SIGNAL_MARKERS = {"improvement": "s", "concern": "^", "neither": "D"}

#: matplotlib settings for drawing user text as text ("$...$" is not maths, no TeX).
PLAIN_TEXT_RC = {"text.parse_math": False, "text.usetex": False}
#: At most this many characters of a name in a chart title or label.
NAME_SHOWN = 80


def _name(text: Any) -> str:
    """A user's name for a chart: control characters visible, at most NAME_SHOWN characters."""
    shown = visible(text)
    return shown if len(shown) <= NAME_SHOWN else shown[: NAME_SHOWN - 1] + "\u2026"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, out: Path, stem: str, database: Path | None, banner: str = "") -> list[str]:
    """The figure as PNG and SVG; `banner` (SYNTHETIC on the demo) in its top right corner."""
    names = [f"{stem}.png", f"{stem}.svg"]
    if banner:
        fig.text(0.995, 0.999, banner, ha="right", va="top", fontsize=9, fontweight="bold", color="white",
                 bbox={"boxstyle": "square,pad=0.25", "fc": "#d5281b", "ec": "#d5281b"})
    with output_path(out / names[0], database=database) as temporary:
        fig.savefig(temporary, dpi=110, bbox_inches="tight")
    with output_path(out / names[1], database=database) as temporary:
        fig.savefig(temporary, bbox_inches="tight")
    return names


def _spc_axes(
    ax: Any, points: pd.DataFrame, title: str, aim: float | None, subtitle: str,
    unit: str = "per 1,000 occupied bed days",
) -> None:
    """Draw a chart's rate, centre, limits, signals and aim on `ax`."""
    x = points["x"]
    ax.plot(x, points["value"], color=COMMON_COLOUR, linewidth=1.2, marker="o", markersize=3)
    ax.plot(x, points["centre"], color="#444444", linewidth=1)
    ax.plot(x, points["upper_limit"], color="#999999", linewidth=0.8, linestyle="--")
    ax.plot(x, points["lower_limit"], color="#999999", linewidth=0.8, linestyle="--")
    for kind in ("improvement", "concern", "neither"):
        flagged = points[points["special_cause"] == kind]
        if not flagged.empty:
            ax.scatter(
                flagged["x"], flagged["value"], color=signal_colour(kind), s=26, zorder=3,
                marker=SIGNAL_MARKERS[kind], label=kind,
            )
    if aim is not None and aim == aim:
        ax.axhline(aim, color=IMPROVEMENT_COLOUR, linewidth=1, linestyle=":", label=f"aim {aim:.1f}")
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold", pad=16)
    ax.text(0, 1.01, subtitle, transform=ax.transAxes, fontsize=8, color="#555555", va="bottom")
    ax.set_ylabel(unit or "value")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.2)
    if ax.get_legend_handles_labels()[0]:  # a chart with no aim and no signal has no legend
        ax.legend(loc="upper right", fontsize=7, frameon=False)


def _caption(fig: Any, sentences: list[str]) -> None:
    """The chart's reading under the plot, wrapped, so the image says in words what colour shows."""
    import textwrap

    text = "\n".join(textwrap.wrap(reading_text(sentences), width=140))
    fig.text(0.01, -0.02, text, ha="left", va="top", fontsize=8, color="#222222", wrap=True)


def aggregate_slides(dash: Dashboard) -> list[tuple[str, str]]:
    """(measure code, file stem) of the aggregate slides: the headline measure's, then one per
    process or balancing measure shown that has an aggregate (u' or p'), each charted by its own
    chart type. The other outcome measures' figures are under every ward's chart."""
    with_aggregate = set(dash.aggregate_summary["measure"]) if not dash.aggregate_summary.empty else set()
    headline = dash.measures[0]
    extra = [
        m for m in dash.measures[1:]
        if m in with_aggregate and dash.measure(m).kind in ("process", "balancing")
    ]
    return [(headline, "00-aggregate")] + [(m, f"00-aggregate-{_slug(m)}") for m in extra]


def _icon(value: Any) -> str | None:
    """An icon code from a frame cell (NaN / None: no icon)."""
    return value if isinstance(value, str) and value else None


def pack_charts(dash: Dashboard) -> int:
    """How many charts `write_pack` draws (each as PNG and SVG)."""
    return len(aggregate_slides(dash)) + 1 + len(dash.wards)


def _aggregate_slide(
    dash: Dashboard, code: str, out: Path, stem: str, database: Path | None, title: str, banner: str = ""
) -> tuple[str, list[str], str, list[str]]:
    """One measure's collaborative chart (u' or p'), its reading as a caption."""
    import pandas as pd

    from rrp.reports.dashboard import aggregate_reading
    from rrp.reports.figures import CHART_NAMES

    plt = _pyplot()
    spec = dash.measure(code)
    agg = dash.aggregate
    fig, ax = plt.subplots(figsize=(10, 4.5))
    summaries = dash.aggregate_summary.set_index("measure") if not dash.aggregate_summary.empty else None
    sub = ""
    if not agg.empty and summaries is not None and code in summaries.index:
        part = agg[(agg["measure"] == code) & agg["rate"].notna()]
        points = pd.DataFrame(
            {
                "x": part["week_start"],
                "value": part["rate"],
                "centre": part["centre"],
                "upper_limit": part["upper_limit"],
                "lower_limit": part["lower_limit"],
                "special_cause": part["special_cause"],
            }
        )
        summary = summaries.loc[code]
        aim = summary["aim_rate"]
        change = summary["change"]
        aim_words = (
            f"aim = baseline x (1 - {dash.aim_reduction:.2f})" if spec.aim_change_with(dash.aim_reduction) == -dash.aim_reduction
            and spec.aim_target is None else "aim as set for the measure" if aim == aim else "no aim"
        )
        sub = (
            f"{CHART_NAMES.get(str(summary.get('chart', 'uprime')), 'u chart')}; {aim_words}; "
            f"{variation_text(_icon(summary['variation_icon']))}; {assurance_text(_icon(summary['assurance_icon']))}"
            + ("" if change is None or change != change else f"; change from baseline {change:+.0%}")
        )
        _spc_axes(ax, points, f"Collaborative: {spec.name.lower()}", float(aim) if aim == aim else None, sub, spec.unit_text)
    reading = aggregate_reading(dash, code)
    _caption(fig, reading)
    what = "rate" if spec.recorded_as == "count_per_bed_days" else "proportion"
    caption = (f"{sub}. " if sub else "") + (
        f"The collaborative's weekly {what} (wards that submitted), against the aim. " + reading_text(reading)
    )
    files = _save(fig, out, stem, database, banner)
    plt.close(fig)
    return (title, files, caption, [])


def _stems(dash: Dashboard) -> list[str]:
    stems = [stem for _, stem in aggregate_slides(dash)] + ["01-funnel"]
    return stems + [f"{i:02d}-{_slug(code)}" for i, code in enumerate(dash.wards["ward_code"], start=2)]


def pack_file_names(dash: Dashboard) -> list[str]:
    """The names of every file `write_pack` writes (the charts as PNG and SVG, then index.html)."""
    return [f"{stem}.{ext}" for stem in _stems(dash) for ext in ("png", "svg")] + ["index.html"]


def write_pack(
    dash: Dashboard,
    out: str | Path,
    *,
    progress: Progress | None = None,
    database: str | Path | None = None,
    content: PackContent | None = None,
) -> Path:
    """Write the slide pack for `dash` to directory `out`; returns the index.html path.

    Order: the aggregate, the funnel, then one chart per ward (the dashboard's ward order): the
    headline measure's, or with `content` (rrp.reports.pack_content, the deck's) every measure of
    the ward one above the other with its markers, and each one's figures, reading and markers
    listed in index.html.
    `progress(done, total)` is called after each chart. Every file goes through rrp's one
    writer (rrp.store.output_file): never over the open `database`, any database or anything
    that is not a regular file; a folder that cannot be made or written is one OutputFailed.
    """
    import matplotlib

    # matplotlib's warnings (an empty chart has no legend entries, a flat series equal y limits)
    # are about drawing, not for the person running the pack: they must not reach the terminal.
    with matplotlib.rc_context(PLAIN_TEXT_RC), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _write_pack(dash, out, progress, database, content)


def _write_pack(
    dash: Dashboard, out: str | Path, progress: Progress | None, database: str | Path | None,
    content: PackContent | None = None,
) -> Path:

    from rrp.reports.dashboard import ward_measure_figures, ward_reading
    from rrp.reports.figures import CHART_NAMES, figures_caption

    check_output_folder(out, database=database)
    out = Path(out)
    database = Path(database) if database is not None else None
    records = dash.wards.to_dict("records")
    stems = _stems(dash)
    # Every target checked before the first chart: a refusal leaves no half-made pack behind.
    for name in pack_file_names(dash):
        check_output(out / name, database=database)
    plt = _pyplot()
    total = pack_charts(dash)
    done = 0
    slides: list[tuple[str, list[str], str, list[str]]] = []

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    headline = dash.measures[0]
    spec = dash.measure(headline)
    label = spec.name.lower()
    banner = content.banner if content is not None else ""  # SYNTHETIC on the demo's pages
    # 1. the aggregate of the headline, then of each process and balancing measure shown
    for code, stem in aggregate_slides(dash):
        title = "Collaborative aggregate" if code == headline else f"Collaborative aggregate: {dash.label(code)}"
        slides.append(_aggregate_slide(dash, code, out, stem, database, title, banner))
        tick()

    # 2. the funnel
    fig, ax = plt.subplots(figsize=(10, 4.5))
    f, c = dash.funnel, dash.funnel_curve
    if not c.empty:
        ax.plot(c["exposure"], c["upper_998"], color="#777777", linewidth=1, label="99.8%")
        ax.plot(c["exposure"], c["lower_998"], color="#777777", linewidth=1)
        ax.plot(c["exposure"], c["upper_95"], color="#999999", linewidth=1, linestyle="--", label="95%")
        ax.plot(c["exposure"], c["lower_95"], color="#999999", linewidth=1, linestyle="--")
    if not f.empty:
        ax.axhline(float(f["target"].iloc[0]), color="#444444", linewidth=1, label="pooled rate")
        colours = [
            CONCERN_COLOUR if str(p).startswith("above")
            else IMPROVEMENT_COLOUR if str(p).startswith("below") else COMMON_COLOUR
            for p in f["position"]
        ]
        ax.scatter(f["exposure"], f["rate"], c=colours, s=24, zorder=3)
        if len(f) <= 40:
            for _, r in f.iterrows():
                ax.annotate(
                    _name(r.get("ward_name") or r["unit"]), (r["exposure"], r["rate"]),
                    fontsize=6, xytext=(3, 2), textcoords="offset points",
                )
    start, end = dash.funnel_period or (dash.weeks[0], dash.weeks[-1])
    ax.set_title(f"Funnel: {label}, {start:%d %b} to {end:%d %b %Y}", loc="left", fontweight="bold", pad=16)
    ax.text(0, 1.01, "For learning, not for ranking. Compare like with like (filter by ward type).", transform=ax.transAxes, fontsize=8,
            color="#555555", va="bottom")
    ax.set_xlabel("occupied bed days in the period")
    ax.set_ylabel("per 1,000 occupied bed days")
    ax.grid(alpha=0.2)
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    slides.append(("Funnel (for learning, not for ranking)", _save(fig, out, "01-funnel", database, banner),
                   "Each ward's rate over the period against Poisson limits around the pooled rate.", []))
    plt.close(fig)
    tick()

    # 3. one chart per ward
    points = dash.ward_points
    by_ward = dict(tuple(points.groupby("ward_code"))) if not points.empty else {}
    wards_content = {w.ward_code: w for w in content.wards} if content is not None else {}
    for i, rec in enumerate(records, start=2):
        code = rec["ward_code"]
        if code in wards_content:
            slides.append(_ward_measures_slide(dash, rec, wards_content[code], out, stems[i], database, banner))
            tick()
            continue
        fig, ax = plt.subplots(figsize=(10, 4.5))
        ward_pts = by_ward.get(code)
        change = rec.get(f"{headline}_change")
        sub = (
            f"{CHART_NAMES.get(spec.chart, spec.chart)}; {variation_text(rec.get(f'{headline}_variation'))}; "
            f"{assurance_text(rec.get(f'{headline}_assurance'))}"
            + ("" if change is None or change != change else f"; change from baseline {change:+.0%}")
        )
        title = f"{_name(rec.get('ward_name', code))} ({_name(rec.get('provider_code', ''))}): {label}"
        if ward_pts is not None and not ward_pts.empty:
            aim = rec.get(f"{headline}_aim_rate")
            _spc_axes(ax, ward_pts, title, None if aim is None or aim != aim else float(aim), sub, spec.unit_text)
        else:
            ax.set_title(title + " - no data", loc="left")
        reading = ward_reading(dash, code, record=rec, points=ward_pts)
        _caption(fig, reading)
        stem = stems[i]
        # every measure's figures under the headline chart: the shared figures, as the reports
        every = [figures_caption(ward_measure_figures(dash, rec, m)) for m in dash.measures]
        slides.append((title, _save(fig, out, stem, database, banner), f"{sub}. {reading_text(reading)}", every))
        plt.close(fig)
        tick()

    index = out / "index.html"
    write_output(index, _index_html(dash, slides, banner).encode("utf-8"), database=database)
    return index


def _ward_measures_slide(
    dash: Dashboard, rec: dict[str, Any], ward: WardContent, out: Path, stem: str, database: Path | None,
    banner: str = "",
) -> tuple[str, list[str], str, list[str]]:
    """One ward's every measure, one chart above the other (the deck's charts, markers included);
    the headline's reading as the caption and each measure's figures, reading and markers listed."""
    from rrp.reports.dashboard import ward_reading
    from rrp.reports.pack_content import marker_line
    from rrp.reports.pack_files import draw_chart

    plt = _pyplot()
    charts = ward.charts
    fig, axes = plt.subplots(len(charts), 1, figsize=(10, 2.9 * len(charts)), squeeze=False)
    for ax, chart in zip(axes[:, 0], charts, strict=True):
        draw_chart(ax, chart, small=True)
        ax.set_title(f"{chart.name} ({chart.chart})", loc="left", fontsize=10, fontweight="bold", pad=20)
    fig.subplots_adjust(left=0.08, right=0.98, top=1 - 0.5 / (2.9 * len(charts)), bottom=0.3 / (2.9 * len(charts)),
                        hspace=0.55)
    files = _save(fig, out, stem, database, banner)
    plt.close(fig)
    title = f"{_name(rec.get('ward_name', ward.ward_code))} ({_name(rec.get('provider_code', ''))}): every measure"
    reading = ward_reading(dash, ward.ward_code, record=rec)
    every = []
    for chart in charts:
        marks = "; ".join(marker_line(m) for m in chart.markers)
        every.append(f"{chart.summary}. {reading_text(chart.reading)}" + (f" Markers: {marks}" if marks else ""))
    return title, files, f"{charts[0].summary if charts else ''}. {reading_text(reading)}", every


def _index_html(dash: Dashboard, slides: list[tuple[str, list[str], str, list[str]]], banner: str = "") -> str:
    items = "\n".join(
        f'<section class="slide"><h2>{html.escape(title)}</h2>'
        f'<img src="{html.escape(files[1])}" alt="{html.escape(title)}">'
        f'<p>{html.escape(caption)} <a href="{html.escape(files[0])}">PNG</a></p>'
        + (
            '<ul class="figures">' + "".join(f"<li>{html.escape(line)}</li>" for line in every) + "</ul>"
            if every else ""
        )
        + "</section>"
        for title, files, caption, every in slides
    )
    scope = dash.scope()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>RRP collaborative - learning session charts</title>
<style>
body {{ font-family: Arial, sans-serif; margin: 2em; color: #222; }}
.slide {{ page-break-after: always; margin-bottom: 3em; }}
img {{ max-width: 100%; }}
.banner {{ background: #d5281b; color: #fff; font-weight: bold; padding: 0.3em 0.6em; display: inline-block; }}
</style></head><body>
{f'<p class="banner">{html.escape(banner)}</p>' if banner else ""}
<h1>Reducing Restrictive Practice collaborative</h1>
<p>Weeks to {dash.end_week:%d %B %Y}; {html.escape(scope)}. Rates per 1,000 occupied bed days.
Blue: special cause improvement; orange: special cause concern; grey: common cause.
Icon letters: {html.escape(LETTERS_LEGEND)}. Markers on a ward's charts: {html.escape(MARKER_LEGEND)}.
Under each chart, the chart in words.</p>
{items}
</body></html>
"""
