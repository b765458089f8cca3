"""The names of what rrp exports: one list for the CLI, the Data in and out screen and the writer.

Kept apart from `rrp.exchange.exports` so that the command line can offer the choices without
importing pandas.
"""

from __future__ import annotations

#: The table exports (`rrp.exchange.exports.export`), in the order the app offers them.
EXPORT_KINDS: tuple[str, ...] = (
    "weekly", "monthly", "spc", "pdsa", "progress", "annotations", "dictionary", "values", "board",
)
#: What the app's Data in and out screen offers: the table exports and the governance workbook.
SCREEN_EXPORT_KINDS: tuple[str, ...] = (*EXPORT_KINDS, "workbook")
#: What `rrp export` writes: the table exports, a ward's submission, the measures file and the
#: governance workbook (every table export as a sheet of one .xlsx).
COMMAND_EXPORT_KINDS: tuple[str, ...] = (*EXPORT_KINDS, "submission", "measures", "workbook")
