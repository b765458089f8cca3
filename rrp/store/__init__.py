"""The store: the ONLY code that speaks SQL. Repositories take and return models.

    store = Store("collab.sqlite")
    store.registry.wards(); store.weekly.save(counts, expected_version=None)

Importing this package loads pydantic and the models but not sqlite-utils or pandas
(`Database.db` imports sqlite-utils on first use; `WeeklyRepository.frame` imports pandas): the
home screen is filled without either. The app still opens the store in a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rrp.store.annotations import AnnotationRepository
from rrp.store.change_package import ChangePackageRepository
from rrp.store.database import Database, utc_now
from rrp.store.errors import (
    ConstraintError,
    NewerSchemaError,
    NotAnRrpDatabase,
    StaleEditError,
    StoreError,
    UnknownRecord,
    WriteFailed,
)
from rrp.store.pdsa import PdsaRepository
from rrp.store.preferences import PreferenceRepository
from rrp.store.progress import ProgressRepository
from rrp.store.registry import RegistryRepository
from rrp.store.weekly import SaveSummary, WeeklyRepository


class Store:
    """One rrp database and its repositories."""

    def __init__(
        self,
        path: str | Path,
        *,
        who: str | None = None,
        clock: Callable[[], str] = utc_now,
        create: bool = True,
    ) -> None:
        self.database = Database(path, who=who, clock=clock, create=create)
        self.registry = RegistryRepository(self.database)
        self.weekly = WeeklyRepository(self.database)
        self.preferences = PreferenceRepository(self.database)
        self.change_package = ChangePackageRepository(self.database)
        self.pdsa = PdsaRepository(self.database)
        self.progress = ProgressRepository(self.database)
        self.annotations = AnnotationRepository(self.database)

    @property
    def path(self) -> Path:
        return self.database.path

    def close(self) -> None:
        self.database.close()


__all__ = [
    "ConstraintError",
    "Database",
    "NewerSchemaError",
    "NotAnRrpDatabase",
    "SaveSummary",
    "StaleEditError",
    "Store",
    "StoreError",
    "UnknownRecord",
    "WriteFailed",
]
