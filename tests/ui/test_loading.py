"""The loading indicator raised before a widget is mounted never covers data shown meanwhile."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static

from rrp.widgets.loading import start_loading, stop_loading


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Vertical(id="box")


async def covered(pilot, widget) -> bool:
    await pilot.pause(0.1)
    return widget.loading or bool(widget.query(LoadingIndicator)) or widget._cover_widget is not None


async def test_a_stop_before_the_mount_wins_over_the_start():
    app = Host()
    async with app.run_test() as pilot:
        widget = Static("the data")
        mounting = app.query_one("#box").mount(widget)
        assert not widget.is_mounted
        start_loading(widget)  # as a screen's on_mount does, before the child has mounted
        stop_loading(widget)  # the data came back first
        await mounting
        assert not await covered(pilot, widget)


async def test_a_start_before_the_mount_shows_until_stopped():
    app = Host()
    async with app.run_test() as pilot:
        widget = Static("the data")
        mounting = app.query_one("#box").mount(widget)
        start_loading(widget)
        await mounting
        assert await covered(pilot, widget)
        stop_loading(widget)
        assert not await covered(pilot, widget)


def deferred(widget) -> list:
    """Hold back what the widget defers until after its mount, to run it when the test says:
    the order a busy machine can produce (mount done, data shown, then the deferred call)."""
    held: list = []
    original = widget.call_later

    def call_later(callback, *args, **kwargs):
        if getattr(callback, "__name__", "") in ("set_loading", "apply"):  # the loading steps only
            held.append((callback, args))
            return True
        return original(callback, *args, **kwargs)

    widget.call_later = call_later
    return held


async def stopped_before_the_deferred_start_runs(start, stop) -> bool:
    """Start before the mount, mount, stop, then run the start's deferred step: covered after?"""
    app = Host()
    async with app.run_test() as pilot:
        widget = Static("the data")
        held = deferred(widget)
        mounting = app.query_one("#box").mount(widget)
        start(widget)
        await mounting
        stop(widget)  # mounted now: applied at once
        assert held  # the start was deferred
        for callback, args in held:
            callback(*args)  # the start's deferred step runs last
        return await covered(pilot, widget)


async def test_a_start_deferred_past_the_stop_is_dropped():
    assert not await stopped_before_the_deferred_start_runs(start_loading, stop_loading)


async def test_plain_textual_in_that_order_leaves_the_data_covered():
    """Why the helper exists: Textual 8.2.8's own deferral, in the same order."""
    assert await stopped_before_the_deferred_start_runs(
        lambda w: setattr(w, "loading", True), lambda w: setattr(w, "loading", False)
    )
