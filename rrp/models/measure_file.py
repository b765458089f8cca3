"""The measures file (TOML, `[[measure]]` tables): read it into measures, write measures back.

Pure parsing and validation. Each problem names the [[measure]] (1-based, as a person counts them,
with its code when there is one) and the field. `dump_measures` writes a file that reads back to
the same measures (a round trip).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from rrp.models.fields import field_errors
from rrp.models.measure import Measure, MeasureSet, MeasureSetError

#: The order fields are written in (and the fields a file may hold).
FIELDS: tuple[str, ...] = tuple(Measure.model_fields)


class MeasureFileError(ValueError):
    """A measures file was refused; `problems` lists every problem, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems[:5]))


def _where(index: int, entry: Any) -> str:
    code = entry.get("code") if isinstance(entry, dict) else None
    return f"[[measure]] {index}" + (f" ({code})" if isinstance(code, str) and code else "")


def parse_measures(text: str, *, base: MeasureSet | None = None, max_measures: int = 500) -> list[Measure]:
    """Parse TOML text into measures, or raise MeasureFileError naming every problem.

    With `base` (the stored set), the file's measures are checked as added to it, so a file may
    refer to measures it does not define (a ward's local measure part of restraint).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MeasureFileError([f"not valid TOML: {exc}"]) from None
    except RecursionError:  # arrays or tables nested thousands deep: no measures file does that
        raise MeasureFileError(["not a measures file: values are nested too deeply"]) from None
    entries = data.get("measure")
    unknown = sorted(k for k in data if k != "measure")
    if entries is None or not isinstance(entries, list):
        raise MeasureFileError(["no [[measure]] tables in the file"])
    if len(entries) > max_measures:
        raise MeasureFileError([f"{len(entries):,} [[measure]] tables: a measures file holds at most {max_measures:,}"])
    problems = [f"unknown top-level key {k!r} (measures are [[measure]] tables)" for k in unknown]
    measures: list[Measure] = []
    where: dict[str, str] = {}
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"[[measure]] {index}: not a table")
            continue
        try:
            measure = Measure.model_validate(entry)
        except ValidationError as exc:
            for field, message in field_errors(exc).items():
                if message == "Extra inputs are not permitted":
                    message = "unknown field"
                problems.append(f"{_where(index, entry)}, {field or 'measure'}: {message}")
            continue
        measures.append(measure)
        where.setdefault(measure.code, _where(index, entry))
    if not problems:
        try:
            if base is None:
                MeasureSet(measures)
            else:
                base.replace(measures)
        except MeasureSetError as exc:
            problems += [f"{where.get(code, code)}, {field}: {message}" for code, field, message in exc.problems]
    if problems:
        raise MeasureFileError(problems)
    return measures


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # A JSON string is a valid TOML basic string (the same escapes).
    return json.dumps(str(value), ensure_ascii=False)


def dump_measures(measures: Iterable[Measure]) -> str:
    """The measures as TOML `[[measure]]` tables (fields left at their default are left out)."""
    blocks = ["# rrp measures: `rrp import measures FILE.toml` reads this file back.\n"]
    defaults = {name: field.default for name, field in Measure.model_fields.items() if not field.is_required()}
    for m in measures:
        lines = ["[[measure]]"]
        for name in FIELDS:
            value = getattr(m, name)
            if name in defaults and value == defaults[name] and name != "enabled":
                continue
            lines.append(f"{name} = {_toml_value(value)}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def default_fields() -> dict[str, Any]:
    """Field name -> default, for the fields a file may leave out."""
    return {name: field.default for name, field in Measure.model_fields.items() if not field.is_required()}
