"""Edit one PDSA cycle, as on the IHI worksheet: Cycle, Plan, Do, Study and Act tabs.

- Ctrl+S or F2 saves. F3 moves the cycle to its next stage (planned -> doing -> studying -> done)
  and saves; F6 abandons it. Moves the model does not allow are refused with the reason.
- F3 from Study first asks for the Act step: the Act tab opens on whatever is missing of the
  decision (adopt, adapt or abandon) and the next step; F3 again, with both, marks it done.
- F5 on a done cycle that was adopted or adapted starts the next cycle of its ramp: a new cycle
  with the same change idea, title and scale, following this one, numbered one more, its objective
  the next step written in Act. The header names the cycle by ramp and number (A2, B1), as the list does.
- What is typed is autosaved as a draft (1 s after the last key, in a worker), so nothing is lost
  if the terminal closes; opening the cycle again offers to restore it. A save clears the draft.
- Nudges (no prediction, no results, no decision, scale jump, overdue) are shown, never enforced.
- Errors appear beside their fields (the same pydantic rules as the store); a refused save keeps
  everything typed, including an NHS-number refusal, which names the field.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from rrp.messages import day_month
from rrp.models.fields import field_errors
from rrp.models.pdsa import (
    NEXT_STATUS,
    SCALE_LABELS,
    STAGE_FIELDS,
    ActDecision,
    InvalidTransition,
    PdsaCycle,
    PdsaStatus,
    StoredCycle,
    by_creation,
    can_transition,
    new_cycle_id,
    nudges,
    quality,
    ramp_label_for,
    ramp_labels,
    validate_cycle,
)
from rrp.models.when import local_time_text
from rrp.reports.user_text import user_text, visible
from rrp.screens.confirm import ConfirmScreen
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.pdsa_marks import quality_marks
from rrp.widgets.text_field import TextField

if TYPE_CHECKING:
    from rrp.models.change_package import StoredChangeIdea

AUTOSAVE_SECONDS = 1.0
#: Header fields on the Cycle tab, with their labels.
HEADER_FIELDS: dict[str, str] = {
    "title": "Title",
    "change_idea_code": "Change idea",
    "previous_cycle_id": "Follows cycle",
    "cycle_number": "Cycle number",
    "scale": "Scale",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
}
SELECT_FIELDS = ("change_idea_code", "previous_cycle_id", "scale", "act_decision")
TEXT_AREA_FIELDS = [name for stage in STAGE_FIELDS.values() for name in stage]
#: Which tab each field lives on (to show the first error).
FIELD_TAB = {name: "tab-cycle" for name in HEADER_FIELDS} | {
    name: f"tab-{stage}" for stage, fields in STAGE_FIELDS.items() for name in fields
} | {"act_decision": "tab-act"}
STAGE_TAB = {
    PdsaStatus.PLANNED: "tab-plan",
    PdsaStatus.DOING: "tab-do",
    PdsaStatus.STUDYING: "tab-study",
    PdsaStatus.DONE: "tab-act",
    PdsaStatus.ABANDONED: "tab-act",
}
TABS = ["tab-cycle", "tab-plan", "tab-do", "tab-study", "tab-act"]


class PdsaEditScreen(ReportsWorkerErrors, Screen[None]):
    """The PDSA worksheet for one cycle.

    A new cycle when `cycle_id` is None (then give `ward_code`).
    """

    DEFAULT_CSS = """
    #pdsa-edit-title { height: auto; padding: 0 1; }
    #pdsa-tabs { height: 1fr; }
    #pdsa-tabs TabPane { padding: 0 1; }
    .pdsa-row { height: auto; }
    .pdsa-label { width: 15; padding: 1 1 0 0; text-align: right; }
    .pdsa-row Input { width: 1fr; }
    .pdsa-row Select { width: 1fr; }
    .pdsa-text-label { padding: 0; margin: 1 0 0 0; text-style: bold; }
    .pdsa-text { height: 5; }
    .pdsa-error { color: $warning; width: 100%; height: auto; padding: 0 0 0 15; }
    .pdsa-error.-under-text { padding: 0; }
    .pdsa-error.-empty { display: none; }
    #pdsa-nudges { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    #pdsa-banner { height: auto; min-height: 1; padding: 0 1; text-style: bold; }
    #pdsa-banner.error { color: $warning; }
    """

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", id="pdsa_edit.save", key_display="^S/F2", priority=True),
        Binding("f3", "next_stage", "Next stage", id="pdsa_edit.next", priority=True),
        Binding("f4", "next_tab", "Next tab", id="pdsa_edit.tab", priority=True,
                tooltip="Next tab: Cycle, Plan, Do, Study, Act"),
        Binding("f5", "next_cycle", "Next cycle", id="pdsa_edit.next_cycle", priority=True,
                tooltip="Start the next cycle of this ramp (same change idea, numbered one more)"),
        Binding("f6", "abandon", "Abandon", id="pdsa_edit.abandon", priority=True),
        Binding("escape", "back", "Back", id="pdsa_edit.back"),
    ]

    def __init__(self, cycle_id: str | None = None, ward_code: str | None = None, follows: str | None = None) -> None:
        super().__init__()
        self.cycle_id = cycle_id
        self.follows = None if cycle_id else follows  # a new cycle: the cycle it follows in its ramp
        self.ward_code = ward_code
        self.draft_key = cycle_id or f"new:{ward_code}"
        self.stored: StoredCycle | None = None
        self.status = PdsaStatus.PLANNED
        self.ward_name = ward_code or ""
        self.ideas: list[StoredChangeIdea] = []
        self.ward_cycles: list[StoredCycle] = []
        self.ramp_order: list[PdsaCycle] = []  # every cycle of the ward, oldest first (ramp letters)
        self.loaded_values: dict[str, Any] = {}
        self.loaded = False
        self.saving = False
        self.save_attempted = False
        self._autosave_timer: Timer | None = None
        self._filling = False
        self.new_id = new_cycle_id()

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the cycle...", id="pdsa-edit-title")
        with TabbedContent(id="pdsa-tabs", initial="tab-cycle"):
            with TabPane("Cycle", id="tab-cycle"), VerticalScroll():
                for name, label in HEADER_FIELDS.items():
                    with Horizontal(classes="pdsa-row"):
                        yield Label(label, classes="pdsa-label")
                        if name in SELECT_FIELDS:
                            yield Select[str]([], id=f"f-{name}", prompt="(none)")
                        else:
                            yield TextField(id=f"f-{name}", placeholder=_placeholder(name))
                    yield Label("", id=f"e-{name}", classes="pdsa-error -empty")
            for stage, fields in STAGE_FIELDS.items():
                with TabPane(stage.capitalize(), id=f"tab-{stage}"), VerticalScroll():
                    if stage == "act":
                        with Horizontal(classes="pdsa-row"):
                            yield Label("Decision", classes="pdsa-label")
                            yield Select[str](
                                [(d.label, d.value) for d in ActDecision],
                                id="f-act_decision",
                                prompt="(not decided)",
                            )
                        yield Label("", id="e-act_decision", classes="pdsa-error -empty")
                    for name, label in fields.items():
                        yield Label(label, classes="pdsa-text-label")
                        yield TextArea(id=f"f-{name}", classes="pdsa-text", soft_wrap=True)
                        yield Label("", id=f"e-{name}", classes="pdsa-error -under-text -empty")
        yield Static("", id="pdsa-nudges")
        yield Static("", id="pdsa-banner")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        start_loading(self.query_one("#pdsa-tabs"))
        self.query_one("#f-scale", Select).set_options([(label, level) for level, label in SCALE_LABELS.items()])
        self.load()

    # -- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="pdsa-edit-load")
    def load(self) -> None:
        """Read the cycle, the ward's ideas and cycles, and any draft, in a worker."""
        store = self.app.store  # type: ignore[attr-defined]
        stored = store.pdsa.get(self.cycle_id) if self.cycle_id else None
        ward_code = stored.cycle.ward_code if stored else self.ward_code
        ward = store.registry.ward(ward_code) if ward_code else None
        ideas = store.change_package.ideas(ward_code=ward_code)
        cycles = store.pdsa.list(ward_code=ward_code) if ward_code else []
        draft = store.pdsa.draft(self.draft_key)
        self.app.call_from_thread(self.show, stored, ward, ideas, cycles, draft)

    def show(self, stored: StoredCycle | None, ward: Any, ideas: list[Any], cycles: list[StoredCycle],
             draft: tuple[dict[str, Any], str] | None) -> None:
        stop_loading(self.query_one("#pdsa-tabs"))
        if self.cycle_id and stored is None:
            self._banner("This cycle no longer exists.", error=True)
            return
        if ward is None:
            self._banner(f"Ward {self.ward_code} is not in the registry.", error=True)
            return
        self.stored, self.ideas = stored, ideas
        self.ward_code, self.ward_name = ward.code, ward.name
        self.ward_cycles = [c for c in cycles if c.cycle.id != (self.cycle_id or "")]
        self.ramp_order = by_creation(cycles)
        labels = ramp_labels(self.ramp_order)
        self.query_one("#f-change_idea_code", Select).set_options(
            [(user_text(("" if s.idea.ward_code is None else "(local) ") + s.idea.name), s.idea.code) for s in ideas]
        )
        self.query_one("#f-previous_cycle_id", Select).set_options(
            [(user_text(f"{labels[c.cycle.id]} {c.cycle.title}"[:60]), c.cycle.id) for c in self.ward_cycles]
        )
        values = self._values_of(stored.cycle) if stored else self._blank_values()
        previous = next((c.cycle for c in self.ward_cycles if c.cycle.id == self.follows), None)
        if stored is None and previous is not None:
            values.update(
                title=previous.title,
                change_idea_code=previous.change_idea_code,
                previous_cycle_id=previous.id,
                cycle_number=str(previous.cycle_number + 1),
                scale=previous.scale.value if previous.scale else "",
                objective=previous.next_step or "",  # the Act step's "next step" is this cycle's aim
            )
        self.status = stored.cycle.status if stored else PdsaStatus.PLANNED
        self.fill(values)
        self.loaded_values = self.form_values()
        self.loaded = True
        self._render_title()
        self._render_nudges()
        self.refresh_bindings()
        if stored is not None:
            self.query_one("#pdsa-tabs", TabbedContent).active = STAGE_TAB[self.status]
        if stored is None:
            self.query_one("#f-title", Input).focus()
        if draft is not None:
            payload, saved_at = draft
            if {k: v for k, v in payload.items() if k in self.loaded_values} != {
                k: self.loaded_values[k] for k in payload if k in self.loaded_values
            }:
                self.app.push_screen(
                    ConfirmScreen(
                        f"Unsaved text from {local_time_text(saved_at)} was kept as a draft. "
                        "Restore it? (n discards it)"
                    ),
                    lambda restore: self._restore(payload) if restore else self.discard_draft(),
                )

    def _restore(self, payload: dict[str, Any]) -> None:
        values = self.form_values()
        values.update({k: v for k, v in payload.items() if k in values})
        self.fill(values)
        self._banner("Draft restored: save (Ctrl+S or F2) to keep it.")

    def _blank_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: "" for name in (*HEADER_FIELDS, *TEXT_AREA_FIELDS, "act_decision")}
        values["cycle_number"] = "1"
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        monday = today - dt.timedelta(days=today.weekday())
        values["planned_start"] = monday.isoformat()
        values["planned_end"] = (monday + dt.timedelta(days=13)).isoformat()
        return values

    @staticmethod
    def _values_of(cycle: PdsaCycle) -> dict[str, Any]:
        data = cycle.model_dump(mode="json")
        return {
            name: "" if data.get(name) is None else str(data[name])
            for name in (*HEADER_FIELDS, *TEXT_AREA_FIELDS, "act_decision")
        }

    def fill(self, values: dict[str, Any]) -> None:
        self._filling = True
        try:
            for name, value in values.items():
                widget = self.query_one(f"#f-{name}")
                if isinstance(widget, Select):
                    options = {v for _, v in widget._options}  # noqa: SLF001 - Select has no public list
                    widget.value = value if value in options and value != "" else Select.NULL
                elif isinstance(widget, TextArea):  # a stored control character shows as its escape
                    widget.text = visible(value or "", multi_line=True)
                elif isinstance(widget, Input):
                    widget.value = visible(value or "", multi_line=True)
        finally:
            self._filling = False

    # -- the form --------------------------------------------------------------------------

    def form_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in (*HEADER_FIELDS, *TEXT_AREA_FIELDS, "act_decision"):
            widget = self.query_one(f"#f-{name}")
            if isinstance(widget, Select):
                values[name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, TextArea):
                values[name] = widget.text
            else:
                values[name] = widget.value  # type: ignore[attr-defined]
        return values

    @property
    def dirty(self) -> bool:
        return self.loaded and self.form_values() != self.loaded_values

    def check(self, status: PdsaStatus | None = None, *, show_required: bool) -> PdsaCycle | None:
        """Validate with the model rules; show each error beside its field (first one's tab)."""
        data: dict[str, Any] = dict(self.form_values())
        data.update(
            id=self.stored.cycle.id if self.stored else self.new_id,
            ward_code=self.ward_code,
            status=status or self.status,
        )
        try:
            cycle = validate_cycle(data)
        except ValidationError as exc:
            errors = field_errors(exc)
            for name in FIELD_TAB:
                message = errors.get(name, "")
                if not show_required and message and not str(data.get(name, "")).strip():
                    message = ""
                self._error(name, message)
            if show_required:
                first = next((n for n in FIELD_TAB if errors.get(n)), None)
                if first:
                    self.query_one("#pdsa-tabs", TabbedContent).active = FIELD_TAB[first]
            return None
        for name in FIELD_TAB:
            self._error(name, "")
        # The store keeps every cycle's planned dates (the Study-due rule and the list need them).
        missing = [n for n in ("planned_start", "planned_end") if getattr(cycle, n) is None]
        if missing and (show_required or self.save_attempted):
            for name in missing:
                self._error(name, f"{HEADER_FIELDS[name]} is required (dd/mm/yyyy)")
            if show_required:
                self.query_one("#pdsa-tabs", TabbedContent).active = "tab-cycle"
                return None
        return cycle

    def _error(self, name: str, message: str) -> None:
        label = self.query_one(f"#e-{name}", Label)
        label.update(user_text(message))  # a message may quote what was typed
        label.set_class(not message, "-empty")
        self.query_one(f"#f-{name}").set_class(bool(message), "-invalid")

    def _banner(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#pdsa-banner", Static)
        banner.update(user_text(message, multi_line=True))
        banner.set_class(error, "error")

    def _render_title(self) -> None:
        values = self.form_values()
        title = values.get("title") or "(new cycle)"
        cycle = self.check(show_required=False) if self.loaded else None
        # The ramp label (A2, B1), as the list shows it; the number alone while the form is invalid.
        number = ramp_label_for(cycle, self.ramp_order) if cycle else values.get("cycle_number") or "1"
        marks = quality_marks(quality(cycle, has_next=self._has_next())) if cycle else Text("")
        version = f" v{self.stored.version}" if self.stored else " (not saved yet)"
        # The whole title: the header wraps (height auto) rather than cutting it at 80 columns.
        self.query_one("#pdsa-edit-title", Static).update(
            Text.assemble(
                user_text(f"{self.ward_name}", "bold"), f" | cycle {number}: ", user_text(title, "bold"),
                " | ", (self.status.label, "reverse"), " | ", marks, version,
            )
        )

    def _has_next(self) -> bool:
        own = self.stored.cycle.id if self.stored else self.new_id
        return any(c.cycle.previous_cycle_id == own for c in self.ward_cycles)

    def _render_nudges(self) -> None:
        cycle = self.check(show_required=False)
        text = ""
        if cycle is not None:
            previous = next((c.cycle for c in self.ward_cycles if c.cycle.id == cycle.previous_cycle_id), None)
            found = nudges(cycle, previous=previous, today=self.app.today)  # type: ignore[attr-defined]
            text = "  ".join(f"! {n.message}" for n in found)
        self.query_one("#pdsa-nudges", Static).update(user_text(text))

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self, event: Any) -> None:
        if not self.loaded or self._filling:
            return
        if isinstance(event, Select.Changed) and event.select.id == "f-previous_cycle_id":
            self._follow_previous(event.value)
        if self.check(show_required=self.save_attempted) is not None and self.save_attempted:
            self._banner("")  # the "Not saved: correct the fields" banner no longer applies
        self._render_title()
        self._render_nudges()
        self._schedule_autosave()

    def _follow_previous(self, value: Any) -> None:
        """Choosing the previous cycle numbers this one after it (ramp link)."""
        previous = next((c.cycle for c in self.ward_cycles if c.cycle.id == value), None)
        number = self.query_one("#f-cycle_number", Input)
        if previous is not None:
            number.value = str(previous.cycle_number + 1)
            idea = self.query_one("#f-change_idea_code", Select)
            if idea.value is Select.NULL:
                idea.value = previous.change_idea_code
        elif value is Select.NULL:
            number.value = "1"

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    # -- autosave --------------------------------------------------------------------------

    def _schedule_autosave(self) -> None:
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_SECONDS, self._autosave)

    def _autosave(self) -> None:
        self._autosave_timer = None
        if self.dirty and not self.saving:
            self.save_draft(self.form_values())

    @work(thread=True, exclusive=True, exit_on_error=False, group="pdsa-draft")
    def save_draft(self, payload: dict[str, Any]) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        refused = store.pdsa.save_draft(self.draft_key, payload)
        if refused:
            self.app.call_from_thread(
                self._banner,
                "Draft kept without the text that has an NHS number: remove it before saving.",
                error=True,
            )

    @work(thread=True, exclusive=True, exit_on_error=False, group="pdsa-draft")
    def discard_draft(self) -> None:
        self.app.store.pdsa.discard_draft(self.draft_key)  # type: ignore[attr-defined]

    # -- saving ----------------------------------------------------------------------------

    def action_save(self, status: PdsaStatus | None = None) -> None:
        if self.saving or not self.loaded:
            return
        self.save_attempted = True
        target = status or self.status
        if self.stored is not None and not can_transition(self.stored.cycle.status, target):
            self._banner(f"A {self.stored.cycle.status.label.lower()} cycle cannot move to "
                         f"{target.label.lower()}.", error=True)
            return
        cycle = self.check(target, show_required=True)
        if cycle is None:
            self._banner("Not saved: correct the fields marked (nothing typed is lost).", error=True)
            return
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        self.saving = True
        self._banner("Saving...")
        self.save(cycle, None if self.stored is None else self.stored.version)

    def action_next_stage(self) -> None:
        following = NEXT_STATUS.get(self.status)
        if following is None:
            self.notify(f"A {self.status.label.lower()} cycle has no next stage.", severity="warning")
            return
        if following == PdsaStatus.DONE and self._ask_for_act():
            return
        self.action_save(following)

    def _ask_for_act(self) -> bool:
        """Before Done: open Act on what is missing of the decision and the next step (True if any)."""
        values = self.form_values()
        missing = [name for name in ("act_decision", "next_step") if not str(values.get(name, "")).strip()]
        if not missing:
            return False
        self.query_one("#pdsa-tabs", TabbedContent).active = "tab-act"
        self.query_one(f"#f-{missing[0]}").focus()
        self._banner(
            "Before Done, Act: choose adopt, adapt or abandon, and write the next step; then F3 again.",
            error=True,
        )
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows only the moves this cycle has (so it fits at 80 columns): F3 and F6 for
        an open cycle, F5 for a done one that was adopted or adapted and has no next cycle yet."""
        if action == "next_cycle":
            cycle = self.stored.cycle if self.stored else None
            return bool(
                cycle and cycle.status == PdsaStatus.DONE
                and cycle.act_decision in (ActDecision.ADOPT, ActDecision.ADAPT)
                and not self._has_next()
            )
        if action in ("next_stage", "abandon"):
            return self.status.is_open
        return True

    def action_next_cycle(self) -> None:
        if self.stored is None or self.dirty:
            self.notify("Save this cycle first (Ctrl+S).", severity="warning")
            return
        self.app.open_screen(  # type: ignore[attr-defined]
            "pdsa_edit", ward_code=self.stored.cycle.ward_code, follows=self.stored.cycle.id
        )

    def action_abandon(self) -> None:
        if not self.status.is_open:
            self.notify("Only a planned, running or studied cycle can be abandoned.", severity="warning")
            return
        self.app.push_screen(
            ConfirmScreen("Abandon this cycle? (Record why in Act, and its learning in Study.)"),
            lambda yes: self.action_save(PdsaStatus.ABANDONED) if yes else None,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="pdsa-save")
    def save(self, cycle: PdsaCycle, expected_version: int | None) -> None:
        from rrp.store import StoreError

        store = self.app.store  # type: ignore[attr-defined]
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        try:
            if expected_version is None:
                stored = store.pdsa.create(cycle, today=today)
            else:
                stored = store.pdsa.save(cycle, expected_version=expected_version, today=today)
            store.pdsa.discard_draft(self.draft_key)
        except ValidationError as exc:
            self.app.call_from_thread(self.save_failed, "; ".join(field_errors(exc).values()))
            return
        except (StoreError, InvalidTransition) as exc:
            self.app.call_from_thread(self.save_failed, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so, keep the input
            self.app.log_error(exc)  # type: ignore[attr-defined]
            self.app.call_from_thread(self.save_failed, f"Could not save: {exc}")
            return
        self.app.call_from_thread(self.saved, stored)

    def saved(self, stored: StoredCycle) -> None:
        moved = self.stored is None or stored.cycle.status != self.stored.cycle.status
        self.saving = False
        self.save_attempted = False
        self.stored = stored
        self.cycle_id = stored.cycle.id
        self.draft_key = stored.cycle.id
        self.status = stored.cycle.status
        self.loaded_values = self.form_values()
        self._render_title()
        self._render_nudges()
        message = f"Saved ({stored.cycle.status.label.lower()}, version {stored.version})."
        if moved:
            self._show_tab(STAGE_TAB[self.status])
        end = stored.cycle.planned_end
        if self.status == PdsaStatus.DOING and end:
            message += f" Study due by {day_month(end)}."
        if self.status == PdsaStatus.DONE and stored.cycle.act_decision in (ActDecision.ADOPT, ActDecision.ADAPT):
            message += " F5 starts the next cycle of this ramp."
        self._banner(message)
        self.refresh_bindings()
        self.notify("Cycle saved", timeout=3)

    def save_failed(self, message: str) -> None:
        self.saving = False
        self._banner(f"Not saved: {message}", error=True)

    # -- navigation ------------------------------------------------------------------------

    def action_next_tab(self) -> None:
        tabs = self.query_one("#pdsa-tabs", TabbedContent)
        self._show_tab(TABS[(TABS.index(tabs.active) + 1) % len(TABS)] if tabs.active in TABS else TABS[0])

    def _show_tab(self, tab_id: str) -> None:
        """Show a tab and put the cursor in its first field."""
        tabs = self.query_one("#pdsa-tabs", TabbedContent)
        tabs.active = tab_id
        for widget in tabs.get_pane(tab_id).query("Input, TextArea, Select"):
            widget.focus()
            break

    def action_back(self) -> None:
        if self.dirty:
            self.app.push_screen(
                ConfirmScreen("Leave without saving? (Your text stays as a draft for next time.)"),
                self._leave,
            )
        else:
            self.dismiss()

    def _leave(self, leave: bool | None) -> None:
        if leave:
            if self.dirty:
                self.save_draft(self.form_values())
            self.dismiss()


def _placeholder(name: str) -> str:
    return {
        "title": "a few words: what is being tested",
        "cycle_number": "1 for the first cycle of a ramp",
        "planned_start": "2026-11-16 or 16/11/2026",
        "planned_end": "2026-11-29 or 29/11/2026",
    }.get(name, "")
