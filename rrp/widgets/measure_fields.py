"""The entry fields of a ward's measures for one period (a week or a month), below a form.

One row per measure: a proportion is two inputs (numerator "of" denominator), a count (or a
count per bed days) one whole-number input, a value one number input within its bounds. The
focused measure's operational definition shows on a line beneath. Each row is checked with the
same rules as an import (`rrp.models.measure_value.validate_value`); the message shows beside it
and what was typed stays. Blank means "not entered" (never zero): a blank row is not saved.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Input, Label, Static

from rrp.models.fields import field_errors
from rrp.models.measure import Measure
from rrp.models.measure_value import MeasureValue, validate_value
from rrp.reports.user_text import user_text

if TYPE_CHECKING:
    from rrp.store.measures import StoredValue

_WHOLE = r"[0-9\-]*"
_NUMBER = r"[0-9.\-]*"


def _number_text(number: Any) -> str:
    if number is None:
        return ""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


class MeasureFields(Vertical):
    """The rows of a period's measures; `show(...)` lays them out, `entered(...)` checks them."""

    DEFAULT_CSS = """
    MeasureFields { height: auto; display: none; }
    MeasureFields.-has-measures { display: block; }
    MeasureFields > Grid { grid-size: 3; grid-columns: 26 19 1fr; grid-rows: auto; grid-gutter: 0 0;
        height: auto; margin: 1 0 0 0; }
    MeasureFields .measure-inputs { height: 1; width: 100%; }
    MeasureFields .measure-of { width: 4; text-align: center; }
    MeasureFields .measure-definition { height: auto; color: $text-muted; margin-top: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.measures: list[Measure] = []
        self.stored: dict[str, StoredValue] = {}
        self.loaded: dict[str, tuple[str, str]] = {}

    def compose(self) -> ComposeResult:
        yield Grid(classes="measure-grid")
        yield Static("", classes="measure-definition")

    # -- layout ----------------------------------------------------------------------------

    async def show(self, measures: list[Measure], stored: dict[str, StoredValue]) -> None:
        """Lay out one row per measure and fill in the stored values (blank where none)."""
        grid = self.query_one(Grid)
        if [m.code for m in measures] != [m.code for m in self.measures] or measures != self.measures:
            self.measures, self.loaded = [], {}  # nothing to read while the rows are replaced
            await grid.remove_children()
            widgets: list[Any] = []
            for m in measures:
                restrict = _NUMBER if m.recorded_as == "value" else _WHOLE
                numerator = Input(id=f"m-{m.code}", restrict=restrict, max_length=9, compact=True,
                                  classes="count-input", tooltip=m.definition)
                if m.recorded_as == "proportion":
                    inputs = Horizontal(
                        numerator, Label("of", classes="measure-of"),
                        Input(id=f"m-{m.code}-of", restrict=_WHOLE, max_length=9, compact=True,
                              classes="count-input", tooltip=m.definition),
                        classes="measure-inputs",
                    )
                else:
                    inputs = Horizontal(numerator, classes="measure-inputs")
                widgets += [Label(user_text(_label(m)), classes="field-label"), inputs,
                            Label("", id=f"me-{m.code}", classes="field-error")]
            await grid.mount_all(widgets)
        self.measures, self.stored = list(measures), dict(stored)
        for m in measures:
            value = stored.get(m.code)
            numerator = "" if value is None else _number_text(value.value.numerator)
            denominator = "" if value is None else _number_text(value.value.denominator)
            self.query_one(f"#m-{m.code}", Input).value = numerator
            if m.recorded_as == "proportion":
                self.query_one(f"#m-{m.code}-of", Input).value = denominator
            self.error(m.code, "")
        self.loaded = self.values()
        self.set_class(bool(measures), "-has-measures")
        self.query_one(".measure-definition", Static).update("")

    def inputs(self) -> list[Input]:
        """The inputs in the order Enter and Tab visit them."""
        return list(self.query_one(Grid).query(Input))

    # -- values ----------------------------------------------------------------------------

    def values(self) -> dict[str, tuple[str, str]]:
        """What is typed, by measure code: (numerator, denominator; "" where there is none)."""
        typed: dict[str, tuple[str, str]] = {}
        for m in self.measures:
            numerator = self.query_one(f"#m-{m.code}", Input).value
            denominator = self.query_one(f"#m-{m.code}-of", Input).value if m.recorded_as == "proportion" else ""
            typed[m.code] = (numerator, denominator)
        return typed

    @property
    def dirty(self) -> bool:
        return self.values() != self.loaded

    @property
    def corrected(self) -> bool:
        """True when a value saved before is changed: a correction, not a first entry."""
        typed = self.values()
        return any(code in self.stored and typed.get(code) != loaded for code, loaded in self.loaded.items())

    def entered(
        self, ward_code: str, period_start: dt.date, *, today: dt.date, show_required: bool
    ) -> list[tuple[MeasureValue, int | None]] | None:
        """Each entered row as a checked value with the version it edits, or None (errors shown)."""
        good = True
        entered: list[tuple[MeasureValue, int | None]] = []
        typed = self.values()
        for m in self.measures:
            numerator, denominator = typed[m.code]
            stored = self.stored.get(m.code)
            if not numerator.strip() and not denominator.strip():
                # Blank is "not entered": never a zero. A saved value cannot be blanked here.
                message = ""
                if stored is not None:
                    message = "Saved already: type its corrected value (a saved value cannot be cleared here)"
                    good = False
                self.error(m.code, message if show_required else "")
                continue
            data = {"ward_code": ward_code, "period_start": period_start, "numerator": numerator,
                    "denominator": denominator if m.recorded_as == "proportion" else None}
            try:
                value = validate_value(data, measure=m, today=today)
            except ValidationError as exc:
                errors = field_errors(exc)
                message = errors.get("numerator") or errors.get("denominator") or "; ".join(errors.values())
                if "denominator" in errors and "numerator" in errors and errors["denominator"] != message:
                    message += "; " + errors["denominator"]
                if not show_required and "is required" in message:
                    message = ""  # a half-typed proportion is only an error once the user saves
                self.error(m.code, message)
                good = False
                continue
            self.error(m.code, "")
            entered.append((value, None if stored is None else stored.version))
        return entered if good else None

    def saved(self, stored: dict[str, StoredValue]) -> None:
        """After a save: the stored versions are the ones the next edit is made against."""
        self.stored = dict(stored)
        self.loaded = self.values()

    def error(self, code: str, message: str) -> None:
        """Show (or with "" clear) the message beside a measure's row."""
        self.query_one(f"#me-{code}", Label).update(user_text(message))  # it may quote what was typed
        for field in self.query(f"#m-{code}, #m-{code}-of"):
            field.set_class(bool(message), "-invalid")

    def code_of(self, widget: Any) -> str | None:
        """The measure code of one of this widget's inputs."""
        identifier = getattr(widget, "id", None) or ""
        if not identifier.startswith("m-"):
            return None
        return identifier.removeprefix("m-").removesuffix("-of")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        code = self.code_of(event.widget)
        m = next((m for m in self.measures if m.code == code), None)
        if m is not None:
            definition = self.query_one(".measure-definition", Static)
            definition.update(user_text(f"{m.name}: {m.definition}", multi_line=True))
            # In a scrolling form the line beneath the rows may be out of view: bring it in.
            self.call_after_refresh(definition.scroll_visible, animate=False)


def _label(m: Measure) -> str:
    """A row's label: the measure's short label and how it is entered."""
    suffix = {"proportion": "", "count_per_bed_days": " (count)", "count": " (count)", "value": ""}[m.recorded_as]
    if m.recorded_as == "value" and (m.minimum is not None or m.maximum is not None):
        low = "" if m.minimum is None else _number_text(m.minimum)
        high = "" if m.maximum is None else _number_text(m.maximum)
        suffix = f" ({low}-{high})"
    room = 25 - len(suffix)  # the label column is 26 wide: shorten the label, keep how it is entered
    label = m.label if len(m.label) <= room else m.label[: room - 1].rstrip() + "…"
    return label + suffix
