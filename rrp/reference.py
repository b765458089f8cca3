"""Loading the shipped reference data (the registry, the change package) into a database.

Used by `rrp init` and by the app when it opens a new, empty database.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rrp.models.registry_file import parse_registry
from rrp.paths import DATA_DIR

if TYPE_CHECKING:
    from rrp.store import Store

def load_reference_data(store: Store, registry: Path | None = None) -> tuple[int, int, int]:
    """Upsert the registry, the change package and the shipped measures.

    Returns (providers, wards, records changed).

    Idempotent: running it again on an up-to-date database changes nothing.
    """
    from rrp.store.change_package import load_shipped_change_package
    from rrp.store.measures import load_shipped_measures

    if registry is None:
        text = (DATA_DIR / "registry.csv").read_text(encoding="utf-8-sig")
    else:  # a user's file: read under the registry's limits (raises FileRefused / LimitExceeded)
        from rrp.exchange.limits import limits_for, read_bounded

        text = read_bounded(Path(registry), limits_for("wards")).decode("utf-8-sig")
    providers, wards = parse_registry(text)
    changed = store.registry.save_many(providers, wards)
    changed += load_shipped_change_package(store)
    changed += load_shipped_measures(store)
    return len(providers), len(wards), changed
