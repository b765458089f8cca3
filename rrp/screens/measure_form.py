"""Add or edit one measure: the collaborative's, or a ward's own local measure.

Every field is checked by the `Measure` model (one source of truth), and the whole set by the
store (`MeasureSet`); a message names the field and what was typed stays. The save is made here,
in a worker, against the version the form was opened on: a stale edit is refused with who saved
it and when, as the week form does. The form dismisses with the saved `Measure` (None: cancelled).

A core measure (backed by a weekly column) keeps its code, how it is recorded and its frequency
(the database's trigger refuses changing them), so those fields are read-only. A measure's sums
and parts (sum_of, part_of) are kept as they are: they are edited in the measures file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from rrp.models.fields import field_errors
from rrp.models.measure import (
    DIRECTIONS,
    FREQUENCIES,
    KINDS,
    LABEL_MAX,
    NAME_MAX,
    RECORDED_AS,
    Measure,
)
from rrp.reports.user_text import user_text, visible
from rrp.screens.confirm import leave_or_ask
from rrp.screens.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from rrp.store.measures import StoredMeasure

#: The form's one-line fields in order: (model field, label, choices or None, max length).
LINE_FIELDS: tuple[tuple[str, str, tuple[str, ...] | None, int], ...] = (
    ("code", "Code (a-z, 0-9, _)", None, 40),
    ("name", "Name", None, NAME_MAX),
    ("label", "Short label", None, LABEL_MAX),
    ("kind", "Kind", KINDS, 12),
    ("recorded_as", "Recorded as", RECORDED_AS, 20),
    ("direction", "Better when it goes", DIRECTIONS, 10),
    ("frequency", "Frequency", FREQUENCIES, 10),
    ("minimum", "Minimum (value only)", None, 12),
    ("maximum", "Maximum (value only)", None, 12),
    ("aim_target", "Aim (target)", None, 12),
    ("active_from", "Active from (date)", None, 10),
    ("active_to", "Active to (date)", None, 10),
    ("position", "Position in lists", None, 5),
)
#: Fields a core (column-backed) measure keeps: the trigger measure_core_fixed refuses changes.
CORE_FIXED = frozenset({"code", "recorded_as", "frequency"})
FIELD_NAMES = [name for name, *_ in LINE_FIELDS] + ["definition", "enabled"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return visible(str(value))


class MeasureForm(ReportsWorkerErrors, ModalScreen[Measure | None]):
    """Add or edit a measure (Ctrl+S saves; Esc cancels, asking first when anything was typed)."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", id="measure_form.save", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel", id="measure_form.cancel"),
    ]

    DEFAULT_CSS = """
    MeasureForm { align: center middle; }
    #measure-form { width: 90%; max-width: 100; height: 90%; border: thick $primary; background: $surface;
        padding: 0 1; }
    #measure-form-title { text-style: bold; height: auto; }
    .measure-core-note { color: $text-muted; height: auto; }
    #measure-fields { height: 1fr; }
    .measure-row { height: auto; }
    .measure-row > Label { width: 22; padding-right: 1; text-align: right; }
    .measure-row > Input { width: 1fr; }
    #mf-definition { height: 5; width: 1fr; }
    .measure-error { color: $warning; padding-left: 23; height: auto; display: none; }
    .measure-error.-shown { display: block; }
    #measure-form-banner { height: auto; text-style: bold; }
    #measure-form-banner.error { color: $warning; }
    #measure-form-keys { color: $text-muted; height: 1; }
    """

    def __init__(self, stored: StoredMeasure | None = None, *, ward_code: str | None = None) -> None:
        super().__init__()
        self.stored = stored
        self.measure = None if stored is None else stored.measure
        self.ward_code = self.measure.ward_code if self.measure is not None else ward_code
        self.saving = False

    @property
    def core(self) -> bool:
        return self.measure is not None and self.measure.column_backed

    def compose(self) -> ComposeResult:
        m = self.measure
        if m is None:
            title = f"New measure for ward {self.ward_code} only" if self.ward_code else "New measure for the collaborative"
        else:
            title = f"Edit {m.code}" + (f" (ward {m.ward_code}'s own)" if m.ward_code else "")
        with Vertical(id="measure-form"):
            yield Static(user_text(title), id="measure-form-title")
            if self.core:
                yield Static("A core measure: the weekly counts hold it, so its code, how it is recorded and "
                             "its frequency are fixed.", classes="measure-core-note")
            with VerticalScroll(id="measure-fields"):
                for name, label, choices, length in LINE_FIELDS:
                    with Horizontal(classes="measure-row"):
                        yield Label(label)
                        value = "" if m is None else _text(getattr(m, name))
                        if m is None and name == "position":
                            value = ""
                        field = Input(value=value, id=f"mf-{name}", max_length=length, compact=True,
                                      suggester=SuggestFromList(choices) if choices else None,
                                      placeholder="/".join(choices) if choices else "")
                        # An existing measure keeps its code; a core one what its column fixes.
                        field.disabled = m is not None and (name == "code" or (self.core and name in CORE_FIXED))
                        yield field
                    yield Label("", id=f"mfe-{name}", classes="measure-error")
                with Horizontal(classes="measure-row"):
                    yield Label("Definition")
                    yield TextArea(
                        "" if m is None else m.definition, id="mf-definition", soft_wrap=True,
                        show_line_numbers=False, tab_behavior="focus", compact=True,
                    )
                yield Label("", id="mfe-definition", classes="measure-error")
                with Horizontal(classes="measure-row"):
                    yield Label("Switched on")
                    yield Checkbox("", True if m is None else m.enabled, id="mf-enabled", compact=True)
                yield Label("", id="mfe-enabled", classes="measure-error")
                if m is not None and (m.sum_of or m.part_of):
                    kept = f"sum of {', '.join(m.sum_of)}" if m.sum_of else f"part of {m.part_of}"
                    yield Static(user_text(f"Kept as it is: {kept} (edit in the measures file)."))
            yield Static("", id="measure-form-banner")
            yield Static("Tab: next field   Ctrl+S: save   Esc: cancel", id="measure-form-keys")

    def on_mount(self) -> None:
        first = "mf-name" if self.measure is not None else "mf-code"
        self.query_one(f"#{first}", Input).focus()
        #: The form as opened: Esc asks before losing anything typed since.
        self.opened = self.shown()

    def shown(self) -> tuple[object, ...]:
        """What the form's fields hold now (to tell whether anything was typed)."""
        return (
            *(self.query_one(f"#mf-{name}", Input).value for name, *_ in LINE_FIELDS),
            self.query_one("#mf-definition", TextArea).text,
            self.query_one("#mf-enabled", Checkbox).value,
        )

    @property
    def dirty(self) -> bool:
        return self.shown() != self.opened

    # -- checking ----------------------------------------------------------------------------

    def typed(self) -> dict[str, Any]:
        """The form as the model's fields (what is kept from the stored measure, then what is typed)."""
        data: dict[str, Any] = {} if self.measure is None else self.measure.model_dump()
        for name, *_ in LINE_FIELDS:
            data[name] = self.query_one(f"#mf-{name}", Input).value
        position = data["position"].strip()
        # The model takes a whole number: typed digits become one; anything else it refuses.
        data["position"] = int(position) if position.isdigit() else (position or None)
        if data["position"] is None:
            del data["position"]
        data["definition"] = self.query_one("#mf-definition", TextArea).text
        data["enabled"] = self.query_one("#mf-enabled", Checkbox).value
        data["ward_code"] = self.ward_code
        if self.measure is None:
            data.setdefault("part_of", None)
        return data

    def build(self) -> Measure | None:
        """The validated measure, or None with each wrong field's message beside it."""
        try:
            measure = Measure.model_validate(self.typed())
        except ValidationError as exc:
            self.show_errors(field_errors(exc))
            return None
        self.show_errors({})
        return measure

    def show_errors(self, errors: dict[str, str]) -> None:
        for name in FIELD_NAMES:
            message = errors.get(name, "")
            label = self.query_one(f"#mfe-{name}", Label)
            label.update(user_text(message))
            label.set_class(bool(message), "-shown")
            self.query_one(f"#mf-{name}").set_class(bool(message), "-invalid")
        other = [f"{k}: {v}" for k, v in errors.items() if k not in FIELD_NAMES]
        if errors:
            wrong = ", ".join(k for k in errors if k in FIELD_NAMES)
            text = "Not saved: " + "; ".join(other + ([f"correct {wrong} (marked above)"] if wrong else []))
            self.banner(text, error=True)
        else:
            self.banner("")

    def banner(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#measure-form-banner", Static)
        banner.update(user_text(message, multi_line=True))
        banner.set_class(error, "error")

    @on(Input.Changed)
    def _changed(self) -> None:
        if self.query_one("#measure-form-banner", Static).has_class("error"):
            self.build()  # once a save was refused, each change re-checks (messages follow the typing)

    # -- saving ------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving:
            return
        measure = self.build()
        if measure is None:
            return
        self.saving = True
        self.banner("Saving...")
        self.save(measure, None if self.stored is None else self.stored.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="measure-form")
    def save(self, measure: Measure, expected_version: int | None) -> None:
        from rrp.models.measure import MeasureSetError
        from rrp.store import StoreError

        store = self.app.store  # type: ignore[attr-defined]
        try:
            if expected_version is None and store.measures.get(measure.code) is not None:
                raise MeasureSetError([(measure.code, "code", f"measure {measure.code} exists already")])
            stored = store.measures.save(measure, expected_version=expected_version)
        except MeasureSetError as exc:
            self.app.call_from_thread(self.refused, {f: m for _, f, m in exc.problems}, "")
            return
        except StoreError as exc:
            self.app.call_from_thread(self.refused, {}, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so, keep the input
            self.app.call_from_thread(self.refused, {}, f"Could not save: {exc}")
            return
        self.app.call_from_thread(self.dismiss, stored.measure)

    def refused(self, errors: dict[str, str], message: str) -> None:
        self.saving = False
        if errors:
            self.show_errors(errors)
        else:
            self.banner(f"Not saved: {message}", error=True)

    def action_cancel(self) -> None:
        leave_or_ask(self.app, self.dirty, "this measure", lambda: self.dismiss(None))
