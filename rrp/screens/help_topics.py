"""F1 help for the screen you are on: what it is for, how to read its chart, its keys.

Each screen's topic is declared here by its class name (`TOPICS`): a few plain sentences saying
what the screen is for and, for a screen that shows a chart or a table of signals, first of all
"how to read this chart and what to discuss at the huddle". A screen with tabs has a topic per
tab (`HelpTopic.tabs`), and F1 explains the tab that is showing: the dashboard's funnel tab
explains the funnel's shapes and lines, its wards tab the icon letters and colours. The keys
are built from `rrp.reports.icons_text` and the widgets' own constants (the colours, shapes,
icon words and MDC letters the charts themselves use), and the keys from the screen's own
BINDINGS, so help cannot drift from what the screen does. The methods (data/methods.md) are one
key away ('m') and only rendered when asked for. Rich Text only: nothing here reads a file or
the store.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding

from rrp.models.pdsa import RAMP_LABEL_KEY
from rrp.reports.icons_text import (
    ASSURANCE_LETTERS,
    ASSURANCE_WORDS,
    SIGNAL_COLOURS,
    SIGNAL_SHAPES,
    VARIATION_LETTERS,
)


@dataclass(frozen=True)
class HelpTopic:
    """What a screen is for (plain words) and whether it shows an SPC chart to be read."""

    title: str
    purpose: str
    #: True: an SPC chart, explained by `chart_key` (same as reading="chart").
    chart: bool = False
    discuss: str = ""
    #: Where the discussion happens ('at the huddle', 'at the learning session').
    where: str = "at the huddle"
    #: What the help explains first, as a key of `READINGS` ('chart', 'funnel', 'icons', ...).
    reading: str = ""
    #: A topic per tab, by the TabPane's id: F1 explains the tab that is showing.
    tabs: tuple[tuple[str, HelpTopic], ...] = ()

    @property
    def key(self) -> str:
        """The reading this topic starts with ('' for none)."""
        return self.reading or ("chart" if self.chart else "")


HUDDLE_DISCUSS = (
    "Talk about: any orange or blue point this week and what was different that "
    "week; whether the PDSA cycles running are due for Study; whether the ward is on course for "
    "its aim (the change from baseline); and what to try next. A single high week inside the "
    "limits is common cause: look for a pattern, not one number."
)

AT_THE_SESSION = "at the learning session"
DASHBOARD_PURPOSE = (
    "Every ward on one screen for the facilitator: the latest rate, change from baseline, "
    "variation and assurance icons per measure, PDSA activity and weeks submitted; then the "
    "collaborative's own chart against the aim, who has not submitted, the funnel plot and "
    "PDSA activity. The funnel is for learning together, never a league table: a ward outside "
    "the funnel is a question to ask, not a verdict."
)
DASHBOARD_DISCUSS = (
    "Talk about: which wards show blue (improvement) and what they "
    "changed; which show orange (concern) and what help they need; who has not submitted; "
    "and whether the collaborative as a whole is heading for its aim."
)

TOPICS: dict[str, HelpTopic] = {
    "HomeScreen": HelpTopic(
        "Wards",
        "Every ward of the collaborative, grouped by provider. For each: this week and last "
        "week (a tick or 'done': entered; 'due': last week has ended and is not entered; 'prov': "
        "provisional, saved before the week ended; 'to confirm' ('conf?' when narrow): saved "
        "before the week ended, which has ended since: not submitted until it is saved again; "
        "'-': the week is still in progress; 'n/a': before the ward joined), a small bar trend of "
        "the last 12 weeks' totals and the latest total. Highlight a ward and press Enter to log "
        "its week: last week when it is missing or to confirm (Ctrl+S on it confirms it), "
        "otherwise this week (saved as provisional). h opens its "
        "safety huddle; j sets the day the ward joined the collaborative (earlier weeks are "
        "never due).",
    ),
    "WeekEntryScreen": HelpTopic(
        "Log a week",
        "The week's counts for one ward: episodes in the week starting Monday. Prone restraints "
        "are counted inside restraints. Occupied bed days: the occupied beds at each midnight of "
        "the week added up (at most beds x 7); it is filled from last week. The ward's "
        "switched-on weekly measures follow the counts (a proportion is two numbers: how many of "
        "how many); blank means not entered, never zero; the focused measure's definition shows "
        "beneath. Never type names or NHS numbers: rrp holds counts only. Mistakes: a value far "
        "outside the ward's usual range asks 'are you sure?' (y saves it, n goes back to it); "
        "changing a confirmed week asks why (keeping a provisional week up to date, or confirming "
        "it after its Sunday, does not; its bed days so far are not questioned); Ctrl+G goes to "
        "the latest week missing or to confirm; F8 deletes a week entered by mistake (with a reason); "
        "F6 shows the week's history: who, when, what changed and why.",
    ),
    "MeasuresScreen": HelpTopic(
        "Measures",
        "The collaborative's family of measures (outcome, process and balancing), and the "
        "highlighted ward's own. Each has an operational definition: what counts and what does "
        "not. Switch a measure on and wards log it with their week (or month); the core "
        "restrictive-practice measures are fixed.",
    ),
    "MonthEntryScreen": HelpTopic(
        "Log a month",
        "The ward's switched-on monthly measures for one month (e.g. Safewards interventions in "
        "place). Blank means not entered, never zero.",
    ),
    "HuddleScreen": HelpTopic(
        "Safety huddle",
        "One ward at a glance: this week and last week per measure, the chosen measure's chart "
        "per 1,000 occupied bed days, the chart read out in words, the change from baseline "
        "against the aim, and the PDSA cycles running. A hollow point (\u25cb) is a provisional "
        "week: saved before it ended (this week so far, or a week not saved again since). It is "
        "shown but is not part of the limits, signals, icons or change until the week has ended "
        "and been saved again.",
        chart=True,
        discuss=HUDDLE_DISCUSS,
    ),
    "DashboardScreen": HelpTopic(
        "Collaborative dashboard",
        DASHBOARD_PURPOSE,
        chart=True,
        where=AT_THE_SESSION,
        discuss=DASHBOARD_DISCUSS,
        tabs=(
            ("tab-wards", HelpTopic(
                "Collaborative dashboard: Wards",
                "One row per ward: per measure its latest rate, its change from baseline "
                "(chg%), its variation (var) and assurance (A) icons; then PDSA cycles "
                "started this month and running, the progress score and weeks submitted. "
                "s sorts, p and t filter by provider and ward type, v chooses the measures.",
                reading="icons", where=AT_THE_SESSION, discuss=DASHBOARD_DISCUSS,
            )),
            ("tab-aggregate", HelpTopic(
                "Collaborative dashboard: Aggregate",
                "The collaborative as a whole: every ward's counts added up, week by week, "
                "against the collaborative's aim (the blue line marked 'aim'). m changes the "
                "measure charted.",
                chart=True, where=AT_THE_SESSION,
                discuss="Talk about: whether the collaborative is heading for its aim, and "
                "which changes (the wards' adopted ideas) line up with a shift in the chart.",
            )),
            ("tab-completeness", HelpTopic(
                "Collaborative dashboard: Completeness",
                "Which wards have sent which weeks: one row per ward, one column per recent week. "
                "u lists the wards that have not sent last week (c there copies the list).",
                reading="completeness", where=AT_THE_SESSION,
                discuss="Talk about: who has not submitted and what gets in the way (a missing "
                "week is not a zero: charts skip it); who will send it, and by when.",
            )),
            ("tab-funnel", HelpTopic(
                "Collaborative dashboard: Funnel",
                "Each ward's rate over the last weeks against its size (occupied bed days). "
                "The funnel is for learning together, never a league table: a ward outside the "
                "funnel is a question to ask, not a verdict. Compare like with like: t filters "
                "by ward type.",
                reading="funnel", where=AT_THE_SESSION,
                discuss="Talk about: what the wards below the funnel do that others could try; "
                "what is different for the wards above it (case mix, staffing, a run of "
                "admissions) and what help they need. Never rank the wards inside the funnel: "
                "their differences are chance.",
            )),
            ("tab-pdsa", HelpTopic(
                "Collaborative dashboard: PDSA",
                "PDSA activity: cycles started and completed each month, across the wards shown.",
                where=AT_THE_SESSION,
                discuss="Talk about: which wards are testing changes and which have stalled; "
                "cycles due for Study; ideas ready to spread from one ward to another.",
            )),
        ),
    ),
    "PdsaListScreen": HelpTopic(
        "PDSA cycles",
        "The ward's Plan-Do-Study-Act cycles (or every ward's). PRSDA shows each cycle's quality: "
        "a bold letter when the cycle has a Prediction, a Ramp link, a Scale, Data and an Act "
        "decision; dim when it is missing. Flags say when a cycle is due for Study.",
    ),
    "PdsaEditScreen": HelpTopic(
        "PDSA worksheet",
        "One cycle, Plan to Act: write a prediction for each question before the test, the data "
        "to collect, what happened, what you learned, and the decision: adopt, adapt or abandon.",
        tabs=(
            ("tab-cycle", HelpTopic(
                "PDSA worksheet: Cycle",
                "The cycle itself: its title, the change idea it tests, the cycle it follows (a "
                "ramp of cycles), its number, its scale and its planned dates. Test small first "
                "(one shift, one nurse), then widen the scale. Cycles are labelled by ramp and "
                f"number: {RAMP_LABEL_KEY}, started again from an earlier cycle (A4b follows it).",
            )),
            ("tab-plan", HelpTopic(
                "PDSA worksheet: Plan",
                "Before the test: the objective, the questions, a prediction for each question "
                "(written first: learning is the gap between prediction and result), who does "
                "what, when and where, and the data to collect.",
            )),
            ("tab-do", HelpTopic(
                "PDSA worksheet: Do",
                "During the test: what happened, what you observed, and the problems met.",
            )),
            ("tab-study", HelpTopic(
                "PDSA worksheet: Study",
                "After the test: the results against each prediction, and what you learned. The "
                "ward's huddle chart helps: did anything change, and when?",
            )),
            ("tab-act", HelpTopic(
                "PDSA worksheet: Act",
                "The decision: adopt (make it how we work), adapt (change it and test again) or "
                "abandon, and the next step: the next cycle of the ramp.",
            )),
        ),
    ),
    "DriverDiagramScreen": HelpTopic(
        "Driver diagram",
        "The collaborative's theory of change: the aim, the primary and secondary drivers and "
        "the change ideas, with how many PDSA cycles test each idea and which are adopted.",
    ),
    "ProgressScreen": HelpTopic(
        "Progress scores",
        "Each ward's IHI progress score (0.5 intent to 5.0 outstanding sustainable results), "
        "the latest first; the highlighted ward's history below.",
    ),
    "DataIoScreen": HelpTopic(
        "Data in and out",
        "Import a file (weekly counts, wards, PDSA cycles, a ward's submission), write an export "
        "for governance (the same figures the app shows), or back up the database.",
        tabs=(
            ("tab-import", HelpTopic(
                "Data in and out: Import",
                "Choose the kind of file and type its path (→ completes it). Ctrl+T checks it "
                "first and lists every problem by row; Ctrl+S imports it once the check passes. "
                "Nothing is changed until you import.",
            )),
            ("tab-export", HelpTopic(
                "Data in and out: Export",
                "Write a table for governance as an Excel-safe CSV: the same figures the app "
                "shows. Leave provider, wards and dates blank for everything. The governance "
                "workbook (every table in one .xlsx, with a README) is `rrp export workbook`.",
            )),
            ("tab-backup", HelpTopic(
                "Data in and out: Backup",
                "Copy the whole database to a folder (a new dated file each time), safely while "
                "others are saving. Restore with `rrp restore FILE` while rrp is closed.",
            )),
        ),
    ),
}

GENERAL = HelpTopic(
    "Help",
    "rrp holds counts only: never type names or NHS numbers.",
)


def topic_for(screen: Any) -> HelpTopic:
    """The topic of `screen` (its class name in TOPICS), or the general one; for a screen with
    tabs, the topic of the tab that is showing."""
    topic = TOPICS.get(type(screen).__name__, GENERAL)
    if topic.tabs:
        found = screen.query("TabbedContent")
        if found:
            return dict(topic.tabs).get(found.first().active, topic)
    return topic


def describe_bindings(bindings: list[Any]) -> list[tuple[str, str]]:
    """(keys, description) for each binding with a description, as the footer would show them."""
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            keys = binding.key_display or binding.key.replace(",", " / ")
            rows.append((keys, binding.tooltip or binding.description))
    return rows


def _marker_legend() -> str:
    """The huddle chart's marker letters, from the huddle report (already loaded on a chart screen)."""
    huddle = sys.modules.get("rrp.reports.huddle")
    return getattr(huddle, "MARKER_LEGEND", "")


