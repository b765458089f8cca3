"""`rrp keys`: the keys that sign ward submissions.

A provider runs `rrp keys new` once and keeps the private key file (never on the shared drive,
never in a database); it passes the public key it prints to the facilitator, who runs
`rrp keys enrol`. From then on the facilitator's database merges only submissions signed with
that key (`rrp export submission --key KEYFILE`). `rrp keys revoke` stops trusting a key that
was lost or leaked; `rrp keys list` shows what is enrolled.
"""

from __future__ import annotations

from pathlib import Path

import click

from rrp.cli.common import EXIT_USAGE, db_option, fail, open_store, resolve_db
from rrp.cli.data import _console, exchange_errors
from rrp.models.when import local_time_text


def _provider_code(value: str) -> str:
    code = value.strip().upper()
    if not code or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 40:
        fail(f"--provider must be a provider code such as NVT, not {value[:40]!r}", EXIT_USAGE)
    return code


@click.group("keys")
def keys() -> None:
    """Make, enrol, list and revoke the keys that sign ward submissions."""


@keys.command("new")
@click.option("--provider", required=True, help="The provider the key signs for (its code).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The new private key file.")
@db_option
@exchange_errors
def keys_new(provider: str, out: Path, db_path: Path | None) -> None:
    """Make a provider's key pair: the private key to OUT (readable by you alone), the public key printed.

    OUT must not exist yet. Keep it off the shared drive; give the printed public key to the
    facilitator to enrol (rrp keys enrol).
    """
    from rrp.exchange.signing import new_key_file, parse_public_key
    from rrp.store.keys import fingerprint
    from rrp.store.output_file import write_private

    code = _provider_code(provider)
    data, public = new_key_file(code)
    write_private(out, data, database=resolve_db(db_path))
    console = _console()
    console.print(
        f"Wrote {code}'s private key to {out} (readable by you alone: keep it safe, never share it).",
        markup=False,
    )
    console.print("Public key, for the facilitator to enrol:")
    console.print(public, markup=False)
    # Read out over the phone, it proves the key the facilitator enrolled is this one.
    console.print(f"Fingerprint (the facilitator sees the same after enrolling): {fingerprint(parse_public_key(public))[:16]}")
    console.print(f"The facilitator runs: rrp keys enrol --provider {code} {public}", markup=False)


@keys.command("enrol")
@click.option("--provider", required=True, help="The provider whose key this is (its code).")
@click.argument("public_key")
@db_option
@exchange_errors
def keys_enrol(provider: str, public_key: str, db_path: Path | None) -> None:
    """Trust PUBLIC_KEY (the ed25519:... line, or a file holding it) for a provider's submissions.

    The provider's previous key, if any, is revoked. Audited.
    """
    from base64 import b64encode

    from rrp.exchange.signing import parse_public_key

    code = _provider_code(provider)
    raw = parse_public_key(public_key)
    store = open_store(db_path)
    enrolled = store.keys.enrol(code, b64encode(raw).decode("ascii"))
    _console().print(
        f"Enrolled key {enrolled.short} for {enrolled.provider_code} (by {enrolled.enrolled_by} at "
        f"{local_time_text(enrolled.enrolled_at)}): its signed submissions can now be imported.",
        markup=False,
    )


@keys.command("revoke")
@click.option("--provider", required=True, help="The provider whose key in use is revoked.")
@db_option
@exchange_errors
def keys_revoke(provider: str, db_path: Path | None) -> None:
    """Stop trusting a provider's key (lost or leaked); its submissions are refused until a new one is enrolled."""
    store = open_store(db_path)
    revoked = store.keys.revoke(_provider_code(provider))
    _console().print(f"Revoked key {revoked.short} of {revoked.provider_code} at {local_time_text(revoked.revoked_at)}.", markup=False)


@keys.command("list")
@db_option
@exchange_errors
def keys_list(db_path: Path | None) -> None:
    """The keys enrolled in this database, newest first per provider."""
    store = open_store(db_path)
    found = store.keys.all()
    console = _console()
    if not found:
        console.print("No keys enrolled: rrp keys enrol --provider CODE PUBLIC_KEY", markup=False)
        return
    for key in found:
        state = f"revoked {local_time_text(key.revoked_at)} by {key.revoked_by}" if key.revoked_at else "in use"
        console.print(
            f"{key.provider_code}  {key.short}  enrolled {local_time_text(key.enrolled_at)} by {key.enrolled_by}  {state}",
            markup=False,
        )
