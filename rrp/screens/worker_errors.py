"""Mixed into every screen that runs workers: a worker that fails with an error it did not catch
reaches the app's one handler (`RrpApp.worker_failed`), which logs it, stops the screen's
"loading" and tells the person in plain words.

Textual sends a worker's state changes to the screen that started it only (they do not bubble to
the app), so without this a failed read left its loading dots on screen for good and nothing in the
error log. tests/ui/test_worker_errors.py checks that every screen with a worker mixes this in.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """Hands this screen's failed workers to the app's error handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        handler = getattr(self.app, "worker_failed", None)  # type: ignore[attr-defined]
        if handler is not None:
            handler(event.worker.error, self)
