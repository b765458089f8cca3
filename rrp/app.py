"""The rrp App: opens the database in a worker, shows the home screen, routes to other screens.

Conventions every screen follows (read before adding one):
- `self.app.store` is the open `rrp.store.Store`, or None while it is still opening. Screens are
  only pushed once it is open (`RrpApp.open_screen` checks), so inside a screen it is ready.
- NO SQL and NO pandas on the UI thread: call the store and the reports from
  `@work(thread=True, exclusive=True, exit_on_error=False, group="<screen>")` workers and hand
  results back with `self.app.call_from_thread(...)`. Show a loading state meanwhile.
- Never import `rrp.store`, `rrp.reports` or pandas at module level in a screen: import them
  inside the worker (or under TYPE_CHECKING). `import rrp.app` must stay free of pandas (tested).
- "Today" comes from `self.app.today` (fixed in tests and snapshots), never from date.today().
- Start-up: once the home table has painted, `RrpApp.prewarm()` imports pandas, the reports and
  the chart screens (and runs the engine once on a tiny made-up frame) in a background worker, so
  the first huddle or chart opens without the import pause. Nothing may depend on it having run.
- To add a screen: put it in rrp/screens/<name>.py, add an entry to `SCREENS` below (a name and
  a factory taking the app and keyword arguments), and a binding on the screen that opens it
  (e.g. `Binding("p", "app.open('pdsa_list', ward_code=...)")` or a method calling
  `self.app.open_screen("pdsa_list", ward_code=...)`).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable
from contextlib import ExitStack
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from rrp.reports.gc_pause import collection_paused
from rrp.reports.user_text import visible
from rrp.screens.commands import ScreenActions
from rrp.screens.home import HomeScreen

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from rrp.store import Store
    from rrp.store.database import Database

#: name -> "module:ClassName"; the screen class is imported on first use (keeps start-up fast).
SCREENS: dict[str, str] = {
    "week_entry": "rrp.screens.week_entry:WeekEntryScreen",
    "pdsa_list": "rrp.screens.pdsa_list:PdsaListScreen",
    "pdsa_edit": "rrp.screens.pdsa_edit:PdsaEditScreen",
    "driver_diagram": "rrp.screens.driver_diagram:DriverDiagramScreen",
    "progress": "rrp.screens.progress:ProgressScreen",
    "dashboard": "rrp.screens.dashboard:DashboardScreen",
    "huddle": "rrp.screens.huddle:HuddleScreen",
    "data_io": "rrp.screens.data_io:DataIoScreen",
    "measures": "rrp.screens.measures:MeasuresScreen",
    "month_entry": "rrp.screens.month_entry:MonthEntryScreen",
}
#: App actions offered on the home screen only (check_action hides them elsewhere).
HOME_ACTIONS = {"pdsa", "drivers", "progress_scores"}
#: The longest the garbage collector waits for the first paint at start-up (seconds; see on_load).
STARTUP_PAUSE_LIMIT = 5.0
#: Modules `prewarm` imports after the first paint (the huddle path's heavy imports first).
PREWARM_MODULES = (
    "pandas",
    "rrp.reports.huddle",
    "rrp.reports.spc",
    "rrp.reports.aggregate",
    "rrp.screens.week_entry",
    "rrp.screens.huddle",
    "rrp.screens.dashboard",
)


class RrpApp(App[None]):
    """The rrp terminal app for one database file."""

    CSS_PATH = "app.tcss"
    TITLE = "rrp"
    SUB_TITLE = "Reducing Restrictive Practice"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ScreenActions}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Leave rrp"),
        Binding("f1", "help", "Help", id="help", tooltip="Help for this screen: how to read it, its keys"),
        Binding("f7", "toggle_projector", "Projector", id="projector", show=False,
                tooltip="Projector theme on/off: light, high contrast, remembered"),
        Binding("f9", "about", "About", id="about", show=False,
                tooltip="About rrp: version, database and error log (for IT support)"),
        Binding("p", "pdsa", "PDSA", id="pdsa.open", tooltip="The highlighted ward's PDSA cycles"),
        Binding("d", "drivers", "Drivers", id="drivers.open", tooltip="The driver diagram"),
        Binding("s", "progress_scores", "Scores", id="progress.open", tooltip="Progress scores"),
        # Priority, so Tab moves the focus as soon as the app reads it: keys typed ahead of it
        # ("3", Tab, "1" in one burst) go to the next field, not all into the first one.
        Binding("tab", "focus_next", "Next field", id="focus.next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", id="focus.previous", show=False,
                priority=True),
    ]

    def __init__(
        self,
        db_path: str | Path,
        *,
        today: dt.date | None = None,
        who: str | None = None,
        clock: Callable[[], str] | None = None,
        ask_who: bool = False,
    ) -> None:
        super().__init__()
        #: The start-up pause of the garbage collector (on_load).
        self._startup_pause = ExitStack()
        from rrp.store.pg import is_postgres

        # A postgresql:// URL stays text (Path would fold its '//' and name a file instead).
        self.db_path: str | Path = str(db_path) if is_postgres(db_path) else Path(db_path)
        self.today = today or dt.date.today()
        self.who = who
        #: "Who is entering data?" is still to be answered (a shared PC; see run_app). Asked once the
        #: home screen has painted, and before any other screen opens (`after_who`): no change can
        #: be saved under the login name because a key was pressed before the question showed.
        self.ask_who = ask_who and who is None
        #: What waits for the answer (a screen asked for while the question was open).
        self._after_who: list[Callable[[], object]] = []
        self.clock = clock
        self.store: Store | None = None
        #: The open database, set before `store` (enough for the home screen's plain SQL).
        self.database: Database | None = None
        #: A screen asked for before the store was ready (opened when it is).
        self._pending_screen: tuple[str, dict[str, Any]] | None = None
        #: Set once the home table has painted (see open_store and prewarm).
        self.first_paint = threading.Event()
        self.synthetic = False
        self.prewarmed = False
        from rrp.screens.projector import PROJECTOR_THEME, ProjectorFilter

        self.register_theme(PROJECTOR_THEME)
        # Textual's own list of line filters (Textual is pinned): the projector's colours.
        self._projector_filter = ProjectorFilter(enabled=False)
        self._filters.append(self._projector_filter)
        #: The theme last stored as the preference (None: not read yet; nothing is saved until
        #: it has been, so restoring the preference never writes it back).
        self._saved_theme: str | None = None
        #: The theme this app started with (Textual's default), restored when leaving projector.
        self._start_theme = self.theme

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification as plain text, whatever `markup` a caller passes (widgets pass True):
        they quote names, notes and refused files' cells."""
        super().notify(
            visible(message, multi_line=True), title=visible(title), severity=severity, timeout=timeout,
            markup=False,
        )

    def log_error(self, error: BaseException) -> None:
        """Write `error` to the error log with the screen it happened on (type and place only).

        Called by the app's handler of unexpected errors and by the screens' "could not ..."
        fallbacks; safe from any thread.
        """
        from rrp.errorlog import log_error

        try:
            screen = type(self.screen).__name__
        except Exception:  # noqa: BLE001 - no screen yet (start-up) or the stack is unwinding
            screen = "no screen"
        log_error(error, f"app, {screen}")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An app worker that failed with an error nobody caught: the one handler below."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker.error, None)

    def worker_failed(self, error: BaseException, screen: Screen[Any] | None) -> None:
        """The one handler of a worker that failed with an error nobody caught: the app's own, or
        any screen's (rrp.screens.worker_errors hands them here).

        The error log gets its type and place (never its message: it can quote what was typed);
        the screen stops showing "loading" over what will not come; the person is told in plain
        words (a modal: it cannot time out unread), with the database's own reason when the
        database failed (a damaged file, a lost server), which quotes no one's text.
        """
        from rrp.screens.failure import FailureScreen
        from rrp.widgets.loading import stop_loading

        self.log_error(error)
        if screen is not None:
            for widget in [screen, *screen.query("*")]:
                if widget.loading:
                    stop_loading(widget)
        if not isinstance(self.screen, FailureScreen):  # one at a time; the log has every one
            self.push_screen(FailureScreen(failure_message(error)))

    def on_load(self) -> None:
        # No cyclic garbage collection from here until the home table has painted: start-up
        # allocates hundreds of thousands of objects (Textual's screens, the database driver's
        # modules, 2,000 wards' rows) and the collector ran over and over on the way, 30-70 ms of
        # the first screen at national scale (benchmarks/national_dashboard.py). Reference
        # counting frees as ever; the pause ends at the first paint, a failure to open, the exit,
        # or after STARTUP_PAUSE_LIMIT seconds, whichever comes first (rrp.reports.gc_pause).
        self._startup_pause.enter_context(collection_paused())
        self.set_timer(STARTUP_PAUSE_LIMIT, self.end_startup_pause)

    def on_unmount(self) -> None:
        self.end_startup_pause()

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        self.open_store()

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def open_store(self) -> None:
        """Open (create or migrate) the database off the UI thread.

        In two steps, so the first screen fills quickly: the database alone (no pydantic, no
        models) is enough for the home screen, which is told at once; then the full store.
        """
        try:
            from rrp.store.engine import open_database
            from rrp.store.errors import StoreError

            kwargs: dict[str, Any] = {"who": self.who}
            if self.clock is not None:
                kwargs["clock"] = self.clock
            try:
                database = open_database(self.db_path, **kwargs)  # a file, or a postgresql:// URL
            except StoreError as exc:
                self.call_from_thread(self.store_opened, str(exc))
                return
            has_wards = database.conn.execute("SELECT 1 FROM ward LIMIT 1").fetchone() is not None
            # Read with the first screen's data and applied in the same hand-over to the UI
            # thread (a separate blocking call would wait behind the home screen's mount).
            theme = _stored_theme(database)
            if has_wards:
                self.database = database
                self.call_from_thread(self._database_opened, theme)
                # Let the home table fill and paint before loading pydantic and the models: the
                # import would otherwise compete with it for the interpreter.
                self.first_paint.wait(timeout=3)
            from rrp.store import Store

            store = Store(self.db_path, database=database)
            if not has_wards or not store.change_package.drivers():
                # A new database: load the shipped registry and change package so the app is
                # usable at once (idempotent: an existing registry is left as it is).
                from rrp.reference import load_reference_data

                load_reference_data(store)
            self.database = database
            self.synthetic = store.preferences.get("synthetic") is not None
            self.call_from_thread(self._store_ready, store, None if has_wards else theme)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            self.log_error(exc)
            self.call_from_thread(self.store_opened, f"Could not open {self.db_path}: {exc}")

    # -- the projector theme ------------------------------------------------------------------

    def _restore_theme(self, name: str | None) -> None:
        """On the UI thread: apply the theme stored in the preferences (if still registered)."""
        if name and name != self.theme and self.get_theme(name) is not None:
            self.theme = name
        self._saved_theme = self.theme

    def watch_theme(self, name: str) -> None:
        from rrp.screens.projector import PROJECTOR

        self._projector_filter.enabled = name == PROJECTOR
        if self._saved_theme is not None and name != self._saved_theme:
            self._saved_theme = name
            self._save_theme(name)

    @work(thread=True, exit_on_error=False, group="theme")
    def _save_theme(self, name: str) -> None:
        """Remember the theme in the database (a read-only one keeps it for this session)."""
        from rrp.screens.projector import THEME_PREFERENCE
        from rrp.store.preferences import PreferenceRepository

        if self.database is not None:
            try:
                PreferenceRepository(self.database).set(THEME_PREFERENCE, name)
            except Exception:  # noqa: BLE001, S110 - a theme is not data; never fail for it
                pass

    def action_toggle_projector(self) -> None:
        from rrp.screens.projector import PROJECTOR

        leaving = self.theme == PROJECTOR
        self.theme = (self._start_theme if self._start_theme != PROJECTOR else "textual-dark") if leaving else PROJECTOR
        self.notify("Projector theme " + ("off" if leaving else "on: light, high contrast (F7 to switch back)"))

    def _store_ready(self, store: Store, theme: str | None = None) -> None:
        """On the UI thread, so that `app.store` being set means the screens have been told."""
        if self._saved_theme is None:
            self._restore_theme(theme)
        self.store = store
        if self.who:  # answered "who is entering data?" while the store was opening
            store.database.who = self.who
        self.store_opened(None)
        if self._pending_screen is not None:
            name, kwargs = self._pending_screen
            self._pending_screen = None
            self.open_screen(name, **kwargs)

    def _database_opened(self, theme: str | None = None) -> None:
        """On the UI thread: the database is open (the full store follows); home may fill now."""
        self._restore_theme(theme)
        for screen in self.screen_stack:
            hook = getattr(screen, "on_database_opened", None)
            if hook is not None:
                hook()

    def store_opened(self, error: str | None) -> None:
        """On the UI thread: tell each screen that has `on_store_opened(error)`."""
        if error:
            self.end_startup_pause()  # no home table will paint
        if self.synthetic:
            self.sub_title = "SYNTHETIC DEMO DATA - not real wards"
        for screen in self.screen_stack:
            hook = getattr(screen, "on_store_opened", None)
            if hook is not None:
                hook(error)

    def end_startup_pause(self) -> None:
        """Let the garbage collector run again (see __init__); idempotent."""
        self._startup_pause.close()

    def prewarm(self) -> None:
        """Start the pre-import worker once (the home screen calls this after its first paint)."""
        self.end_startup_pause()
        self.first_paint.set()
        if not self.prewarmed:
            self.prewarmed = True
            self._prewarm()
            if self.ask_who:
                self._ask_who()

    def _ask_who(self) -> None:
        """The "who is entering data?" prompt, on top of the painted home screen (once)."""
        from rrp.screens.who import WhoScreen
        from rrp.store.database import default_user

        if not any(isinstance(screen, WhoScreen) for screen in self.screen_stack):
            self.push_screen(WhoScreen(default_user()), self.set_who)

    def after_who(self, then: Callable[[], object]) -> None:
        """Run `then` once the person entering data is known: at once, or after asking.

        Every screen and dialog that can change data opens through this (`open_screen` does), so
        a key pressed before the question showed asks it first, then opens what it asked for.
        """
        if not self.ask_who:
            then()
            return
        self._after_who.append(then)
        self._ask_who()

    def set_who(self, name: str | None) -> None:
        """Record changes from now on as made by `name` (this session only)."""
        if not name:
            return
        self.who = name
        self.ask_who = False
        for holder in (self.database, self.store.database if self.store else None):
            if holder is not None:
                holder.who = name
        waiting, self._after_who = self._after_who, []
        for then in waiting:
            then()

    @work(thread=True, exit_on_error=False, group="prewarm")
    def _prewarm(self) -> None:
        """Import pandas, the reports and the chart screens, and run the huddle engine once on a
        tiny made-up frame (pandas sets up parts of itself on first use). Failures are ignored:
        whatever did not load here loads when it is first needed, as it would without this."""
        try:
            for name in PREWARM_MODULES:
                import_module(name)
            import pandas as pd

            from rrp.reports.huddle import huddle_summary

            frame = pd.DataFrame.from_records(
                [("WARM", "2026-01-05", 1, 0, 1, 0, 70), ("WARM", "2026-01-12", 0, 0, 0, 0, 70)],
                columns=["ward_code", "week_start", "restraint", "prone_restraint", "seclusion",
                         "rapid_tranquillisation", "occupied_bed_days"],
            )
            frame["week_start"] = pd.to_datetime(frame["week_start"], format="%Y-%m-%d")
            for chart in ("run", "u"):
                huddle_summary(frame, today=dt.date(2026, 1, 14), chart=chart, ward_code="WARM")
        except Exception:  # noqa: BLE001, S110 - only a head start; the real use reports errors
            pass
        # The long-lived objects now loaded (modules, the registry, the home table) would otherwise
        # be re-scanned by every full garbage collection (~200 ms pauses seen with 2,000 wards).
        # Collect once here, off the critical path, and move them out of the collector's way.
        gc.collect()
        gc.freeze()

    # -- navigation ------------------------------------------------------------------------

    def open_screen(self, name: str, **kwargs: Any) -> Screen[Any] | None:
        """Push the named screen (see SCREENS) once the store is open.

        A key pressed in the moment between the home table filling and the store finishing
        opening is not lost: the screen opens as soon as the store is ready (and, at a shared PC,
        once "who is entering data?" is answered).
        """
        if self.store is None:
            self._pending_screen = (name, kwargs)
            return None
        if self.ask_who:  # a shared PC and nobody has said who they are yet: ask, then open
            self.after_who(lambda: self.open_screen(name, **kwargs))
            return None
        module_name, _, class_name = SCREENS[name].partition(":")
        screen_class = getattr(import_module(module_name), class_name)
        screen = screen_class(**kwargs)
        self.push_screen(screen)
        return screen

    def action_open(self, name: str, **kwargs: Any) -> None:
        self.open_screen(name, **kwargs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in HOME_ACTIONS and not isinstance(self.screen, HomeScreen):
            return False
        return True

    def _home_ward(self) -> str | None:
        selected = getattr(self.screen, "selected_ward", None)
        return selected() if callable(selected) else None

    def action_pdsa(self) -> None:
        self.open_screen("pdsa_list", ward_code=self._home_ward())

    def action_drivers(self) -> None:
        self.open_screen("driver_diagram")

    def action_progress_scores(self) -> None:
        self.open_screen("progress", ward_code=self._home_ward())

    def action_help(self) -> None:
        """F1: help for the screen on top (its purpose, chart key and keys; m: the methods)."""
        from rrp.screens.help import HelpScreen
        from rrp.screens.help_topics import describe_bindings, topic_for

        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        keys = describe_bindings(type(screen).BINDINGS) + describe_bindings(self.BINDINGS)
        self.push_screen(HelpScreen(topic_for(screen), keys))

    def action_about(self) -> None:
        from rrp.screens.about import AboutScreen

        if not isinstance(self.screen, AboutScreen):
            self.push_screen(AboutScreen(self.db_path))

    def key_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every screen's keys, read from the BINDINGS themselves (so help never drifts)."""
        classes: list[type[Any]] = [HomeScreen]
        for target in SCREENS.values():
            module_name, _, class_name = target.partition(":")
            classes.append(getattr(import_module(module_name), class_name))
        from rrp.screens.help_topics import describe_bindings

        sections = [("Everywhere", describe_bindings(self.BINDINGS))]
        for screen_class in classes:
            title = (screen_class.__doc__ or screen_class.__name__).strip().splitlines()[0].rstrip(".")
            sections.append((title, describe_bindings(screen_class.BINDINGS)))
        return sections


def failure_message(error: BaseException) -> str:
    """What the person is told when a worker failed: plain words, and where the details are."""
    import sqlite3

    from rrp.store.errors import StoreError

    database = isinstance(error, sqlite3.Error | StoreError) or type(error).__module__.startswith("psycopg")
    what = f"The database could not be read or written: {error}." if database else (
        f"An unexpected error ({type(error).__name__}) stopped this screen's work."
    )
    return f"{what} The error log has the details for IT support (F9 shows where it is)."


def _stored_theme(database: Database) -> str | None:
    """The theme preference, read in the start-up worker with the first screen's data."""
    from rrp.screens.projector import THEME_PREFERENCE
    from rrp.store.preferences import PreferenceRepository

    try:
        name = PreferenceRepository(database).get(THEME_PREFERENCE)
    except Exception:  # noqa: BLE001 - an unreadable preference is just no preference
        return None
    return name if isinstance(name, str) else None


def run_app(db_path: str | Path) -> None:
    """Run the app on `db_path` (the CLI's entry point).

    Asks who is entering data unless RRP_USER names the person (a PC set up for one person).
    """
    import os

    app = RrpApp(db_path, ask_who=not os.environ.get("RRP_USER"))
    app.run()
    if app.return_code not in (None, 0):
        # Textual has shown the traceback and ended the app: the log records that it happened.
        from rrp.errorlog import log_error

        log_error(RuntimeError(f"the app ended with return code {app.return_code}"), "app")