def chart_key() -> Text:
    """How to read an SPC chart: each colour and shape, the icon letters, the lines."""
    words = {
        "improvement": "special cause improvement: a real change for the better (e.g. a long run "
        "below the centre line, or a point beyond the limit on the good side)",
        "concern": "special cause concern: a real change for the worse",
        "neither": "special cause neither: a real change where neither direction is better",
        "": "common cause: the ordinary week-to-week variation of this ward's system",
    }
    names = {"improvement": "blue", "concern": "orange", "neither": "purple", "": "grey"}
    text = Text()
    text.append("How to read this chart\n", style="bold")
    text.append(
        "Each point is a week's rate per 1,000 occupied bed days; lower is better. The solid line "
        "is the centre (the mean; the median on a run chart), the dotted lines the control limits: "
        "points between them vary by chance.\n"
    )
    for kind in ("improvement", "concern", "neither", ""):
        text.append(f"  {SIGNAL_SHAPES[kind]} ", style=f"bold {SIGNAL_COLOURS[kind]}")
        text.append(f"{names[kind]}: ", style="bold")
        text.append(words[kind] + "\n")
    high_low = sorted({letter for letter in VARIATION_LETTERS.values()})
    text.append("  Icon letters: ")
    text.append(" / ".join(high_low), style="bold")
    text.append(" special cause high / low;")
    for icon, letter in ASSURANCE_LETTERS.items():
        text.append(f" {letter}", style="bold")
        text.append(f" {ASSURANCE_WORDS[icon].split(':')[0].lower()};")
    text.append(" no letter: common cause or too few weeks for an icon.\n")
    legend = _marker_legend()
    if legend:
        text.append("  Marks on the chart: ")
        text.append(legend + "\n")
    text.append("  Colour is never the only cue: the shape and the letter say the same, and the "
                "chart is read out in words beside it.\n")
    return text


