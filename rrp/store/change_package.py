"""The change package: aim (in `meta`), drivers and change ideas, and per-idea PDSA activity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rrp.models.change_package import (
    DEFAULT_AIM,
    DEFAULT_AIM_REDUCTION,
    Aim,
    ChangeIdea,
    ChangePackage,
    Driver,
    StoredChangeIdea,
    parse_aim,
    parse_change_package,
)
from rrp.models.fields import STORED
from rrp.models.when import local_time_text
from rrp.paths import DATA_DIR
from rrp.store import audit
from rrp.store.database import Database
from rrp.store.errors import StaleEditError, UnknownRecord

_IDEA_COLUMNS = ("code", "driver_code", "name", "description", "ward_code")
_IDEA_SELECT = f"SELECT {', '.join(_IDEA_COLUMNS)}, version, updated_at, updated_by FROM change_idea"
_DRIVER_COLUMNS = ("code", "kind", "parent_code", "name", "position")


@dataclass(frozen=True)
class IdeaActivity:
    """How many wards are testing an idea, and how many adopted, adapted or abandoned it.

    `testing`: wards with a cycle of the idea planned, doing or studying. The decisions count each
    ward once, by the Act decision of its most recent decided cycle of the idea.
    """

    testing: int = 0
    adopted: int = 0
    adapted: int = 0
    abandoned: int = 0


def _stored_idea(row: dict[str, Any]) -> StoredChangeIdea:
    return StoredChangeIdea(
        idea=ChangeIdea.model_validate({name: row[name] for name in _IDEA_COLUMNS}, context=STORED),
        version=row["version"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


class ChangePackageRepository:
    """Reads and writes the aim, drivers and change ideas."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- aim -------------------------------------------------------------------------------

    def aim(self) -> Aim:
        """The collaborative's aim (meta keys 'aim' and 'aim_reduction'; defaults if unset)."""
        rows = {
            r["key"]: r["value"]
            for r in self.database.query("SELECT key, value FROM meta WHERE key IN ('aim', 'aim_reduction')")
        }
        return Aim.model_validate(
            {"text": rows.get("aim") or DEFAULT_AIM,
             "reduction": float(rows.get("aim_reduction") or DEFAULT_AIM_REDUCTION)},
            context=STORED,
        )

    def set_aim(self, aim: Aim) -> bool:
        """Store the aim; returns True when it changed (audited)."""
        aim = Aim.model_validate(aim.model_dump())
        with self.database.transaction() as conn:
            before = {
                r["key"]: r["value"]
                for r in self.database.query("SELECT key, value FROM meta WHERE key IN ('aim', 'aim_reduction')")
            }
            after = {"aim": aim.text, "aim_reduction": repr(aim.reduction)}
            if before == after:
                return False
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(after.items()),
            )
            audit.record(self.database, "meta", "aim", "update" if before else "insert", before or None, after)
            return True

    # -- drivers and ideas -----------------------------------------------------------------

    def drivers(self) -> list[Driver]:
        rows = self.database.query(
            f"SELECT {', '.join(_DRIVER_COLUMNS)} FROM driver ORDER BY position, code"
        )
        return [Driver.model_validate(row, context=STORED) for row in rows]

    def ideas(self, *, ward_code: str | None = None, all_local: bool = False) -> list[StoredChangeIdea]:
        """The collaborative's ideas, plus `ward_code`'s local ones (or every ward's: all_local)."""
        if all_local:
            rows = self.database.query(_IDEA_SELECT + " ORDER BY ward_code IS NOT NULL, ward_code, name")
        else:
            rows = self.database.query(
                _IDEA_SELECT + " WHERE ward_code IS NULL OR ward_code = ? "
                "ORDER BY ward_code IS NOT NULL, name",
                (ward_code.strip().upper() if ward_code else None,),
            )
        return [_stored_idea(row) for row in rows]

    def idea(self, code: str) -> StoredChangeIdea | None:
        row = self.database.query_one(_IDEA_SELECT + " WHERE code = ?", (code.strip().upper(),))
        return _stored_idea(row) if row else None

    def save_driver(self, driver: Driver) -> bool:
        """Insert or update a driver; returns True when anything changed (audited)."""
        driver = Driver.model_validate(driver.model_dump())
        after = driver.model_dump(mode="json")
        with self.database.transaction() as conn:
            before = self.database.query_one(
                f"SELECT {', '.join(_DRIVER_COLUMNS)} FROM driver WHERE code = ?", (driver.code,)
            )
            if before == after:
                return False
            if before is None:
                conn.execute(
                    f"INSERT INTO driver ({', '.join(_DRIVER_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
                    tuple(after[c] for c in _DRIVER_COLUMNS),
                )
            else:
                conn.execute(
                    "UPDATE driver SET kind = ?, parent_code = ?, name = ?, position = ? WHERE code = ?",
                    (after["kind"], after["parent_code"], after["name"], after["position"], driver.code),
                )
            audit.record(self.database, "driver", driver.code, "update" if before else "insert", before, after)
            return True

    def save_idea(self, idea: ChangeIdea, *, expected_version: int | None) -> StoredChangeIdea:
        """Add (expected_version None) or edit a change idea; a stale edit is refused.

        Facilitators add collaborative ideas (ward_code None); wards add local ones.
        """
        idea = ChangeIdea.model_validate(idea.model_dump())
        values = idea.model_dump(mode="json")
        values = {name: values[name] for name in _IDEA_COLUMNS}
        now, who = self.database.clock(), self.database.who
        with self.database.transaction() as conn:
            if self.database.query_one(
                "SELECT 1 AS x FROM driver WHERE code = ? AND kind = 'secondary'", (idea.driver_code,)
            ) is None:
                raise UnknownRecord(f"{idea.driver_code} is not a secondary driver of the change package")
            if idea.ward_code is not None and self.database.query_one(
                "SELECT 1 AS x FROM ward WHERE code = ?", (idea.ward_code,)
            ) is None:
                raise UnknownRecord(f"Ward {idea.ward_code} is not in the collaborative's registry")
            current = self.database.query_one(_IDEA_SELECT + " WHERE code = ?", (idea.code,))
            if current is None:
                if expected_version is not None:
                    raise StaleEditError(f"Change idea {idea.code} was deleted since you opened it")
                conn.execute(
                    f"INSERT INTO change_idea ({', '.join(values)}, updated_at, updated_by) "
                    f"VALUES ({', '.join('?' * len(values))}, ?, ?)",
                    (*values.values(), now, who),
                )
                audit.record(self.database, "change_idea", idea.code, "insert", None, values)
            else:
                if current["version"] != expected_version:
                    raise StaleEditError(
                        f"Change idea {idea.code} already exists or was changed by "
                        f"{current['updated_by']} at {local_time_text(current['updated_at'])}; reload it and try again."
                    )
                before = {name: current[name] for name in _IDEA_COLUMNS}
                if before != values:
                    conn.execute(
                        "UPDATE change_idea SET driver_code = ?, name = ?, description = ?, ward_code = ?, "
                        "updated_at = ?, updated_by = ?, version = version + 1 WHERE code = ? AND version = ?",
                        (values["driver_code"], values["name"], values["description"], values["ward_code"],
                         now, who, idea.code, current["version"]),
                    )
                    audit.record(self.database, "change_idea", idea.code, "update", before, values)
        stored = self.idea(idea.code)
        assert stored is not None
        return stored

    def load(self, package: ChangePackage, aim: Aim | None = None) -> int:
        """Load a package (idempotent): drivers and collaborative ideas upserted, nothing deleted.

        An idea already in the database keeps any facilitator edits only if the file is unchanged:
        the file's name, driver and description win. Returns how many records changed.
        """
        changed = 0
        with self.database.transaction():
            if aim is not None:
                changed += self.set_aim(aim)
            for driver in sorted(package.drivers, key=lambda d: d.kind != "primary"):
                changed += self.save_driver(driver)
            for idea in package.ideas:
                current = self.idea(idea.code)
                if current is not None and current.idea == idea:
                    continue
                self.save_idea(idea, expected_version=current.version if current else None)
                changed += 1
        return changed

    # -- activity --------------------------------------------------------------------------

    def activity(self) -> dict[str, IdeaActivity]:
        """Per change idea code: wards testing it, and wards that adopted, adapted or abandoned it."""
        testing = {
            r["code"]: r["n"]
            for r in self.database.query(
                "SELECT change_idea_code AS code, count(DISTINCT ward_code) AS n FROM pdsa_cycle "
                "WHERE status IN ('planned', 'doing', 'studying') GROUP BY change_idea_code"
            )
        }
        decided = self.database.query(
            "SELECT change_idea_code AS code, act_decision, count(*) AS n FROM ("
            "  SELECT change_idea_code, ward_code, act_decision, row_number() OVER ("
            "    PARTITION BY change_idea_code, ward_code "
            "    ORDER BY coalesce(planned_end, planned_start, created_at) DESC, cycle_number DESC) AS rank "
            "  FROM pdsa_cycle WHERE act_decision IS NOT NULL"
            ") AS latest WHERE rank = 1 GROUP BY change_idea_code, act_decision"
        )
        counts: dict[str, dict[str, int]] = {}
        for row in decided:
            counts.setdefault(row["code"], {})[row["act_decision"]] = row["n"]
        codes = set(testing) | set(counts)
        return {
            code: IdeaActivity(
                testing=testing.get(code, 0),
                adopted=counts.get(code, {}).get("adopt", 0),
                adapted=counts.get(code, {}).get("adapt", 0),
                abandoned=counts.get(code, {}).get("abandon", 0),
            )
            for code in codes
        }


def load_shipped_change_package(store_or_database: Any) -> int:
    """The `rrp init` hook: load data/change_package.csv and data/aim.toml (idempotent)."""
    database = getattr(store_or_database, "database", store_or_database)
    package = parse_change_package((DATA_DIR / "change_package.csv").read_text(encoding="utf-8-sig"))
    aim_file = DATA_DIR / "aim.toml"
    aim = parse_aim(aim_file.read_text(encoding="utf-8")) if aim_file.exists() else None
    return ChangePackageRepository(database).load(package, aim)
