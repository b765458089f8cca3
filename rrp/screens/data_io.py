"""Data in and out: import a file (checked first), write an export, back up the database.

Three tabs (F2 / F3 / F4, or Tab to the tab bar and the arrow keys):

- Import: choose what the file holds (weekly counts, the registry, PDSA cycles or a ward's
  submission), type its path (→ accepts a completion), then Ctrl+T checks it: a dry run in a
  worker that lists what would be inserted, updated (old -> new) and left unchanged, or, when the
  file is refused, every bad row (row, column, problem). Ctrl+S imports it for real, and only the
  file just checked cleanly: changing the kind, the path or the options, or the file itself,
  needs a new check. Importers are all-or-nothing: a refused file writes nothing.
- Export: the same kinds and filters as `rrp export` (provider, wards, from, to), written as
  Excel-safe CSV to ~/rrp-exports/rrp-<kind>-<today>.csv unless another path is typed (Ctrl+O).
- Backup: Ctrl+B (on any tab) backs the database up into ~/rrp-backups (or the path typed) with
  SQLite's online backup and checks the copy.

The results are worded as the CLI words them (rrp.exchange.summaries). Nothing touches the
database or a file on the UI thread: every check, import, export and backup runs in a worker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from rrp.exchange.kinds import SCREEN_EXPORT_KINDS
from rrp.models.when import uk_dates
from rrp.reports.user_text import user_text, visible
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading

#: What an import file can hold: kind -> the label in the chooser.
IMPORT_KINDS: dict[str, str] = {
    "weekly": "Weekly counts (CSV or XLSX)",
    "wards": "Registry: providers and wards (CSV or XLSX)",
    "pdsa": "PDSA cycles (CSV or XLSX)",
    "submission": "A ward's submission (.json)",
}
IMPORT_GUIDE: dict[str, str] = {
    "weekly": (
        "Columns: ward_code, week_start, restraint, prone_restraint, seclusion, "
        "rapid_tranquillisation, occupied_bed_days, note (optional). A weekly export imports as it is."
    ),
    "wards": "The columns of data/registry.csv. Wards not in the file are kept (active=0 retires one).",
    "pdsa": "The columns of the pdsa export. A row with an id updates that cycle; no id adds one.",
    "submission": (
        "A file from `rrp export submission`. New records are added, changes taken; conflicts are "
        "listed and left as they are."
    ),
}
EXPORT_LABELS: dict[str, str] = {
    "weekly": "Weekly counts and rates",
    "monthly": "Monthly (a week counts in its Thursday's month)",
    "spc": "SPC chart points (u chart, per 1,000 bed days)",
    "pdsa": "PDSA cycles",
    "progress": "Progress scores",
    "annotations": "Chart annotations (notes, rebases, PDSA events)",
    "dictionary": "Data dictionary (every export column)",
    "values": "Every measure's values",
    "board": "Board summary (monthly, change vs baseline)",
    "workbook": "Governance workbook (.xlsx, every table)",
}
#: How many inserted / updated / unchanged records a check lists (problems are always all listed).
LISTED = 1000
#: Up to this many rows, the last column wraps to fit the screen (beyond, rows stay one line each).
WRAPPED_ROWS = 2000
TABS = {"import": "tab-import", "export": "tab-export", "backup": "tab-backup"}


@dataclass
class Outcome:
    """What a check, import, export or backup came to, ready to show (built in the worker)."""

    ok: bool
    message: str
    details: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    signature: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class ImportRequest:
    kind: str
    path: Path
    week_ending: bool


# -- turning results into rows (pure; no Textual) ------------------------------------------------

CHANGE_COLUMNS = ("Change", "Record", "Old -> new")
PROBLEM_COLUMNS = ("Row", "Column", "Problem")


def _listed(label: str, items: list[Any], describe: Any) -> list[tuple[str, ...]]:
    # The record named the UK way (NVT-ASH 9 Dec 2024), as every screen shows a date.
    rows = [(label, uk_dates(record), *rest) for record, *rest in (describe(item) for item in items[:LISTED])]
    if len(items) > LISTED:
        rows.append(("...", f"and {len(items) - LISTED:,} more to {label}", ""))
    return rows


def change_rows(kind: str, result: Any) -> list[tuple[str, str, str]]:
    """The records an import result names, updates first: (change, record, old -> new)."""
    from rrp.exchange.summaries import differences_text

    def pair(item: tuple[str, str]) -> tuple[str, str]:
        return (f"{item[0]} {item[1]}", "")

    def plain(item: str) -> tuple[str, str]:
        return (item, "")

    if kind == "weekly":
        return [
            *_listed("update", result.updated,
                     lambda c: (f"{c.ward_code} {c.week_start}", differences_text(c.differences()))),
            *_listed("insert", result.inserted, pair),
            *_listed("unchanged", result.unchanged, pair),
        ]
    if kind == "wards":
        return [*_listed("change", result.changed, plain), *_listed("add", result.added, plain)]
    if kind == "pdsa":
        return [
            *_listed("update", result.updated, plain),
            *_listed("insert", result.inserted, plain),
            *_listed("unchanged", result.unchanged, plain),
        ]
    return [
        *_listed("conflict", result.conflicts, lambda c: (c.ref, differences_text(c.differences()))),
        *_listed("update", result.updated, plain),
        *_listed("insert", result.inserted, plain),
        *_listed("delete", result.deleted, plain),
        *_listed("resolved", result.resolved, plain),
        *_listed("kept ours", result.kept_ours, plain),
        *_listed("unchanged", result.unchanged, plain),
    ]


def default_export_path(kind: str, today: dt.date) -> str:
    suffix = ".xlsx" if kind == "workbook" else ".csv"
    return f"~/rrp-exports/rrp-{kind}-{today.isoformat()}{suffix}"


def complete_path(value: str) -> str | None:
    """The first file or folder name that completes `value` (a folder gets a trailing /)."""
    if not value or "\n" in value:
        return None
    expanded = os.path.expanduser(value)
    folder, prefix = os.path.split(expanded)
    try:
        with os.scandir(folder or ".") as entries:
            names = sorted(
                (e.name + ("/" if e.is_dir() else "")) for e in entries
                if e.name.startswith(prefix) and (prefix.startswith(".") or not e.name.startswith("."))
            )
    except OSError:
        return None
    if not names or names[0] == prefix:
        return None
    return value + names[0][len(prefix):]


class PathSuggester(Suggester):
    """Suggests the rest of a file name as it is typed (→ or End accepts it)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value)


