"""F1 help for the screen you are on: what it is for, how to read its chart, its keys.

Each screen's topic is declared here by its class name (`TOPICS`): a few plain sentences saying
what the screen is for and, for a chart screen, "how to read this chart and what to discuss at
the huddle". The chart key is built from `rrp.reports.icons_text` (the colours, shapes, icon
words and MDC letters the charts themselves use), and the keys from the screen's own BINDINGS,
so help cannot drift from what the screen does. The methods (data/methods.md) are one key away
('m') and only rendered when asked for. Rich Text only: nothing here reads a file or the store.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding

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
    chart: bool = False
    discuss: str = ""
    #: Where the discussion happens ('at the huddle', 'at the learning session').
    where: str = "at the huddle"


HUDDLE_DISCUSS = (
    "Talk about: any orange or blue point this week and what was different that "
    "week; whether the PDSA cycles running are due for Study; whether the ward is on course for "
    "its aim (the change from baseline); and what to try next. A single high week inside the "
    "limits is common cause: look for a pattern, not one number."
)

TOPICS: dict[str, HelpTopic] = {
    "HomeScreen": HelpTopic(
        "Wards",
        "Every ward of the collaborative, grouped by provider. For each: this week and last "
        "week (a tick or 'done': entered; 'due': last week has ended and is not entered; 'prov': "
        "provisional, saved before the week ended, until it is saved again after; '-': the week "
        "is still in progress; 'n/a': before the ward joined), a small bar trend of the last 12 "
        "weeks' totals and the latest total. Highlight a ward and press Enter to log its week: "
        "last week when it is missing, otherwise this week (saved as provisional). h opens its "
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
        "beneath. Never type names or NHS numbers: rrp holds counts only.",
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
        "against the aim, and the PDSA cycles running.",
        chart=True,
        discuss=HUDDLE_DISCUSS,
    ),
    "DashboardScreen": HelpTopic(
        "Collaborative dashboard",
        "Every ward on one screen for the facilitator: the latest rate, change from baseline, "
        "variation and assurance icons per measure, PDSA activity and weeks submitted; then the "
        "collaborative's own chart against the aim, who has not submitted, the funnel plot and "
        "PDSA activity. The funnel is for learning together, never a league table: a ward outside "
        "the funnel is a question to ask, not a verdict.",
        chart=True,
        where="at the learning session",
        discuss=(
            "Talk about: which wards show blue (improvement) and what they "
            "changed; which show orange (concern) and what help they need; who has not submitted; "
            "and whether the collaborative as a whole is heading for its aim."
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
    ),
}

GENERAL = HelpTopic(
    "Help",
    "rrp holds counts only: never type names or NHS numbers.",
)


def topic_for(screen: Any) -> HelpTopic:
    """The topic of `screen` (its class name in TOPICS), or the general one."""
    return TOPICS.get(type(screen).__name__, GENERAL)


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


def help_text(topic: HelpTopic, keys: list[tuple[str, str]]) -> Text:
    """The whole help page for one topic: purpose, chart key and discussion, keys, the methods link."""
    text = Text()
    text.append(f"{topic.title}\n", style="bold underline")
    if topic.chart:  # a chart screen's help starts with how to read it and what to talk about
        text.append_text(chart_key())
        text.append(f"\nWhat to discuss {topic.where}\n", style="bold")
        text.append(topic.discuss + "\n\n")
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
