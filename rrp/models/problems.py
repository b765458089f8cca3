"""How a refused file reports its problems: every bad cell, by row and column, as a person reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowProblem:
    """One bad cell: the row as a spreadsheet numbers it (header is row 1), the column, why."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


class FileProblems(ValueError):
    """A file was refused; `problems` lists every bad row (not just the first)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))