def _os_error(exc: OSError) -> str:
    """As `rrp` words it: 'cannot write or read FILE: reason'."""
    if exc.filename:
        return f"cannot write or read {exc.filename}: {exc.strerror or exc}"
    return str(exc.strerror or exc)


def _signature(request: ImportRequest) -> tuple[Any, ...]:
    """What makes a check still valid: the same kind, file and options, and the same bytes in it."""
    import hashlib

    from rrp.exchange.limits import check_regular_file, limits_for
    from rrp.exchange.reading import ExchangeError

    try:
        # Hash only a regular file within the import's size limit: /dev/zero or a pipe would
        # never end; the import itself then says why the file is refused.
        check_regular_file(request.path, limits_for(request.kind))
        with request.path.open("rb") as handle:
            digest: str | None = hashlib.file_digest(handle, "sha256").hexdigest()
    except (OSError, ExchangeError):
        digest = None
    return (request.kind, str(request.path.resolve()), request.week_ending, digest)


def run_import(store: Any, request: ImportRequest, *, dry_run: bool, today: dt.date, progress: Any = None) -> Outcome:
    """Check (dry_run) or import a file; every refusal becomes an Outcome, never an exception."""
    from rrp.exchange import summaries
    from rrp.exchange.reading import ExchangeError
    from rrp.exchange.submission import SubmissionRefused
    from rrp.exchange.weekly_import import RowsRefused
    from rrp.store.errors import StoreError

    signature = _signature(request)
    path = request.path
    try:
        if request.kind == "weekly":
            from rrp.exchange.weekly_import import import_weekly

            result: Any = import_weekly(
                store, path, week_ending=request.week_ending, dry_run=dry_run, today=today, progress=progress
            )
            message, notes = summaries.weekly_summary(result), [f"note: {n}" for n in result.notes]
        elif request.kind == "wards":
            from rrp.exchange.registry_import import import_registry

            result = import_registry(store, path, dry_run=dry_run)
            message, notes = summaries.registry_summary(result), [f"note: {n}" for n in result.notes]
        elif request.kind == "pdsa":
            from rrp.exchange.pdsa_import import import_pdsa

            result = import_pdsa(store, path, dry_run=dry_run)
            message, notes = summaries.pdsa_summary(result), [f"note: {n}" for n in result.notes]
        else:
            from rrp.exchange.submission import merge_submission

            result = merge_submission(store, path, dry_run=dry_run, today=today)
            message, notes = summaries.submission_summary(result), []
            if result.conflicts:
                notes.append(
                    f"{len(result.conflicts)} conflict(s): both sides changed these, and "
                    f"{'they would be' if dry_run else 'they were'} left as they are. Choose for each: "
                    f"rrp import submission {path} --take theirs|ours --key KEY (or --key all)"
                )
    except (RowsRefused, SubmissionRefused) as exc:
        hints = [f"hint: {h}" for h in getattr(exc, "hints", [])]
        rows = [(str(p.row), p.column, p.message) for p in exc.problems]
        return Outcome(False, str(exc), hints, PROBLEM_COLUMNS, rows)
    except (ExchangeError, StoreError) as exc:
        return Outcome(False, str(exc))
    except OSError as exc:
        return Outcome(False, _os_error(exc))
    except MemoryError:
        return Outcome(False, "the file is too large to process")
    if dry_run:
        notes.append(summaries.NOTHING_WRITTEN)
    return Outcome(True, message, notes, CHANGE_COLUMNS, change_rows(request.kind, result), signature)


