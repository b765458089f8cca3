"""An SPC or run chart drawn with plotext in the terminal, reusable by any screen.

Two parts:
- `draw_spc_chart(plt, points, ...)`: pure drawing onto any plotext-like object (the `plt` of a
  `PlotextPlot`, a `textual_plotext.plot.Plot()`, or a fake that records calls in a test). It takes
  a `ChartResult.points` frame (x, value, centre, lower_limit, upper_limit, special_cause; segment
  optional) and optional markers [(x, label), ...], and draws: the value line, the centre line per
  segment (solid), the limits (thin dotted), each point coloured by its special cause (MDC:
  improvement blue, concern orange, neither purple, common cause grey) and shaped by it (icons_text.SIGNAL_SHAPES, so it reads without colour), vertical marker lines with
  their label at the top, a title, and x labels as short dates.
- `SpcChart`: a `PlotextPlot` widget holding the points and markers; it draws at render time so
  the x labels fit the width it has. `show_chart(...)` sets the data, `show_message(...)` clears it.

Nothing here imports pandas: the frame is read through its columns only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from rrp.reports.icons_text import SIGNAL_COLOURS, SIGNAL_SHAPES
from rrp.reports.user_text import visible
from rrp.widgets.ansi import text_from_ansi

RGB = tuple[int, int, int]
#: A marker: (x, label) or (x, label, kind, ...); x is compared with the points' x values.
Marker = Sequence[Any]

LINE_COLOUR: RGB = (140, 140, 140)
MARKER_COLOUR: RGB = (123, 94, 167)
MAX_TICKS = 6
#: How a provisional week is drawn (hollow: entered, not yet a point of the chart).
PROVISIONAL_SHAPE = "\u25cb"


def hex_to_rgb(colour: str) -> RGB:
    """'#289de0' -> (40, 157, 224)."""
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def short_date(x: Any, *, span_days: int | None = None) -> str:
    """A short x label: '16 Nov' for dates (with the year as 'Nov 26' over long spans)."""
    if isinstance(x, dt.datetime):
        x = x.date()
    if isinstance(x, dt.date):
        if span_days is not None and span_days > 300:
            return f"{x:%b %y}"
        return f"{x.day} {x:%b}"
    if hasattr(x, "to_pydatetime"):  # a pandas Timestamp
        return short_date(x.to_pydatetime().date(), span_days=span_days)
    return str(x)


def _column(points: Any, name: str, n: int, default: Any = None) -> list[Any]:
    if name in getattr(points, "columns", ()):
        return list(points[name])
    return [default] * n


def _finite(value: Any) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def _segments(seg: list[Any]) -> list[tuple[int, int]]:
    """(start, stop) index ranges of consecutive equal segment numbers."""
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(seg) + 1):
        if i == len(seg) or seg[i] != seg[start]:
            out.append((start, i))
            start = i
    return out


def _runs(xs: list[int], ys: list[Any], start: int, stop: int) -> list[tuple[list[int], list[float]]]:
    """Consecutive runs of finite y values in [start, stop), so gaps are not bridged."""
    runs: list[tuple[list[int], list[float]]] = []
    cur_x: list[int] = []
    cur_y: list[float] = []
    for i in range(start, stop):
        if _finite(ys[i]):
            cur_x.append(xs[i])
            cur_y.append(float(ys[i]))
        elif cur_x:
            runs.append((cur_x, cur_y))
            cur_x, cur_y = [], []
    if cur_x:
        runs.append((cur_x, cur_y))
    return runs


def marker_positions(xs: Sequence[Any], markers: Sequence[Marker]) -> list[tuple[int, str]]:
    """(position, label) of each marker: its x's point, or the next point after it; markers
    outside the points' range are dropped. Several at one position are joined ('PR')."""
    found: dict[int, str] = {}
    for marker in markers:
        x, label = marker[0], str(marker[1])
        pos = None
        for i, value in enumerate(xs):
            try:
                if value >= x:
                    pos = i
                    break
            except TypeError:
                if value == x:
                    pos = i
                    break
        if pos is None:
            continue
        if pos == 0 and xs[0] != x:
            continue  # before the first point shown
        if label not in found.get(pos, ""):
            found[pos] = found.get(pos, "") + label
    return sorted(found.items())


