"""The first screen must paint before heavy imports: `import rrp.app` loads neither pandas nor
sqlite-utils (which imports pandas), nor the store."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}; import sys; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_rrp_app_does_not_load_pandas_or_the_store():
    loaded = _modules_after("import rrp.app")
    assert "pandas" not in loaded
    assert "numpy" not in loaded
    assert "sqlite_utils" not in loaded
    assert "rrp.store" not in loaded


def test_the_cli_entry_point_is_light_too():
    loaded = _modules_after("import rrp.cli")
    assert "pandas" not in loaded and "sqlite_utils" not in loaded


def test_opening_the_store_does_not_load_pandas_or_sqlite_utils():
    """The home screen's path (open the store, read wards and recent totals) stays pandas-free."""
    loaded = _modules_after(
        "import tempfile, datetime as dt; from pathlib import Path; from rrp.store import Store; "
        "s = Store(Path(tempfile.mkdtemp()) / 'x.sqlite', who='t'); s.registry.wards(); "
        "s.weekly.recent_totals(since=dt.date(2026, 1, 5), until=dt.date(2026, 3, 2)); s.close()"
    )
    assert "pandas" not in loaded
    assert "numpy" not in loaded
    assert "sqlite_utils" not in loaded


def test_the_home_screens_reads_need_no_pydantic():
    """The home table is filled from rrp.store.home before the models load."""
    loaded = _modules_after("import rrp.app, rrp.store.home, rrp.store.database")
    assert "pydantic" not in loaded and "rrp.models.weekly" not in loaded