def run_export(store: Any, kind: str, out: Path, flt: Any) -> Outcome:
    from rrp.exchange.exports import export
    from rrp.exchange.reading import ExchangeError
    from rrp.exchange.summaries import export_summary
    from rrp.store.errors import StoreError

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if kind == "workbook":
            from rrp.exchange.workbook import write_workbook

            book = write_workbook(store, out, flt)
            return Outcome(True, f"Wrote the governance workbook ({len(book.sheets)} sheets and README) to {out}.")
        result = export(store, kind, out, flt)
    except (ExchangeError, StoreError) as exc:
        return Outcome(False, str(exc))
    except OSError as exc:
        return Outcome(False, _os_error(exc))
    return Outcome(True, export_summary(kind, result.rows, out))


def run_backup(database: Path, out: Path) -> Outcome:
    from rrp.exchange.backup import backup_database
    from rrp.exchange.summaries import backup_summary
    from rrp.store.errors import StoreError

    try:
        if out.suffix:  # a file name: its folder must exist
            out.parent.mkdir(parents=True, exist_ok=True)
        else:  # a folder: a timestamped file goes in it
            out.mkdir(parents=True, exist_ok=True)
        check = backup_database(database, out)
    except StoreError as exc:
        return Outcome(False, str(exc))
    except OSError as exc:
        return Outcome(False, _os_error(exc))
    return Outcome(check.ok, backup_summary(check), ["Restore it with: rrp restore FILE (with rrp closed)."])


# -- the screen ----------------------------------------------------------------------------------