def draw_spc_chart(
    plt: Any,
    points: Any,
    *,
    markers: Sequence[Marker] = (),
    title: str = "",
    window: int | None = None,
    width: int | None = None,
    foreground: RGB | str = "default",
    background: RGB | str | None = None,
    x_label: Callable[[Any], str] | None = None,
    y_label: str | None = None,
    colours: dict[str, str] | None = None,
    provisional: Sequence[tuple[Any, float]] = (),
) -> dict[str, Any]:
    """Draw a ChartResult points frame onto `plt` (see the module doc); returns what was drawn.

    provisional: (x, value) of weeks not part of the chart (saved before they ended): drawn
    hollow (PROVISIONAL_SHAPE) where their x falls, after the last point or between two, with
    no line, limits or signal.

    window: show only the last `window` points. width: the plot's width in cells (to choose how
    many x labels fit; default 80). foreground: colour of the centre line, limits and labels (the
    theme's text colour, so it reads on light and dark backgrounds). background: behind the marker
    labels (the plot's own background; None: plotext's default). x_label: formats an x value
    (default: short dates). colours: special_cause -> hex (default MDC SIGNAL_COLOURS).
    The returned dict (n, ticks, markers, signals) lets tests check the drawing without a screen.
    """
    colours = colours or SIGNAL_COLOURS
    n_all = len(points)
    start = max(0, n_all - window) if window else 0
    xs_all = _column(points, "x", n_all)
    xs_raw = xs_all[start:]
    n = len(xs_raw)
    plt.clear_figure()
    if title:
        plt.title(visible(title))  # may name a ward: no escape sequence into plotext's output
    if n == 0:
        return {"n": 0, "ticks": [], "markers": [], "signals": {}}

    def cut(name: str, default: Any = None) -> list[Any]:
        return _column(points, name, n_all, default)[start:]

    values = [float(v) for v in cut("value", math.nan)]
    centre = cut("centre", math.nan)
    lower = cut("lower_limit", math.nan)
    upper = cut("upper_limit", math.nan)
    causes = ["" if c is None or (isinstance(c, float) and math.isnan(c)) else str(c) for c in cut("special_cause", "")]
    seg = cut("segment", 1)
    xs = list(range(n))

    # Limits first (thin, dotted), then centre (solid), then the value line and its points.
    for a, b in _segments(seg):
        for series in (lower, upper):
            for rx, ry in _runs(xs, [max(0.0, v) if _finite(v) else v for v in series], a, b):
                plt.plot(rx, ry, color=foreground, marker="·")
        for rx, ry in _runs(xs, centre, a, b):
            plt.plot(rx, ry, color=foreground, marker="─")
    plt.plot(xs, values, color=LINE_COLOUR, marker="braille")
    signals: dict[str, int] = {}
    for kind in ("", "neither", "concern", "improvement"):
        idx = [i for i in xs if causes[i] == kind]
        if not idx:
            continue
        signals[kind] = len(idx)
        rgb = hex_to_rgb(colours.get(kind, colours.get("", "#8c8c8c")))
        plt.scatter(idx, [values[i] for i in idx], color=rgb, marker=SIGNAL_SHAPES.get(kind, "\u25cf"))

    held = _provisional_positions(xs_raw, provisional)
    if held:
        plt.scatter([p for _, p, _ in held], [v for _, _, v in held], color=LINE_COLOUR, marker=PROVISIONAL_SHAPE)
    finite = [v for v in values + upper + [v for _, _, v in held] if _finite(v)]
    top = max(finite, default=1.0) or 1.0
    plt.ylim(0, top * 1.08)
    placed = marker_positions(xs_raw, markers)
    # A marker after the last point, on a provisional week drawn after it, goes on that week.
    after = {x: pos for x, pos, _ in held if pos > n - 1}
    extra: dict[float, str] = {}
    for marker in markers:
        x, label = marker[0], str(marker[1])
        if x in after and label not in extra.get(after[x], ""):
            extra[after[x]] = extra.get(after[x], "") + label
    placed = sorted([*placed, *extra.items()])  # type: ignore[list-item]
    for pos, label in placed:
        plt.vline(pos, MARKER_COLOUR)
        plt.text(label, x=pos, y=top * 1.06, color=MARKER_COLOUR, background=background, alignment="center")

    # x labels: at most one per ~12 cells, always the last point.
    cells = max(20, (width or 80) - 10)
    n_ticks = max(2, min(MAX_TICKS, cells // 12, n))
    step = max(1, math.ceil((n - 1) / (n_ticks - 1))) if n > 1 else 1
    positions = sorted({*range(n - 1, -1, -step)})
    if len(positions) > 1 and positions[1] - positions[0] < step // 2:
        positions = positions[1:]
    span = None
    if isinstance(xs_raw[0], dt.date) and isinstance(xs_raw[-1], dt.date):
        span = (xs_raw[-1] - xs_raw[0]).days
    fmt = x_label or (lambda x: short_date(x, span_days=span))
    ticks = [fmt(xs_raw[i]) for i in positions]
    plt.xticks(positions, ticks)
    plt.xlim(-0.5, max([n - 1, *(p for _, p, _ in held)]) + 0.5)
    if y_label:
        plt.ylabel(y_label)
    return {"n": n, "ticks": ticks, "markers": placed, "signals": signals, "provisional": held}


def _provisional_positions(
    xs: Sequence[Any], provisional: Sequence[tuple[Any, float]]
) -> list[tuple[Any, float, float]]:
    """(x, position, value): where each provisional (x, value) goes among the points at `xs`
    (positions 0..n-1): just
    after the last point before it (between two points, or one more step after the last);
    one before the first point shown is left out (the window starts after it)."""
    import bisect

    out: list[tuple[Any, float, float]] = []
    after = 0
    for x, value in sorted(provisional, key=lambda p: p[0]):
        if not _finite(value):
            continue
        i = bisect.bisect_left(list(xs), x)
        if i == 0 and xs and x < xs[0]:
            continue
        if i >= len(xs):
            after += 1
            out.append((x, len(xs) - 1 + after, float(value)))
        else:
            out.append((x, i - 0.5, float(value)))
    return out


def plotext_text(widget: PlotextPlot) -> Text:
    """What `PlotextPlot.render` returns, decoded with the fast decoder (rrp.widgets.ansi).

    The same steps as textual-plotext 1.0.1's render (size set twice, on purpose there too).
    """
    plot = widget.plt
    plot.plotsize(widget.size.width, widget.size.height)
    plot._set_size(widget.size.width, widget.size.height)
    plot.theme(widget._get_plotext_theme_name(widget.app.theme))
    return text_from_ansi(plot.build())


#: Seconds after a chart changes beneath another screen before it is built there (see show_chart).
BUILD_BENEATH_AFTER = 0.15


class SpcChart(PlotextPlot):
    """A chart widget: `show_chart(points, markers=..., title=...)` draws a ChartResult's points."""

    DEFAULT_CSS = """
    SpcChart { width: 1fr; height: 1fr; min-height: 8; }
    """

    def __init__(
        self,
        *,
        window: int | None = None,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.window = window
        self.points: Any = None
        self.markers: list[Marker] = []
        self.provisional: list[tuple[Any, float]] = []
        self.title = ""
        self.message = ""
        self.x_label: Callable[[Any], str] | None = None
        self.drawn: dict[str, Any] = {}
        # The last built chart and what it was built for: a repaint with nothing changed (e.g.
        # returning to the screen) reuses it instead of running plotext again.
        self._built: tuple[tuple[Any, ...], Any, RenderResult] | None = None
        #: How many times the chart's screen lines were made or reused for display (benchmarks
        #: wait on it; lines made beneath another screen are not counted).
        self.renders = 0
        # The strips last made from a drawing, and what they were made for (see _render_content).
        self._strips: tuple[tuple[Any, ...], Any] | None = None
        self._counting = True

    def show_chart(
        self,
        points: Any,
        *,
        markers: Sequence[Marker] = (),
        title: str = "",
        window: int | None = None,
        x_label: Callable[[Any], str] | None = None,
        provisional: Sequence[tuple[Any, float]] = (),
    ) -> None:
        """Draw `points` (a ChartResult.points frame) with vertical `markers` [(x, label), ...]
        and `provisional` weeks [(x, value), ...] hollow beside them."""
        self.points, self.markers, self.title, self.message = points, list(markers), title, ""
        self.provisional = list(provisional)
        if window is not None:
            self.window = window
        self.x_label = x_label
        if self._beneath():
            # Drawn beneath another screen (a week saved from the huddle): build the chart while
            # the user is still there, so going back shows it without waiting for plotext. Not at
            # once: building takes the UI thread for ~50 ms, and an Esc pressed straight after the
            # save would wait behind it; if Esc comes first the chart is built on return instead.
            self.set_timer(BUILD_BENEATH_AFTER, self._build_beneath)
        self.refresh()

    def _beneath(self) -> bool:
        # Not `screen.is_current`: Textual counts a screen beneath another as current when it
        # is among the "background screens".
        return self.app.screen is not self.screen and bool(self.size.width and self.size.height)

    def _build_beneath(self) -> None:
        if self.points is not None and self._beneath():
            self._build()
            self._prerender()
            self.refresh()  # shown on return from the lines just made (and counted in `renders`)

    def show_message(self, message: str) -> None:
        """No chart: show a sentence instead (e.g. 'No weeks entered yet')."""
        self.points, self.markers, self.provisional, self.message = None, [], [], message
        self.refresh()

    def _theme_rgb(self, variable: str) -> RGB | None:
        """A colour of the app's theme as RGB (None if the theme does not say)."""
        try:
            colour = self.app.theme_variables.get(variable)
            if colour:
                from textual.color import Color

                return Color.parse(colour).rgb
        except Exception:  # noqa: BLE001 - fall back to plotext's default colours
            pass
        return None

    def _prerender(self) -> None:
        """Make the screen lines now, beneath another screen (not counted as a render shown)."""
        self._counting = False
        try:
            self._render_content()
        finally:
            self._counting = True

    def render(self) -> RenderResult:
        if self.points is None:
            return Text(self.message, style="italic")
        return self._build()

    def _render_content(self) -> None:
        """Textual's step from the drawing to screen lines, skipped when nothing changed.

        Going back to a screen, Textual re-renders every widget on it. For the chart that meant
        converting plotext's few thousand styled cells into strips again: about half the time
        from Esc to the huddle painted. The strips depend only on the drawing (its key), the size
        and the widget's own style, so an unchanged chart keeps them. (Textual is pinned exactly;
        `_render_content` / `_render_cache` are its own names.)
        """
        if self._counting:
            self.renders += 1
        key = None if self.points is None else (self._build_key(), self.visual_style)
        if key is not None and self._strips is not None and self._strips[0] == key:
            self._render_cache = self._strips[1]
            self._dirty_regions.clear()
            return
        super()._render_content()
        # Kept when the drawing just made is the one for this key (a subclass that draws more
        # in its own `render` puts what that depends on into `_build_key`).
        if key is not None and self._built is not None and self._built[0] == key[0]:
            self._strips = (key, self._render_cache)

    def _build_key(self) -> tuple[Any, ...]:
        return (
            id(self.points), tuple(map(tuple, self.markers)), tuple(self.provisional), self.title, self.window,
            self.x_label,
            self.size.width, self.size.height, self.app.theme,
        )

    def _build(self) -> RenderResult:
        """Draw with plotext (or reuse the last drawing when nothing it depends on changed)."""
        key = self._build_key()
        if self._built is not None and self._built[0] == key:
            return self._built[2]
        self.drawn = draw_spc_chart(
            self.plt,
            self.points,
            markers=self.markers,
            title=self.title,
            window=self.window,
            width=self.size.width,
            foreground=self._theme_rgb("foreground") or "default",
            background=self._theme_rgb("surface"),
            x_label=self.x_label,
            provisional=self.provisional,
        )
        built = plotext_text(self)
        # The points are kept with the key so that their id() cannot be reused by a new frame.
        self._built = (key, self.points, built)
        return built
