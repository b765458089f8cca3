"""`rrp init` and `rrp demo`: create a database with the registry, or a synthetic collaborative."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from rrp.cli.common import EXIT_REFUSED, EXIT_USAGE, db_option, fail, resolve_db, store_errors


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
    from rich.console import Console

    from rrp.exchange.limits import LimitExceeded
    from rrp.exchange.reading import FileRefused
    from rrp.models.registry_file import RegistryFileError
    from rrp.reference import load_reference_data
    from rrp.store import Store

    store = Store(resolve_db(db_path))
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
    Console(soft_wrap=True).print(
        f"Database [bold]{store.path}[/bold]: {providers} providers, {wards} wards "
        f"({changed} records added or changed)."
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
@click.option("--force", is_flag=True, help="Replace an existing demo database.")
@store_errors
def demo(
    db_path: Path | None, seed: int, wards: int, weeks: int, end: dt.datetime | None, no_tui: bool, force: bool
) -> None:
    """Build a SYNTHETIC collaborative (deterministic for a seed) and open the app on it."""
    from rich.console import Console

    from rrp.store import Store
    from rrp.synthetic import build_demo

    path = db_path or Path("demo.rrp.sqlite")
    console = Console(stderr=True)
    if path.exists():
        if not force:
            from rrp.store.database import inspect_file

            found = inspect_file(path)  # refuses a file that is not an rrp database
            if found is not None and not _is_synthetic(path):
                fail(f"{path} holds real (non-demo) data; choose another --db for the demo")
                return
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    store = Store(path, who="demo")
    plan = build_demo(store, seed=seed, wards=wards, weeks=weeks, end=end.date() if end else None)
    store.close()
    console.print(
        f"Synthetic collaborative: {len(plan.wards)} wards x {len(plan.week_starts)} weeks "
        f"in {path} ({time.perf_counter() - started:.1f} s). [bold]Synthetic data, not real wards.[/bold]"
    )
    if not no_tui:
        from rrp.app import run_app

        run_app(path)


def _is_synthetic(path: Path) -> bool:
    import sqlite3

    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM preference WHERE key = 'synthetic'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return row is not None
