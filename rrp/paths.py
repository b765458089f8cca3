"""Where rrp's shipped reference data, the user's database and rrp's own cache live."""

from __future__ import annotations

import os
from pathlib import Path

#: Shipped reference data (registry template, change package, data dictionary).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def default_database_path() -> Path:
    """The database used when neither --db nor RRP_DB is given: the platform's user data dir."""
    env = os.environ.get("RRP_DB")
    if env:
        return Path(env)
    import platformdirs  # deferred: only needed when no path is given

    return Path(platformdirs.user_data_dir("rrp", appauthor=False)) / "rrp.sqlite"


def cache_dir() -> Path:
    """RRP_CACHE_DIR if set, else the platform's user cache directory: what rrp can always work
    out again (never data), kept so that it need not be worked out on every start."""
    env = os.environ.get("RRP_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs  # deferred, as above

    return Path(platformdirs.user_cache_dir("rrp", appauthor=False))
