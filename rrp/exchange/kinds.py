"""The names of what rrp exports: one list for the CLI, the Data in and out screen and the writer.

Kept apart from `rrp.exchange.exports` so that the command line can offer the choices without
importing pandas.
"""

from __future__ import annotations

#: The table exports (`rrp.exchange.exports.export`), in the order the app offers them.
EXPORT_KINDS: tuple[str, ...] = (
    "weekly", "monthly", "spc", "pdsa", "progress", "annotations", "dictionary", "values",
)
#: What `rrp export` writes: the table exports, a ward's submission and the measures file.
COMMAND_EXPORT_KINDS: tuple[str, ...] = (*EXPORT_KINDS, "submission", "measures")
