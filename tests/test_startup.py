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