def icons_key() -> Text:
    """How to read the dashboard's ward table: colours, the var and A columns' letters."""
    names = {"improvement": "blue", "concern": "orange", "neither": "purple", "": "grey"}
    words = {
        "improvement": "imp: special cause improvement, a real change for the better",
        "concern": "con: special cause concern, a real change for the worse",
        "neither": "nei: special cause, neither better nor worse",
        "": "cc: common cause, the ordinary ups and downs of the ward's system",
    }
    text = Text()
    text.append("How to read this table\n", style="bold")
    text.append(
        "Each ward's row has, per measure, its latest rate (per 1,000 occupied bed days, or a %), "
        "chg%: its change from baseline (for restrictive practices, negative is fewer), and two icons "
        "from its SPC chart:\n"
    )
    for kind in ("improvement", "concern", "neither", ""):
        text.append(f"  {SIGNAL_SHAPES[kind]} ", style=f"bold {SIGNAL_COLOURS[kind]}")
        text.append(f"{names[kind]} ", style="bold")
        text.append(words[kind] + "\n")
    high_low = " / ".join(sorted(set(VARIATION_LETTERS.values())))
    text.append("  var ")
    text.append(high_low, style="bold")
    text.append(": the signal is high / low (e.g. 'imp L': improvement, lower than before).\n")
    text.append("  A (assurance, against the aim):")
    for icon, letter in ASSURANCE_LETTERS.items():
        text.append(f" {letter}", style="bold")
        text.append(f" {ASSURANCE_WORDS[icon].split(':')[0].lower()};")
    text.append(" blank: no aim or too few weeks.\n")
    text.append("  The words and letters say what the colour says: colour is never the only cue.\n")
    return text


