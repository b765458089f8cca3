"""The funnel plot: each ward's rate over one period against its exposure, with the 95% and
99.8% limits around the pooled rate. Labelled, always, "for learning, not for ranking".

Takes plain lists (the screen converts the Dashboard's frames in its worker).

Each ward's point is labelled with a short name (`short_labels`: the ward code without its
provider's prefix, 'ASH' for NVT-ASH, unless two wards would share it). Labels are placed beside
their points on a grid of the plot's cells (`place_labels`): right of the point, else left, else
not at all, never over another label or point; wards outside the funnel are placed first, as
they are the ones to talk about. Beside the plot a list names every ward with its shape and rate
(outside the funnel first), so a label left off a crowded plot is still there to read, at 80
columns too.

plotext leaves out a title or an axis label that does not fit, without a word. So the title
(the measure and "for learning, not for ranking") and the x label (bed days and the period) are
each the longest of a few wordings that plotext actually drew (`title_wordings`,
`xlabel_wordings`): at 80x24 the funnel still says what it shows and that it is not a ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from rrp.reports.icons_text import COMMON_COLOUR, CONCERN_COLOUR, IMPROVEMENT_COLOUR
from rrp.reports.user_text import visible
from rrp.widgets.ansi import text_from_ansi

LEARNING_NOT_RANKING = "for learning, not for ranking"


@dataclass(frozen=True)
class FunnelView:
    """What the funnel widget draws (rates per 1,000 occupied bed days)."""

    #: What is plotted: the measure ('All restrictive').
    title: str
    #: The period the rates cover ('24 Aug to 16 Nov 2026'), shown on the x axis.
    period: str = ""
    exposure: list[float] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    position: list[str] = field(default_factory=list)
    target: float | None = None
    curve_exposure: list[float] = field(default_factory=list)
    lower_95: list[float] = field(default_factory=list)
    upper_95: list[float] = field(default_factory=list)
    lower_998: list[float] = field(default_factory=list)
    upper_998: list[float] = field(default_factory=list)
    #: Each point's ward code (the labels are made from them by `short_labels`).
    labels: list[str] = field(default_factory=list)


#: Marker of each position group: the plot reads without colour (NO_COLOR) too.
MARKERS = {"inside": "\u25cf", "above": "\u25b2", "below": "\u25bc"}
#: The side list's width in cells, and the narrowest plot that still gets one.
LIST_WIDTH = 16
MIN_PLOT_WIDTH = 44
#: Cells plotext spends outside the plotting area: the y tick labels and frame (left), the frame
#: (right), the title, x ticks and x label (rows). Used to map data to cells for placing labels.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 9, 1, 2, 3
#: The plot's legend (99.8%, 95%, inside, above, below) in its top-left corner: no label there.
LEGEND_WIDTH, LEGEND_ROWS = 12, 5


def title_wordings(title: str) -> list[str]:
    """The title, longest first: plotext draws the first that fits. The last always says it."""
    short = "for learning, not ranking"
    wordings = [f"{title} - {LEARNING_NOT_RANKING}", f"{title}: {short}"]
    wordings += [f"{title[:n].rstrip()}\u2026: {short}" for n in (24, 16, 8) if len(title) > n]
    return [*wordings, short[0].upper() + short[1:]]


def xlabel_wordings(period: str) -> list[str]:
    """The x axis label, longest first: bed days, then the period (shortened) if there is room."""
    if not period:
        return ["occupied bed days in the period", "occupied bed days", "bed days"]
    compact = period.replace(" to ", "-")  # 24 Aug-16 Nov 2026
    no_year = compact.rsplit(" ", 1)[0] if compact[-4:].isdigit() else compact  # 24 Aug-16 Nov
    return [
        f"occupied bed days, {period}",
        f"bed days, {period}",
        f"bed days, {compact}",
        f"bed days, {no_year}",
        "occupied bed days",
        "bed days",
    ]


def group_of(position: str) -> str:
    """'inside', 'above' or 'below' for a funnel_data position (above_95, below_998, ...)."""
    return position.split("_")[0] if position.startswith(("above", "below")) else "inside"


def short_labels(codes: Sequence[str]) -> list[str]:
    """Each ward code without its provider prefix (NVT-ASH -> ASH), the full code where two agree."""
    shorts = [code.split("-", 1)[1] if "-" in code else code for code in codes]
    seen: dict[str, int] = {}
    for short in shorts:
        seen[short] = seen.get(short, 0) + 1
    return [short if seen[short] == 1 else code for short, code in zip(shorts, codes, strict=True)]


@dataclass(frozen=True)
class PlacedLabel:
    index: int  # the point's index in the view
    text: str
    column: int  # the label's first cell, counted within the plotting area
    row: int
    x: float  # where the label's first character goes, in data units
    y: float


def place_labels(
    xs: Sequence[float],
    ys: Sequence[float],
    texts: Sequence[str],
    order: Sequence[int],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    width: int,
    height: int,
    reserved: set[tuple[int, int]] | None = None,
) -> list[PlacedLabel]:
    """Labels that fit beside their points on a width x height grid, without overlapping.

    Points are taken in `order`; each label starts two cells right of its point, else ends two
    cells left of it, else it is left off (the blank cell between absorbs the difference between
    this grid and plotext's own). No label covers a point, a `reserved` cell (the legend) or
    another label, and one blank cell is kept between labels on a row.
    """
    if width < 2 or height < 1 or not xs:
        return []
    (x0, x1), (y0, y1) = x_range, y_range
    sx = (width - 1) / (x1 - x0) if x1 > x0 else 0.0
    sy = (height - 1) / (y1 - y0) if y1 > y0 else 0.0

    def cell(x: float, y: float) -> tuple[int, int]:
        return round((x - x0) * sx), round((y1 - y) * sy)

    points = {cell(x, y) for x, y in zip(xs, ys, strict=True)} | (reserved or set())
    lettered: set[tuple[int, int]] = set()
    placed = []
    for i in order:
        column, row = cell(xs[i], ys[i])
        text = texts[i]
        if not 0 <= row < height:
            continue
        for start in (column + 2, column - len(text) - 1):  # right of the point, else left of it
            if start < 0 or start + len(text) > width:
                continue
            cells = {(start + k, row) for k in range(len(text))}
            padding = {(start - 1, row), (start + len(text), row)}
            if cells & points or cells & lettered or padding & lettered:
                continue
            lettered |= cells
            x = x0 + start / sx if sx else xs[i]
            placed.append(PlacedLabel(i, text, start, row, x, ys[i]))
            break
    return placed


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _points(view: FunnelView, keep: Sequence[str]) -> tuple[list[float], list[float]]:
    pairs = [(x, y) for x, y, p in zip(view.exposure, view.rate, view.position, strict=True) if p in keep]
    return [x for x, _ in pairs], [y for _, y in pairs]


def _order(view: FunnelView) -> list[int]:
    """Points outside the funnel first (furthest out first: 99.8% before 95%), then the rest."""
    rank = {"above_998": 0, "below_998": 0, "above_95": 1, "below_95": 1}
    return sorted(range(len(view.rate)), key=lambda i: (rank.get(view.position[i], 2), i))


def _span(values: Sequence[float]) -> tuple[float, float]:
    finite = [v for v in values if v == v]  # NaN-free
    return (min(finite), max(finite)) if finite else (0.0, 1.0)


class FunnelPlot(PlotextPlot):
    """A plotext scatter of ward rates vs bed days with funnel limits, labelled, with a ward list."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.view: FunnelView | None = None
        #: The labels drawn on the plot by the last render (tests read it).
        self.placed: list[PlacedLabel] = []
        #: The (title, x label) wordings that fitted, and the size and view they were fitted for.
        self._fit: tuple[str, str] = ("", "")
        self._fit_key: tuple[object, ...] | None = None

    def show(self, view: FunnelView) -> None:
        """Draw `view` (replaces what was drawn)."""
        self.view = view
        self.refresh()

    def _theme_rgb(self, variable: str) -> tuple[int, int, int] | str:
        """A colour of the app's theme as RGB, for plotext ('default' if the theme does not say)."""
        colour = self.app.theme_variables.get(variable)
        if not colour:
            return "default"
        from textual.color import Color

        return Color.parse(colour).rgb

    def _list_width(self) -> int:
        view = self.view
        if view is None or not view.labels or self.size.width - LIST_WIDTH < MIN_PLOT_WIDTH:
            return 0
        return LIST_WIDTH

    def _draw(self, plot_width: int, plot_height: int, title: str, xlabel: str) -> None:
        view = self.view
        if view is None:
            return
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel(xlabel)
        plt.ylabel("per 1,000 OBD")
        if view.curve_exposure:
            x = view.curve_exposure
            plt.plot(x, view.upper_998, color=_rgb(COMMON_COLOUR), marker="braille", label="99.8%")
            plt.plot(x, view.lower_998, color=_rgb(COMMON_COLOUR), marker="braille")
            plt.plot(x, view.upper_95, color=_rgb(COMMON_COLOUR), marker="dot", label="95%")
            plt.plot(x, view.lower_95, color=_rgb(COMMON_COLOUR), marker="dot")
            if view.target is not None:
                plt.hline(view.target, _rgb(COMMON_COLOUR))
        # Each group has its own marker too, so the plot reads without colour (NO_COLOR).
        groups = (
            (("inside",), COMMON_COLOUR, MARKERS["inside"], "inside"),
            (("above_95", "above_998"), CONCERN_COLOUR, MARKERS["above"], "above"),
            (("below_95", "below_998"), IMPROVEMENT_COLOUR, MARKERS["below"], "below"),
        )
        for keep, colour, marker, label in groups:
            xs, ys = _points(view, keep)
            if xs:
                plt.scatter(xs, ys, color=_rgb(colour), marker=marker, label=label)
        self.placed = []
        if view.labels and view.rate:
            x_range = _span([*view.exposure, *view.curve_exposure])
            y_range = _span([*view.rate, *view.upper_998, *view.lower_998, 0.0 if not view.rate else min(view.rate)])
            texts = short_labels(view.labels)
            legend = {(column, row) for column in range(LEGEND_WIDTH) for row in range(LEGEND_ROWS)}
            self.placed = place_labels(
                view.exposure, view.rate, texts, _order(view), x_range=x_range, y_range=y_range,
                width=plot_width - MARGIN_LEFT - MARGIN_RIGHT, height=plot_height - MARGIN_TOP - MARGIN_BOTTOM,
                reserved=legend,
            )
            ink, paper = self._theme_rgb("foreground"), self._theme_rgb("surface")
            for label in self.placed:
                plt.text(visible(label.text), x=label.x, y=label.y, alignment="left", color=ink, background=paper)

    def _build(self, plot_width: int, height: int, title: str, xlabel: str) -> Text:
        self._draw(plot_width, height, title, xlabel)
        plot = self.plt
        plot.plotsize(plot_width, height)
        plot._set_size(plot_width, height)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        return text_from_ansi(plot.build())

    def _fitted(self, plot_width: int, height: int) -> Text:
        """The plot with the longest title and x label wordings plotext drew (see the module doc)."""
        view = self.view
        if view is None:
            return self._build(plot_width, height, "", "")
        titles = [visible(t) for t in title_wordings(view.title)]
        xlabels = [visible(x) for x in xlabel_wordings(view.period)]
        key = (plot_width, height, view.title, view.period)
        if self._fit_key == key:
            return self._build(plot_width, height, *self._fit)
        t = x = 0
        while True:
            drawn = self._build(plot_width, height, titles[t], xlabels[x])
            plain = drawn.plain
            title_shown, xlabel_shown = titles[t] in plain, xlabels[x] in plain
            if (title_shown or t == len(titles) - 1) and (xlabel_shown or x == len(xlabels) - 1):
                break
            t += not title_shown
            x += not xlabel_shown
        self._fit_key, self._fit = key, (titles[t], xlabels[x])
        return drawn

    def side_list(self, height: int) -> list[Text]:
        """The ward list beside the plot: shape, short name, rate; outside the funnel first."""
        view = self.view
        if view is None:
            return []
        texts = short_labels(view.labels)
        colours = {"inside": COMMON_COLOUR, "above": CONCERN_COLOUR, "below": IMPROVEMENT_COLOUR}
        lines = [Text("Wards (rate)", style="bold")]
        order = _order(view)
        room = height - 1
        for n, i in enumerate(order):
            if n == room - 1 and len(order) > room:
                lines.append(Text(f"+{len(order) - n} more", style="italic"))
                break
            group = group_of(view.position[i])
            line = Text(MARKERS[group] + " ", style=colours[group])
            line.append(visible(texts[i])[: LIST_WIDTH - 9].ljust(LIST_WIDTH - 9))
            line.append(f"{view.rate[i]:6.1f}"[-6:])
            lines.append(line)
        return lines

    def render(self) -> RenderResult:
        list_width = self._list_width()
        width, height = self.size.width, self.size.height
        plot_width = max(1, width - list_width - (1 if list_width else 0))
        drawn = self._fitted(plot_width, height)
        if not list_width:
            return drawn
        beside = self.side_list(height)
        out = Text()
        for row, line in enumerate(drawn.split("\n", allow_blank=True)[:height]):
            line.truncate(plot_width, pad=True)
            out.append_text(line)
            out.append(" ")
            if row < len(beside):
                out.append_text(beside[row])
            if row < height - 1:
                out.append("\n")
        return out
