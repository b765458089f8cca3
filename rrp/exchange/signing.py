"""Ed25519 signatures for ward submissions: a provider's key pair, sealing and opening a file.

A provider makes its key pair once (`rrp keys new`): the private key stays with the provider in
a file only its owner can read; the facilitator enrols the public key (`rrp keys enrol`,
`rrp.store.keys`). A submission is sealed by signing the exact UTF-8 bytes of its payload (the
canonical JSON of everything it says: provider, ward, export time, records, deletions); the file
carries those bytes as a string beside the signature, so what is verified is byte for byte what
is then read:

    {"format": "rrp-ward-submission", "format_version": 2, "provider": "NVT",
     "signed_payload": "{...}", "signature": {"algorithm": "ed25519", "key": FINGERPRINT, "value": BASE64}}

Opening checks the signature with the key the facilitator's database has in use for that
provider; anything else (no key, a revoked key, another key, one changed byte) is refused.
The cryptography is the `cryptography` package's; nothing here is home-made.
"""

from __future__ import annotations

import os
import stat
from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rrp.exchange.reading import ExchangeError, FileRefused
from rrp.models.when import local_time_text

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from rrp.store.keys import KeyRepository

ALGORITHM = "ed25519"
#: How a public key is written for a person to pass on: 'ed25519:' and its 32 bytes in base64.
PUBLIC_PREFIX = "ed25519:"
#: The first line of a private key file names the provider it signs for.
_PROVIDER_LINE = "rrp provider key:"
#: A key file is a few hundred bytes; anything far larger is not one (and is not read whole).
MAX_KEY_FILE_BYTES = 16 * 1024
SIGNATURE_BYTES = 64
#: The fields of a signed file, exactly.
ENVELOPE_FIELDS = frozenset({"format", "format_version", "provider", "signed_payload", "signature"})


class SignatureRefused(ExchangeError):
    """A submission whose signature is missing, unknown, revoked or does not match: nothing read."""


class KeyFileRefused(FileRefused):
    """Not a usable private key file (missing, readable by others, not an rrp provider key)."""


@dataclass(frozen=True)
class SigningKey:
    """A provider's private key, loaded from its file."""

    provider: str
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_text(self) -> str:
        return public_text(self.public_raw)

    @property
    def fingerprint(self) -> str:
        from rrp.store.keys import fingerprint

        return fingerprint(self.public_raw)


@dataclass(frozen=True)
class SignedBy:
    """Who sealed a submission that verified: the provider and its key's fingerprint."""

    provider: str
    fingerprint: str

    def audit_name(self, imported_by: str) -> str:
        """How the audit names the writer of a merged record."""
        return f"submission:{self.provider} (signed, key {self.fingerprint[:16]}; imported by {imported_by})"


def public_text(raw: bytes) -> str:
    """A public key as one line to pass on: 'ed25519:' and base64."""
    return PUBLIC_PREFIX + b64encode(raw).decode("ascii")


# -- a provider's key pair ------------------------------------------------------------------------


def new_key_file(provider: str) -> tuple[bytes, str]:
    """A new private key file's bytes for `provider`, and its public key as text."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    text = f"{_PROVIDER_LINE} {provider}\n".encode() + pem
    return text, SigningKey(provider, private).public_text


def load_key_file(path: str | Path) -> SigningKey:
    """The provider's private key from its file; KeyFileRefused with one line when it is not one.

    On POSIX a file that its group or others may read is refused (as ssh does): a key that
    others could have copied can no longer prove who signed.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    path = Path(path)
    try:
        info = os.stat(path)
    except OSError:
        raise KeyFileRefused(f"key file {path} does not exist") from None
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileRefused(f"key file {path} is not a regular file")
    if info.st_size > MAX_KEY_FILE_BYTES:
        raise KeyFileRefused(f"{path} is not an rrp provider key file (too large)")
    if os.name == "posix" and info.st_mode & 0o077:
        raise KeyFileRefused(
            f"key file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}): "
            f"run chmod 600 {path}, or make a new key if others may have copied it"
        )
    try:
        text = path.read_bytes()[:MAX_KEY_FILE_BYTES].decode("ascii")
    except (OSError, UnicodeDecodeError):
        raise KeyFileRefused(f"{path} is not an rrp provider key file") from None
    first, _, pem = text.partition("\n")
    if not first.startswith(_PROVIDER_LINE) or not first[len(_PROVIDER_LINE):].strip():
        raise KeyFileRefused(f"{path} is not an rrp provider key file (made by rrp keys new)")
    provider = first[len(_PROVIDER_LINE):].strip().upper()
    try:
        private = load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError):
        raise KeyFileRefused(f"{path} is not an rrp provider key file (its key cannot be read)") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileRefused(f"{path} holds a key of another kind, not Ed25519")
    return SigningKey(provider, private)


