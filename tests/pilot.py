"""Helpers for Pilot tests (a module with a unique name, importable from any test folder)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 20.0) -> None:
    """Let the app (and its workers) run until `condition()` is true.

    The timeout is generous on purpose: CI runs two test processes on two cores, and a busy
    machine must not turn a correct app into a failed test.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)
    await pilot.pause()
