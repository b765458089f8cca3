"""`rrp keys` and signed `rrp export/import submission`: exit codes and one-line messages."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main
from rrp.store import Store

WARD = "NVT-ASH"


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _new_key(folder: Path, provider: str = "NVT") -> tuple[Path, str]:
    key = folder / f"{provider.lower()}.key"
    result = run("keys", "new", "--provider", provider, "--out", key)
    assert result.exit_code == 0, result.output
    public = next(line for line in result.output.splitlines() if line.startswith("ed25519:"))
    return key, public


@pytest.fixture
def hub(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hub.sqlite"
    path.write_bytes(demo_db.read_bytes())
    return path


def test_keys_new_writes_a_private_file_and_prints_the_public_key(tmp_path: Path, demo_db: Path) -> None:
    key, public = _new_key(tmp_path)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert key.read_text().startswith("rrp provider key: NVT\n-----BEGIN PRIVATE KEY-----")
    assert len(public) == len("ed25519:") + 44
    again = run("keys", "new", "--provider", "NVT", "--out", key)
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert run("keys", "new", "--provider", "NVT", "--out", "-").exit_code == 1
    over_db = run("keys", "new", "--provider", "NVT", "--out", demo_db, "--db", demo_db)
    assert over_db.exit_code == 1 and "the open database" in over_db.stderr


def test_enrol_list_revoke(tmp_path: Path, hub: Path) -> None:
    key, public = _new_key(tmp_path)
    enrolled = run("keys", "enrol", "--provider", "nvt", public, "--db", hub)
    assert enrolled.exit_code == 0 and "Enrolled key" in enrolled.output
    as_file = tmp_path / "nvt.pub"
    as_file.write_text(public + "\n")
    assert run("keys", "enrol", "--provider", "NVT", as_file, "--db", hub).exit_code == 0  # the same: no change
    listed = run("keys", "list", "--db", hub)
    assert listed.exit_code == 0 and listed.output.count("in use") == 1
    revoked = run("keys", "revoke", "--provider", "NVT", "--db", hub)
    assert revoked.exit_code == 0
    listed = run("keys", "list", "--db", hub)
    assert "revoked" in listed.output
    assert run("keys", "revoke", "--provider", "NVT", "--db", hub).exit_code == 1
    again = run("keys", "enrol", "--provider", "NVT", public, "--db", hub)
    assert again.exit_code == 1 and "was revoked" in again.stderr
    # Times people read are UK local time in UK format ("2 Dec 2026 03:10"), never stored ISO.
    shown = enrolled.output + revoked.output + listed.output + again.stderr
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", shown)
    assert re.search(r"revoked \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d by", listed.output)


@pytest.mark.parametrize(
    ("given", "code", "message"),
    [
        ("PRIVATE", 2, "PRIVATE key"),
        ("ed25519:not base64!", 2, "not base64"),
        ("ed25519:AAAA", 2, "not 32"),
        ("hello", 2, "not a public key"),
    ],
)
def test_enrol_refuses_what_is_not_a_public_key(tmp_path: Path, hub: Path, given: str, code: int, message: str) -> None:
    key, _ = _new_key(tmp_path)
    result = run("keys", "enrol", "--provider", "NVT", key if given == "PRIVATE" else given, "--db", hub)
    assert result.exit_code == code and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_enrol_refuses_an_unknown_provider(tmp_path: Path, hub: Path) -> None:
    _, public = _new_key(tmp_path, "ZZZ")
    result = run("keys", "enrol", "--provider", "ZZZ", public, "--db", hub)
    assert result.exit_code == 1 and "ZZZ is not in this database's registry" in result.stderr


def test_export_needs_a_usable_key_of_the_wards_provider(tmp_path: Path, demo_db: Path) -> None:
    out = tmp_path / "s.json"
    missing = run("export", "submission", out, "--db", demo_db, "--ward", WARD)
    assert missing.exit_code == 2 and "needs --key KEYFILE" in missing.stderr
    nvt, _ = _new_key(tmp_path)
    erc, _ = _new_key(tmp_path, "ERC")
    other = run("export", "submission", out, "--db", demo_db, "--ward", WARD, "--key", erc)
    assert other.exit_code == 1 and "sign with NVT's key" in other.stderr
    os.chmod(nvt, 0o644)
    shared = run("export", "submission", out, "--db", demo_db, "--ward", WARD, "--key", nvt)
    assert shared.exit_code == 2 and "can be read by others" in shared.stderr
    not_a_key = tmp_path / "x.key"
    not_a_key.write_text("hello")
    os.chmod(not_a_key, 0o600)
    assert run("export", "submission", out, "--db", demo_db, "--ward", WARD, "--key", not_a_key).exit_code == 2
    assert not out.exists()


def test_import_refuses_unsigned_revoked_and_forged(tmp_path: Path, demo_db: Path, hub: Path) -> None:
    key, public = _new_key(tmp_path)
    out = tmp_path / "s.json"
    assert run("export", "submission", out, "--db", demo_db, "--ward", WARD, "--key", key).exit_code == 0
    refused = run("import", "submission", out, "--db", hub)
    assert refused.exit_code == 1 and "no key enrolled here" in refused.stderr
    assert run("keys", "enrol", "--provider", "NVT", public, "--db", hub).exit_code == 0
    merged = run("import", "submission", out, "--db", hub)
    assert merged.exit_code == 0 and "signed by NVT" in merged.output

    unsigned = tmp_path / "old.json"
    payload = json.loads(json.loads(out.read_text())["signed_payload"])
    unsigned.write_text(json.dumps({**payload, "format_version": 1, "checksum": {"algorithm": "sha256", "value": "0" * 64}}))
    result = run("import", "submission", unsigned, "--db", hub)
    assert result.exit_code == 1 and "must be signed" in result.stderr

    forged = tmp_path / "forged.json"
    envelope = json.loads(out.read_text())
    envelope["provider"] = "ERC"
    forged.write_text(json.dumps(envelope))
    result = run("import", "submission", forged, "--db", hub)
    assert result.exit_code == 1 and "no key enrolled here" in result.stderr

    assert run("keys", "revoke", "--provider", "NVT", "--db", hub).exit_code == 0
    result = run("import", "submission", out, "--db", hub)
    assert result.exit_code == 1 and "revoked" in result.stderr


def test_the_key_is_never_in_the_database(tmp_path: Path, hub: Path) -> None:
    key, public = _new_key(tmp_path)
    run("keys", "enrol", "--provider", "NVT", public, "--db", hub)
    secret = key.read_text().split("-----")[2].strip()
    assert secret not in hub.read_bytes().decode("latin-1")
    store = Store(hub)
    assert [k.provider_code for k in store.keys.all()] == ["NVT"]
