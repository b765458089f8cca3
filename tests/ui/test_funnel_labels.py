"""The TUI funnel names its wards: labels beside the points without overlapping, and a list beside the plot."""

from __future__ import annotations

from pilot import until
from textual.app import App, ComposeResult

from rrp.widgets.funnel_plot import FunnelPlot, FunnelView, place_labels, short_labels


def test_short_labels_drop_the_provider_prefix_unless_two_would_agree() -> None:
    assert short_labels(["NVT-ASH", "ERC-OAK", "HMH-OAK", "SOLO"]) == ["ASH", "ERC-OAK", "HMH-OAK", "SOLO"]


def test_crowded_labels_never_overlap_and_outliers_come_first() -> None:
    # Ten wards almost on one spot, one far out: not every label fits, the outlier's does.
    xs = [100.0 + i for i in range(10)] + [900.0]
    ys = [50.0 + i * 0.1 for i in range(10)] + [90.0]
    texts = [f"WARD{i}" for i in range(10)] + ["FAR"]
    order = [10, *range(10)]
    placed = place_labels(xs, ys, texts, order, x_range=(0, 1000), y_range=(0, 100), width=60, height=15)
    assert placed[0].text == "FAR"
    assert 0 < len(placed) < 11
    cells: set[tuple[int, int]] = set()
    points = {(round(x * 59 / 1000), round((100 - y) * 14 / 100)) for x, y in zip(xs, ys, strict=True)}
    for label in placed:
        mine = {(label.column + k, label.row) for k in range(len(label.text))}
        assert not mine & cells and not mine & points
        assert 0 <= label.column and label.column + len(label.text) <= 60
        cells |= mine | {(label.column - 1, label.row), (label.column + len(label.text), label.row)}


def test_reserved_cells_stay_clear() -> None:
    legend = {(c, r) for c in range(12) for r in range(5)}
    placed = place_labels([5.0], [95.0], ["TOPLEFT"], [0], x_range=(0, 100), y_range=(0, 100),
                          width=40, height=10, reserved=legend)
    assert placed == []


VIEW = FunnelView(
    title="All restrictive",
    exposure=[420.0, 800.0, 1200.0, 1700.0],
    rate=[30.0, 95.0, 12.0, 35.0],
    position=["inside", "above_998", "below_95", "inside"],
    target=34.0,
    curve_exposure=[400.0, 1000.0, 1750.0],
    lower_95=[20.0, 25.0, 28.0],
    upper_95=[50.0, 44.0, 40.0],
    lower_998=[12.0, 18.0, 22.0],
    upper_998=[65.0, 52.0, 46.0],
    labels=["NVT-ASH", "NVT-BIRCH", "ERC-MAPLE", "HMH-QUAY"],
)


class FunnelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FunnelPlot(id="funnel")


async def test_funnel_widget_labels_its_wards_and_lists_them_at_80_columns() -> None:
    app = FunnelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        funnel = app.query_one(FunnelPlot)
        funnel.show(VIEW)
        await until(pilot, lambda: bool(funnel.placed))
        drawn = funnel.render().plain
        assert {label.text for label in funnel.placed} == {"ASH", "BIRCH", "MAPLE", "QUAY"}
        lines = drawn.splitlines()
        assert lines[0].rstrip().endswith("Wards (rate)")
        # The list beside the plot: outside the funnel first, each with its shape.
        listed = [line[-15:].strip() for line in lines[1:5]]
        assert listed[0].startswith("\u25b2 BIRCH") and listed[1].startswith("\u25bc MAPLE")
        for name in ("ASH", "BIRCH", "MAPLE", "QUAY"):
            assert drawn.count(name) == 2  # on the plot and in the list


def test_title_and_x_label_wordings_end_short_and_keep_their_point() -> None:
    from rrp.widgets.funnel_plot import title_wordings, xlabel_wordings

    titles = title_wordings("Incidents debriefed within 72 hours")
    assert titles[0] == "Incidents debriefed within 72 hours - for learning, not for ranking"
    assert all("learning" in t.lower() for t in titles)
    assert [len(t) for t in titles] == sorted((len(t) for t in titles), reverse=True)
    labels = xlabel_wordings("24 Aug to 16 Nov 2026")
    assert labels[0] == "occupied bed days, 24 Aug to 16 Nov 2026"
    assert "bed days, 24 Aug-16 Nov" in labels and labels[-1] == "bed days"


async def test_a_long_title_is_shortened_never_left_off() -> None:
    # plotext leaves out a title that does not fit: the widget must pick one that does.
    long = FunnelView(**{**VIEW.__dict__, "title": "Incidents debriefed within 72 hours", "period": "24 Aug to 16 Nov 2026"})
    for width in (80, 60, 120):
        app = FunnelApp()
        async with app.run_test(size=(width, 24)) as pilot:
            funnel = app.query_one(FunnelPlot)
            funnel.show(long)
            await until(pilot, lambda funnel=funnel: bool(funnel.placed))
            title_row, *_, xlabel_row = funnel.render().plain.splitlines()
            assert "learning, not" in title_row, (width, title_row)
            assert "bed days" in xlabel_row, (width, xlabel_row)
            if width == 120:
                assert "Incidents debriefed within 72 hours - for learning, not for ranking" in title_row
                assert "occupied bed days, 24 Aug to 16 Nov 2026" in xlabel_row


async def test_the_dashboard_funnel_says_what_when_and_not_a_ranking_at_80x24(demo_db, make_app) -> None:
    from pilot import settled

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("dashboard")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.view is not None)
        app.screen.query_one("#dash-tabs").active = "tab-funnel"
        await settled(pilot)
        funnel = app.screen.query_one(FunnelPlot)
        view = funnel.view
        shown = funnel.render().plain.splitlines()
        assert view.title == "All restrictive" and view.period.endswith("2026")
        assert f"{view.title} - for learning, not for ranking" in shown[0]
        assert f"bed days, {view.period}" in shown[-1]
        assert "Wards (rate)" in shown[0]
