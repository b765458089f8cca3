"""No raw ISO timestamp (2026-12-01T04:52:06Z) on screen: people see UK local time."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

from pilot import settled, until
from svg_text import svg_lines

from rrp.app import RrpApp
from rrp.store import Store

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


def test_no_screen_shows_an_iso_timestamp(demo_db: Path) -> None:
    # A draft kept from a closed terminal: the editor offers it "from <when>".
    store = Store(demo_db, who="test", clock=lambda: "2026-07-01T08:20:00Z")  # summer: BST
    cycle = store.pdsa.list()[0].cycle
    store.pdsa.save_draft(cycle.id, {"title": cycle.title + " (draft)"})
    store.close()

    async def run() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.store is not None)
            seen = []
            for name, kwargs in (
                ("pdsa_list", {"ward_code": cycle.ward_code}),
                ("pdsa_edit", {"cycle_id": cycle.id}),
                ("progress", {"ward_code": cycle.ward_code}),
                ("driver_diagram", {}),
                ("data_io", {}),
            ):
                screen = app.open_screen(name, **kwargs)
                await until(pilot, lambda screen=screen: screen in app.screen_stack)
                await settled(pilot)
                text = "\n".join(svg_lines(app.export_screenshot()))
                seen.append((name, ISO_TIME.findall(text)))
                while app.screen is not screen:  # the draft question, on top
                    text = "\n".join(svg_lines(app.export_screenshot()))
                    seen.append((f"{name} (dialog)", ISO_TIME.findall(text)))
                    assert "from 1 Jul 2026 09:20" in " ".join(text.split())
                    app.pop_screen()
                    await pilot.pause()
                app.pop_screen()
                await pilot.pause()
            assert [(name, found) for name, found in seen if found] == []

    asyncio.run(run())
