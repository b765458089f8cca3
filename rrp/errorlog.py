"""The error log a ward's IT support reads: what failed and where, never what was typed.

One rotating file, `rrp-errors.log`, in the user data directory (the folder of the default
database; `RRP_LOG_DIR` chooses another, e.g. in tests), at most LOG_BYTES x (LOG_BACKUPS + 1).
Each line is a UTC time, the exception's type, the file, line and function where it was raised
(the innermost frame in rrp, else the innermost frame), and the screen or command. The
exception's message is NEVER written: it can quote a ward's note, a file's cells or an NHS
number a guard refused. Writing the log never raises (a full disk must not turn an error into
a crash).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "rrp-errors.log"
LOG_BYTES = 256 * 1024
LOG_BACKUPS = 2
_LOGGER = "rrp.errors"
_lock = threading.Lock()


def log_dir() -> Path:
    """RRP_LOG_DIR if set, else the platform's user data directory (beside the default database)."""
    env = os.environ.get("RRP_LOG_DIR")
    if env:
        return Path(env)
    import platformdirs  # deferred, as in rrp.paths

    return Path(platformdirs.user_data_dir("rrp", appauthor=False))


def log_path() -> Path:
    """The error log file."""
    return log_dir() / LOG_NAME


def _logger() -> logging.Logger:
    """The error logger, its file handler attached once per log path."""
    logger = logging.getLogger(_LOGGER)
    path = log_path()
    with _lock:
        current = [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]
        if not current or Path(current[0].baseFilename) != path.resolve():
            for handler in current:
                logger.removeHandler(handler)
                handler.close()
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
            formatter = logging.Formatter("%(asctime)sZ %(message)s", "%Y-%m-%dT%H:%M:%S")
            formatter.converter = time.gmtime  # UTC, as every time rrp stores
            handler.setFormatter(formatter)
            logger.addHandler(handler)
        logger.setLevel(logging.ERROR)
        logger.propagate = False  # never to the terminal the app is drawing on
    return logger


def where(error: BaseException) -> str:
    """'rrp/store/pdsa.py:212 in save': the innermost rrp frame of the traceback (else the last)."""
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    if not frames:
        return "(no traceback)"
    ours = [f for f in frames if f"{os.sep}rrp{os.sep}" in f.filename]
    frame = (ours or frames)[-1]
    name = frame.filename
    if f"{os.sep}rrp{os.sep}" in name:
        name = "rrp/" + name.rsplit(f"{os.sep}rrp{os.sep}", 1)[1].replace(os.sep, "/")
    else:
        name = Path(name).name
    return f"{name}:{frame.lineno} in {frame.name}"


def error_line(error: BaseException, context: str) -> str:
    """The line logged for `error`: type, place and context; no message, no values."""
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__} at {where(error)} [{context}]"


def log_error(error: BaseException, context: str) -> None:
    """Append one line for `error` (see error_line); silently does nothing if it cannot."""
    try:
        _logger().error(error_line(error, context))
    except Exception:  # noqa: BLE001, S110 - the log must never be the thing that crashes
        pass
