"""Providers' public keys: what the facilitator's database trusts to sign ward submissions.

A provider makes its key pair itself (`rrp keys new`) and keeps the private key; the facilitator
enrols the public key here (`rrp keys enrol`). A provider has at most one key in use: enrolling a
new one revokes the old (a lost or replaced key), and a revoked key stays revoked. Every change is
versioned and audited. This module stores and looks keys up; it does no cryptography (the bytes
are checked and used in `rrp.exchange.signing`).
"""

from __future__ import annotations

import hashlib
from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from dataclasses import dataclass

from rrp.models.when import local_time_text
from rrp.store import audit
from rrp.store.database import Database
from rrp.store.errors import ConstraintError, UnknownRecord
from rrp.store.registry import RegistryRepository

#: An Ed25519 public key is 32 bytes.
PUBLIC_KEY_BYTES = 32


@dataclass(frozen=True)
class ProviderKey:
    """One enrolled public key (base64 of its 32 bytes) and its history."""

    provider_code: str
    public_key: str
    fingerprint: str
    enrolled_at: str
    enrolled_by: str
    revoked_at: str | None
    revoked_by: str | None
    version: int

    @property
    def raw(self) -> bytes:
        return b64decode(self.public_key)

    @property
    def short(self) -> str:
        """The first 16 hex digits of the fingerprint: enough for a person to compare."""
        return self.fingerprint[:16]


def fingerprint(raw: bytes) -> str:
    """sha256 of the key's bytes, in hex: how people and the audit name a key."""
    return hashlib.sha256(raw).hexdigest()


def key_bytes(public_key: str) -> bytes:
    """The 32 bytes of a base64 public key; ConstraintError for anything else."""
    try:
        raw = b64decode(public_key, validate=True)
    except (Base64Error, ValueError):
        raise ConstraintError("the public key is not base64 text") from None
    if len(raw) != PUBLIC_KEY_BYTES:
        raise ConstraintError(f"the public key is {len(raw)} bytes, not the {PUBLIC_KEY_BYTES} of an Ed25519 key")
    return raw


_COLUMNS = "provider_code, public_key, fingerprint, enrolled_at, enrolled_by, revoked_at, revoked_by, version"


class KeyRepository:
    """Enrol, revoke and look up providers' public keys."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def in_use(self, provider_code: str) -> ProviderKey | None:
        """The provider's key that is not revoked, if any."""
        row = self.database.query_one(
            f"SELECT {_COLUMNS} FROM provider_key WHERE provider_code = ? AND revoked_at IS NULL",
            (provider_code,),
        )
        return ProviderKey(**row) if row else None

    def by_fingerprint(self, fingerprint_hex: str) -> ProviderKey | None:
        """Any enrolled key (revoked or not) with this fingerprint."""
        row = self.database.query_one(
            f"SELECT {_COLUMNS} FROM provider_key WHERE fingerprint = ?", (fingerprint_hex,)
        )
        return ProviderKey(**row) if row else None

    def all(self) -> list[ProviderKey]:
        """Every key ever enrolled, by provider, newest first."""
        rows = self.database.query(
            f"SELECT {_COLUMNS} FROM provider_key ORDER BY provider_code, enrolled_at DESC, fingerprint"
        )
        return [ProviderKey(**row) for row in rows]

    def enrol(self, provider_code: str, public_key: str) -> ProviderKey:
        """Trust `public_key` (base64 of 32 bytes) for the provider's submissions from now on.

        The provider's key in use, if another, is revoked in the same transaction. Enrolling the
        key already in use changes nothing; a key revoked before, or enrolled for another
        provider, is refused (ConstraintError). UnknownRecord: the provider is not registered.
        """
        code = provider_code.strip().upper()
        if code not in {p.code for p in RegistryRepository(self.database).providers()}:
            raise UnknownRecord(f"Provider {code} is not in this database's registry")
        raw = key_bytes(public_key)
        text = b64encode(raw).decode("ascii")
        fp = fingerprint(raw)
        with self.database.transaction():
            known = self.by_fingerprint(fp)
            if known is not None:
                if known.provider_code != code:
                    raise ConstraintError(
                        f"that key is already enrolled for provider {known.provider_code}: "
                        "each provider makes its own key"
                    )
                if known.revoked_at is not None:
                    raise ConstraintError(
                        f"that key of {code} was revoked at {local_time_text(known.revoked_at)}: the provider makes a new one"
                    )
                return known
            current = self.in_use(code)
            if current is not None:
                self._revoke(current)
            now, who = self.database.clock(), self.database.who
            self.database.conn.execute(
                "INSERT INTO provider_key (provider_code, public_key, fingerprint, enrolled_at, enrolled_by) "
                "VALUES (?, ?, ?, ?, ?)",
                (code, text, fp, now, who),
            )
            audit.record(
                self.database, "provider_key", f"{code}/{fp[:16]}", "insert", None,
                {"provider_code": code, "public_key": text, "fingerprint": fp},
            )
            enrolled = self.by_fingerprint(fp)
        assert enrolled is not None
        return enrolled

    def revoke(self, provider_code: str) -> ProviderKey:
        """Stop trusting the provider's key in use (a key lost or leaked). UnknownRecord: none."""
        code = provider_code.strip().upper()
        with self.database.transaction():
            current = self.in_use(code)
            if current is None:
                raise UnknownRecord(f"Provider {code} has no key in use")
            self._revoke(current)
            revoked = self.by_fingerprint(current.fingerprint)
        assert revoked is not None
        return revoked

    def _revoke(self, key: ProviderKey) -> None:
        now, who = self.database.clock(), self.database.who
        self.database.conn.execute(
            "UPDATE provider_key SET revoked_at = ?, revoked_by = ?, version = version + 1 "
            "WHERE fingerprint = ? AND version = ?",
            (now, who, key.fingerprint, key.version),
        )
        audit.record(
            self.database, "provider_key", f"{key.provider_code}/{key.short}", "update",
            {"revoked_at": None}, {"revoked_at": now, "revoked_by": who},
        )
