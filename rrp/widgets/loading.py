"""Textual's loading indicator, safe to raise before a widget is mounted.

A `widget.loading = True` made before the widget is mounted is applied by Textual after the mount.
If the data arrived first (`loading = False` in between), the late True covered the data with
"Loading..." for good: seen in CI on the home screen. These two calls keep the order: a start that
is applied late is dropped when a stop came after it.
"""

from __future__ import annotations

from textual.widget import Widget

_STARTED = "_rrp_loading_started"


def start_loading(widget: Widget) -> None:
    """Show the loading indicator over `widget` (now, or once it is mounted) until `stop_loading`."""
    token = object()
    setattr(widget, _STARTED, token)

    def apply() -> None:
        if getattr(widget, _STARTED, None) is token:  # not stopped (or restarted) since
            widget.loading = True

    if widget.is_mounted:
        apply()
    else:
        widget.call_later(apply)


def stop_loading(widget: Widget) -> None:
    """Take the loading indicator off `widget` (and cancel a start still waiting for the mount)."""
    setattr(widget, _STARTED, None)
    widget.loading = False
