"""Reading the registry CSV that the facilitator edits (providers and their wards).

Pure parsing and validation: returns models, or a list of problems naming row and column.
"""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from rrp.models.fields import field_errors
from rrp.models.problems import FileProblems, RowProblem
from rrp.models.registry import Provider, Ward

__all__ = ["REGISTRY_COLUMNS", "RegistryFileError", "RowProblem", "parse_registry"]

REGISTRY_COLUMNS = ("provider_code", "provider_name", "ward_code", "ward_name", "ward_type", "beds")
#: Columns a registry may carry as well: active (empty: 1) and participation_start (the date the
#: ward joined the collaborative; empty: it always took part).
OPTIONAL_COLUMNS = ("active", "participation_start")


class RegistryFileError(FileProblems):
    """The registry file was refused; `problems` lists every bad row."""


def parse_registry(text: str) -> tuple[list[Provider], list[Ward]]:
    """Parse registry CSV text into providers and wards, or raise RegistryFileError."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REGISTRY_COLUMNS if c not in header]
    if missing:
        raise RegistryFileError([RowProblem(1, c, "column is missing") for c in missing])
    reader.fieldnames = header
    providers: dict[str, Provider] = {}
    provider_rows: dict[str, int] = {}
    wards: list[Ward] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        try:
            provider = Provider(code=row["provider_code"] or "", name=row["provider_name"] or "")
        except ValidationError as exc:
            for column, message in field_errors(exc).items():
                problems.append(RowProblem(number, f"provider_{column}", message))
            continue
        known = providers.setdefault(provider.code, provider)
        first = provider_rows.setdefault(provider.code, number)
        if known.name != provider.name:
            problems.append(
                RowProblem(
                    number,
                    "provider_name",
                    f"provider {provider.code} is named {known.name!r} in row {first} "
                    f"and {provider.name!r} in row {number}: one provider, one name",
                )
            )
            continue
        active = row.get("active")
        if active is None or not active.strip():
            active = "1"  # no active column, or an empty cell: the ward takes part
        try:
            ward = Ward(
                code=row["ward_code"] or "",
                provider_code=provider.code,
                name=row["ward_name"] or "",
                ward_type=(row["ward_type"] or "").strip().lower(),
                beds=row["beds"],
                active=active,
                participation_start=row.get("participation_start"),
            )
        except ValidationError as exc:
            for column, message in field_errors(exc).items():
                column = {"code": "ward_code", "name": "ward_name"}.get(column, column)
                problems.append(RowProblem(number, column, message))
            continue
        if ward.code in seen:
            problems.append(RowProblem(number, "ward_code", f"ward {ward.code} appears twice"))
        seen.add(ward.code)
        wards.append(ward)
    if problems:
        raise RegistryFileError(problems)
    return list(providers.values()), wards
