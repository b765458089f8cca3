"""Exchange test fixtures (defined in exchange_helpers)."""

from exchange_helpers import demo_store, empty_store  # noqa: F401
