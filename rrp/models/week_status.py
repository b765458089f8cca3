"""Which weeks are due, missing, in progress or provisional: one definition for every view.

Light on purpose (no pydantic): the home screen's first read uses it.

The home screen, the week form, the huddle, the dashboard, completeness figures and the
"not submitted" list all ask these functions, so a ward cannot be "due" on one screen and "not yet
due" on another.

- A week runs Monday to Sunday (UK local). It has *ended* once its Sunday is over.
- The *last complete week* is the Monday before this week's: the latest week that is due.
- A ward's weeks before its participation start (the Monday of the week it joined the
  collaborative) are never due, never missing, never count against completeness.
- A due week with no entry is *missing*.
- A week saved before it ended is *provisional* until someone saves it again (confirms it) after
  it has ended. The stored `updated_at` says which: no extra flag to keep in step. A provisional
  week is shown and drawn as such but never drives a signal or an icon.
- A provisional week that has ended is *to confirm*: it is not yet submitted. It is due like a
  missing week (home's count, the dashboard's not-submitted list, completeness), the week form
  lists it beside the missing weeks, and Enter opens it before the week in progress. Saving it
  again, even unchanged, confirms it (rrp.store.weekly) and asks no reason
  (rrp.reports.corrections.needs_reason).

The functions take `entered` (the weeks with a row) and `unconfirmed` (those of them still
provisional: saved before they ended, `provisional_weeks`), so the rule lives here, not in the
callers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum

from rrp.models.when import local_time


class WeekState(StrEnum):
    """A ward's week as the routine sees it."""

    NOT_PARTICIPATING = "not participating"  # before the ward's participation start
    IN_PROGRESS = "in progress"  # not ended, nothing entered yet (not due)
    PROVISIONAL = "provisional"  # entered before it ended, still in progress
    TO_CONFIRM = "to confirm"  # entered before it ended, ended since, not confirmed: not submitted
    MISSING = "missing"  # ended (due) and not entered
    ENTERED = "entered"  # entered after it ended (or confirmed)
    FUTURE = "future"  # starts after today


def monday_of(day: dt.date) -> dt.date:
    """The Monday that starts the week containing `day`."""
    return day - dt.timedelta(days=day.weekday())


#: From a week's Monday to its Sunday.
_TO_SUNDAY = dt.timedelta(days=6)


def week_end(week_start: dt.date) -> dt.date:
    """The Sunday that ends the week starting `week_start`."""
    return week_start + _TO_SUNDAY


def last_complete_week(today: dt.date) -> dt.date:
    """The Monday of the last complete week (the one before `today`'s): the latest week that is due."""
    return monday_of(today) - dt.timedelta(weeks=1)


def has_ended(week_start: dt.date, today: dt.date) -> bool:
    """True once the week's Sunday is over (today is a later day)."""
    return week_end(week_start) < today


def participation_week(participation_start: dt.date | None) -> dt.date | None:
    """The Monday of the week the ward joined (None: it has always taken part)."""
    return None if participation_start is None else monday_of(participation_start)


def participating(week_start: dt.date, participation_start: dt.date | None) -> bool:
    """True when the week is on or after the week the ward joined."""
    first = participation_week(participation_start)
    return first is None or week_start >= first


def is_provisional(week_start: dt.date, updated_at: str | None) -> bool:
    """True when the week was last saved before it ended (in UK local time).

    A week whose save time cannot be read is treated as confirmed (older databases, imports
    without times): the rule must never hide real data.
    """
    text = (updated_at or "").strip()
    if text[-1:] == "Z":
        # UK local time is UTC or one hour ahead, so a save whose UTC day is after the week's
        # Sunday is after it locally too: no time zone conversion for the common case (the home
        # screen asks this for ~24,000 weeks at national scale). Anything else takes the full way.
        try:
            if dt.date.fromisoformat(text[:10]) > week_start + _TO_SUNDAY:
                return False
        except ValueError:
            pass
    saved = local_time(text)
    if saved is None:
        return False
    return saved.date() <= week_end(week_start)


def to_confirm(week_start: dt.date, today: dt.date, updated_at: str | None) -> bool:
    """True when the week has ended but was last saved before it ended: it waits to be confirmed
    (saved again), and until then counts as not submitted."""
    return has_ended(week_start, today) and is_provisional(week_start, updated_at)


