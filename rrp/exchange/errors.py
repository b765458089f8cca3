"""The exceptions of data exchange: every message is shown to the user as it is."""

from __future__ import annotations


class ExchangeError(Exception):
    """Base class for import/export problems; the message is shown to the user as it is."""


class FileRefused(ExchangeError):
    """The file cannot be read as a table at all (a usage error: exit code 2)."""