def funnel_key() -> Text:
    """How to read the funnel plot: its shapes, its lines, what is chance and what is not."""
    from rrp.reports.icons_text import COMMON_COLOUR, CONCERN_COLOUR, IMPROVEMENT_COLOUR
    from rrp.widgets.funnel_plot import MARKERS

    text = Text()
    text.append("How to read this chart\n", style="bold")
    text.append(
        "Each point is a ward: across, its size (occupied bed days in the period); up, its rate "
        "per 1,000 bed days. The straight line across is the collaborative's rate, all wards "
        "together. The funnel's lines are the limits of chance around it: dotted (\u2022\u2022) 95%, "
        "fine (\u2895\u2895) 99.8%. They narrow to the right because a big ward's rate varies less "
        "by chance than a small ward's.\n"
    )
    for group, colour, words in (
        ("inside", COMMON_COLOUR, "grey, inside the funnel: its difference from the others is what chance gives a ward of its size"),
        ("above", CONCERN_COLOUR, "orange, above the funnel: more restrictive practice than chance explains"),
        ("below", IMPROVEMENT_COLOUR, "blue, below the funnel: less restrictive practice than chance explains"),
    ):
        text.append(f"  {MARKERS[group]} ", style=f"bold {colour}")
        text.append(words + "\n")
    text.append(
        "  Beside the plot every ward is listed with its shape and rate, outside the funnel first.\n"
    )
    return text


