"""`Store`: one rrp database and its repositories (importing this loads pydantic and the models)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rrp.store.annotations import AnnotationRepository
from rrp.store.change_package import ChangePackageRepository
from rrp.store.database import Database, utc_now
from rrp.store.engine import open_database
from rrp.store.keys import KeyRepository
from rrp.store.measures import MeasureRepository
from rrp.store.pdsa import PdsaRepository
from rrp.store.preferences import PreferenceRepository
from rrp.store.progress import ProgressRepository
from rrp.store.registry import RegistryRepository
from rrp.store.weekly import WeeklyRepository


class Store:
    """One rrp database and its repositories."""

    def __init__(
        self,
        path: str | Path,
        *,
        who: str | None = None,
        clock: Callable[[], str] = utc_now,
        create: bool = True,
        database: Database | None = None,
        readonly: bool | None = None,
    ) -> None:
        # `database`: one already opened (the app opens it first, to fill the home screen
        # before the models load); otherwise `path` is opened here.
        # `readonly`: None opens read-only exactly when the file cannot be written (see Database).
        # A postgresql:// URL opens a database on a PostgreSQL server (rrp.store.pg); the
        # repositories do not know which engine they talk to.
        self.database = database or open_database(path, who=who, clock=clock, create=create, readonly=readonly)
        self.registry = RegistryRepository(self.database)
        self.weekly = WeeklyRepository(self.database)
        self.preferences = PreferenceRepository(self.database)
        self.change_package = ChangePackageRepository(self.database)
        self.pdsa = PdsaRepository(self.database)
        self.progress = ProgressRepository(self.database)
        self.annotations = AnnotationRepository(self.database)
        self.measures = MeasureRepository(self.database)
        self.keys = KeyRepository(self.database)

    @property
    def path(self) -> Path | str:
        return self.database.path

    def close(self) -> None:
        self.database.close()
