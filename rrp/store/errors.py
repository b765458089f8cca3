"""Errors the store raises, each with a message a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: the message is shown to the user as it is."""


class NotAnRrpDatabase(StoreError):
    """The file exists but is not an rrp database; it is left untouched."""


class SchemaMismatch(NotAnRrpDatabase):
    """An rrp database whose schema is not exactly what this release expects; it is left untouched."""

    def __init__(self, message: str, differences: list[str]) -> None:
        super().__init__(message)
        self.differences = differences


class DamagedDatabase(StoreError):
    """The file is an SQLite database that SQLite cannot read (corrupt, truncated); left untouched."""


class NewerSchemaError(StoreError):
    """The database was written by a newer rrp; it is left untouched."""


class StaleEditError(StoreError):
    """The row changed since the user loaded it; their edit is refused, not merged."""


class UnknownRecord(StoreError):
    """A referenced ward, provider or cycle does not exist."""


class ConstraintError(StoreError):
    """The database refused a row (a CHECK constraint or trigger): the last line of defence."""


class WriteFailed(StoreError):
    """The database could not be written (read-only, disk full, busy too long); nothing was saved."""


class FieldRefused(StoreError):
    """One field of a form was refused (by a rule or the database): `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
