"""`Store`: one rrp database and its repositories (importing this loads pydantic and the models)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

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
from rrp.store.summaries import SummaryRepository
from rrp.store.weekly import WeeklyRepository

if TYPE_CHECKING:
    from rrp.models.measure_value import MeasureValue
    from rrp.models.weekly import StoredWeek, WeeklyCounts
    from rrp.store.measures import StoredValue


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
        self.summaries = SummaryRepository(self.database)

    def save_entry(
        self,
        values: Iterable[tuple[MeasureValue, int | None]],
        *,
        counts: WeeklyCounts | None = None,
        expected_week_version: int | None = None,
        today: dt.date | None = None,
        reason: str | None = None,
    ) -> tuple[StoredWeek | None, dict[str, StoredValue]]:
        """An entry form's save: a week's core counts and its measure values in ONE transaction
        (see MeasureRepository.save_entry), the week through this store's weekly repository;
        `reason` (a correction's) kept in the audit."""
        return self.measures.save_entry(
            values, counts=counts, expected_week_version=expected_week_version, today=today, weekly=self.weekly,
            reason=reason,
        )

    @property
    def path(self) -> Path | str:
        return self.database.path

    def close(self) -> None:
        self.database.close()
