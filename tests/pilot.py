"""Helpers for Pilot tests (a module with a unique name, importable from any test folder)."""

from __future__ import annotations

from collections.abc import Callable


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app (and its workers) run until `condition()` is true."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")
