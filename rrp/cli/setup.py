"""`rrp init` and `rrp demo`: create a database with the registry, or a synthetic collaborative."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from rrp.cli.common import (
    EXIT_REFUSED,
    EXIT_USAGE,
    db_option,
    fail,
    file_only,
    is_server,
    resolve_db,
    store_errors,
)


@click.command()
@db_option
@click.option(
    "--registry",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Registry CSV (default: the shipped data/registry.csv).",
)
@store_errors
def init(db_path: Path | None, registry: Path | None) -> None:
    """Create (or update) a database with the collaborative's registry and change package."""
    from rich.text import Text

    from rrp.exchange.limits import LimitExceeded
    from rrp.exchange.reading import FileRefused
    from rrp.models.registry_file import RegistryFileError
    from rrp.reference import load_reference_data
    from rrp.reports.user_text import plain_console, user_text
    from rrp.store import Store
    from rrp.store.output_file import refuse_unless_regular

    path = resolve_db(db_path)
    if not is_server(path):
        refuse_unless_regular(path)  # a folder, pipe or device given as --db is not a database
    store = Store(path)
    try:
        providers, wards, changed = load_reference_data(store, registry)
    except RegistryFileError as exc:
        lines = "\n".join(f"  {p}" for p in exc.problems)
        fail(f"{registry} was refused:\n{lines}")
        return
    except UnicodeDecodeError:
        fail(f"{registry} is not UTF-8 text", EXIT_USAGE)
        return
    except LimitExceeded as exc:
        fail(str(exc), EXIT_REFUSED)
        return
    except FileRefused as exc:
        fail(str(exc), EXIT_USAGE)
        return
    plain_console(soft_wrap=True).print(
        Text.assemble(
            "Database ", user_text(store.path, "bold"),
            f": {providers} providers, {wards} wards ({changed} records added or changed).",
        )
    )


@click.command()
@db_option
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed (same seed, same data).")
@click.option("--wards", type=click.IntRange(1, 5000), default=19, show_default=True)
@click.option("--weeks", type=click.IntRange(1, 520), default=104, show_default=True)
@click.option(
    "--end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last week's Monday (default: last week).",
)
@click.option("--no-tui", is_flag=True, help="Build the database and exit without opening the app.")
@click.option("--fresh", is_flag=True, help="Rebuild an existing demo database instead of reopening it.")
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild (as --fresh) even a demo database that people have changed since. "
    "A real database is never replaced.",
)
@store_errors
def demo(
    db_path: Path | None,
    seed: int,
    wards: int,
    weeks: int,
    end: dt.datetime | None,
    no_tui: bool,
    fresh: bool,
    force: bool,
) -> None:
    """Open the SYNTHETIC collaborative (deterministic for a seed), building it the first time.

    An existing demo database is reopened as it is, with what people tried in it; --fresh
    rebuilds it (into a new file that then replaces it). A real database, or any file that is
    not a demo database, is never deleted or overwritten.
    """
    import os
    import shutil
    import tempfile

    from rich.text import Text

    from rrp.reports.user_text import plain_console, user_text
    from rrp.store import Store
    from rrp.store.demo import DEMO_WHO, demo_state, install_database
    from rrp.store.output_file import refuse_unless_regular
    from rrp.synthetic import build_demo

    file_only(db_path, "demo")  # built in a new file that then replaces the old one
    path = db_path or Path("demo.rrp.sqlite")
    console = plain_console(stderr=True, soft_wrap=True)  # a path is never broken across lines
    refuse_unless_regular(path)
    state = demo_state(path)  # refuses a file that is not an rrp database
    if state is not None and not state.synthetic:
        fail(f"{path} holds real (non-demo) data; it was left untouched: choose another --db for the demo")
        return
    if state is not None and not (fresh or force):
        console.print(
            Text.assemble(
                "Reopened the demo database ", user_text(path),
                " as it was left (rrp demo --fresh rebuilds it). ", ("Synthetic data, not real wards.", "bold"),
            )
        )
        if not no_tui:
            from rrp.app import run_app

            run_app(path)
        return
    if state is not None and state.edited_by and not force:
        fail(
            f"{path} is a demo database that {', '.join(state.edited_by)} changed since it was built; "
            "add --force to rebuild it, or choose another --db"
        )
        return
    started = time.perf_counter()
    target = Path(os.path.realpath(path))  # a link to the demo database: rebuild the file it names
    # Built in a private folder beside it (mkdtemp: unpredictable, 0700), so nobody can plant a
    # link under the new file's name and have the demo written through it.
    private = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent))
    built = private / target.name
    try:
        store = Store(built, who=DEMO_WHO)
        try:
            plan = build_demo(store, seed=seed, wards=wards, weeks=weeks, end=end.date() if end else None)
        finally:
            store.close()
        install_database(built, target)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    console.print(
        Text.assemble(
            "Rebuilt the demo database: " if state is not None else "Built the demo database: ",
            f"synthetic collaborative: {len(plan.wards)} wards x {len(plan.week_starts)} weeks in ",
            user_text(path), f" ({time.perf_counter() - started:.1f} s). ",
            ("Synthetic data, not real wards.", "bold"),
        )
    )
    if not no_tui:
        from rrp.app import run_app

        run_app(path)