def parse_public_key(given: str) -> bytes:
    """The 32 bytes of a public key given as text ('ed25519:BASE64') or as a file holding it.

    FileRefused with one line for anything else.
    """
    text = given.strip()
    if not text.startswith(PUBLIC_PREFIX):
        path = Path(given)
        try:
            if path.is_file() and path.stat().st_size <= MAX_KEY_FILE_BYTES:
                text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError, ValueError):
            pass
    if "PRIVATE KEY" in text or text.startswith(_PROVIDER_LINE):
        raise FileRefused(
            "that is a PRIVATE key: it never leaves the provider. Enrol the public key "
            "`rrp keys new` printed (it starts with ed25519:)"
        )
    if not text.startswith(PUBLIC_PREFIX):
        raise FileRefused(f"not a public key: give the line starting {PUBLIC_PREFIX} (or a file holding it)")
    try:
        raw = b64decode(text[len(PUBLIC_PREFIX):], validate=True)
    except (Base64Error, ValueError):
        raise FileRefused("not a public key: the text after ed25519: is not base64") from None
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise FileRefused(f"not an Ed25519 public key ({len(raw)} bytes, not 32)") from None
    return raw


# -- sealing and opening ------------------------------------------------------------------------


def seal(file_format: str, format_version: int, payload: bytes, key: SigningKey) -> dict[str, Any]:
    """The signed file (as a dict to write as JSON) carrying `payload`, UTF-8 JSON text."""
    return {
        "format": file_format,
        "format_version": format_version,
        "provider": key.provider,
        "signed_payload": payload.decode("utf-8"),
        "signature": {
            "algorithm": ALGORITHM,
            "key": key.fingerprint,
            "value": b64encode(key.private.sign(payload)).decode("ascii"),
        },
    }


def open_sealed(envelope: dict[str, Any], keys: KeyRepository, where: str) -> tuple[bytes, SignedBy]:
    """The payload bytes of a signed file, and who signed them; SignatureRefused otherwise.

    The signature must verify with the key this database has in use for the provider the file
    names; the caller then checks that the payload claims that same provider.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    extra = set(envelope) - ENVELOPE_FIELDS
    missing = ENVELOPE_FIELDS - set(envelope)
    if extra or missing:
        named = sorted(extra) + sorted(missing)
        raise SignatureRefused(
            f"{where} is not a signed submission as rrp writes it ({', '.join(named)}): refused, nothing was imported"
        )
    provider, payload, signature = envelope["provider"], envelope["signed_payload"], envelope["signature"]
    if not isinstance(provider, str) or not isinstance(payload, str) or not isinstance(signature, dict):
        raise SignatureRefused(f"{where}: its provider, payload or signature is not what rrp writes: refused")
    if signature.get("algorithm") != ALGORITHM or set(signature) != {"algorithm", "key", "value"}:
        raise SignatureRefused(f"{where} is not signed with {ALGORITHM}: refused, nothing was imported")
    claimed, value = signature["key"], signature["value"]
    try:
        raw_signature = b64decode(value, validate=True) if isinstance(value, str) else b""
    except (Base64Error, ValueError):
        raw_signature = b""
    if len(raw_signature) != SIGNATURE_BYTES or not isinstance(claimed, str):
        raise SignatureRefused(f"{where} has a damaged signature: refused, nothing was imported")
    code = provider.strip().upper()
    shown = code[:40]
    trusted = keys.in_use(code) if code == provider else None
    if trusted is None or trusted.fingerprint != claimed:
        old = keys.by_fingerprint(claimed)
        if old is not None and old.revoked_at is not None:
            raise SignatureRefused(
                f"{where} is signed with a key of {old.provider_code} revoked at {local_time_text(old.revoked_at)}: "
                "refused, nothing was imported. The provider signs with its new key."
            )
        if trusted is None:
            raise SignatureRefused(
                f"{where} is signed for provider {shown!r}, which has no key enrolled here: refused, "
                "nothing was imported. Enrol the provider's public key first (rrp keys enrol)."
            )
        raise SignatureRefused(
            f"{where} is not signed with the key enrolled for {shown} (fingerprint {trusted.short}): "
            "refused, nothing was imported"
        )
    data = payload.encode("utf-8", errors="surrogatepass")
    try:
        Ed25519PublicKey.from_public_bytes(trusted.raw).verify(raw_signature, data)
    except (InvalidSignature, ValueError):
        raise SignatureRefused(
            f"{where} fails its signature: it was changed after {shown} signed it, or {shown} did not "
            "sign it. Refused, nothing was imported; ask the ward to export it again."
        ) from None
    return data, SignedBy(code, trusted.fingerprint)
