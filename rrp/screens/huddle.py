"""The ward safety huddle: one screen, readable at a glance at 80x24.

For one ward: this week and last week per measure (prone separately) and the weeks since the last
episode; the chosen measure's chart per 1,000 occupied bed days with its centre, limits, signals,
PDSA markers, rebases and notes; the variation icon in words with its MDC letter; the chart read
out in plain sentences (so colour is never the only cue); the change from baseline against the
aim; the PDSA cycles running and due for Study.

Keys: 1-5 or m choose the measure, c the chart type (run, XmR, u), b fixes the baseline, r adds a
rebase (a Monday and a required reason), a adds a note, e logs or corrects this week's counts (the
week entry form). The chart type and baseline are kept per ward (preference `huddle:<ward>`). The
numbers come from rrp.reports.huddle.huddle_summary.

A week saved from the entry form opened with `e` is shown at once: the huddle keeps what it read
(`HuddleInputs`) and recomputes from it with the saved weeks put in place, in a worker, without
reading the database again (a few ms).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from rrp.messages import day_month
from rrp.reports.icons_text import (
    COMMON_COLOUR,
    CONCERN_COLOUR,
    IMPROVEMENT_COLOUR,
    SHAPES_LEGEND,
    variation_colour,
    variation_text,
)
from rrp.reports.user_text import user_text
from rrp.screens.annotation_form import AnnotationForm, BaselineForm
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.icons import reading_rich
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.spc_chart import PROVISIONAL_SHAPE, SpcChart

if TYPE_CHECKING:
    import pandas as pd

    from rrp.models.annotation import Annotation
    from rrp.models.pdsa import PdsaCycle
    from rrp.models.weekly import StoredWeek
    from rrp.reports.huddle import HuddleSummary

#: Measures before the first read (the core ones); after it, the ward's active measures
#: (HuddleSummary.measure_codes) in key order 1..9, `m` cycling through all of them.
MEASURE_KEYS = ("all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation")
#: Chart types before the first read; after it, HuddleSummary.chart_options (run, XmR and the
#: measure's own chart: u, p or c).
CHARTS = ("run", "xmr", "u")
#: Weeks drawn on the chart (the chart is computed on every week; the huddle shows the last year).
CHART_WINDOW = 52
#: Characters per line in the panel beside the counts (80 columns: 78 - 46 - 1; one fewer when it scrolls).
SIDE_WIDTH = 31
SIDE_LINES = 6  # the side panel's usual height (#huddle-top in app.tcss): as tall as the counts
CHART_MIN = 8  # the chart's least height (SpcChart's min-height): what the side panel may not take


def preference_key(ward_code: str) -> str:
    """The preference holding a ward's huddle choices (chart, fix_after, measure)."""
    return f"huddle:{ward_code}"


@dataclass(frozen=True)
class HuddleInputs:
    """What the huddle read from the store: enough to recompute after a save without reading again.

    read_after: the number of weeks the screen had saved when the read began (those are in it).
    """

    ward_name: str
    weekly: pd.DataFrame
    annotations: list[Annotation]
    running: list[PdsaCycle]
    due: list[PdsaCycle]
    aim: float | None
    read_after: int
    #: rrp.reports.figures.read_figure_inputs: the measures, values, targets the figures need.
    figure_inputs: dict[str, Any] = field(default_factory=dict)
    #: The day the ward joined the collaborative (weeks before it are not applicable, not missing).
    participation_start: dt.date | None = None


