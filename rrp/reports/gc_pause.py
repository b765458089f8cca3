"""Python's cyclic garbage collector held off while a worker builds a large result.

Painting the national dashboard (2,000 wards) decodes ~2,000 stored summaries and builds frames
of them: hundreds of thousands of small containers, which set off ~250 collections (two of them
full) on the way: about a fifth of the time to paint, measured in the app. Reference counting
still frees almost everything at once; only garbage in reference cycles waits, and one
collection runs when the last holder leaves (the collector is the process's: nested and
concurrent holders are counted, and a collector someone else switched off stays off).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting goes on as ever)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
