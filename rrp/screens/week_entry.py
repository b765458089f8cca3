"""Log or correct one ward's week of counts.

The week defaults to the latest complete week when it is missing, else the week in progress
(rrp.models.week_status.week_to_open); a week still in progress is saved as provisional and gets
no bed-day pre-fill (a full week's bed days would make its rate falsely low). PgUp/PgDn step through earlier weeks, Ctrl+G jumps to
the latest missing week, so gaps can be back-filled, and F5 goes to the week containing a date
typed. Bed days are pre-filled from the ward's
last week. Each field is checked as it is typed (the same pydantic rules as imports and the
store), errors show beside the field, and a failed save keeps everything on screen. A save made
against a stale version (someone else saved the week meanwhile) is refused, not merged.

The screen's result (`dismiss`) is the list of weeks saved while it was open (empty if none), so
the screen that pushed it can refresh from them without re-reading the database; `on_saved`, if
given, is also called on the UI thread after each save (the huddle redraws its chart beneath).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from rrp.messages import day_month, week_label
from rrp.models.fields import field_errors
from rrp.models.registry import Ward
from rrp.models.week_status import (
    has_ended,
    is_provisional,
    last_complete_week,
    provisional_weeks,
    week_to_open,
    weeks_to_do,
)
from rrp.models.weekly import BED_DAYS_LABEL, MEASURES, StoredWeek, monday_of, validate_week
from rrp.models.when import local_time_text, short_day
from rrp.reports.user_text import user_text, visible
from rrp.screens.confirm import ConfirmScreen, leave_or_ask
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.measure_fields import MeasureFields

#: Form fields in tab order, with their labels.
FIELDS: dict[str, str] = {**MEASURES, "occupied_bed_days": BED_DAYS_LABEL, "note": "Note (optional, no names)"}
MISSING_LOOKBACK_WEEKS = 26


class WeekEntryScreen(ReportsWorkerErrors, Screen[list[StoredWeek]]):
    """The weekly counts form for one ward."""

    BINDINGS = [
        # Not priority: the save must come after the keys typed before it, which wait in the
        # field's own queue (a burst "2", Ctrl+S would otherwise save without the 2).
        Binding("ctrl+s", "save", "Save", id="week.save"),
        Binding("f2", "save", "Save", id="week.save_f2", show=False),
        # One footer entry for the pair (pgup/pgdn Week), so Ctrl+R fits in 80 columns too.
        Binding("pageup", "previous_week", "Week", key_display="pgup/pgdn", id="week.previous", priority=True,
                tooltip="PgUp: the week before (PgDn: the week after)"),
        Binding("pagedown", "next_week", "Next wk", id="week.next", priority=True, show=False,
                tooltip="The week after"),
        Binding("ctrl+g", "missing_week", "Missing", id="week.missing", show=False,
                tooltip="Go to the latest missing week or week to confirm (to back-fill or confirm it)"),
        Binding("f5", "go_to_week", "Go to", id="week.go_to", tooltip="Go to the week containing a date you type"),
        Binding("f6", "history", "History", id="week.history",
                tooltip="This week's history: who changed what, when and why"),
        Binding("f8", "delete_week", "Delete", id="week.delete", show=False,
                tooltip="Delete this week (entered by mistake), with a reason; kept in its history"),
        # In the footer: the clash message ("saved by ... while you were editing") names it.
        Binding("ctrl+r", "reload", "Reload", id="week.reload",
                tooltip="Reload this week as saved (to see what another station saved first)"),
        Binding("escape", "back", "Back", id="week.back"),
        # Priority for the same reason as Tab (see rrp.app): a burst "3", Enter, "1" fills two fields.
        Binding("enter", "next_field", "Next field", id="week.next_field", show=False, priority=True),
    ]

    def __init__(
        self,
        ward_code: str,
        week_start: dt.date | None = None,
        *,
        on_saved: Callable[[StoredWeek], None] | None = None,
        on_deleted: Callable[[dt.date], None] | None = None,
    ) -> None:
        super().__init__()
        self.ward_code = ward_code
        self.requested_week = week_start
        self.on_saved = on_saved
        #: Called on the UI thread after a week is deleted (F8), with its Monday.
        self.on_deleted = on_deleted
        self.deleted_weeks: list[dt.date] = []
        #: Every week saved while the screen was open, in order: the screen's result.
        self.saved_weeks: list[StoredWeek] = []
        self.week_start: dt.date | None = None
        self.ward: Ward | None = None
        self.stored: StoredWeek | None = None
        self.loaded_values: dict[str, str] = {}
        #: The due weeks not yet submitted (missing or to confirm), newest first.
        self.missing: list[dt.date] = []
        #: Those of them entered before they ended and not confirmed since.
        self.to_confirm: set[dt.date] = set()
        self.save_attempted = False
        self.saving = False

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        # Scrolls when the ward's measures make the form taller than the terminal.
        with VerticalScroll(id="week-entry"):
            yield Static("", id="week-title")
            yield Static("", id="week-state")
            with Grid(id="week-form"):
                for name, label in FIELDS.items():
                    yield Label(label, classes="field-label")
                    yield Input(
                        id=f"f-{name}",
                        restrict=None if name == "note" else r"[0-9\-]*",
                        max_length=500 if name == "note" else 6,
                        classes="note-input" if name == "note" else "count-input",
                        compact=True,
                    )
                    if name != "note":
                        yield Label("", id=f"e-{name}", classes="field-error")
            # The note spans two grid columns, so its error sits under the form.
            yield Label("", id="e-note", classes="field-error")
            # The ward's other weekly measures (none shown when none are switched on).
            yield MeasureFields(id="week-measures")
            yield Static("", id="week-missing")
            yield Static("", id="week-banner")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        start_loading(self.query_one("#week-form"))
        self.load(self.requested_week)

    # -- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="week-load")
    def load(self, week_start: dt.date | None) -> None:
        """Read the ward, the week (if stored), the bed-days pre-fill and missing weeks."""
        store = self.app.store  # type: ignore[attr-defined]
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        ward = store.registry.ward(self.ward_code)
        joined = None if ward is None else ward.participation_start
        # The weeks not yet submitted (missing or to confirm) and the week Enter opens: the one
        # definition (rrp.models.week_status), from when each recent week was saved.
        last = last_complete_week(today)
        saves = store.weekly.save_times(
            self.ward_code, since=last - dt.timedelta(weeks=MISSING_LOOKBACK_WEEKS - 1), until=last
        )
        entered, unconfirmed = set(saves), provisional_weeks(saves)
        week = week_start
        if week is None:
            week = week_to_open(today, entered, lookback=1, participation_start=joined, unconfirmed=unconfirmed)
        stored = store.weekly.week(self.ward_code, week)
        # A week in progress gets no pre-fill: a full week's bed days would make its rate falsely low.
        ended = has_ended(week, today)
        prefill = None if stored or not ended else store.weekly.latest_bed_days(self.ward_code, week)
        measures = weekly_measures(store.measures.all().active_for(self.ward_code, week))
        values = store.measures.period_values(self.ward_code, week)
        missing = weeks_to_do(
            today, entered, MISSING_LOOKBACK_WEEKS, unconfirmed=unconfirmed, participation_start=joined
        )
        to_confirm = set(missing) & unconfirmed
        self.app.call_from_thread(self.show_week, ward, week, stored, prefill, missing, measures, values, to_confirm)

    async def show_week(
        self,
        ward: Ward | None,
        week: dt.date,
        stored: StoredWeek | None,
        prefill: int | None,
        missing: list[dt.date],
        measures: list[Any] | None = None,
        stored_values: dict[str, Any] | None = None,
        to_confirm: set[dt.date] | None = None,
    ) -> None:
        self.ward, self.week_start, self.stored, self.missing = ward, week, stored, missing
        self.to_confirm = set(to_confirm or ())
        self.save_attempted = False
        stop_loading(self.query_one("#week-form"))
        if ward is None:
            self._banner(f"Ward {self.ward_code} is not in the registry.", error=True)
            return
        values: dict[str, str] = {name: "" for name in FIELDS}
        if stored is not None:
            data = stored.counts.model_dump()
            # A control character stored under older rules is shown (and saved) as its escape.
            values = {name: "" if data[name] is None else visible(data[name], multi_line=True) for name in FIELDS}
        elif prefill is not None:
            values["occupied_bed_days"] = str(min(prefill, ward.max_bed_days))
        for name, value in values.items():
            self.query_one(f"#f-{name}", Input).value = value
        self.loaded_values = dict(values)
        for name in FIELDS:
            self._error(name, "")
        self._banner("")
        self._render_header()
        first = self.query_one(f"#f-{next(iter(FIELDS))}", Input)
        first.focus()
        first.select_all()  # typing replaces a stored value instead of appending to it
        # Last: the core fields are ready (and focused) before the measure rows are laid out.
        await self.query_one(MeasureFields).show(list(measures or []), stored_values or {})

    def _render_header(self) -> None:
        assert self.ward is not None and self.week_start is not None
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        self.query_one("#week-title", Static).update(
            Text.assemble(
                user_text(f"{self.ward.name} ({self.ward.code})", "bold"),
                f"  week starting Mon {day_month(self.week_start)} ({week_label(self.week_start, today)})",
            )
        )
        in_progress = not has_ended(self.week_start, today)
        if self.stored is None:
            state = "Not entered yet."
            if in_progress:
                state += (" This week has not ended: it is saved as PROVISIONAL (bed days so far) "
                          "until it is saved again after Sunday.")
            elif self.loaded_values.get("occupied_bed_days"):
                state += " Bed days pre-filled from the ward's last week: check them."
        else:
            provisional = is_provisional(self.week_start, self.stored.updated_at)
            # a provisional week is kept up to date, not corrected (rrp.reports.corrections.needs_reason)
            state = (
                f"Entered: last saved by {self.stored.updated_by} at "
                f"{local_time_text(self.stored.updated_at)} (version {self.stored.version}). "
                f"Edit to {'update' if provisional else 'correct'} it; F6 history, F8 delete."
            )
            if provisional:
                state += (" PROVISIONAL: saved before the week ended; "
                          + ("save it again after Sunday to confirm it." if in_progress else "Ctrl+S confirms it."))
        self.query_one("#week-state", Static).update(user_text(state))
        if self.missing:
            shown = ", ".join(short_day(d) + (" to confirm" if d in self.to_confirm else "") for d in self.missing[:6])
            more = f" and {len(self.missing) - 6} more" if len(self.missing) > 6 else ""
            head = "Missing or to confirm" if self.to_confirm else "Missing weeks"
            text = f"{head} (last {MISSING_LOOKBACK_WEEKS}): {shown}{more}. Ctrl+G goes to the latest."
        else:
            text = f"No missing weeks in the last {MISSING_LOOKBACK_WEEKS}."
        self.query_one("#week-missing", Static).update(text)

    # -- validation ------------------------------------------------------------------------

    def form_values(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value for name in FIELDS}

    @property
    def dirty(self) -> bool:
        return self.ward is not None and (
            self.form_values() != self.loaded_values or self.query_one(MeasureFields).dirty
        )

    @property
    def correction(self) -> bool:
        """True when a saved figure is changed (a first entry of a blank measure is not one)."""
        return self.ward is not None and (
            (self.stored is not None and self.form_values() != self.loaded_values)
            or self.query_one(MeasureFields).corrected
        )

    def check_measures(self, *, show_required: bool) -> Any:
        """The entered measure values with the versions they edit, or None (errors shown)."""
        if self.ward is None or self.week_start is None:
            return None
        return self.query_one(MeasureFields).entered(
            self.ward.code, self.week_start, today=self.app.today, show_required=show_required  # type: ignore[attr-defined]
        )

    def check(self, *, show_required: bool) -> Any:
        """Validate the form with the model rules; show each error beside its field."""
        if self.ward is None or self.week_start is None:
            return None
        data: dict[str, Any] = dict(self.form_values())
        data.update(ward_code=self.ward.code, week_start=self.week_start)
        try:
            counts = validate_week(data, ward=self.ward, today=self.app.today)  # type: ignore[attr-defined]
        except ValidationError as exc:
            errors = field_errors(exc)
            for name in FIELDS:
                message = errors.get(name, "")
                if not show_required and message and not data[name].strip():
                    message = ""  # an empty field is only an error once the user tries to save
                self._error(name, message)
            for name in ("week_start", "ward_code"):
                if name in errors:
                    self._banner(errors[name], error=True)
            return None
        for name in FIELDS:
            self._error(name, "")
        return counts

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self.ward is not None:
            if event.input.id and event.input.id.startswith("m-"):
                self.check_measures(show_required=self.save_attempted)
            else:
                self.check(show_required=self.save_attempted)

    def action_next_field(self) -> None:
        """Enter in a count: the next field; on the last field it saves. Elsewhere, Enter as usual."""
        fields = [self.query_one(f"#f-{name}", Input) for name in FIELDS]
        fields += self.query_one(MeasureFields).inputs()
        focused = self.focused
        if focused not in fields:
            raise SkipAction()
        position = fields.index(focused)  # type: ignore[arg-type]
        if position == len(fields) - 1:
            self.action_save()
        else:
            # set_focus, not Input.focus(): that waits for the next turn of the event loop, and a
            # key already queued behind this Enter would still go to this field.
            self.set_focus(fields[position + 1])

    def _error(self, name: str, message: str) -> None:
        label = self.query_one(f"#e-{name}", Label)
        label.update(user_text(message))  # a message may quote what was typed
        self.query_one(f"#f-{name}", Input).set_class(bool(message), "-invalid")

    def _banner(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#week-banner", Static)
        banner.update(user_text(message, multi_line=True))
        banner.set_class(error, "error")

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving or self.ward is None:
            return
        self.save_attempted = True
        counts = self.check(show_required=True)
        values = self.check_measures(show_required=True)
        if counts is None or values is None:
            self._banner("Not saved: correct the fields marked above (nothing typed is lost).", error=True)
            return
        self.saving = True
        self._banner("Checking...")
        self.plausibility(counts, values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="week-save")
    def plausibility(self, counts: Any, values: list[Any]) -> None:
        """Compare the counts with the ward's own history (rrp.reports.corrections), then go on
        to the questions before the save, on the UI thread."""
        from rrp.reports.corrections import unusual_values

        store = self.app.store  # type: ignore[attr-defined]
        try:
            history = [w.counts for w in store.weekly.weeks(counts.ward_code)]
            found = unusual_values(counts, ward=self.ward, history=history, today=self.app.today)  # type: ignore[arg-type,attr-defined]
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so, keep the input
            self.app.call_from_thread(self.save_failed, f"Could not check the week: {exc}")
            return
        self.app.call_from_thread(self._confirm_unusual, counts, values, found)

    def _confirm_unusual(self, counts: Any, values: list[Any], found: list[Any]) -> None:
        """An unusual value: "are you sure?" (y saves, n goes back to the field); never silent."""
        if not found:
            self._ask_reason(counts, values)
            return
        from rrp.reports.corrections import unusual_question
        from rrp.screens.week_dialogs import SureScreen

        def answered(sure: bool | None) -> None:
            if sure:
                self._ask_reason(counts, values)
                return
            self.saving = False
            self._banner(f"Not saved: check {found[0].label.lower()} (nothing typed is lost).", error=True)
            self.query_one(f"#f-{found[0].field}", Input).focus()

        self.app.push_screen(SureScreen(unusual_question(found)), answered)

    def _ask_reason(self, counts: Any, values: list[Any]) -> None:
        """A correction (a change to a confirmed week: rrp.reports.corrections.needs_reason) asks
        why; the reason is kept in the audit. A provisional week's updates and confirmation do not."""
        from rrp.reports.corrections import needs_reason

        assert self.week_start is not None
        saved_at = None if self.stored is None else self.stored.updated_at
        if not needs_reason(self.week_start, saved_at, changed=self.correction):
            self.save(counts, None if self.stored is None else self.stored.version, values)
            return
        from rrp.models.weekly import WeekCorrection
        from rrp.screens.week_dialogs import ReasonScreen

        def given(reason: str | None) -> None:
            if reason is None:
                self.saving = False
                self._banner("Not saved: a correction needs a reason (nothing typed is lost).", error=True)
                return
            self._banner("Saving...")
            self.save(counts, self.stored.version if self.stored else None, values, reason)

        self.app.push_screen(
            ReasonScreen(
                "Correct a saved week: why? (kept in the week's history, F6)",
                "Reason (required; no names or NHS numbers)",
                lambda text: WeekCorrection(reason=text).reason,
                keys="Enter: save",
            ),
            given,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="week-save")
    def save(
        self, counts: Any, expected_version: int | None, values: list[Any] | None = None, reason: str | None = None
    ) -> None:
        from rrp.store import StoreError
        from rrp.store.errors import FieldRefused, StaleEditError

        store = self.app.store  # type: ignore[attr-defined]
        try:
            # The core counts and the measure values: one transaction, all or nothing.
            stored, stored_values = store.save_entry(
                values or [], counts=counts, expected_week_version=expected_version, today=self.app.today,  # type: ignore[attr-defined]
                reason=reason,
            )
            store.preferences.set("last_ward", counts.ward_code)
        except FieldRefused as exc:
            self.app.call_from_thread(self.measure_refused, exc.field, str(exc))
            return
        except (StoreError, ValidationError) as exc:
            message = "; ".join(field_errors(exc).values()) if isinstance(exc, ValidationError) else str(exc)
            if isinstance(exc, StaleEditError):  # another station saved first: name the key
                message += " Ctrl+R reloads this week as saved."
            self.app.call_from_thread(self.save_failed, message)
            return
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so, keep the input
            self.app.call_from_thread(self.save_failed, f"Could not save: {exc}")
            return
        self.app.call_from_thread(self.saved, stored, stored_values)

    def measure_refused(self, code: str, message: str) -> None:
        self.saving = False
        fields = self.query_one(MeasureFields)
        if code in {m.code for m in fields.measures}:
            fields.error(code, message)
        self._banner(f"Not saved: {message}", error=True)

    def saved(self, stored: StoredWeek, stored_values: dict[str, Any] | None = None) -> None:
        self.saving = False
        self.query_one(MeasureFields).saved(stored_values or {})
        self.stored = stored
        self.saved_weeks.append(stored)
        self.loaded_values = self.form_values()
        self.save_attempted = False
        # Saved after its week ended, a week is submitted (a week to confirm is confirmed);
        # saved before, it is provisional and was never in the list.
        if self.week_start in self.missing and not is_provisional(self.week_start, stored.updated_at):
            self.missing.remove(self.week_start)
            self.to_confirm.discard(self.week_start)
        self._render_header()
        c = stored.counts
        self._banner(
            f"Saved week of {day_month(c.week_start)}: {_n(c.restraint, 'restraint')} ({c.prone_restraint} prone), "
            f"{_n(c.seclusion, 'seclusion')}, {_n(c.rapid_tranquillisation, 'rapid tranquillisation')}, "
            f"{c.occupied_bed_days} bed days."
            + (f" {len(stored_values)} other measure{'' if len(stored_values) == 1 else 's'}." if stored_values else "")
        )
        # The banner is the confirmation (what was saved, in words): no toast, which at 80 columns
        # covered it for 3 s; on a form taller than the terminal it is scrolled into view.
        self.query_one("#week-banner", Static).scroll_visible(animate=False)
        if self.on_saved is not None:
            self.on_saved(stored)

    def save_failed(self, message: str) -> None:
        self.saving = False
        self._banner(f"Not saved: {message}", error=True)

    # -- moving between weeks --------------------------------------------------------------

    def _go(self, week: dt.date) -> None:
        if self.dirty:
            self.app.push_screen(
                ConfirmScreen("You have unsaved changes to this week. Discard them?"),
                lambda discard: self.load(week) if discard else None,
            )
        else:
            self.load(week)

    def action_previous_week(self) -> None:
        if self.week_start is not None:
            self._go(self.week_start - dt.timedelta(weeks=1))

    def action_next_week(self) -> None:
        if self.week_start is None:
            return
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        this_monday = today - dt.timedelta(days=today.weekday())
        if self.week_start >= this_monday:
            self.notify("This is the current week: later weeks cannot be entered yet.", severity="warning")
            return
        self._go(self.week_start + dt.timedelta(weeks=1))

    def action_missing_week(self) -> None:
        candidates = [d for d in self.missing if d != self.week_start]
        if not candidates:
            self.notify("No missing weeks to back-fill and none to confirm.")
            return
        self._go(candidates[0])

    def action_go_to_week(self) -> None:
        """F5: type a date; the week containing it opens (after asking about unsaved changes)."""
        from rrp.screens.week_dialogs import GoToWeekScreen

        today: dt.date = self.app.today  # type: ignore[attr-defined]
        self.app.push_screen(
            GoToWeekScreen(latest=monday_of(today)),
            lambda week: self._go(week) if week is not None and week != self.week_start else None,
        )

    def action_history(self) -> None:
        """F6: who changed this week, when, what and why (the audit, in UK local time)."""
        if self.ward is None or self.week_start is None:
            return
        from rrp.screens.week_dialogs import WeekHistoryScreen

        self.app.push_screen(WeekHistoryScreen(self.ward, self.week_start))

    def action_delete_week(self) -> None:
        """F8: delete a week entered by mistake: a reason, then "are you sure?"; audited."""
        if self.ward is None or self.week_start is None or self.saving:
            return
        if self.stored is None:
            self.notify("This week is not saved: there is nothing to delete.", severity="warning")
            return
        from rrp.models.weekly import WeekDeletion
        from rrp.screens.week_dialogs import ReasonScreen

        stored, week = self.stored, self.week_start
        label = f"the week of {day_month(week)} for {self.ward.code}"

        def sure(yes: bool | None, reason: str) -> None:
            if yes:
                self.saving = True
                self._banner("Deleting...")
                self.delete(week, stored.version, reason)

        def given(reason: str | None) -> None:
            if reason is None:
                return
            c = stored.counts
            unsaved = " Your unsaved changes on screen are lost too." if self.dirty else ""
            self.app.push_screen(
                ConfirmScreen(
                    f"Delete {label} ({_n(c.restraint, 'restraint')}, {_n(c.seclusion, 'seclusion')}, "
                    f"{_n(c.rapid_tranquillisation, 'rapid tranquillisation')}, {c.occupied_bed_days} bed days)?"
                    f"{unsaved} The deletion and its reason are kept in the week's history."
                ),
                lambda yes: sure(yes, reason),
            )

        self.app.push_screen(
            ReasonScreen(
                f"Delete {label}: why?",
                "Reason (required; no names or NHS numbers)",
                lambda text: WeekDeletion(reason=text).reason,
                keys="Enter: next",
            ),
            given,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="week-save")
    def delete(self, week: dt.date, expected_version: int, reason: str) -> None:
        from rrp.store import StoreError

        store = self.app.store  # type: ignore[attr-defined]
        try:
            store.weekly.delete(self.ward_code, week, reason=reason, expected_version=expected_version)
        except (StoreError, ValidationError) as exc:
            message = "; ".join(field_errors(exc).values()) if isinstance(exc, ValidationError) else str(exc)
            self.app.call_from_thread(self.save_failed, message)
            return
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so, keep the input
            self.app.call_from_thread(self.save_failed, f"Could not delete: {exc}")
            return
        self.app.call_from_thread(self.deleted, week)

    def deleted(self, week: dt.date) -> None:
        self.saving = False
        self.deleted_weeks.append(week)
        self.saved_weeks = [w for w in self.saved_weeks if w.counts.week_start != week]
        self.notify("Week deleted", timeout=3)
        if self.on_deleted is not None:
            self.on_deleted(week)
        self.load(week)  # the week, now empty, with its missing-weeks line

    def action_reload(self) -> None:
        if self.week_start is not None:
            self._go(self.week_start)

    def action_back(self) -> None:
        leave_or_ask(self.app, self.dirty, "this week", lambda: self.dismiss(self.saved_weeks))


def weekly_measures(measures: list[Any]) -> list[Any]:
    """The measures entered on the week form beside the core counts: weekly, with values of
    their own (not a core column, not a sum)."""
    return [m for m in measures if m.frequency == "weekly" and not m.column_backed and not m.derived]


def _n(count: int, noun: str) -> str:
    """'1 restraint', '3 restraints'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
