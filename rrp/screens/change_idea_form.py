"""Add a change idea to the driver diagram, or edit an idea's name and description.

A new idea has a name, a one-line description, the secondary driver it serves, and a scope: the
collaborative's change package (facilitators) or local to one ward (a ward's own idea). Its code is
made from the name and scope ("CALM-BOX", "L-NVT-ASH-CALM-BOX") until the user types their own;
a code already in use is refused beside the field, and a made-up one that would clash gets a number
(the form says which idea has the plain code, in case it is the same idea).

Editing changes only the name and description; the save is versioned, so an idea someone else
changed since the form opened is refused with who and when, keeping what was typed.
Errors appear beside their fields from the model's own rules (no NHS numbers in free text).
Ctrl+S or F2 saves (in a worker); Esc cancels. Dismisses with the saved idea, or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Select, Static

from rrp.models.change_package import IDEA_CODE_MAX, ChangeIdea, StoredChangeIdea, suggest_idea_code
from rrp.models.fields import field_errors
from rrp.models.when import local_time_text
from rrp.reports.user_text import user_text, visible
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.text_field import TextField

if TYPE_CHECKING:
    from rrp.models.change_package import Driver
    from rrp.models.registry import Ward

#: The scope Select's value for the collaborative's change package (a ward code otherwise).
COLLABORATIVE = "*"
#: Form fields, in order, with their labels (ids: i-<name> for the widget, e-<name> for its error).
FIELDS: dict[str, str] = {
    "name": "Name",
    "description": "Description",
    "driver_code": "Driver",
    "ward_code": "Scope",
    "code": "Code",
}


#: Driver labels are cut to this (with an ellipsis) so each fits one line of the open Select at 80x24.
DRIVER_LABEL_WIDTH = 56


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def scope_label(idea: ChangeIdea) -> str:
    return f"local to ward {idea.ward_code}" if idea.ward_code else "collaborative change package"


class ChangeIdeaForm(ReportsWorkerErrors, ModalScreen[StoredChangeIdea | None]):
    """A new change idea (collaborative or local to a ward), or an idea's name and description."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", id="idea_form.save", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel", id="idea_form.cancel"),
    ]

    def __init__(
        self,
        *,
        drivers: list[Driver],
        wards: list[Ward],
        ideas: list[StoredChangeIdea],
        ward_code: str | None = None,
        driver_code: str | None = None,
        stored: StoredChangeIdea | None = None,
    ) -> None:
        """`ideas`: every idea (collaborative and all wards' local ones), for clash checks.
        `ward_code`: the ward the driver diagram was opened for (then scope offers only that ward,
        and defaults to it). `stored`: the idea to edit (None for a new one)."""
        super().__init__()
        self.drivers, self.wards, self.ideas = drivers, wards, ideas
        self.ward_code = ward_code.strip().upper() if ward_code else None
        self.driver_code = driver_code
        self.stored = stored
        self.saving = False
        self.save_attempted = False
        self.code_typed = False  # the user typed their own code: stop making it from the name
        self.suggested_code = ""

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        stored = self.stored
        with Vertical(id="idea-form"):
            if stored is None:
                title = Text("New change idea", style="bold")
            else:
                title = Text.assemble(("Edit change idea ", "bold"), (stored.idea.code, "bold"),
                                      f" (version {stored.version}; {scope_label(stored.idea)})")
            yield Static(title, id="idea-title")
            for name, label in FIELDS.items():
                with Horizontal(classes="idea-row"):
                    yield Label(label, classes="idea-label")
                    yield self._field(name)
                yield Label("", id=f"e-{name}", classes="idea-error -empty")
            yield Static("", id="idea-hint", classes="-empty")
            yield Static("", id="idea-banner", classes="-empty")
        yield Footer(compact=True, show_command_palette=False)

    def _field(self, name: str) -> Input | Select[str]:
        idea = self.stored.idea if self.stored else None
        editing = idea is not None
        if name == "name":
            return TextField(visible(idea.name) if idea else "", id="i-name", max_length=120, compact=True,
                         placeholder="a few words, e.g. Calm box at night")
        if name == "description":
            return TextField(visible(idea.description, multi_line=True) if idea else "", id="i-description", max_length=500,
                         compact=True, placeholder="one line: what is done, by whom, when (no names)")
        if name == "driver_code":
            primaries = {d.code: d.name for d in self.drivers if d.kind == "primary"}
            options = [(user_text(_fit(f"{d.name} ({primaries.get(d.parent_code or '', '?')})", DRIVER_LABEL_WIDTH)),
                        d.code) for d in self.drivers if d.kind == "secondary"]
            value = idea.driver_code if idea else self.driver_code
            known = {code for _, code in options}
            return Select[str](options, id="i-driver_code", compact=True, prompt="(the secondary driver it serves)",
                               value=value if value in known else Select.NULL, disabled=editing)
        if name == "ward_code":
            options = [("Collaborative change package", COLLABORATIVE)]
            if editing and idea and idea.ward_code:
                options.append((f"Local to ward {idea.ward_code}", idea.ward_code))
            elif self.ward_code:
                ward = next((w for w in self.wards if w.code == self.ward_code), None)
                options.append((f"Local to ward {self.ward_code}" + (f" ({ward.name})" if ward else ""),
                                self.ward_code))
            else:
                options += [(f"Local to ward {w.code} ({w.name})", w.code) for w in self.wards]
            value = (idea.ward_code if idea else self.ward_code) or COLLABORATIVE
            return Select[str]([(user_text(label), code) for label, code in options], id="i-ward_code", compact=True, allow_blank=False, value=value,
                               disabled=editing)
        return TextField(idea.code if idea else "", id="i-code", max_length=IDEA_CODE_MAX, compact=True,
                     restrict=r"[A-Za-z0-9_-]*", placeholder="made from the name", disabled=editing)

    def on_mount(self) -> None:
        self.query_one("#i-name", Input).focus()

    # -- the form --------------------------------------------------------------------------

    def form_values(self) -> dict[str, Any]:
        driver = self.query_one("#i-driver_code", Select).value
        scope = self.query_one("#i-ward_code", Select).value
        return {
            "code": self.query_one("#i-code", Input).value,
            "driver_code": "" if driver is Select.NULL else str(driver),
            "name": self.query_one("#i-name", Input).value,
            "description": self.query_one("#i-description", Input).value,
            "ward_code": None if scope in (COLLABORATIVE, Select.NULL) else str(scope),
        }

    def _taken(self) -> dict[str, ChangeIdea]:
        return {s.idea.code: s.idea for s in self.ideas}

    def _suggest(self) -> None:
        """Make the code from the name and scope (a new idea whose code the user has not typed)."""
        if self.stored is not None or self.code_typed:
            return
        values = self.form_values()
        taken = self._taken()
        code = suggest_idea_code(values["name"], values["ward_code"], taken)
        plain = suggest_idea_code(values["name"], values["ward_code"])
        hint = Text("")
        if plain and plain != code:
            other = taken[plain]
            hint = Text.assemble(
                "Code ", (plain, "bold"), " is already \u201c", user_text(other.name),
                f"\u201d ({scope_label(other)}), so this is ",
                (code, "bold"), ". If it is the same idea, test that one instead (Esc).",
            )
        self._hint(hint)
        self.suggested_code = code
        self.query_one("#i-code", Input).value = code

    def check(self, *, show_required: bool) -> ChangeIdea | None:
        """Validate with the model (and the clash rules); show each error beside its field."""
        values = self.form_values()
        data = dict(values)
        if self.stored is not None:
            data.update(code=self.stored.idea.code, driver_code=self.stored.idea.driver_code,
                        ward_code=self.stored.idea.ward_code)
        errors: dict[str, str] = {}
        idea: ChangeIdea | None = None
        try:
            idea = ChangeIdea.model_validate(data)
        except ValidationError as exc:
            errors = field_errors(exc)
        if errors.get("driver_code") and not values["driver_code"]:
            errors["driver_code"] = "Choose the secondary driver this idea serves"
        if errors.get("code") and not values["code"].strip():
            errors["code"] = "A code is required (letters, digits, '-'; made from the name if left empty)"
        if idea is not None:
            errors.update(self._clashes(idea))
        for name in FIELDS:
            message = errors.get(name, "")
            if not show_required and message and not str(values.get(name) or "").strip():
                message = ""
            self._error(name, message)
        other = [m for k, m in errors.items() if k not in FIELDS]
        if other:
            self._error("name", other[0])
        return None if errors else idea

    def _clashes(self, idea: ChangeIdea) -> dict[str, str]:
        errors: dict[str, str] = {}
        own = self.stored.idea.code if self.stored else None
        if self.stored is None:
            other = self._taken().get(idea.code)
            if other is not None:
                errors["code"] = (f"Code {idea.code} is already used by \u201c{other.name}\u201d "
                                  f"({scope_label(other)}): choose another code")
        same_name = next(
            (s.idea for s in self.ideas
             if s.idea.code != own and s.idea.ward_code == idea.ward_code
             and s.idea.name.casefold() == idea.name.casefold()),
            None,
        )
        if same_name is not None:
            where = f"Ward {idea.ward_code} already has a local idea" if idea.ward_code else \
                "The change package already has an idea"
            errors["name"] = f"{where} called \u201c{same_name.name}\u201d ({same_name.code})"
        return errors

    def _error(self, name: str, message: str) -> None:
        label = self.query_one(f"#e-{name}", Label)
        label.update(user_text(message))  # a message may quote names
        label.set_class(not message, "-empty")
        self.query_one(f"#i-{name}").set_class(bool(message), "-invalid")

    def _banner(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#idea-banner", Static)
        banner.update(user_text(message, multi_line=True))
        banner.set_class(error, "error")
        banner.set_class(not message, "-empty")

    def _hint(self, hint: str | Text) -> None:
        widget = self.query_one("#idea-hint", Static)
        widget.update(hint)
        widget.set_class(not hint, "-empty")

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        widget_id = event.control.id if event.control else None
        if widget_id == "i-code" and self.stored is None:
            # Typing a code stops the suggestions; an empty code is made from the name again
            # (on the next change, or on save). The field's current value, not the event's: a
            # suggestion's own Changed event may arrive after the next one.
            value = self.query_one("#i-code", Input).value
            if value != self.suggested_code:
                self.code_typed = bool(value.strip())
                self._hint("")
        elif widget_id in ("i-name", "i-ward_code"):
            self._suggest()
        if self.check(show_required=self.save_attempted) is not None and self.save_attempted:
            self._banner("")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.focus_next()

    # -- saving ----------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving:
            return
        self.save_attempted = True
        if self.stored is None and not self.query_one("#i-code", Input).value.strip():
            self.code_typed = False
            self._suggest()
        idea = self.check(show_required=True)
        if idea is None:
            self._banner("Not saved: correct the fields marked (nothing typed is lost).", error=True)
            return
        if self.stored is not None and idea == self.stored.idea:
            self.notify("Nothing changed.", timeout=3)
            self.dismiss(None)
            return
        self.saving = True
        self._banner("Saving...")
        self.save(idea, None if self.stored is None else self.stored.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="change-idea-save")
    def save(self, idea: ChangeIdea, expected_version: int | None) -> None:
        from rrp.store import StaleEditError, StoreError

        store = self.app.store  # type: ignore[attr-defined]
        try:
            stored = store.change_package.save_idea(idea, expected_version=expected_version)
        except StaleEditError as exc:
            current = store.change_package.idea(idea.code)
            self.app.call_from_thread(self.stale, idea, current, str(exc))
            return
        except ValidationError as exc:
            self.app.call_from_thread(self.save_failed, "; ".join(field_errors(exc).values()))
            return
        except StoreError as exc:
            self.app.call_from_thread(self.save_failed, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so, keep the input
            self.app.log_error(exc)  # type: ignore[attr-defined]
            self.app.call_from_thread(self.save_failed, f"Could not save: {exc}")
            return
        self.app.call_from_thread(self.dismiss, stored)

    def stale(self, idea: ChangeIdea, current: StoredChangeIdea | None, message: str) -> None:
        """The store refused the save: the idea changed (or the code was taken) meanwhile."""
        self.saving = False
        if self.stored is None:
            if current is not None:
                self.ideas = [*self.ideas, current]
                self.check(show_required=True)  # names the idea that now has the code
            self._banner(f"Not saved: code {idea.code} was taken while the form was open.", error=True)
            return
        if current is None:
            self._banner(f"Not saved: change idea {idea.code} was deleted since you opened it.", error=True)
            return
        when = local_time_text(current.updated_at)
        self._banner(
            f"Not saved: {current.updated_by} changed this idea at {when} (now version {current.version}) "
            f"since you opened version {self.stored.version}. Esc, then e, edits their version "
            "(what is typed here is not saved).",
            error=True,
        )

    def save_failed(self, message: str) -> None:
        self.saving = False
        self._banner(f"Not saved: {message}", error=True)

    def action_cancel(self) -> None:
        self.dismiss(None)
