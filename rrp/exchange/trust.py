"""What a signed submission may claim: its own provider's wards, and no time in the future.

A valid signature proves which provider sent a submission, not that what it says is allowed. So,
against the facilitator's own registry: the payload must name the provider that signed it, and
every ward in it (the submitting ward, and the ward of every record and deletion) must be one of
that provider's wards. Any failure refuses the whole submission.

Every time in it (when it was exported, each record's updated_at and created_at, each deletion's
time) must not be in the future, give or take CLOCK_SKEW (defined here, the one allowance for a
clock ahead): a forged updated_at of 9999 would otherwise win every later comparison and turn the
ward's real corrections into conflicts. Those times are checked field by field, with the other
fields, by rrp.exchange.submission_check (`timestamp`), so each one is named in the refusal.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rrp.exchange.reading import ExchangeError

if TYPE_CHECKING:
    from rrp.exchange.signing import SignedBy
    from rrp.store import Store

#: Two machines' clocks differ a little; a time further ahead than this is refused as future.
CLOCK_SKEW = dt.timedelta(minutes=10)


class TrustRefused(ExchangeError):
    """A signed submission claims what its provider may not: refused whole, nothing written."""


def moment(value: Any) -> dt.datetime | None:
    """An ISO time (UTC when it names no zone), or None when `value` is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        found = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)


def check_claims(store: Store, data: dict[str, Any], signed_by: SignedBy, where: str) -> None:
    """TrustRefused with one line naming the first ward or provider the signer may not claim."""
    provider = signed_by.provider
    claimed = data.get("provider")
    claimed_code = claimed.get("code") if isinstance(claimed, dict) else None
    if claimed_code != provider:
        raise TrustRefused(
            f"{where} is signed by {provider} but claims to be from provider {str(claimed_code)[:40]!r}: "
            "refused, nothing was imported"
        )
    own = {w.code for w in store.registry.wards() if w.provider_code == provider}
    ward = data["ward"]
    wards = [("the submitting ward", ward.get("code"))]
    if ward.get("provider_code") != provider:
        raise TrustRefused(
            f"{where} is signed by {provider} but says its ward belongs to {str(ward.get('provider_code'))[:40]!r}: "
            "refused, nothing was imported"
        )
    records = [(table, row) for table, rows in data["tables"].items() if isinstance(rows, list) for row in rows]
    records += [(f"deleted {d.get('table')}", d) for d in data.get("deleted", []) if isinstance(d, dict)]
    for label, row in records:
        if isinstance(row, dict):
            wards.append((f"a {label} record", _ward_of(row)))
    for what, code in wards:
        if not isinstance(code, str) or code not in own:
            raise TrustRefused(
                f"{where} is signed by {provider} but {what} is for ward {str(code)[:40]!r}, which is not one "
                f"of {provider}'s wards in this database's registry: refused, nothing was imported"
            )


def _ward_of(row: dict[str, Any]) -> Any:
    """A record's ward: its own ward_code, or that of the deleted record it names."""
    if "ward_code" in row:
        return row["ward_code"]
    record = row.get("record")
    return record.get("ward_code") if isinstance(record, dict) else None
