"""The vocabulary of the collaborative and its validation rules (pydantic models, no I/O).

Exports are lazy (PEP 562): `import rrp.models.nhs_number` (the guard every displayed text
passes, on the first screen's path) must not load pydantic and every model with it.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "field_errors": "rrp.models.fields",
    "find_nhs_numbers": "rrp.models.nhs_number",
    "is_valid_nhs_number": "rrp.models.nhs_number",
    "nhs_number_problem": "rrp.models.nhs_number",
    "Provider": "rrp.models.registry",
    "Ward": "rrp.models.registry",
    "WardType": "rrp.models.registry",
    "MEASURES": "rrp.models.weekly",
    "StoredWeek": "rrp.models.weekly",
    "WeeklyCounts": "rrp.models.weekly",
    "monday_of": "rrp.models.weekly",
    "validate_week": "rrp.models.weekly",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rrp.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
