"""Providers and wards: read and upsert the collaborative's registry."""

from __future__ import annotations

from rrp.models.fields import STORED
from rrp.models.registry import Provider, Ward
from rrp.store import audit
from rrp.store.database import Database


class RegistryRepository:
    """Reads and writes providers and wards."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def providers(self) -> list[Provider]:
        rows = self.database.query("SELECT code, name FROM provider ORDER BY code")
        return [Provider.model_validate(row, context=STORED) for row in rows]

    def wards(self, *, active_only: bool = False) -> list[Ward]:
        sql = "SELECT code, provider_code, name, ward_type, beds, active, participation_start FROM ward"
        if active_only:
            sql += " WHERE active = 1"
        rows = self.database.query(sql + " ORDER BY provider_code, name")
        return [Ward.model_validate(row, context=STORED) for row in rows]

    def ward(self, code: str) -> Ward | None:
        row = self.database.query_one(
            "SELECT code, provider_code, name, ward_type, beds, active, participation_start FROM ward WHERE code = ?",
            (code.strip().upper(),),
        )
        return Ward.model_validate(row, context=STORED) if row else None

    def save_provider(self, provider: Provider) -> bool:
        """Insert or update; returns True when anything changed (audited)."""
        with self.database.transaction() as conn:
            before = self.database.query_one(
                "SELECT code, name FROM provider WHERE code = ?", (provider.code,)
            )
            after = provider.model_dump()
            if before == after:
                return False
            if before is None:
                conn.execute("INSERT INTO provider (code, name) VALUES (?, ?)", (provider.code, provider.name))
            else:
                conn.execute(
                    "UPDATE provider SET name = ?, version = version + 1 WHERE code = ?",
                    (provider.name, provider.code),
                )
            audit.record(self.database, "provider", provider.code, "update" if before else "insert", before, after)
            return True

    def save_ward(self, ward: Ward) -> bool:
        """Insert or update; returns True when anything changed (audited)."""
        with self.database.transaction() as conn:
            before = self.database.query_one(
                "SELECT code, provider_code, name, ward_type, beds, active, participation_start FROM ward WHERE code = ?",
                (ward.code,),
            )
            if before is not None:
                before["active"] = bool(before["active"])
            after = ward.model_dump(mode="json")
            if before == after:
                return False
            start = None if ward.participation_start is None else ward.participation_start.isoformat()
            values = (ward.provider_code, ward.name, ward.ward_type.value, ward.beds, int(ward.active), start, ward.code)
            if before is None:
                conn.execute(
                    "INSERT INTO ward (provider_code, name, ward_type, beds, active, participation_start, code) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
            else:
                conn.execute(
                    "UPDATE ward SET provider_code = ?, name = ?, ward_type = ?, beds = ?, active = ?, "
                    "participation_start = ?, version = version + 1 WHERE code = ?",
                    values,
                )
            audit.record(self.database, "ward", ward.code, "update" if before else "insert", before, after)
            return True

    def save_many(self, providers: list[Provider], wards: list[Ward]) -> int:
        """Upsert a whole registry in one transaction; returns how many records changed."""
        changed = 0
        with self.database.transaction():
            for provider in providers:
                changed += self.save_provider(provider)
            for ward in wards:
                changed += self.save_ward(ward)
        return changed