class HuddleScreen(ReportsWorkerErrors, Screen[None]):
    """One ward's huddle."""

    BINDINGS = [
        Binding("m", "next_measure", "Measure", id="huddle.measure", key_display="m",
                tooltip="Next measure (or 1-9)"),
        *(
            Binding(str(i + 1), f"measure({i})", f"Measure {i + 1}", id=f"huddle.measure{i + 1}", show=False)
            for i in range(9)
        ),
        Binding("c", "next_chart", "Chart", id="huddle.chart", tooltip="Run, XmR or the measure's own chart (u, p, c)"),
        Binding("b", "baseline", "Baseline", id="huddle.baseline", tooltip="Fix the baseline after n points"),
        Binding("r", "rebase", "Rebase", id="huddle.rebase", tooltip="Start a new segment (reason required)"),
        Binding("a", "note", "Note", id="huddle.note", tooltip="Add a note to the chart"),
        Binding("e", "enter_week", "Week", id="huddle.enter_week",
                tooltip="Log or correct this week's counts (the chart updates on save)"),
        Binding("escape", "back", "Back", id="huddle.back"),
    ]

    def __init__(self, ward_code: str | None = None) -> None:
        super().__init__()
        self.ward_code = ward_code
        self.ward_name = ward_code or ""
        self.measure: str | None = None
        self.chart: str | None = None
        self.fix_after: int | None = None
        self.summary: HuddleSummary | None = None
        self.loaded = False
        self.error: str | None = None
        #: What the last read returned (None until the first load has been shown).
        self.inputs: HuddleInputs | None = None
        #: Weeks saved from the entry form, by week: (save number, week). Merged into `inputs`
        #: until a read that began after the save has been shown.
        self.saved_weeks: dict[dt.date, tuple[int, StoredWeek]] = {}
        self._saves = 0
        #: Each load/recompute gets a number; only the latest one's result is shown.
        self._requested = 0
        self._shown = 0

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="huddle"):
            yield Static("Loading the huddle...", id="huddle-title")
            with Horizontal(id="huddle-top"):
                yield Static("", id="huddle-counts")
                # Scrolls only when several long cycle titles outgrow the room (fit_side).
                with VerticalScroll(id="huddle-side-scroll"):
                    yield Static("", id="huddle-side")
            yield Static("", id="huddle-reading")
            yield SpcChart(id="huddle-chart", window=CHART_WINDOW)
            yield Static("", id="huddle-legend")
        # Compact so every key, F1 Help included, fits at 80 columns.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.ward_code is None:
            self.query_one("#huddle-title", Static).update("Choose a ward on the home screen first.")
            return
        start_loading(self.query_one("#huddle-chart"))
        self.start_load(None)

    # -- loading ---------------------------------------------------------------------------

    def choices(self) -> dict[str, Any]:
        return {"measure": self.measure, "chart": self.chart, "fix_after": self.fix_after}

    def start_load(self, choices: dict[str, Any] | None, *, save: Annotation | None = None) -> None:
        """On the UI thread: read everything again and recompute (see `load`)."""
        self._requested += 1
        self.load(choices, save=save, request=self._requested)

    @work(thread=True, exclusive=True, exit_on_error=False, group="huddle")
    def load(
        self, choices: dict[str, Any] | None, *, save: Annotation | None = None, request: int | None = None
    ) -> None:
        """Read the ward's weeks, annotations, cycles and aim; compute the huddle; show it.

        choices None: the first load, from the saved preference. Otherwise the choices are
        saved as the ward's preference. `save`: an annotation to store first. `request`: the
        number `start_load` gave this load (a newer request's result replaces it unseen).
        """
        app = self.app
        try:
            from rrp.store import StoreError

            read_after = self._saves
            just_saved = [week for _, week in list(self.saved_weeks.values())]

            store = app.store  # type: ignore[attr-defined]
            today: dt.date = app.today  # type: ignore[attr-defined]
            code = self.ward_code
            assert code is not None
            message = None
            if save is not None:
                try:
                    store.annotations.add(save)
                    message = "Rebase saved." if save.kind.value == "rebase" else "Note saved."
                except StoreError as exc:
                    message = f"Not saved: {exc}"
            key = preference_key(code)
            if choices is None:
                saved = store.preferences.get(key, {}) or {}
                choices = {
                    "measure": saved.get("measure") if isinstance(saved.get("measure"), str) else None,
                    "chart": saved.get("chart") if isinstance(saved.get("chart"), str) else "run",
                    "fix_after": saved.get("fix_after") if isinstance(saved.get("fix_after"), int) else None,
                }
            else:
                store.preferences.set(key, choices)
            ward = store.registry.ward(code)
            from rrp.reports.figures import read_figure_inputs

            inputs = HuddleInputs(
                ward_name=ward.name if ward is not None else code,
                weekly=store.weekly.frame(ward_codes=[code]),
                annotations=[s.annotation for s in store.annotations.list(code)],
                running=[s.cycle for s in store.pdsa.running(code, today)],
                due=[s.cycle for s in store.pdsa.due_for_study(code, today)],
                aim=store.change_package.aim().reduction,
                read_after=read_after,
                figure_inputs=read_figure_inputs(store, code),
                participation_start=ward.participation_start if ward is not None else None,
            )
            summary, choices, cleared = self.summarise(inputs, choices, just_saved)
            app.call_from_thread(
                self.show, summary, inputs.ward_name, choices, cleared or message, request=request, inputs=inputs
            )
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a crash
            app.call_from_thread(self.show_error, f"Could not build the huddle: {exc}")

    @work(thread=True, exclusive=True, exit_on_error=False, group="huddle-recompute")
    def recompute(
        self, inputs: HuddleInputs, choices: dict[str, Any], saved: list[StoredWeek], request: int
    ) -> None:
        """Recompute the huddle from what was read plus the weeks just saved: no database read."""
        app = self.app
        try:
            summary, choices, cleared = self.summarise(inputs, choices, saved)
            app.call_from_thread(self.show, summary, inputs.ward_name, choices, cleared, request=request)
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a crash
            app.call_from_thread(self.show_error, f"Could not build the huddle: {exc}")

    def summarise(
        self, inputs: HuddleInputs, choices: dict[str, Any], saved: list[StoredWeek]
    ) -> tuple[HuddleSummary, dict[str, Any], str | None]:
        """(summary, choices, message) from the inputs with `saved` in place (in a worker)."""
        from rrp.reports.huddle import (
            chart_options,
            huddle_measures,
            huddle_summary,
            with_saved_weeks,
        )

        weekly = with_saved_weeks(inputs.weekly, saved)
        measure_set = inputs.figure_inputs.get("measure_set")
        if measure_set is not None:
            # A saved measure the ward no longer sees, or a chart that does not fit the measure,
            # falls back to the first measure and the run chart (never an error on screen).
            shown = {m.code: m for m in huddle_measures(measure_set, self.ward_code, self.app.today)}  # type: ignore[attr-defined]
            measure = choices["measure"] if choices["measure"] in shown else next(iter(shown), None)
            charts = chart_options(shown[measure]) if measure in shown else ("run",)
            choices = {**choices, "measure": measure, "chart": choices["chart"] if choices["chart"] in charts else "run"}
        common: dict[str, Any] = {
            "today": self.app.today,  # type: ignore[attr-defined]
            "annotations": inputs.annotations,
            "aim_reduction": inputs.aim,
            "running": inputs.running,
            "due": inputs.due,
            "ward_code": self.ward_code,
            "participation_start": inputs.participation_start,
            **{k: inputs.figure_inputs.get(k) for k in ("measure_set", "values", "targets")},
        }
        try:
            summary = huddle_summary(
                weekly, measure=choices["measure"], chart=choices["chart"], fix_after=choices["fix_after"], **common
            )
        except ValueError as exc:  # e.g. a stale preference the engine refuses
            choices = {**choices, "fix_after": None}
            summary = huddle_summary(weekly, measure=choices["measure"], chart=choices["chart"], **common)
            return summary, choices, f"Baseline cleared: {exc}"
        return summary, choices, None

    def show_error(self, message: str) -> None:
        self.error = message
        stop_loading(self.query_one("#huddle-chart"))
        self.query_one("#huddle-title", Static).update(user_text(message, "bold"))

    def show(
        self,
        summary: HuddleSummary,
        ward_name: str,
        choices: dict[str, Any],
        message: str | None,
        *,
        request: int | None = None,
        inputs: HuddleInputs | None = None,
    ) -> None:
        """On the UI thread: paint the summary (unless a newer load or recompute was asked for)."""
        if request is not None:
            if request < self._requested:
                return
            self._shown = request
        if inputs is not None:
            self.inputs = inputs
            # Weeks saved before this read began are in it now.
            self.saved_weeks = {k: v for k, v in self.saved_weeks.items() if v[0] > inputs.read_after}
        self.summary, self.ward_name = summary, ward_name
        self.measure, self.chart, self.fix_after = choices["measure"], choices["chart"], choices["fix_after"]
        self.loaded = True
        self.query_one("#huddle-title", Static).update(self._title(summary))
        self.query_one("#huddle-counts", Static).update(self._counts(summary))
        self.query_one("#huddle-side", Static).update(self._side(summary))
        self.call_after_refresh(self.fit_side)
        self.query_one("#huddle-reading", Static).update(reading_rich(summary.reading))
        chart = self.query_one("#huddle-chart", SpcChart)
        stop_loading(chart)
        if summary.result is None:
            chart.show_message(
                "Only provisional weeks so far (saved before they ended): charted once a week has "
                "ended and been saved again." if summary.provisional
                else "No weeks with bed days entered yet: nothing to chart."
            )
        else:
            chart.show_chart(
                summary.result.points, markers=summary.markers, title=self._chart_title(summary),
                provisional=summary.provisional,
            )
        self.query_one("#huddle-legend", Static).update(self._legend(summary))
        if message:
            self.notify(message, timeout=4)

    # -- rendering -------------------------------------------------------------------------

    def _title(self, s: HuddleSummary) -> Text:
        latest = f"latest entered {day_month(s.latest_week)}" if s.latest_week else "no weeks entered"
        if s.latest_week and s.latest_provisional:
            latest = f"latest {day_month(s.latest_week)} (provisional)"
        return Text.assemble(
            user_text(f"{self.ward_name} ({s.ward_code})", "bold"),
            f"  week of Mon {day_month(s.this_week)}; {latest}",
        )

    def _counts(self, s: HuddleSummary) -> Table:
        from rrp.reports.huddle import weeks_since_text

        table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False, expand=False)
        table.add_column("", no_wrap=True, width=17)
        table.add_column("This wk", justify="right", no_wrap=True)
        table.add_column("Last wk", justify="right", no_wrap=True)
        table.add_column("Wks since", justify="right", no_wrap=True)
        for i, line in enumerate(s.lines, start=1):
            chosen = line.measure == s.measure
            key = str(i) if i <= 9 else " "
            label = Text(f"{key} {s.short_label(line.measure)}", style="bold reverse" if chosen else "")
            table.add_row(
                label,
                _count_text(line.this_week, s.this_week_provisional, s.this_week_taking_part),
                _count_text(line.last_week, s.last_week_provisional, s.last_week_taking_part),
                weeks_since_text(line.weeks_since, line.weeks_observed, short=True),
            )
        return table

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_side)

    def fit_side(self) -> None:
        """The counts' row is as tall as the side panel needs (a long cycle title wrapped whole),
        taking lines from the chart down to its least height; past that (several long titles)
        the panel scrolls, its lines wrapped one narrower to leave the scrollbar room."""
        top = self.query_one("#huddle-top")
        chart = self.query_one("#huddle-chart")
        if self.summary is None or not chart.size.height:
            return
        current = top.size.height or SIDE_LINES
        room = SIDE_LINES + max(0, chart.size.height + current - SIDE_LINES - CHART_MIN)
        scroll = self.query_one("#huddle-side-scroll")
        width = max(SIDE_WIDTH, scroll.size.width - 1)  # less its left padding: wider than 80 columns
        side = self._side(self.summary, width)
        scrolls = len(side.split("\n")) > room
        if scrolls:
            side = self._side(self.summary, width - 1)
        # No scrollbar (it would take a column and wrap every line again) unless it must scroll.
        scroll.styles.overflow_y = "auto" if scrolls else "hidden"
        self.query_one("#huddle-side", Static).update(side)
        height = max(SIDE_LINES, min(len(side.split("\n")), room))
        if height != current:
            top.styles.height = height

    def _side(self, s: HuddleSummary, width: int = SIDE_WIDTH) -> Text:
        """Signal, change from baseline and PDSA cycles, every line and cycle title wrapped whole at
        `width` (user text, never markup)."""
        lines: list[Text] = []
        # The icon is the shared figure (the measure's own chart to the last complete week, as the
        # dashboard, the reports and the pack show it), whichever chart is drawn below.
        figure = s.figure
        icon = figure.variation_icon if figure is not None else s.variation_icon
        shown = figure is not None and figure.latest_value is not None or s.result is not None
        colour = variation_colour(icon) if shown else COMMON_COLOUR
        words = variation_text(icon, short=True) if shown else "No chart yet"
        if s.trial and figure is None:
            words += " (trial)"
        lines.append(Text(words, style=f"bold {colour}"))
        change = s.change
        aim = change.aim_words().removeprefix("aim: ")
        if change.change is None:
            lines.append(Text(f"No change yet (aim {aim})"))
        else:
            style = IMPROVEMENT_COLOUR if change.meets_aim else ""
            lines.append(Text(f"{change.change:+.0%} vs baseline (aim {aim})", style=style))
        running, due = s.running, s.due_for_study
        lines.append(Text(f"PDSA: {len(running)} running, {len(due)} due Study", style="bold"))
        lines += [
            Text.assemble(("Study due: " if line.due_for_study else "", f"bold {CONCERN_COLOUR}"), user_text(line.title))
            for line in running
        ]
        if not running:
            lines.append(Text("No cycles running.", style="italic"))
        return Text("\n").join(_wrapped(lines, width))

    def _chart_title(self, s: HuddleSummary) -> str:
        unit = " per 1,000 bed days" if s.unit.startswith("per 1,000") else " (%)" if s.unit.startswith("%") else ""
        return f"{s.measure_label}{unit} - {s.chart_label}"

    def _legend(self, s: HuddleSummary) -> Text:
        from rrp.reports.huddle import MARKER_LEGEND

        base = f"baseline: first {s.fix_after} points" if s.fix_after else "baseline: all points"
        if s.chart == "run":
            base = base.replace("baseline", "median from")
        parts = [base]
        if s.rebases:
            parts.append(f"{len(s.rebases)} rebase{'s' if len(s.rebases) > 1 else ''}")
        text = Text("; ".join(parts) + ".  ", style="dim")
        text.append(MARKER_LEGEND + "  " + SHAPES_LEGEND, style="dim")
        if s.provisional or s.this_week_provisional or s.last_week_provisional:
            text.append(f"  {PROVISIONAL_SHAPE}/prov provisional (not in the figures)", style="dim")
        if s.note:
            text = user_text(s.note, "italic")
        return text

    # -- actions ---------------------------------------------------------------------------

    def _reload(self, **changes: Any) -> None:
        if not self.loaded:
            return
        choices = {**self.choices(), **changes}
        self.measure, self.chart, self.fix_after = choices["measure"], choices["chart"], choices["fix_after"]
        start_loading(self.query_one("#huddle-chart"))
        self.start_load(choices)

    def _measures(self) -> list[str]:
        return list(self.summary.measure_codes) if self.summary is not None else list(MEASURE_KEYS)

    def action_measure(self, index: int) -> None:
        measures = self._measures()
        if index < len(measures):
            self._reload(measure=measures[index])

    def action_next_measure(self) -> None:
        measures = self._measures()
        current = measures.index(self.measure) if self.measure in measures else -1
        self._reload(measure=measures[(current + 1) % len(measures)])

    def action_next_chart(self) -> None:
        charts = list(self.summary.chart_options) if self.summary is not None else list(CHARTS)
        current = charts.index(self.chart) if self.chart in charts else -1
        self._reload(chart=charts[(current + 1) % len(charts)])

    def action_baseline(self) -> None:
        if not self.loaded:
            return
        points = len(self.summary.result.points) if self.summary and self.summary.result is not None else None

        def chosen(n: int | None) -> None:
            if n is None:
                return
            self._reload(fix_after=n or None)

        self.app.push_screen(BaselineForm(self.fix_after, points), chosen)

    def _annotate(self, kind: str) -> None:
        if not self.loaded or self.ward_code is None or self.summary is None:
            return
        def chosen(annotation: Annotation | None) -> None:
            if annotation is None:
                return
            start_loading(self.query_one("#huddle-chart"))
            self.start_load(self.choices(), save=annotation)

        rebase = kind == "rebase"
        form = AnnotationForm(
            ward_code=self.ward_code,
            kind=kind,
            measure=self.measure if rebase else None,
            measure_label=self.summary.measure_label,
            on_date=None if rebase else self.app.today,  # type: ignore[attr-defined]
        )
        self.app.push_screen(form, chosen)

    def action_rebase(self) -> None:
        self._annotate("rebase")

    def action_note(self) -> None:
        self._annotate("note")

    def action_enter_week(self) -> None:
        """Open the week entry form for this ward; each save redraws the huddle beneath it."""
        if self.ward_code is None:
            return
        from rrp.screens.week_entry import WeekEntryScreen

        self.app.push_screen(
            WeekEntryScreen(self.ward_code, on_saved=self.week_saved, on_deleted=self.week_deleted), self.entry_closed
        )

    def week_deleted(self, week: dt.date) -> None:
        """On the UI thread, after the entry form deleted a week (F8): read the chart again."""
        self.saved_weeks.pop(week, None)
        self.start_load(self.choices() if self.loaded else None)

    def week_saved(self, stored: StoredWeek) -> None:
        """On the UI thread, after the entry form saved a week: show it (see the module doc)."""
        if stored.counts.ward_code != self.ward_code:
            return
        known = self.saved_weeks.get(stored.counts.week_start)
        if known is not None and known[1].version >= stored.version:
            return
        self._saves += 1
        self.saved_weeks[stored.counts.week_start] = (self._saves, stored)
        if self.inputs is None or self._shown != self._requested:
            # Nothing shown yet, or a read is under way that may predate the save: read again.
            self.start_load(self.choices() if self.loaded else None)
            return
        self._requested += 1
        self.recompute(self.inputs, self.choices(), [week for _, week in self.saved_weeks.values()], self._requested)

    def entry_closed(self, saved: list[StoredWeek] | None) -> None:
        """The entry form's result: any saved week not shown yet is shown now."""
        for stored in saved or []:
            self.week_saved(stored)

    def action_back(self) -> None:
        self.app.pop_screen()


def _count_text(value: int | float | None, provisional: bool = False, taking_part: bool = True) -> Text:
    """A week's count; 'prov' after it when the week is provisional (saved before it ended, not
    since: the summary's flag), in words, so neither the hollow point nor a colour is the only cue;
    'n/a' for an empty week before the ward joined (as the home screen says), '-' for one not entered."""
    if value is None:
        return Text("-" if taking_part else "n/a", style="dim")
    text = Text(str(value), style="bold" if value else "")
    if provisional:
        text.append(" prov", style="italic")
    return text


def _wrapped(texts: list[Text], width: int) -> list[Text]:
    """Each text on its own lines, wrapped whole at `width` (on words; a word longer than a line
    is split, never cut)."""
    console = Console(width=width)
    out: list[Text] = []
    for text in texts:
        for line in text.wrap(console, width):
            line.rstrip()
            out.append(line)
    return out