def completeness_key() -> Text:
    """How to read the completeness grid."""
    from rrp.reports.figures import NOT_TAKING_PART
    from rrp.reports.icons_text import CONCERN_COLOUR
    from rrp.widgets.completeness import MISSING, NOT_APPLICABLE, SUBMITTED

    text = Text()
    text.append("How to read this grid\n", style="bold")
    text.append("One row per ward, one column per recent week (the Monday it starts).\n")
    text.append(f"  {SUBMITTED} ", style="bold")
    text.append("the week was sent\n")
    text.append(f"  {MISSING}! ", style=f"bold {CONCERN_COLOUR}")
    text.append("the week is missing: not sent yet (a missing week is not a zero)\n")
    text.append(f"  {NOT_APPLICABLE}  ", style="bold")
    text.append(f"{NOT_TAKING_PART}: a week before the ward's participation start, never missing\n")
    text.append("  Of: the weeks sent out of the weeks due (a week before the ward joined is not due).\n")
    return text


#: What a topic's help starts with, by HelpTopic.key.
READINGS = {"chart": chart_key, "icons": icons_key, "funnel": funnel_key, "completeness": completeness_key}


def help_text(topic: HelpTopic, keys: list[tuple[str, str]]) -> Text:
    """The whole help page for one topic: how to read it and what to discuss (for a chart or a
    table of signals, first), its purpose, keys, the methods link."""
    text = Text()
    text.append(f"{topic.title}\n", style="bold underline")
    if topic.key:
        text.append_text(READINGS[topic.key]())
    if topic.discuss:
        text.append(f"{chr(10) if topic.key else ''}What to discuss {topic.where}\n", style="bold")
        text.append(topic.discuss + "\n\n")
    if topic.key or topic.discuss:
        text.append("This screen\n", style="bold")
    text.append(topic.purpose + "\n\n")
    text.append("Keys\n", style="bold")
    width = max((len(k) for k, _ in keys), default=0)
    for key, action in keys:
        text.append(f"  {key.ljust(width)}  ", style="bold")
        text.append(action + "\n")
    text.append("\nm: methods", style="bold")
    text.append(" (how rrp computes every chart, rule and icon)   Esc: close")
    return text
