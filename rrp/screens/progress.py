"""Progress scores: every ward's latest IHI score, and the selected ward's monthly history.

`s` records (or corrects) the highlighted ward's score for a month in a small form: the score is
chosen from the scale's ten steps with their labels, the note is free text (no names or NHS numbers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from rrp.models.fields import field_errors
from rrp.models.progress import PROGRESS_LABELS, ProgressScore, StoredProgressScore
from rrp.models.when import month_text
from rrp.reports.user_text import user_text, visible
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.text_field import TextField


def score_bar(score: float) -> str:
    """A bar of half-blocks: one character per 0.5 point."""
    return "█" * int(score) + ("▌" if score % 1 else "")


def _fit(text: str, width: int) -> str:
    """Shorten to `width` characters with an ellipsis, so a cut name is visibly cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class ProgressScreen(ReportsWorkerErrors, Screen[None]):
    """Wards with their latest score; the highlighted ward's history below."""

    DEFAULT_CSS = """
    #progress-wards { height: 1fr; }
    #progress-title { height: 1; padding: 0 1; text-style: bold; }
    #progress-history { height: 1fr; }
    """

    BINDINGS = [
        Binding("s", "score", "Score month", id="progress.score"),
        Binding("escape", "back", "Back", id="progress.back"),
    ]

    def __init__(self, ward_code: str | None = None) -> None:
        super().__init__()
        self.ward_code = ward_code
        self.wards: list[Any] = []
        self.latest: dict[str, StoredProgressScore] = {}
        self.history: list[StoredProgressScore] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield DataTable(id="progress-wards", cursor_type="row", zebra_stripes=True)
            yield Static("", id="progress-title")
            yield DataTable(id="progress-history", cursor_type="row")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        wards = self.query_one("#progress-wards", DataTable)
        # Score and bar share a column and the month has its own, so the longest label
        # ("Changes tested, no improvement yet") fits beside them at 80 columns.
        for label, width in (("Ward", 14), ("Latest score", 14), ("Month", 8), ("Label", None)):
            wards.add_column(label, width=width)
        history = self.query_one("#progress-history", DataTable)
        # The label and note get the rest of the screen (2 cells of padding a column, 2 for the
        # scrollbar) and wrap within it, so a long note is shown whole, never cut at the edge.
        note_width = max(24, self.app.size.width - (8 + 5 + 10) - 2 * 4 - 2)
        for label, width in (("Month", 8), ("Score", 5), ("", 10), ("Label / note", note_width)):
            history.add_column(label, width=width)
        start_loading(wards)
        self.load_wards()

    @work(thread=True, exclusive=True, exit_on_error=False, group="progress")
    def load_wards(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        wards = store.registry.wards(active_only=True)
        latest = store.progress.latest()
        self.app.call_from_thread(self.show_wards, wards, latest)

    def show_wards(self, wards: list[Any], latest: dict[str, StoredProgressScore]) -> None:
        self.wards, self.latest = wards, latest
        table = self.query_one("#progress-wards", DataTable)
        table.clear()
        for ward in wards:
            found = latest.get(ward.code)
            score = found.score.score if found else None
            table.add_row(
                user_text(_fit(ward.name, 14)),
                "-" if score is None else f"{score:.1f} {score_bar(score)}",
                "" if found is None else month_text(found.score.month),
                "" if found is None else found.score.label,
                key=ward.code,
            )
        stop_loading(table)
        if self.ward_code and self.ward_code in {w.code for w in wards}:
            table.move_cursor(row=table.get_row_index(self.ward_code))
        table.focus()
        self._load_selected()

    @on(DataTable.RowHighlighted, "#progress-wards")
    def _highlighted(self) -> None:
        self._load_selected()

    def selected_ward(self) -> Any:
        table = self.query_one("#progress-wards", DataTable)
        if not self.wards or not 0 <= table.cursor_row < len(self.wards):
            return None
        return self.wards[table.cursor_row]

    def _load_selected(self) -> None:
        ward = self.selected_ward()
        if ward is not None:
            self.ward_code = ward.code
            self.load_history(ward.code)

    @work(thread=True, exclusive=True, exit_on_error=False, group="progress-history")
    def load_history(self, ward_code: str) -> None:
        history = self.app.store.progress.history(ward_code)  # type: ignore[attr-defined]
        self.app.call_from_thread(self.show_history, ward_code, history)

    def show_history(self, ward_code: str, history: list[StoredProgressScore]) -> None:
        if ward_code != self.ward_code:
            return
        self.history = history
        ward = self.selected_ward()
        self.query_one("#progress-title", Static).update(
            user_text(f"{ward.name if ward else ward_code}: {len(history)} monthly scores, newest first")
        )
        table = self.query_one("#progress-history", DataTable)
        table.clear()
        for stored in reversed(history):
            s = stored.score
            table.add_row(
                month_text(s.month), f"{s.score:.1f}", score_bar(s.score),
                Text.assemble(s.label, user_text(f"  {s.note}" if s.note else "", "italic")),
                height=None,  # as many lines as the wrapped note needs
            )

    def action_score(self) -> None:
        ward = self.selected_ward()
        if ward is None:
            return
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        month = today.replace(day=1)
        current = next((h for h in self.history if h.score.month == month), None)
        self.app.push_screen(ScoreForm(ward.code, ward.name, month, current), self._scored)

    def _scored(self, result: StoredProgressScore | None) -> None:
        if result is not None:
            self.notify(f"Score saved: {result.score.score:.1f} {result.score.label}", timeout=3)
            self.load_wards()

    def action_back(self) -> None:
        self.dismiss()


class ScoreForm(ReportsWorkerErrors, ModalScreen[StoredProgressScore | None]):
    """Record one ward's score for one month (Ctrl+S or F2 saves; Esc cancels)."""

    DEFAULT_CSS = """
    ScoreForm { align: center middle; }
    #score-form { width: 70; height: auto; padding: 1 2; border: thick $primary; background: $surface; }
    #score-form Horizontal { height: auto; margin-top: 1; }
    #score-form Label.l { width: 8; padding: 0 1 0 0; }
    #score-form Input, #score-form Select { width: 1fr; }
    .score-error { color: $warning; height: auto; padding-left: 8; }
    #score-banner { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, ward_code: str, ward_name: str, month: dt.date,
                 current: StoredProgressScore | None) -> None:
        super().__init__()
        self.ward_code, self.ward_name, self.month, self.current = ward_code, ward_name, month, current

    def compose(self) -> ComposeResult:
        with Vertical(id="score-form"):
            yield Static(user_text(f"Progress score: {self.ward_name}", "bold"))
            with Horizontal():
                yield Label("Month", classes="l")
                yield Input(month_text(self.month), id="s-month", placeholder="Nov 2026 or 11/2026", compact=True)
            yield Label("", id="e-month", classes="score-error")
            with Horizontal():
                yield Label("Score", classes="l")
                yield Select[float]([(f"{v:.1f} {label}", v) for v, label in PROGRESS_LABELS.items()],
                                    id="s-score", prompt="(choose)", compact=True,
                                    value=self.current.score.score if self.current else Select.NULL)
            yield Label("", id="e-score", classes="score-error")
            with Horizontal():
                yield Label("Note", classes="l")
                yield TextField(visible(self.current.score.note or "", multi_line=True) if self.current else "", id="s-note",
                            placeholder="no names or NHS numbers", compact=True)
            yield Label("", id="e-note", classes="score-error")
            yield Static("", id="score-banner")
        yield Footer(compact=True, show_command_palette=False)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter in the month or the note saves, as the footer's Save says (Ctrl+S, F2)."""
        self.action_save()

    def action_save(self) -> None:
        score = self.query_one("#s-score", Select).value
        data = {
            "ward_code": self.ward_code,
            "month": self.query_one("#s-month", Input).value,
            "score": "" if score is Select.NULL else score,
            "note": self.query_one("#s-note", Input).value,
        }
        try:
            model = ProgressScore.model_validate(data)
        except ValidationError as exc:
            errors = field_errors(exc)
            for name in ("month", "score", "note"):
                self.query_one(f"#e-{name}", Label).update(user_text(errors.get(name, "")))
            return
        for name in ("month", "score", "note"):
            self.query_one(f"#e-{name}", Label).update("")
        self.save(model)

    @work(thread=True, exclusive=True, exit_on_error=False, group="progress-save")
    def save(self, model: ProgressScore) -> None:
        from rrp.store import StoreError

        store = self.app.store  # type: ignore[attr-defined]
        try:
            same_month = self.current is not None and self.current.score.month == model.month
            stored = store.progress.record(
                model, expected_version=self.current.version if same_month and self.current else None
            )
        except (StoreError, ValidationError) as exc:
            self.app.call_from_thread(
                self.query_one("#score-banner", Static).update, user_text(f"Not saved: {exc}", multi_line=True)
            )
            return
        self.app.call_from_thread(self.dismiss, stored)

    def action_cancel(self) -> None:
        self.dismiss(None)
