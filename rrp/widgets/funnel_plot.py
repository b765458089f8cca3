"""The funnel plot: each ward's rate over one period against its exposure, with the 95% and
99.8% limits around the pooled rate. Labelled, always, "for learning, not for ranking".

Takes plain lists (the screen converts the Dashboard's frames in its worker).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from rrp.reports.icons_text import COMMON_COLOUR, CONCERN_COLOUR, IMPROVEMENT_COLOUR
from rrp.reports.user_text import visible
from rrp.widgets.spc_chart import plotext_text

LEARNING_NOT_RANKING = "for learning, not for ranking"


@dataclass(frozen=True)
class FunnelView:
    """What the funnel widget draws (rates per 1,000 occupied bed days)."""

    title: str
    exposure: list[float] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    position: list[str] = field(default_factory=list)
    target: float | None = None
    curve_exposure: list[float] = field(default_factory=list)
    lower_95: list[float] = field(default_factory=list)
    upper_95: list[float] = field(default_factory=list)
    lower_998: list[float] = field(default_factory=list)
    upper_998: list[float] = field(default_factory=list)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _points(view: FunnelView, keep: Sequence[str]) -> tuple[list[float], list[float]]:
    pairs = [(x, y) for x, y, p in zip(view.exposure, view.rate, view.position, strict=True) if p in keep]
    return [x for x, _ in pairs], [y for _, y in pairs]


class FunnelPlot(PlotextPlot):
    """A plotext scatter of ward rates vs bed days with funnel limits."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.view: FunnelView | None = None

    def show(self, view: FunnelView) -> None:
        """Draw `view` (replaces what was drawn)."""
        self.view = view
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(visible(f"{view.title} - {LEARNING_NOT_RANKING}"))
        plt.xlabel("occupied bed days in the period")
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
            (("inside",), COMMON_COLOUR, "\u25cf", "inside"),
            (("above_95", "above_998"), CONCERN_COLOUR, "\u25b2", "above"),
            (("below_95", "below_998"), IMPROVEMENT_COLOUR, "\u25bc", "below"),
        )
        for keep, colour, marker, label in groups:
            xs, ys = _points(view, keep)
            if xs:
                plt.scatter(xs, ys, color=_rgb(colour), marker=marker, label=label)
        self.refresh()

    def render(self) -> RenderResult:
        return plotext_text(self)
