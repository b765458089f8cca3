"""The vocabulary of the collaborative and its validation rules (pydantic models, no I/O)."""

from rrp.models.fields import field_errors
from rrp.models.nhs_number import find_nhs_numbers, is_valid_nhs_number, nhs_number_problem
from rrp.models.registry import Provider, Ward, WardType
from rrp.models.weekly import MEASURES, StoredWeek, WeeklyCounts, monday_of, validate_week

__all__ = [
    "MEASURES",
    "Provider",
    "Ward",
    "WardType",
    "StoredWeek",
    "WeeklyCounts",
    "field_errors",
    "find_nhs_numbers",
    "is_valid_nhs_number",
    "monday_of",
    "nhs_number_problem",
    "validate_week",
]