class DataIoScreen(ReportsWorkerErrors, Screen[None]):
    """Data in and out: import, export, back up."""

    BINDINGS = [
        Binding("ctrl+t", "check", "Check", id="io.check", priority=True,
                tooltip="Check the file: list what importing it would change (writes nothing)"),
        Binding("ctrl+s", "import_file", "Import", id="io.import", priority=True,
                tooltip="Import the file just checked"),
        Binding("ctrl+o", "export", "Export", id="io.export", priority=True, tooltip="Write the export file"),
        Binding("ctrl+b", "backup", "Backup", id="io.backup", priority=True, tooltip="Back up the database now"),
        Binding("f2", "section('import')", "Import tab", id="io.tab_import", show=False,
                tooltip="Go to Import"),
        Binding("f3", "section('export')", "Export tab", id="io.tab_export", show=False,
                tooltip="Go to Export"),
        Binding("f4", "section('backup')", "Backup tab", id="io.tab_backup", show=False,
                tooltip="Go to Backup"),
        Binding("escape", "back", "Back", id="io.back"),
    ]

    def __init__(self, section: str = "import") -> None:
        super().__init__()
        self.section = section if section in TABS else "import"
        #: The last clean check: what was asked, and the file's signature (None: nothing to import).
        self.checked_request: ImportRequest | None = None
        self.checked: tuple[Any, ...] | None = None
        self._import_kind = "weekly"
        self.busy: str | None = None  # "check", "import", "export" or "backup" while a worker runs
        self._export_default = ""

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        self._export_default = default_export_path(SCREEN_EXPORT_KINDS[0], today)
        yield Header()
        with TabbedContent(id="io-tabs", initial=TABS[self.section]):
            with TabPane("Import (F2)", id="tab-import"), Vertical(id="io-import"):
                with Grid(classes="io-form"):
                    yield Label("Kind", classes="io-label")
                    yield Select(
                        [(label, kind) for kind, label in IMPORT_KINDS.items()],
                        value="weekly", allow_blank=False, compact=True, id="import-kind",
                    )
                    yield Label("File", classes="io-label")
                    yield Input(
                        placeholder="path to the file, e.g. ~/Downloads/weekly.csv (→ completes)",
                        suggester=PathSuggester(), compact=True, id="import-path",
                    )
                    yield Label("Options", classes="io-label", id="import-options")
                    yield Checkbox(
                        "Dates are week-ending Sundays (week start = date - 6 days)",
                        compact=True, id="import-week-ending",
                    )
                with Horizontal(classes="io-buttons"):
                    yield Button("Check  ^T", action="screen.check", compact=True, id="import-check")
                    yield Button("Import  ^S", action="screen.import_file", compact=True,
                                 disabled=True, id="import-run")
                yield Static(IMPORT_GUIDE["weekly"], id="import-status", classes="io-status")
                yield DataTable(id="import-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Export (F3)", id="tab-export"), Vertical(id="io-export"):
                with Grid(classes="io-form"):
                    yield Label("Kind", classes="io-label")
                    yield Select(
                        [(EXPORT_LABELS.get(kind, kind), kind) for kind in SCREEN_EXPORT_KINDS],
                        value=SCREEN_EXPORT_KINDS[0], allow_blank=False, compact=True, id="export-kind",
                    )
                    yield Label("Provider", classes="io-label")
                    yield Input(placeholder="all, or a provider code", compact=True, id="export-provider")
                    yield Label("Wards", classes="io-label")
                    yield Input(placeholder="all, or ward codes: NVT-ASH NVT-OAK", compact=True, id="export-wards")
                    yield Label("From", classes="io-label")
                    yield Input(placeholder="the start, or a date: 2026-04-01 or 01/04/2026",
                                compact=True, id="export-from")
                    yield Label("To", classes="io-label")
                    yield Input(placeholder="the end, or a date", compact=True, id="export-to")
                    yield Label("Save to", classes="io-label")
                    yield Input(self._export_default, suggester=PathSuggester(), compact=True, id="export-path")
                with Horizontal(classes="io-buttons"):
                    yield Button("Export  ^O", action="screen.export", compact=True, id="export-run")
                yield Static(
                    "Excel-safe CSV (UTF-8 with a byte-order mark). The data dictionary explains every column.",
                    id="export-status", classes="io-status",
                )
            with TabPane("Backup (F4)", id="tab-backup"), Vertical(id="io-backup"):
                with Grid(classes="io-form"):
                    yield Label("Save to", classes="io-label")
                    yield Input("~/rrp-backups", suggester=PathSuggester(), compact=True, id="backup-path")
                with Horizontal(classes="io-buttons"):
                    yield Button("Back up  ^B", action="screen.backup", compact=True, id="backup-run")
                yield Static(
                    "A folder gets a new dated file each time; a file name must not exist yet. "
                    "Safe while others are saving. Restore with `rrp restore FILE` (rrp closed).",
                    id="backup-status", classes="io-status",
                )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#import-table", DataTable).display = False
        self.call_after_refresh(self._focus_section)

    def _focus_section(self) -> None:
        first = {"import": "#import-path", "export": "#export-kind", "backup": "#backup-path"}[self.section]
        self.query_one(first).focus()

    # -- which keys apply ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("check", "import_file"):
            if self.section != "import":
                return False
            if action == "import_file" and not (self.importable and self.busy is None):
                return None  # shown, dimmed: check the file first
        if action == "export" and self.section != "export":
            return False
        return True

    @on(TabbedContent.TabActivated, "#io-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or ""
        self.section = next((name for name, tab in TABS.items() if tab == pane), "import")
        self.refresh_bindings()

    def action_section(self, name: str) -> None:
        self.query_one("#io-tabs", TabbedContent).active = TABS[name]
        self.section = name
        self.refresh_bindings()
        self._focus_section()

    def action_back(self) -> None:
        if self.busy == "import":
            self.notify("The import is still running: wait for it to finish.", severity="warning")
            return
        self.dismiss(None)

    def _set_busy(self, busy: str | None) -> None:
        self.busy = busy
        for button in self.query(Button):
            button.disabled = busy is not None
        self.query_one("#import-run", Button).disabled = busy is not None or not self.importable
        self.refresh_bindings()

    def _status(self, widget_id: str, outcome: Outcome | str, *, error: bool = False) -> None:
        status = self.query_one(widget_id, Static)
        if isinstance(outcome, Outcome):
            error = not outcome.ok
            text = user_text(outcome.message, "bold", multi_line=True)
            for line in outcome.details:  # a refused file's details quote its cells
                text.append_text(user_text("\n" + line, multi_line=True))
        else:
            text = user_text(outcome, multi_line=True)
        status.update(text)
        status.set_class(error, "error")

    # -- import ----------------------------------------------------------------------------

    def current_request(self) -> ImportRequest | None:
        """What the form asks for now (None: no path typed)."""
        value = self.query_one("#import-path", Input).value.strip()
        if not value:
            return None
        kind = str(self.query_one("#import-kind", Select).value)
        week_ending = kind == "weekly" and self.query_one("#import-week-ending", Checkbox).value
        return ImportRequest(kind, Path(value).expanduser(), week_ending)

    def _request(self) -> ImportRequest | None:
        request = self.current_request()
        if request is None:
            self._status("#import-status", "Type the path of the file to import first.", error=True)
            self.query_one("#import-path", Input).focus()
        return request

    @property
    def importable(self) -> bool:
        """A clean check of exactly what the form asks for now (kind, path and options)."""
        return self.checked is not None and self.current_request() == self.checked_request

    def _sync_import(self) -> None:
        """The kind, file or options changed: Import is on only if they match the last check."""
        self.query_one("#import-run", Button).disabled = self.busy is not None or not self.importable
        self.refresh_bindings()

    @on(Select.Changed, "#import-kind")
    def _import_kind_changed(self, event: Select.Changed) -> None:
        kind = str(event.value)
        self.query_one("#import-week-ending", Checkbox).display = kind == "weekly"
        self.query_one("#import-options", Label).display = kind == "weekly"
        self._sync_import()
        if kind != self._import_kind and self.busy is None:
            self._status("#import-status", IMPORT_GUIDE.get(kind, ""))
            self.query_one("#import-table", DataTable).display = False
        self._import_kind = kind

    @on(Input.Changed, "#import-path")
    @on(Checkbox.Changed, "#import-week-ending")
    def _import_options_changed(self) -> None:
        self._sync_import()

    @on(Input.Submitted, "#import-path")
    def _path_submitted(self) -> None:
        self.action_check()

    def action_check(self) -> None:
        if self.busy:
            return
        request = self._request()
        if request is None:
            return
        self.checked = self.checked_request = None
        self._set_busy("check")
        self._status("#import-status", f"Checking {request.path} ...")
        table = self.query_one("#import-table", DataTable)
        table.display = True
        start_loading(table)
        self.run_import_worker(request, True)

    def action_import_file(self) -> None:
        if self.busy:
            return
        request = self.current_request()
        if request is None or not self.importable:
            self.notify("Check the file first (Ctrl+T): only a file that passed its check is imported.")
            return
        self._set_busy("import")
        self._status("#import-status", f"Importing {request.path} ...")
        start_loading(self.query_one("#import-table", DataTable))
        self.run_import_worker(request, False, self.checked)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data-io")
    def run_import_worker(self, request: ImportRequest, dry_run: bool, expected: tuple[Any, ...] | None = None) -> None:
        app = self.app
        try:
            if not dry_run and _signature(request) != expected:
                outcome = Outcome(False, f"{request.path} is not the file that was checked, or it changed since: "
                                  "check it again (Ctrl+T). Nothing was imported.")
            else:
                def progress(message: str) -> None:
                    app.call_from_thread(self._status, "#import-status", f"Importing: {message} ...")

                outcome = run_import(
                    app.store, request, dry_run=dry_run, today=app.today, progress=progress  # type: ignore[attr-defined]
                )
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            app.log_error(exc)  # type: ignore[attr-defined]
            outcome = Outcome(False, f"Could not {'check' if dry_run else 'import'} {request.path}: {exc}")
        app.call_from_thread(self.import_done, outcome, request, dry_run)

    def import_done(self, outcome: Outcome, request: ImportRequest, dry_run: bool) -> None:
        table = self.query_one("#import-table", DataTable)
        stop_loading(table)
        if outcome.columns:
            self._fill(table, outcome.columns, outcome.rows)
        table.display = bool(outcome.rows)
        clean = dry_run and outcome.ok
        self.checked = outcome.signature if clean else None
        self.checked_request = request if clean else None
        self._set_busy(None)
        if dry_run and outcome.ok:
            outcome.details.append("Ctrl+S imports it.")
        self._status("#import-status", outcome)
        if not dry_run and outcome.ok:
            self.notify("Imported", timeout=3)
        if outcome.rows and not outcome.ok:
            table.focus()  # the problems scroll with the arrow keys

    def _fill(self, table: DataTable, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        """The rows, with the last column (the problem, or old -> new) wrapped to the screen's
        width so every message reads in full at 80 columns (very long lists scroll sideways)."""
        table.clear(columns=True)
        widths = [max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)]
        # The table's width less the vertical scrollbar (2) and each cell's padding (2 a column).
        width = self.query_one("#io-import").content_size.width or self.size.width - 2
        room = width - 2 - sum(w + 2 for w in widths[:-1]) - 2
        wrap = len(rows) <= WRAPPED_ROWS and 20 <= room < widths[-1]
        for i, column in enumerate(columns):
            table.add_column(column, width=room if wrap and i == len(columns) - 1 else None)
        if wrap:
            for row in rows:
                table.add_row(*[user_text(cell) for cell in row], height=None)
        else:
            table.add_rows([[Text(visible(cell), no_wrap=True, end="") for cell in row] for row in rows])
        table.move_cursor(row=0, column=0)

    # -- export ----------------------------------------------------------------------------

    @on(Select.Changed, "#export-kind")
    def _export_kind_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#export-path", Input)
        default = default_export_path(str(event.value), self.app.today)  # type: ignore[attr-defined]
        if path.value in ("", self._export_default):  # not typed over: follow the kind
            path.value = default
        self._export_default = default

    @on(Input.Submitted, "#export-path")
    def _export_submitted(self) -> None:
        self.action_export()

    def _export_filter(self) -> Any:
        from pydantic_core import PydanticCustomError

        from rrp.exchange.exports import ExportFilter
        from rrp.models.fields import parse_date

        dates: dict[str, dt.date | None] = {}
        for name, label in (("from", "From"), ("to", "To")):
            value = self.query_one(f"#export-{name}", Input).value.strip()
            try:
                dates[name] = parse_date(value, label) if value else None
            except PydanticCustomError as exc:
                raise ValueError(exc.message()) from None
        provider = self.query_one("#export-provider", Input).value.strip() or None
        wards = tuple(self.query_one("#export-wards", Input).value.replace(",", " ").split())
        return ExportFilter(provider=provider, wards=wards, start=dates["from"], end=dates["to"])

    def action_export(self) -> None:
        if self.busy:
            return
        try:
            flt = self._export_filter()
        except ValueError as exc:
            self._status("#export-status", str(exc), error=True)
            return
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self._status("#export-status", "Type where to save the export first.", error=True)
            return
        kind = str(self.query_one("#export-kind", Select).value)
        self._set_busy("export")
        self._status("#export-status", f"Writing the {kind} export ...")
        start_loading(self.query_one("#io-export"))
        self.run_export_worker(kind, Path(value).expanduser(), flt)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data-io")
    def run_export_worker(self, kind: str, out: Path, flt: Any) -> None:
        try:
            outcome = run_export(self.app.store, kind, out, flt)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            self.app.log_error(exc)  # type: ignore[attr-defined]
            outcome = Outcome(False, f"Could not export {kind}: {exc}")
        self.app.call_from_thread(self.export_done, outcome)

    def export_done(self, outcome: Outcome) -> None:
        stop_loading(self.query_one("#io-export"))
        self._set_busy(None)
        self._status("#export-status", outcome)
        if outcome.ok:
            self.notify("Export written", timeout=3)

    # -- backup ----------------------------------------------------------------------------

    @on(Input.Submitted, "#backup-path")
    def _backup_submitted(self) -> None:
        self.action_backup()

    def action_backup(self) -> None:
        if self.busy:
            return
        if self.section != "backup":
            self.action_section("backup")
        value = self.query_one("#backup-path", Input).value.strip() or "~/rrp-backups"
        self._set_busy("backup")
        self._status("#backup-status", "Backing up ...")
        start_loading(self.query_one("#io-backup"))
        self.run_backup_worker(Path(value).expanduser())

    @work(thread=True, exclusive=True, exit_on_error=False, group="data-io")
    def run_backup_worker(self, out: Path) -> None:
        try:
            outcome = run_backup(self.app.db_path, out)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            self.app.log_error(exc)  # type: ignore[attr-defined]
            outcome = Outcome(False, f"Could not back up: {exc}")
        self.app.call_from_thread(self.backup_done, outcome)

    def backup_done(self, outcome: Outcome) -> None:
        stop_loading(self.query_one("#io-backup"))
        self._set_busy(None)
        self._status("#backup-status", outcome)
        if outcome.ok:
            self.notify("Backed up", timeout=3)
