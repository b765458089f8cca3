"""F1 -> help painted, against pushing a trivial screen: measured through Textual's Pilot.

    .venv/bin/python benchmarks/help_open.py              # the 19-ward demo, 7 runs
    .venv/bin/python benchmarks/help_open.py --repeat 3   # smoke (make bench)

For the home screen, a ward's huddle and the dashboard's funnel tab (help per tab): the time from the F1 key to the help screen mounted and
its text laid out, and the same for pushing a ModalScreen holding one Static (the baseline: what
any screen costs Textual). Also 'm' from help -> the methods document rendered (it is rendered
only when asked for). Prints medians; asserts nothing. The goal: F1 under 0.3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 18)


async def poll(condition, timeout: float = 30.0) -> None:
    """Yield to the app's event loop until `condition()` (no Pilot idle waits)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.0005)


async def measure(db: Path, repeat: int) -> dict[str, list[float]]:
    from textual.screen import ModalScreen
    from textual.widgets import Static

    from rrp.app import RrpApp

    class Trivial(ModalScreen[None]):
        def compose(self):
            yield Static("a trivial screen", id="trivial")

    def shown(selector: str):
        def check() -> bool:
            found = app.screen.query(selector)
            return bool(found) and found.first().region.width > 0

        return check

    out: dict[str, list[float]] = {}
    app = RrpApp(db, today=TODAY, who="bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await poll(lambda: app.store is not None and app.prewarmed)
        await pilot.pause(1.0)
        for place in ("home", "huddle", "dashboard funnel tab"):
            if place == "huddle":
                app.open_screen("huddle", ward_code="NVT-ASH")
                await poll(lambda: type(app.screen).__name__ == "HuddleScreen")
                await pilot.pause(1.0)
            if place == "dashboard funnel tab":
                app.pop_screen()
                app.open_screen("dashboard")
                await poll(lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.view is not None)
                app.screen.query_one("#dash-tabs").active = "tab-funnel"
                await pilot.pause(1.0)
            for _ in range(repeat):
                start = time.perf_counter()
                app.push_screen(Trivial())
                await poll(shown("#trivial"))
                out.setdefault(f"{place}: trivial screen push", []).append(time.perf_counter() - start)
                app.pop_screen()
                await pilot.pause(0.1)
                start = time.perf_counter()
                asyncio.ensure_future(pilot.press("f1"))
                await poll(shown("#help-text"))
                out.setdefault(f"{place}: F1 -> help", []).append(time.perf_counter() - start)
                if place == "home":
                    start = time.perf_counter()
                    asyncio.ensure_future(pilot.press("m"))
                    await poll(shown("#methods"))
                    out.setdefault("help: m -> methods rendered", []).append(time.perf_counter() - start)
                    app.pop_screen()
                app.pop_screen()
                await pilot.pause(0.1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from rrp.store import Store
    from rrp.synthetic import build_demo

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.sqlite"
        build_demo(Store(db, who="bench"), weeks=52, end=TODAY - dt.timedelta(days=TODAY.weekday() + 7))
        results = asyncio.run(measure(db, args.repeat))
    for name, times in results.items():
        print(f"{name:44s} median {statistics.median(times) * 1000:7.1f} ms  ({len(times)} runs)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
