"""Small per-database preferences (e.g. the last ward used at this station), stored as JSON."""

from __future__ import annotations

import json
from typing import Any

from rrp.store.database import Database


class PreferenceRepository:
    """Key/value preferences; values are any JSON-serialisable object."""

    def __init__(self, database: Database) -> None:
        self.database = database
        #: On a read-only database, preferences set in this session (kept in memory only).
        self._session: dict[str, str] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._session:
            return json.loads(self._session[key])
        row = self.database.query_one("SELECT value FROM preference WHERE key = ?", (key,))
        return default if row is None else json.loads(row["value"])

    def set(self, key: str, value: Any) -> None:
        if self.database.readonly:
            # A chart choice or the last ward is not data: on a database that cannot be written
            # it is remembered for this session instead of refusing the screen that asked.
            self._session[key] = json.dumps(value)
            return
        with self.database.transaction() as conn:
            conn.execute(
                "INSERT INTO preference (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def fixed_baselines(self, ward_code: str | None = None) -> dict[str, int]:
        """Each ward's fixed baseline ('fix after n points', the huddle's choice, n >= 12), or one
        ward's: ward code -> n. Wards without one are left out."""
        if ward_code:
            keys = {f"huddle:{ward_code.strip().upper()}": self.get(f"huddle:{ward_code.strip().upper()}")}
        else:
            rows = self.database.query("SELECT key, value FROM preference WHERE key LIKE 'huddle:%'")
            keys = {r["key"]: json.loads(r["value"]) for r in rows}
            keys.update({k: json.loads(v) for k, v in self._session.items() if k.startswith("huddle:")})
        out: dict[str, int] = {}
        for key, value in keys.items():
            n = value.get("fix_after") if isinstance(value, dict) else None
            if isinstance(n, int) and not isinstance(n, bool) and n >= 12:
                out[key.removeprefix("huddle:")] = n
        return out
