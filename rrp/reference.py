"""Loading the shipped reference data (the registry, the change package) into a database.

Used by `rrp init` and by the app when it opens a new, empty database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rrp.models.registry_file import parse_registry
from rrp.paths import DATA_DIR

if TYPE_CHECKING:
    from rrp.store import Store

#: Further reference data loaders (e.g. the change package): hook(store), idempotent.
REFERENCE_HOOKS: list[Callable[[Store], object]] = []


def load_reference_data(store: Store, registry: Path | None = None) -> tuple[int, int, int]:
    """Upsert the registry (and run the other loaders); returns (providers, wards, changed)."""
    source = registry or DATA_DIR / "registry.csv"
    providers, wards = parse_registry(source.read_text(encoding="utf-8-sig"))
    changed = store.registry.save_many(providers, wards)
    for hook in REFERENCE_HOOKS:
        hook(store)
    return len(providers), len(wards), changed