def provisional_weeks(saves: Mapping[dt.date, str | None]) -> set[dt.date]:
    """The weeks (of a ward's `saves`: week -> its stored `updated_at`) last saved before they
    ended: the `unconfirmed` argument of the functions below."""
    return {week for week, saved in saves.items() if is_provisional(week, saved)}


def week_state(
    week_start: dt.date,
    today: dt.date,
    *,
    entered: bool,
    updated_at: str | None = None,
    participation_start: dt.date | None = None,
) -> WeekState:
    """The state of one ward's week on `today`."""
    if week_start > monday_of(today):
        return WeekState.FUTURE
    if not participating(week_start, participation_start):
        return WeekState.NOT_PARTICIPATING
    if entered:
        if not is_provisional(week_start, updated_at):
            return WeekState.ENTERED
        return WeekState.TO_CONFIRM if has_ended(week_start, today) else WeekState.PROVISIONAL
    return WeekState.MISSING if has_ended(week_start, today) else WeekState.IN_PROGRESS


def due_weeks(
    today: dt.date, weeks: int, *, participation_start: dt.date | None = None
) -> list[dt.date]:
    """The due weeks among the `weeks` Mondays ending at the last complete week, oldest first
    (weeks before the ward joined are not due)."""
    end = last_complete_week(today)
    span = [end - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    return [w for w in span if participating(w, participation_start)]


def missing_weeks(
    today: dt.date,
    entered: Collection[dt.date],
    weeks: int,
    *,
    participation_start: dt.date | None = None,
) -> list[dt.date]:
    """The due weeks (of the last `weeks`) with no entry, oldest first."""
    return [w for w in due_weeks(today, weeks, participation_start=participation_start) if w not in entered]


def to_confirm_weeks(
    today: dt.date,
    unconfirmed: Collection[dt.date],
    weeks: int,
    *,
    participation_start: dt.date | None = None,
) -> list[dt.date]:
    """The due weeks (of the last `weeks`) entered before they ended and not confirmed since,
    oldest first (every due week has ended, so each of `unconfirmed` among them is to confirm)."""
    return [w for w in due_weeks(today, weeks, participation_start=participation_start) if w in unconfirmed]


def weeks_to_do(
    today: dt.date,
    entered: Collection[dt.date],
    weeks: int,
    *,
    unconfirmed: Collection[dt.date] = (),
    participation_start: dt.date | None = None,
) -> list[dt.date]:
    """The due weeks (of the last `weeks`) not yet submitted, missing or to confirm, newest
    first: the week form's list, the order Ctrl+G steps through them."""
    due = due_weeks(today, weeks, participation_start=participation_start)
    return [w for w in reversed(due) if w not in entered or w in unconfirmed]


def week_to_open(
    today: dt.date,
    entered: Collection[dt.date],
    *,
    lookback: int,
    participation_start: dt.date | None = None,
    unconfirmed: Collection[dt.date] = (),
) -> dt.date:
    """The week Enter opens: the latest complete week (of the last `lookback`) that is not yet
    submitted, missing or to confirm; when there is none, the week in progress (which will be
    saved as provisional).

    The app looks back one week: last week, missing or to confirm, comes before the week in
    progress (confirming it is one Ctrl+S); older gaps are the form's list and Ctrl+G. With a
    longer lookback the newest such week comes first, whichever it is: a week to confirm is not
    put before a later missing one (data/methods.md, "Which week Enter opens").
    """
    todo = weeks_to_do(today, entered, lookback, unconfirmed=unconfirmed, participation_start=participation_start)
    return todo[0] if todo else monday_of(today)


def is_due(
    today: dt.date,
    entered: Collection[dt.date],
    *,
    participation_start: dt.date | None = None,
    unconfirmed: Collection[dt.date] = (),
) -> bool:
    """True when the ward has not submitted its last complete week (and took part that week):
    not entered, or entered before it ended and not confirmed since. The one meaning of "due" on
    the home screen, the huddle and the dashboard."""
    last = last_complete_week(today)
    return participating(last, participation_start) and (last not in entered or last in unconfirmed)


def completeness(
    today: dt.date,
    entered: Iterable[dt.date],
    weeks: int,
    *,
    participation_start: dt.date | None = None,
    unconfirmed: Collection[dt.date] = (),
) -> tuple[int, int]:
    """(weeks submitted, weeks due) over the last `weeks` complete weeks (a week to confirm is
    not submitted yet)."""
    due = due_weeks(today, weeks, participation_start=participation_start)
    got = set(entered) - set(unconfirmed)
    return sum(w in got for w in due), len(due)
