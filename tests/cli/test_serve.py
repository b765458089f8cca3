"""`rrp serve` builds the right textual-serve command (no server is started)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main


class FakeServer:
    made: list[dict] = []

    def __init__(self, command: str, host: str, port: int) -> None:
        FakeServer.made.append({"command": command, "host": host, "port": port})

    def serve(self) -> None:
        FakeServer.made[-1]["served"] = True


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    import textual_serve.server

    FakeServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    return FakeServer


def test_serve_defaults_to_localhost(fake: type[FakeServer], tmp_path: Path) -> None:
    db = tmp_path / "collab.sqlite"
    result = CliRunner().invoke(main, ["serve", "--db", str(db)])
    assert result.exit_code == 0, result.output
    made = fake.made[-1]
    assert made["host"] == "127.0.0.1" and made["port"] == 8000 and made["served"]
    assert made["command"] == f"{sys.executable} -m rrp --db {db}"


def test_serve_host_and_port(fake: type[FakeServer], tmp_path: Path) -> None:
    db = tmp_path / "my collab.sqlite"
    result = CliRunner().invoke(main, ["serve", "--db", str(db), "--host", "0.0.0.0", "--port", "9001"])
    assert result.exit_code == 0, result.output
    made = fake.made[-1]
    assert made["host"] == "0.0.0.0" and made["port"] == 9001
    assert made["command"].endswith(f"--db '{db}'")
