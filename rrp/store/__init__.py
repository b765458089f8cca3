"""The store: the ONLY code that speaks SQL. Repositories take and return models.

    store = Store("collab.sqlite")
    store.registry.wards(); store.weekly.save(counts, expected_version=None)

Importing this package is cheap: its names load on first use (PEP 562). `Store` loads pydantic
and the models; `rrp.store.database` and `rrp.store.home` need neither, so the app can fill the
home screen before the models load. Nothing here imports sqlite-utils (`Database.db` does, on first
use) or pandas (`WeeklyRepository.frame` does). The app opens the store in a worker thread.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rrp.store.database import Database
    from rrp.store.errors import (
        ConstraintError,
        DamagedDatabase,
        NewerSchemaError,
        NotAnRrpDatabase,
        SchemaMismatch,
        StaleEditError,
        StoreError,
        UnknownRecord,
        WriteFailed,
    )
    from rrp.store.facade import Store
    from rrp.store.weekly import SaveSummary

#: Public name -> the module that defines it.
_EXPORTS = {
    "Store": "rrp.store.facade",
    "Database": "rrp.store.database",
    "SaveSummary": "rrp.store.weekly",
    **{
        name: "rrp.store.errors"
        for name in (
            "ConstraintError", "DamagedDatabase", "NewerSchemaError", "NotAnRrpDatabase",
            "SchemaMismatch", "StaleEditError", "StoreError", "UnknownRecord", "WriteFailed",
        )
    },
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rrp.store' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "ConstraintError",
    "DamagedDatabase",
    "Database",
    "NewerSchemaError",
    "NotAnRrpDatabase",
    "SaveSummary",
    "SchemaMismatch",
    "StaleEditError",
    "Store",
    "StoreError",
    "UnknownRecord",
    "WriteFailed",
]
