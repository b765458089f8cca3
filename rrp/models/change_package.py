"""The change package: the collaborative's aim, its drivers and the change ideas wards test.

The driver diagram reads left to right: aim -> primary drivers -> secondary drivers -> change ideas.
The shipped package is `data/change_package.csv` (one row per driver or idea) and `data/aim.toml`;
`parse_change_package` reads the CSV and names the row and column of every problem.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from rrp.models.fields import FreeText, field_errors
from rrp.models.problems import FileProblems, RowProblem
from rrp.models.registry import Code

#: The national pilot's aim: cut restrictive practice by a third.
DEFAULT_AIM_REDUCTION = 1 / 3
DEFAULT_AIM = (
    "Reduce the use of restrictive practice (physical restraint, seclusion and rapid "
    "tranquillisation) on every ward in the collaborative by a third."
)


class DriverKind(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


def _optional_code(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


class Aim(BaseModel):
    """The collaborative's aim: its words, and the fractional reduction it targets (0 < r < 1)."""

    model_config = ConfigDict(frozen=True)

    text: FreeText("Aim", max_length=1000, required="Aim is required")
    reduction: float = DEFAULT_AIM_REDUCTION

    @model_validator(mode="after")
    def _reduction(self) -> Aim:
        if not 0 < self.reduction < 1:
            raise ValueError("The aim's reduction must be between 0 and 1 (e.g. 0.333 for a third)")
        return self


class Driver(BaseModel):
    """A primary driver (no parent) or a secondary driver (under a primary one)."""

    model_config = ConfigDict(frozen=True)

    code: Code
    kind: DriverKind
    parent_code: Annotated[Code | None, BeforeValidator(_optional_code)] = None
    name: FreeText("Driver name", max_length=200, required="Driver name is required", single_line=True)
    position: int = 0

    @model_validator(mode="after")
    def _parent(self) -> Driver:
        if self.kind == DriverKind.PRIMARY and self.parent_code is not None:
            raise ValueError("A primary driver has no parent")
        if self.kind == DriverKind.SECONDARY and self.parent_code is None:
            raise ValueError("A secondary driver needs its primary driver (parent)")
        return self


class ChangeIdea(BaseModel):
    """A change idea under a secondary driver; `ward_code` set for a ward's own local idea."""

    model_config = ConfigDict(frozen=True)

    code: Code
    driver_code: Code
    name: FreeText("Change idea name", max_length=120, required="Change idea name is required", single_line=True)
    description: FreeText("Description", max_length=500, blank="") = ""
    ward_code: Annotated[Code | None, BeforeValidator(_optional_code)] = None

    @property
    def is_local(self) -> bool:
        return self.ward_code is not None


class StoredChangeIdea(BaseModel):
    model_config = ConfigDict(frozen=True)

    idea: ChangeIdea
    version: int
    updated_at: str
    updated_by: str


@dataclass
class ChangePackage:
    """Drivers (primary before secondary, in file order) and the collaborative's change ideas."""

    drivers: list[Driver] = field(default_factory=list)
    ideas: list[ChangeIdea] = field(default_factory=list)


class ChangePackageFileError(FileProblems):
    """The change package file was refused; `problems` lists every bad row."""


PACKAGE_COLUMNS = ("kind", "code", "parent_code", "name", "description")


def parse_change_package(text: str) -> ChangePackage:
    """Read the change package CSV: kind (primary/secondary/idea), code, parent_code, name, description.

    A secondary driver's parent is a primary driver; an idea's parent is a secondary driver.
    Raises ChangePackageFileError listing every problem.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in PACKAGE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ChangePackageFileError([RowProblem(1, c, "column is missing") for c in missing])
    package = ChangePackage()
    problems: list[RowProblem] = []
    kinds: dict[str, str] = {}
    position = 0
    for number, row in enumerate(reader, start=2):
        kind = (row.get("kind") or "").strip().lower()
        data = {k: (row.get(k) or "").strip() for k in PACKAGE_COLUMNS}
        try:
            if kind in ("primary", "secondary"):
                position += 1
                item: Driver | ChangeIdea = Driver(
                    code=data["code"], kind=kind, parent_code=data["parent_code"] or None,
                    name=data["name"], position=position,
                )
                expected_parent = "primary" if kind == "secondary" else None
            elif kind == "idea":
                item = ChangeIdea(
                    code=data["code"], driver_code=data["parent_code"], name=data["name"],
                    description=data["description"],
                )
                expected_parent = "secondary"
            else:
                problems.append(RowProblem(number, "kind", "must be primary, secondary or idea"))
                continue
        except ValidationError as exc:
            for column, message in field_errors(exc).items():
                problems.append(RowProblem(number, column or "row", message))
            continue
        if item.code in kinds:
            problems.append(RowProblem(number, "code", f"{item.code} appears twice"))
            continue
        parent = item.parent_code if isinstance(item, Driver) else item.driver_code
        if expected_parent is not None and kinds.get(parent or "") != expected_parent:
            problems.append(
                RowProblem(number, "parent_code", f"{parent} is not a {expected_parent} driver above this row")
            )
            continue
        kinds[item.code] = kind
        if isinstance(item, Driver):
            package.drivers.append(item)
        else:
            package.ideas.append(item)
    if problems:
        raise ChangePackageFileError(problems)
    return package


def parse_aim(text: str) -> Aim:
    """Read the aim file (TOML: `text = "..."`, `reduction = 0.333`)."""
    data = tomllib.loads(text)
    return Aim(text=data.get("text", ""), reduction=float(data.get("reduction", DEFAULT_AIM_REDUCTION)))


#: A change idea's code is a registry Code: at most this many letters, digits, '-' or '_'.
IDEA_CODE_MAX = 16
_SMALL_WORDS = frozenset({"A", "AN", "AND", "AT", "BY", "FOR", "IN", "OF", "ON", "THE", "TO", "WITH"})


def suggest_idea_code(name: str, ward_code: str | None = None, taken: Iterable[str] = ()) -> str:
    """A code for a new change idea: "<SLUG>" for the collaborative's package, "L-<WARD>-<SLUG>" for
    a ward's local idea (e.g. "CALM-BOX", "L-NVT-ASH-CB"); at most IDEA_CODE_MAX characters.

    The slug is the name's words (small words dropped), cut to fit, or their initials when little
    room is left after a long ward code (the ward part is kept to 11 characters). A number is added
    while the code is in `taken`. Empty when the name has no letters or digits.
    """
    all_words = re.findall(r"[A-Z0-9]+", name.upper())
    words = [w for w in all_words if w not in _SMALL_WORDS] or all_words
    if not words:
        return ""
    prefix = ""
    if ward_code and ward_code.strip():
        ward = re.sub(r"[^A-Z0-9_-]", "", ward_code.strip().upper())[: IDEA_CODE_MAX - 5]
        prefix = f"L-{ward}-"
    room = IDEA_CODE_MAX - len(prefix)
    full = "-".join(words)
    if len(full) <= room:
        slug = full
    elif room >= 8:
        slug = full[:room].rstrip("-")
    else:
        slug = "".join(w[0] for w in words)[:room]
    taken_codes = {code.strip().upper() for code in taken}
    code, number = prefix + slug, 2
    while code in taken_codes:
        suffix = f"-{number}" if room >= 8 else str(number)
        code = prefix + slug[: room - len(suffix)].rstrip("-") + suffix
        number += 1
    return code
