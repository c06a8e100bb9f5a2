"""The app's log file: rotating, redacted, in the profile's data folder, written by the window and the CLI alike.

`<data folder>/logs/bigbooks.log`, rotated at 1 MB with five old files kept (`bigbooks.log.1` ... `.5`). Every
line goes through `core.redact` before it is written (tokens, secrets, Authorization headers, OAuth codes), so
the file can be attached to a bug report as it is. The level comes from the `log_level` preference ("info":
what each run and order did, failures; "debug": every API request line too), or `BIGBOOKS_LOG_LEVEL`.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from bigbooks_desktop.core.paths import log_dir
from bigbooks_desktop.core.redact import redact

__all__ = ["LOG_NAME", "RedactingFilter", "configure_logging", "log_path"]

LOG_NAME = "bigbooks.log"
_MAX_BYTES = 1_000_000
_BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)-7s [%(process)d %(name)s] %(message)s"
_HANDLER_TAG = "bigbooks-logfile"


def log_path() -> Path:
    """Where the current log file is (its rotated copies sit beside it)."""
    return log_dir() / LOG_NAME


class RedactingFilter(logging.Filter):
    """Replaces each record's message by its redacted text (arguments merged first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None if record.exc_text else record.exc_info
        return True


def configure_logging(level: str = "info") -> Path:
    """Send the app's logging (`bigbooks_desktop.*`) to the rotating log file at `level` (the environment's
    BIGBOOKS_LOG_LEVEL wins); idempotent. Returns the file's path."""
    chosen = os.environ.get("BIGBOOKS_LOG_LEVEL", level).upper()
    numeric = logging.getLevelName(chosen)
    if not isinstance(numeric, int):
        numeric = logging.INFO
    logger = logging.getLogger("bigbooks_desktop")
    path = log_path()
    for handler in list(logger.handlers):
        if getattr(handler, "name", "") == _HANDLER_TAG:
            logger.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS,
                                                   encoding="utf-8", delay=True)
    handler.set_name(_HANDLER_TAG)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(numeric)
    return path
