"""The huddle's small forms: a chart annotation (a note, or a rebase with its required reason)
and the fixed baseline ("fix the limits after n points").

`AnnotationForm` dismisses with a validated `Annotation` (the model is the one source of truth:
a rebase on a Monday, text required, no NHS number) or None when cancelled. `BaselineForm`
dismisses with the number of points (12 or more), 0 for "no fixed baseline", or None.
Enter (or Ctrl+S / F2, as on every form) saves; Escape cancels. Enter in the date box moves on
to the note while the note is empty. The date box (`DateField`) selects its date on focus, so a
date typed replaces the prefilled one; it takes only date characters, so a note typed into it by
mistake replaces nothing. A refused save rings the bell and puts the cursor in the first field
in error (it never fails silently).
"""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from rrp.models.annotation import TEXT_MAX, Annotation, AnnotationKind
from rrp.models.fields import field_errors
from rrp.reports.user_text import user_text
from rrp.widgets.text_field import DateField, TextField

MIN_BASELINE = 12


class AnnotationForm(ModalScreen[Annotation | None]):
    """Add a note or a rebase to a ward's chart."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", id="annotation.save", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel", id="annotation.cancel"),
    ]

    def __init__(
        self,
        *,
        ward_code: str,
        kind: str = "note",
        measure: str | None = None,
        measure_label: str = "",
        on_date: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.ward_code = ward_code
        self.kind = AnnotationKind(kind)
        self.measure = measure
        self.measure_label = measure_label
        self.on_date = on_date

    def compose(self) -> ComposeResult:
        rebase = self.kind == AnnotationKind.REBASE
        with Vertical(id="annotation-form"):
            if rebase:
                title = f"Rebase the {self.measure_label.lower() or 'chart'}: a new segment from a Monday"
                date_label = "Monday the new segment starts (dd/mm/yyyy)"
                text_label = "Reason (required; what changed? no names)"
            else:
                title = "Add a note to the chart (no names, no NHS numbers)"
                date_label = "Date (dd/mm/yyyy)"
                text_label = "Note"
            yield Static(title, id="annotation-title")
            yield Label(date_label, classes="annotation-label")
            yield DateField(f"{self.on_date:%d/%m/%Y}" if self.on_date else "", id="a-date")
            yield Label("", id="e-on_date", classes="field-error")
            yield Label(text_label, classes="annotation-label")
            yield TextField(id="a-text", max_length=TEXT_MAX, compact=True)
            yield Label("", id="e-text", classes="field-error")
            yield Static("Enter, Ctrl+S or F2: save    Esc: cancel", id="annotation-keys")

    def on_mount(self) -> None:
        self.query_one("#a-date" if not self.on_date else "#a-text", Input).focus()

    def build(self) -> Annotation | None:
        """The validated annotation, or None with the errors shown beside the fields."""
        data = {
            "ward_code": self.ward_code,
            "on_date": self.query_one("#a-date", Input).value,
            "kind": self.kind,
            "measure": self.measure,
            "text": self.query_one("#a-text", Input).value,
        }
        errors: dict[str, str] = {}
        annotation = None
        try:
            annotation = Annotation.model_validate(data)
        except ValidationError as exc:
            errors = field_errors(exc)
        if errors.get("text", "").startswith("Text"):  # name the field as the form labels it
            field = "Reason" if self.kind == AnnotationKind.REBASE else "Note"
            errors["text"] = field + errors["text"].removeprefix("Text")
        for name in ("on_date", "text"):
            self.query_one(f"#e-{name}", Label).update(user_text(errors.get(name, "")))
        other = [m for k, m in errors.items() if k not in ("on_date", "text")]
        if other:
            self.query_one("#e-text", Label).update(user_text(other[0]))
        return annotation

    @on(Input.Submitted, "#a-date")
    def _date_entered(self) -> None:
        if not self.query_one("#a-text", Input).value.strip():
            self.query_one("#a-text", Input).focus()  # nothing to save yet: on to the note
            return
        self.action_save()

    @on(Input.Submitted, "#a-text")
    def _text_entered(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        annotation = self.build()
        if annotation is not None:
            self.dismiss(annotation)
            return
        self.app.bell()
        fields = {"on_date": "#a-date", "text": "#a-text"}
        in_error = [f for name, f in fields.items() if str(self.query_one(f"#e-{name}", Label).render()).strip()]
        focused = self.focused.id if self.focused else None
        if in_error and f"#{focused}" not in in_error:  # stay in a field that is itself in error
            self.query_one(in_error[0], Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class BaselineForm(ModalScreen[int | None]):
    """Fix the baseline after n points (n >= 12), or clear it (empty)."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", id="baseline.save", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel", id="baseline.cancel"),
    ]

    def __init__(self, current: int | None = None, points: int | None = None) -> None:
        super().__init__()
        self.current = current
        self.points = points

    def compose(self) -> ComposeResult:
        with Vertical(id="baseline-form"):
            yield Static("Fix the baseline: centre and limits from the first n points", id="baseline-title")
            have = f" (the chart has {self.points})" if self.points is not None else ""
            yield Label(f"Points, {MIN_BASELINE} or more{have}; empty: use every point", classes="annotation-label")
            yield Input(
                value="" if self.current is None else str(self.current),
                id="b-points",
                restrict=r"[0-9]*",
                max_length=4,
                compact=True,
            )
            yield Label("", id="e-points", classes="field-error")
            yield Static("Enter, Ctrl+S or F2: save    Esc: cancel", id="annotation-keys")

    def on_mount(self) -> None:
        self.query_one("#b-points", Input).focus()

    @on(Input.Submitted, "#b-points")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#b-points", Input).value.strip()
        if not text:
            self.dismiss(0)
            return
        n = int(text)
        if n < MIN_BASELINE:
            self.query_one("#e-points", Label).update(
                f"A baseline needs at least {MIN_BASELINE} points (fewer give unreliable limits)"
            )
            return
        self.dismiss(n)

    def action_cancel(self) -> None:
        self.dismiss(None)
